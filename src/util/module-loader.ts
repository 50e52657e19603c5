import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from './errors';

/**
 * Loads a user module file (.ts or .js: pipeline modules, TFX-style module_file with
 * preprocessingFn / runFn) by path. TypeScript is compiled on the fly with tsx, so the same file
 * works in the notebook kernel, the CLI and a KFP container without a build step.
 */
export function loadUserModule(file: string, baseDir = process.cwd()): Record<string, unknown> {
  const absolute = path.resolve(baseDir, file);
  if (!fs.existsSync(absolute)) {
    throw new UserError(
      `Module file not found: ${absolute}.`,
      "check the path; relative paths are resolved from the current directory (the notebook's folder in a notebook).",
    );
  }
  if (!/\.(ts|js|cjs|mjs|mts|cts)$/.test(absolute)) {
    throw new UserError(`Module file ${absolute} is not a .ts or .js file.`, 'point at a TypeScript or JavaScript module.');
  }
  try {
    // Under Jest the test runtime's own require already transforms TypeScript.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a user's module file, by path, synchronously
    if (process.env.JEST_WORKER_ID) return require(absolute);
    registerTypeScript();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- as above
    return require(absolute);
  } catch (error) {
    const err = error as Error;
    const wrapped = new UserError(`Loading module file ${absolute} failed: ${err.message}`);
    wrapped.stack = `${wrapped.message}\n${(err.stack ?? '').split('\n').slice(1).join('\n')}`;
    throw wrapped;
  }
}

let registered = false;
/**
 * tsx's global CommonJS hook, not its namespaced `tsx.require`: a namespace would load a second
 * copy of tfx-ts for the module file, and its components would not be this process's components.
 */
function registerTypeScript(): void {
  if (registered) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('tsx/cjs/api') as { register: () => unknown }).register();
  registered = true;
}

/** Returns the named export, or a clear error naming the file and the export it needs. */
export function requireExport<T>(module: Record<string, unknown>, name: string, file: string): T {
  const value = module[name] ?? (module.default as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'function') {
    const exported = Object.keys(module).filter((k) => k !== '__esModule');
    throw new UserError(
      `Module file ${file} does not export a function named "${name}" (it exports: ${exported.join(', ') || 'nothing'}).`,
      `add \`export function ${name}(...) { ... }\` to ${path.basename(file)}.`,
    );
  }
  return value as T;
}

/** sha256 of a file's content, for cache keys. */
export function fileDigest(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
