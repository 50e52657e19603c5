import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { MODEL_JSON, SIGNATURE_FILE } from '../model/format';
import { ModelBundle } from '../model/bundle';

/**
 * The versions of one served model: numbered directories under the model directory (TF Serving's
 * layout, what Pusher writes). The newest loadable version is served; `refresh()` picks up a
 * newly pushed one without a restart. Directories starting with "." (Pusher's staging) and
 * anything not a number are ignored.
 */
export interface LoadedVersion {
  version: number;
  bundle: ModelBundle;
}

/** `<base>/<name>` (Pusher's layout), or `<base>` itself when it directly holds version directories (TF Serving's). */
export function resolveModelDir(basePath: string, name: string): string {
  const base = path.resolve(basePath);
  const nested = path.join(base, name);
  if (fs.existsSync(nested) && fs.statSync(nested).isDirectory()) return nested;
  if (fs.existsSync(base) && fs.statSync(base).isDirectory() && versionsIn(base).length > 0) return base;
  if (!fs.existsSync(base)) throw new UserError(`Model base path ${base} does not exist.`, 'pass the Pusher\'s pushDestination.filesystem.baseDirectory.');
  throw new UserError(`No model "${name}" under ${base}: neither ${nested} nor version directories in ${base}.`, `push a model with modelName "${name}", or pass --model-name matching a directory in ${base}.`);
}

export function versionsIn(dir: string): number[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((d) => /^\d+$/.test(d) && fs.existsSync(path.join(dir, d, MODEL_JSON)) && fs.existsSync(path.join(dir, d, SIGNATURE_FILE)))
    .map(Number)
    .sort((a, b) => a - b);
}

export class ModelRepository {
  private loaded: LoadedVersion | undefined;
  private readonly failed = new Map<number, string>();

  constructor(readonly modelDir: string, readonly log: (message: string) => void = () => undefined) {}

  get current(): LoadedVersion | undefined {
    return this.loaded;
  }

  /** Loads the newest version if it is newer than the one served; returns true when the served version changed. */
  async refresh(): Promise<boolean> {
    const versions = versionsIn(this.modelDir).filter((v) => !this.failed.has(v));
    const newest = versions[versions.length - 1];
    if (newest === undefined || newest === this.loaded?.version) return false;
    try {
      const bundle = await ModelBundle.load(path.join(this.modelDir, String(newest)));
      const previous = this.loaded;
      this.loaded = { version: newest, bundle };
      previous?.bundle.dispose();
      this.log(`serving version ${newest}${previous ? ` (was ${previous.version})` : ''}`);
      return true;
    } catch (error) {
      this.failed.set(newest, (error as Error).message);
      this.log(`version ${newest} cannot be loaded: ${(error as Error).message}`);
      return false;
    }
  }

  failure(version: number): string | undefined {
    return this.failed.get(version);
  }

  dispose(): void {
    this.loaded?.bundle.dispose();
    this.loaded = undefined;
  }
}
