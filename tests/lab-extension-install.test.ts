import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The JupyterLab extension installs both ways a user installs it, and JupyterLab 4.6 (from PyPI)
 * then lists it as enabled and OK:
 * - `pip install ./lab-extension` (its Python package, pyproject.toml + hatch-jupyter-builder), into
 *   a fresh virtual environment without system site-packages;
 * - `tfx-ts setup --prefix <dir>` for users who do not pip install (a link in <dir>/share/jupyter).
 * Needs the `lab` environment (scripts/venv.sh lab, exported by scripts/test-setup/10-python.sh as
 * TFX_TS_VENV_LAB) and the prebuilt extension (lab-extension/scripts/build.sh); npm test does both.
 */
const repoRoot = path.resolve(__dirname, '..');
const labVenv = process.env.TFX_TS_VENV_LAB ?? path.join(repoRoot, '.venv', 'lab');
const prebuilt = path.join(repoRoot, 'lab-extension', 'tfx_ts_labextension', 'labextension', 'package.json');

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; out: string } {
  const jupyterFree = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('JUPYTER_')));
  const result = spawnSync(cmd, args, {
    cwd: repoRoot,
    env: { ...jupyterFree, PYTHONNOUSERSITE: '1', ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: result.status, out: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** `jupyter labextension list` without colour codes, one line per extension. */
function labextensionList(python: string, env: NodeJS.ProcessEnv = {}): string {
  const { status, out } = run(python, ['-m', 'jupyterlab.labextensions', 'list'], env);
  expect(status).toBe(0);
  return out.replace(/\u001b\[[0-9;]*m/g, '');
}

let tmp: string;
beforeAll(() => {
  for (const [what, file] of [
    ['the lab environment (bash scripts/venv.sh lab)', path.join(labVenv, 'bin', 'python')],
    ['the prebuilt extension (bash lab-extension/scripts/build.sh)', prebuilt],
  ]) {
    if (!fs.existsSync(file)) throw new Error(`This test needs ${what}: missing ${file}. npm test prepares it.`);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-labext-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const version = JSON.parse(fs.readFileSync(path.join(repoRoot, 'lab-extension', 'package.json'), 'utf8')).version as string;
const listedOk = new RegExp(`tfx-ts-labextension v${version.replace(/\./g, '\\.')} enabled OK`);

test('pip install of the Python package makes JupyterLab list the extension enabled and OK', () => {
  const env = path.join(tmp, 'pip-env');
  const made = run('bash', ['scripts/lab-ui-env.sh', env]);
  expect(made.status).toBe(0);
  // The fresh environment has no system site-packages: only the lab environment's, by its .pth file.
  expect(run(path.join(env, 'bin', 'python'), ['-c', 'import sys; assert sys.prefix != sys.base_prefix']).status).toBe(0);
  const installed = path.join(env, 'share', 'jupyter', 'labextensions', 'tfx-ts-labextension');
  expect(fs.existsSync(path.join(installed, 'package.json'))).toBe(true);
  expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
  expect(JSON.parse(fs.readFileSync(path.join(installed, 'install.json'), 'utf8')).packageManager).toBe('python');
  const listing = labextensionList(path.join(env, 'bin', 'python'));
  expect(listing).toMatch(listedOk);
  expect(listing).toMatch(/\(python, tfx-ts-labextension\)/);
  // pip knows the package: uninstall removes the extension again.
  expect(
    run(path.join(labVenv, 'bin', 'python'), ['-m', 'pip', '--python', path.join(env, 'bin', 'python'), 'uninstall', '-y', '-q', 'tfx-ts-labextension']).status,
  ).toBe(0);
  expect(fs.existsSync(installed)).toBe(false);
  expect(labextensionList(path.join(env, 'bin', 'python'))).not.toMatch(/tfx-ts-labextension/);
}, 300_000);

test('tfx-ts setup installs the same prebuilt extension for users who do not pip install', () => {
  const prefix = path.join(tmp, 'setup-prefix');
  const setup = run(process.execPath, [path.join(repoRoot, 'bin', 'tfx-ts.js'), 'setup', '--prefix', prefix]);
  expect(setup.status).toBe(0);
  const dataDir = path.join(prefix, 'share', 'jupyter');
  const linked = path.join(dataDir, 'labextensions', 'tfx-ts-labextension');
  expect(fs.realpathSync(linked)).toBe(fs.realpathSync(path.dirname(prebuilt)));
  const listing = labextensionList(path.join(labVenv, 'bin', 'python'), { JUPYTER_PATH: dataDir });
  expect(listing).toMatch(listedOk);
}, 300_000);
