import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tar from 'tar';
import type { Pipeline } from '../../dsl/pipeline';
import { isObjectStoreUri, joinUri, storeFor } from '../../io/storage';
import { UserError } from '../../util/errors';

/**
 * The code package: what a pipeline needs from the author's machine (module files, the local files
 * they import, local input data) packed into one content-addressed `.tar.gz` that is uploaded under
 * the pipeline root. Every compiled task fetches it, checks its sha256 and unpacks it before it runs
 * the executor (`run-executor --code-package`), so the stock runtime image runs any notebook's
 * pipeline without an image build per project (as Elyra and Metaflow ship code).
 *
 * Inside the package, files under the project root keep their project-relative paths; files
 * outside it go under `_external/<hash of their directory>/<name>` so two `data.csv` never clash.
 */

export const DEFAULT_CODE_PACKAGE_MAX_BYTES = 256 * 1024 * 1024;
/** Where packages live under the pipeline root. */
export const CODE_PACKAGE_DIR = '_tfx_ts_code';

export interface CodePackagePlan {
  projectRoot: string;
  /** Absolute local path (file or directory) → its path inside the package (forward slashes). */
  paths: Map<string, string>;
  /** Every file in the package: packed path → absolute source, sorted by packed path. */
  files: Map<string, string>;
  bytes: number;
}

/** The package as the compiler sees it: where it is and how to name a local path inside it. */
export interface CodePackageRef {
  uri: string;
  sha256: string;
  bytes: number;
  fileCount: number;
  /** Absolute local path → path inside the package. */
  paths: Map<string, string>;
}

export interface PlanOptions {
  projectRoot: string;
  /** Module files of custom component types (compile's componentModules). */
  componentModules?: Record<string, string>;
  maxBytes?: number;
}

const IMPORT_PATTERNS = [
  /\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g,
  /\bexport\s+(?:type\s+)?[\w*{}\s,$]*\s+from\s+['"](\.{1,2}\/[^'"]+)['"]/g,
  /\b(?:require|import)\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
];
const RESOLVE_SUFFIXES = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '/index.ts', '/index.js'];

/**
 * Relative imports of a module file, recursively (a module file's helpers travel with it). Read
 * with patterns rather than a TypeScript parse: deploy-time code should not load a compiler, and
 * only `./` and `../` specifiers matter (packages come from the runtime image).
 */
export function localImports(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  if (!/\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(file)) return [file];
  const source = fs
    .readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const found = [file];
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of source.matchAll(pattern)) {
      const base = path.resolve(path.dirname(file), match[1]);
      const resolved = RESOLVE_SUFFIXES.map((s) => base + s).find((candidate) => fs.existsSync(candidate) && fs.statSync(candidate).isFile());
      if (!resolved) {
        throw new UserError(
          `${file} imports "${match[1]}", which is not a file next to it.`,
          'fix the import path; module files and what they import locally are shipped with the pipeline.',
        );
      }
      found.push(...localImports(resolved, seen));
    }
  }
  return found;
}

/**
 * Which local files the pipeline needs: the module files (fileParameters, componentModules) with
 * their local imports, and every absolute local path in a parameter that exists (input data).
 * Paths on object storage stay where they are.
 */
export function planCodePackage(pipeline: Pipeline, options: PlanOptions): CodePackagePlan {
  const projectRoot = path.resolve(options.projectRoot);
  const maxBytes = options.maxBytes ?? DEFAULT_CODE_PACKAGE_MAX_BYTES;
  const paths = new Map<string, string>();
  const files = new Map<string, string>();
  const packedPathOf = (absolute: string): string => {
    const relative = path.relative(projectRoot, absolute);
    // node_modules inside the package is the runtime's (enterCodePackage links it): data found in a
    // dependency's folder (vega-datasets' penguins.json) goes under _external like anything outside.
    const inProject = !relative.startsWith('..') && !path.isAbsolute(relative) && !relative.split(path.sep).includes('node_modules');
    if (inProject) return relative.split(path.sep).join('/') || '.';
    const dirHash = createHash('sha256').update(path.dirname(absolute)).digest('hex').slice(0, 12);
    return `_external/${dirHash}/${path.basename(absolute)}`;
  };
  const addFile = (absolute: string, packed = packedPathOf(absolute)) => {
    paths.set(absolute, packed);
    files.set(packed, absolute);
  };
  const addPath = (absolute: string, what: string) => {
    const stat = fs.statSync(absolute);
    if (stat.isFile()) return addFile(absolute);
    if (!stat.isDirectory()) throw new UserError(`${what}: ${absolute} is neither a file nor a directory.`);
    // Files keep their place under the directory's packed path, which is what the IR names.
    const packedDir = packedPathOf(absolute);
    paths.set(absolute, packedDir);
    for (const entry of walk(absolute)) addFile(entry, `${packedDir}/${path.relative(absolute, entry).split(path.sep).join('/')}`);
  };

  for (const component of pipeline.components) {
    const fileParameters = new Set(component.spec.fileParameters ?? []);
    for (const [key, value] of Object.entries(component.parameters as Record<string, unknown>)) {
      if (fileParameters.has(key) && typeof value === 'string') {
        const absolute = path.resolve(projectRoot, value);
        if (!fs.existsSync(absolute))
          throw new UserError(`${component.id}.${key}: module file ${absolute} does not exist.`, 'check the path; it is resolved from the project directory.');
        for (const file of localImports(absolute)) addFile(file);
        continue;
      }
      for (const [at, local] of localPathsIn(value, `${component.id}.${key}`)) {
        if (fs.existsSync(local)) addPath(local, at);
      }
      // A relative path (a notebook's `inputBase: "data/penguins"`) is read from the working
      // directory, which in a pod is the unpacked package: what it names in the project is packed
      // at the same relative place, so the IR keeps the path as written.
      for (const [at, relative] of relativePathsIn(value, `${component.id}.${key}`)) {
        const absolute = path.resolve(projectRoot, relative);
        const inside = path.relative(projectRoot, absolute);
        if (!inside.startsWith('..') && !path.isAbsolute(inside) && inside !== '' && fs.existsSync(absolute)) addPath(absolute, at);
      }
    }
  }
  for (const [type, file] of Object.entries(options.componentModules ?? {})) {
    const absolute = path.resolve(projectRoot, file);
    if (!fs.existsSync(absolute))
      throw new UserError(`Component module for ${type}: ${absolute} does not exist.`, 'check componentModules in the runner config.');
    for (const f of localImports(absolute)) addFile(f);
  }

  const sorted = new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  let bytes = 0;
  const sizes: [string, number][] = [];
  for (const [packed, source] of sorted) {
    const size = fs.statSync(source).size;
    bytes += size;
    sizes.push([packed, size]);
  }
  if (bytes > maxBytes) {
    const biggest = sizes
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([p, s]) => `${p} (${mib(s)})`)
      .join(', ');
    throw new UserError(
      `The code package would hold ${mib(bytes)}, more than the ${mib(maxBytes)} cap (largest: ${biggest}).`,
      'put large input data on object storage (s3://, gs://) and pass that URI as inputBase, or raise the cap (--max-package-size <MiB>, maxPackageBytes).',
    );
  }
  return { projectRoot, paths, files: sorted, bytes };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** [where, absolute path] for every absolute local path in a parameter value (at any depth). */
export function localPathsIn(value: unknown, at: string): [string, string][] {
  if (typeof value === 'string') return path.isAbsolute(value) && !isObjectStoreUri(value) ? [[at, path.normalize(value)]] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => localPathsIn(item, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => localPathsIn(item, `${at}.${key}`));
  return [];
}

/**
 * [where, path] for every relative local path in a parameter value: strings that look like a path
 * (`./x`, `a/b`, `name.ext`), not URIs; a bare word (a split name, a function name) is not one.
 */
export function relativePathsIn(value: unknown, at: string): [string, string][] {
  if (typeof value === 'string') {
    const pathLike =
      !path.isAbsolute(value) && !/^[a-z][a-z0-9+.-]*:/i.test(value) && !/[\n{}$]/.test(value) && /^\.{1,2}\/|\/|^[^/\s]+\.[A-Za-z0-9]{1,8}$/.test(value);
    return pathLike ? [[at, value]] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => relativePathsIn(item, `${at}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => relativePathsIn(item, `${at}.${key}`));
  return [];
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      // Dependencies come from the runtime image; version control data is not code.
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      out.push(...walk(full));
    } else if (entry.isFile()) out.push(full);
  }
  return out;
}

/**
 * Writes the package: a gzipped tar of the planned files in sorted order with fixed mtimes and
 * owners (`portable`), so the same files always give the same bytes and the same sha256.
 * Synchronous (tar's sync mode) so a compile preview can show the digest without uploading.
 */
export function writeCodePackage(plan: CodePackagePlan, outFile: string): { sha256: string; bytes: number } {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-package-'));
  try {
    // tar reads from one cwd: stage links to the sources at their packed paths (follow: true reads through them).
    for (const [packed, source] of plan.files) {
      const target = path.join(staging, ...packed.split('/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.symlinkSync(source, target);
    }
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    // A pipeline with nothing local (all data on object storage, no module files) still gets a
    // package, holding only its root directory: tar refuses an empty list.
    tar.create({ file: outFile, cwd: staging, sync: true, gzip: { level: 9 }, portable: true, follow: true, noDirRecurse: true, mtime: new Date(0) }, [
      ...(plan.files.size ? plan.files.keys() : ['.']),
    ]);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  const data = fs.readFileSync(outFile);
  return { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
}

export interface BuildOptions extends PlanOptions {
  /** The pipeline root on object storage; the package goes to `<root>/_tfx_ts_code/<sha256>.tar.gz`. */
  pipelineRoot: string;
}

/** A package written to a local temporary file, ready to upload (uploadCodePackage) or to throw away. */
export interface BuiltCodePackage {
  ref: CodePackageRef;
  file: string;
  dispose(): void;
}

/** Plans and writes the package; its URI is derived from the digest (content-addressed). */
export function buildCodePackage(pipeline: Pipeline, options: BuildOptions): BuiltCodePackage {
  if (!isObjectStoreUri(options.pipelineRoot)) {
    throw new UserError(
      `The pipeline root ${options.pipelineRoot} is not on object storage, so the cluster cannot fetch the pipeline's code from it.`,
      'use a bucket the cluster can read as the pipeline root (pipelineRoot: "s3://<bucket>/...", "minio://mlpipeline/..." or "gs://<bucket>/..."), or ship the code in your own image (--build-image, codePackage: false).',
    );
  }
  const plan = planCodePackage(pipeline, options);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-package-out-'));
  const dispose = () => fs.rmSync(scratch, { recursive: true, force: true });
  try {
    const file = path.join(scratch, 'code.tar.gz');
    const { sha256, bytes } = writeCodePackage(plan, file);
    const uri = joinUri(options.pipelineRoot, CODE_PACKAGE_DIR, `${sha256}.tar.gz`);
    return { ref: { uri, sha256, bytes, fileCount: plan.files.size, paths: plan.paths }, file, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

/** Uploads a built package unless an object with its digest is there already; removes the local file. */
export async function uploadCodePackage(built: BuiltCodePackage, onProgress?: (message: string) => void): Promise<void> {
  const { uri, fileCount, bytes } = built.ref;
  try {
    const store = storeFor(uri);
    if (await store.exists(uri)) {
      onProgress?.(`Code package ${uri} (${fileCount} files) is already there`);
    } else {
      onProgress?.(`Uploading code package: ${fileCount} files, ${(bytes / 1024).toFixed(0)} KiB to ${uri}`);
      await store.uploadFile(built.file, uri);
    }
  } finally {
    built.dispose();
  }
}

/**
 * The task side: downloads the package once per digest into `cacheDir`, refuses it when its sha256
 * differs from the one compiled into the task, unpacks it, and returns the directory to run in.
 */
export async function fetchCodePackage(
  uri: string,
  sha256: string,
  cacheDir = process.env.TFX_TS_CODE_CACHE ?? path.join(os.tmpdir(), 'tfx-ts-code'),
): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(sha256))
    throw new UserError(`--code-sha256 ${sha256} is not a sha256 hex digest.`, 'compile the pipeline again; the digest is written by the compiler.');
  const dir = path.join(cacheDir, sha256);
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  fs.mkdirSync(cacheDir, { recursive: true });
  const archive = path.join(cacheDir, `${sha256}.${process.pid}.tar.gz`);
  const staging = path.join(cacheDir, `.tmp-${sha256}-${process.pid}`);
  try {
    await storeFor(uri).downloadFile(uri, archive);
    const actual = createHash('sha256').update(fs.readFileSync(archive)).digest('hex');
    if (actual !== sha256) {
      throw new UserError(
        `The code package ${uri} has sha256 ${actual}, but the task was compiled for ${sha256}.`,
        'the object was changed after the pipeline was compiled: deploy the pipeline again (packages are content-addressed and never rewritten).',
      );
    }
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    // strict: a damaged archive is an error, not a partial tree; no absolute or ../ paths are written (tar's default).
    await tar.extract({ file: archive, cwd: staging, strict: true });
    fs.writeFileSync(path.join(staging, '.complete'), '');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
  } finally {
    fs.rmSync(archive, { force: true });
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Makes an unpacked package the working directory of this task, with `node_modules` linked to the
 * runtime's dependencies, so module files import "tfx-ts" (this very copy: the link resolves to the
 * running package, one module instance) and its libraries as they did on the author's machine.
 */
export function enterCodePackage(dir: string): void {
  const packageRoot = path.resolve(__dirname, '..', '..', '..');
  const dependencies = path.basename(path.dirname(packageRoot)) === 'node_modules' ? path.dirname(packageRoot) : path.join(packageRoot, 'node_modules');
  const link = path.join(dir, 'node_modules');
  if (!fs.existsSync(link)) {
    try {
      fs.symlinkSync(dependencies, link, 'dir');
    } catch (error) {
      // Another task of the same pod linked it first.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  process.chdir(dir);
}
