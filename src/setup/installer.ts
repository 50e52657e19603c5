import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { explainWriteError } from '../util/atomic';
import { UserError } from '../util/errors';

/**
 * `tfx-ts setup`: installs what setup.json lists — the tslab kernelspecs and the prebuilt JupyterLab
 * extension (linked into the Jupyter data dir, the way federated extensions are installed), and
 * with `testDeps` the Debian packages the test suite needs.
 */
const setupSchema = z.object({
  kernelspecs: z.object({ installer: z.literal('tslab'), names: z.array(z.string()).min(1) }),
  labextension: z.object({ name: z.string().min(1), source: z.string().min(1) }),
  debianPackages: z.array(z.string()),
  python: z.string().min(1),
});
export type SetupManifest = z.infer<typeof setupSchema>;

export const packageRoot = path.resolve(__dirname, '..', '..');

export function readSetupManifest(file = path.join(packageRoot, 'setup.json')): SetupManifest {
  const parsed = setupSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new UserError(`${file} is not a valid setup manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export interface SetupOptions {
  /** Install under <prefix>/share/jupyter instead of the user's Jupyter data dir. */
  prefix?: string;
  uninstall?: boolean;
  testDeps?: boolean;
  log?: (line: string) => void;
}

/** The Jupyter data dir used: <prefix>/share/jupyter, $JUPYTER_DATA_DIR, or ~/.local/share/jupyter. */
export function jupyterDataDir(prefix?: string): string {
  if (prefix) return path.join(path.resolve(prefix), 'share', 'jupyter');
  if (process.env.JUPYTER_DATA_DIR) return path.resolve(process.env.JUPYTER_DATA_DIR);
  return path.join(os.homedir(), '.local', 'share', 'jupyter');
}

export function runSetup(options: SetupOptions = {}): { dataDir: string; kernels: string[]; labextension?: string } {
  const log = options.log ?? ((line: string) => console.log(line));
  const manifest = readSetupManifest();
  const dataDir = jupyterDataDir(options.prefix);
  const kernelDirs = manifest.kernelspecs.names.map((name) => path.join(dataDir, 'kernels', name));
  const extensionTarget = path.join(dataDir, 'labextensions', manifest.labextension.name);

  if (options.uninstall) {
    for (const dir of [...kernelDirs, extensionTarget]) {
      if (fs.existsSync(dir) || isBrokenLink(dir)) {
        fs.rmSync(dir, { recursive: true, force: true });
        log(`removed ${dir}`);
      }
    }
    return { dataDir, kernels: [] };
  }

  if (options.testDeps) installDebianPackages(manifest, log);

  const tslab = resolveTslabBinary();
  const python = fs.existsSync(manifest.python) ? manifest.python : 'python3';
  const installPrefix = path.dirname(path.dirname(dataDir)); // <prefix>/share/jupyter → <prefix>
  try {
    execFileSync(tslab, ['install', '--python', python, '--binary', tslab, '--prefix', installPrefix], { stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new UserError(
      `Registering the tslab kernel failed: ${stderr.trim() || (error as Error).message}`,
      `tslab needs Python's jupyter_client: install it (Debian: apt-get install jupyter-client python3-ipykernel) and run tfx-ts setup again.`,
    );
  }
  for (const dir of kernelDirs) if (!fs.existsSync(path.join(dir, 'kernel.json'))) throw new UserError(`tslab did not create ${dir}/kernel.json.`);
  log(`kernels ${manifest.kernelspecs.names.join(', ')} → ${path.join(dataDir, 'kernels')}`);

  const source = path.join(packageRoot, manifest.labextension.source);
  let labextension: string | undefined;
  if (fs.existsSync(path.join(source, 'package.json'))) {
    linkAtomic(source, extensionTarget);
    labextension = extensionTarget;
    log(`JupyterLab extension ${manifest.labextension.name} → ${extensionTarget}`);
  } else {
    log(`JupyterLab extension not built yet (${source} missing): run \`npm run build:labextension\`, then tfx-ts setup again.`);
  }
  return { dataDir, kernels: kernelDirs, labextension };
}

function resolveTslabBinary(): string {
  const local = path.join(packageRoot, 'node_modules', '.bin', 'tslab');
  if (fs.existsSync(local)) return local;
  try {
    return path.join(path.dirname(require.resolve('tslab/package.json')), 'bin', 'tslab');
  } catch {
    throw new UserError('tslab is not installed.', 'run `npm install` in your project (tfx-ts depends on tslab).');
  }
}

function installDebianPackages(manifest: SetupManifest, log: (line: string) => void): void {
  const missing = manifest.debianPackages.filter((pkg) => {
    try {
      return !execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { stdio: 'pipe' }).toString().includes('install ok installed');
    } catch {
      return true;
    }
  });
  if (missing.length === 0) {
    log('Debian packages: all present');
    return;
  }
  if (process.getuid?.() !== 0) throw new UserError(`Debian packages missing: ${missing.join(' ')}.`, `run as root: apt-get install -y ${missing.join(' ')}`);
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // An install killed half-way (a cancelled CI run) leaves dpkg "interrupted", and apt-get then
  // refuses everything until dpkg finishes configuring what it unpacked: let it, first.
  execFileSync('dpkg', ['--configure', '-a'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}

/**
 * Points `target` at `source` by renaming a fresh symlink over it, so JupyterLab never finds the
 * extension missing (or a half-removed directory) between an uninstall and an install.
 */
function linkAtomic(source: string, target: string): void {
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(source, tmp, 'dir');
    // rename() replaces a file or symlink atomically, but not a real directory: remove that first.
    if (fs.existsSync(target) && !fs.lstatSync(target).isSymbolicLink()) fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(tmp, target);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw explainWriteError(error, target);
  }
}

function isBrokenLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
