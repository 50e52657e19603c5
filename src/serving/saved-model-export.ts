import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NotSupportedError, UserError } from '../util/errors';
import { bundleDir } from './predict';

/**
 * `tfx-ts export --saved-model`: a model bundle (Trainer output or a pushed version) as a TensorFlow
 * SavedModel for TF Serving and Python TF. The work is Python's (python/export_saved_model.py):
 * the Keras model comes from the tensorflowjs converter's loader and TensorFlow writes the
 * SavedModel; there is no TensorFlow in Node to do either. Its `serving_default` takes serialized
 * tf.Example of the raw features (TFX's convention) and applies the transform graph in TF ops.
 */
export interface SavedModelExportOptions {
  /** A bundle directory, or a pushed model directory (<base>/<name>: its newest version). */
  model: string;
  /** Where the SavedModel goes: must not exist, or be an empty directory. */
  output: string;
  /** Python with tensorflow and tensorflowjs (requirements/tfjs.txt). Default: $TFX_TS_TFJS_PYTHON, else python3. */
  python?: string;
  log?: (line: string) => void;
}

export const EXPORT_SCRIPT = path.resolve(__dirname, '..', '..', 'python', 'export_saved_model.py');
/** The script's exit status for a transform op it cannot translate (nothing written). */
const UNSUPPORTED_EXIT = 3;

export async function exportSavedModel(options: SavedModelExportOptions): Promise<{ output: string; bundle: string }> {
  const bundle = bundleDir(options.model);
  for (const file of ['signature.json', 'transform_graph.json']) {
    if (!fs.existsSync(path.join(bundle, file)))
      throw new UserError(
        `${bundle} has no ${file}.`,
        'export a model bundle written by the Trainer or the Pusher (it holds model.json, signature.json and transform_graph.json).',
      );
  }
  const output = path.resolve(options.output);
  if (fs.existsSync(output) && (!fs.statSync(output).isDirectory() || fs.readdirSync(output).length > 0))
    throw new UserError(`${output} already exists and is not an empty directory.`, 'choose a new output directory (a SavedModel is a whole directory).');
  const python = options.python ?? process.env.TFX_TS_TFJS_PYTHON ?? 'python3';
  // Written next to the output first and renamed at the end: a failed export leaves nothing behind.
  const partial = `${output}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(python, [EXPORT_SCRIPT, bundle, partial], {
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => options.log?.(chunk.toString().trim()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new UserError(
              `No Python interpreter at "${python}".`,
              'pass --python <python with tensorflow and tensorflowjs> (an environment from requirements/tfjs.txt: bash scripts/venv.sh tfjs), or set TFX_TS_TFJS_PYTHON.',
            )
          : error,
      ),
    );
    child.on('close', (status) => resolve({ code: status, stderr: err }));
  });
  if (code !== 0) {
    fs.rmSync(partial, { recursive: true, force: true });
    if (code === UNSUPPORTED_EXIT) throw new NotSupportedError(`Exporting this model as a SavedModel: ${stderr.trim().split('\n').pop()}`);
    if (/No module named '(tensorflow|tensorflowjs)/.test(stderr)) {
      const missing = /No module named '([^']+)'/.exec(stderr)![1];
      throw new UserError(
        `${python} has no ${missing} module, which the SavedModel export needs.`,
        'use a Python environment from requirements/tfjs.txt (bash scripts/venv.sh tfjs) via --python or TFX_TS_TFJS_PYTHON.',
      );
    }
    const traceback = stderr.lastIndexOf('Traceback (most recent call last)');
    throw new Error(`SavedModel export failed (exit ${code}):\n${traceback >= 0 ? stderr.slice(traceback) : stderr.split('\n').slice(-20).join('\n')}`);
  }
  if (fs.existsSync(output)) fs.rmdirSync(output);
  fs.renameSync(partial, output);
  return { output, bundle };
}
