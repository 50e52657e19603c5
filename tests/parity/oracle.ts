/**
 * The Python side of the parity suite: real TFX libraries (TFDV, tf.Transform, TFMA) in the project's
 * `tfx` virtual environment (requirements/tfx.txt, created by scripts/venv.sh and exported by
 * scripts/test-setup/10-python.sh as TFX_TS_VENV_TFX). Each test file runs its Python script once
 * with one request (everything it needs from TFX, batched) because starting Python with TensorFlow
 * and a Beam pipeline costs seconds each time.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tempDir } from '../../src/testing/fixtures';

/** The venv's interpreter; a missing venv fails the suite with the command that creates it. */
export function tfxPython(): string {
  const venv = process.env.TFX_TS_VENV_TFX || path.join(repoRoot, '.venv', 'tfx');
  const python = path.join(venv, 'bin', 'python');
  if (!fs.existsSync(python)) {
    throw new Error(
      `The TFX parity suite needs the Python environment with real TFX at ${venv}: run \`bash scripts/venv.sh tfx\` (or \`npm test\`, which does).`,
    );
  }
  return python;
}

/**
 * Runs tests/parity/py/<script>.py with `request` (JSON) and returns the JSON it writes. The script
 * gets the request file and the response file as its two arguments.
 */
export async function runOracle<T = any>(script: string, request: unknown, timeoutMs = 45 * 60_000): Promise<T> {
  const dir = tempDir('tfx-ts-parity-');
  const requestFile = path.join(dir, 'request.json');
  const responseFile = path.join(dir, 'response.json');
  fs.writeFileSync(requestFile, JSON.stringify(request));
  const file = path.join(repoRoot, 'tests', 'parity', 'py', `${script}.py`);
  await new Promise<void>((resolve, reject) => {
    execFile(
      tfxPython(),
      [file, requestFile, responseFile],
      {
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        // Quiet TensorFlow's and Abseil's start-up logs; one thread pool per process is plenty here.
        env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', PYTHONHASHSEED: '0', CUDA_VISIBLE_DEVICES: '' },
      },
      (error, _stdout, stderr) => {
        if (error) {
          // The Python traceback if there is one, else the end of stderr (a timeout or a signal has none).
          const traceback = stderr.lastIndexOf('Traceback (most recent call last)');
          const detail = traceback >= 0 ? stderr.slice(traceback) : stderr.split('\n').slice(-20).join('\n');
          reject(new Error(`${script}.py failed (${error.killed ? `killed after ${timeoutMs / 1000} s` : error.message.split('\n')[0]}):\n${detail}`));
        } else resolve();
      },
    );
  });
  return JSON.parse(fs.readFileSync(responseFile, 'utf8')) as T;
}
