import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { MODEL_JSON, SIGNATURE_FILE } from '../model/format';
import { ModelBundle } from '../model/bundle';
import { verifyChecksums } from './checksums';

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
  if (!fs.existsSync(base)) throw new UserError(`Model base path ${base} does not exist.`, "pass the Pusher's pushDestination.filesystem.baseDirectory.");
  throw new UserError(
    `No model "${name}" under ${base}: neither ${nested} nor version directories in ${base}.`,
    `push a model with modelName "${name}", or pass --model-name matching a directory in ${base}.`,
  );
}

export function versionsIn(dir: string): number[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((d) => /^\d+$/.test(d) && fs.existsSync(path.join(dir, d, MODEL_JSON)) && fs.existsSync(path.join(dir, d, SIGNATURE_FILE)))
    .map(Number)
    .sort((a, b) => a - b);
}

/** One version's state as TF Serving's GetModelStatus reports it. */
export interface VersionStatus {
  version: number;
  state: 'LOADING' | 'AVAILABLE' | 'UNLOADING' | 'END';
  /** Why the last load failed (empty when it did not). */
  error?: string;
}

export interface RepositoryOptions {
  log?: (message: string) => void;
  /** First retry delay after a failed load; doubles per failure (default 1 s). */
  retryBaseMs?: number;
  /** Longest delay between retries (default 60 s, TF Serving's --load_retry_interval_micros). */
  retryMaxMs?: number;
  /** Failed loads before a version is given up (state END) until its files change (TF Serving's --max_num_load_retries: 5). */
  maxLoadRetries?: number;
}

interface Attempt {
  status: VersionStatus;
  failures: number;
  nextAttemptAt: number;
  /** Names, sizes and mtimes of the version's files when last tried: a change retries at once. */
  fingerprint: string;
}

/**
 * Serves the newest loadable version (TF Serving's "latest" policy). A version is loaded only when
 * its files are complete: checked against the Pusher's checksum manifest when there is one, and
 * unchanged between the start and the end of the load either way. A failed load is retried with
 * exponential back-off (and at once when the directory changes), and shown in the status as
 * LOADING with the error, END once the retries are used up; the previous version keeps serving.
 */
export class ModelRepository {
  private loaded: LoadedVersion | undefined;
  private readonly attempts = new Map<number, Attempt>();
  private refreshing: Promise<boolean> | undefined;
  private readonly options: Required<Omit<RepositoryOptions, 'log'>>;
  readonly log: (message: string) => void;

  constructor(
    readonly modelDir: string,
    options: RepositoryOptions | ((message: string) => void) = {},
  ) {
    const o = typeof options === 'function' ? { log: options } : options;
    this.log = o.log ?? (() => undefined);
    this.options = { retryBaseMs: o.retryBaseMs ?? 1000, retryMaxMs: o.retryMaxMs ?? 60_000, maxLoadRetries: o.maxLoadRetries ?? 5 };
  }

  get current(): LoadedVersion | undefined {
    return this.loaded;
  }

  /** Loads the newest version if it is newer than the one served; returns true when the served version changed. Concurrent calls share one run. */
  refresh(): Promise<boolean> {
    if (!this.refreshing)
      this.refreshing = this.refreshOnce().finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<boolean> {
    const present = new Set(numberedDirs(this.modelDir));
    for (const version of [...this.attempts.keys()]) if (!present.has(version) && version !== this.loaded?.version) this.attempts.delete(version);
    const newer = [...present].filter((v) => v > (this.loaded?.version ?? -Infinity)).sort((a, b) => b - a);
    // Newest first; an older version is tried only while every newer one is failing (as TF Serving
    // keeps serving what it can).
    for (const version of newer) {
      const dir = path.join(this.modelDir, String(version));
      const fingerprint = fingerprintOf(dir);
      const attempt = this.attempts.get(version);
      if (attempt && attempt.fingerprint === fingerprint) {
        if (attempt.status.state === 'END' || Date.now() < attempt.nextAttemptAt) continue;
      }
      if (await this.tryLoad(version, dir, fingerprint, attempt?.fingerprint === fingerprint ? attempt : undefined)) return true;
    }
    return false;
  }

  private async tryLoad(version: number, dir: string, fingerprint: string, previous: Attempt | undefined): Promise<boolean> {
    const fail = (reason: string): false => {
      const failures = (previous?.failures ?? 0) + 1;
      const givenUp = failures > this.options.maxLoadRetries;
      const delay = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** (failures - 1));
      this.attempts.set(version, {
        status: { version, state: givenUp ? 'END' : 'LOADING', error: reason },
        failures,
        nextAttemptAt: Date.now() + delay,
        fingerprint,
      });
      this.log(
        givenUp
          ? `version ${version} cannot be loaded after ${failures} attempts; giving up until its files change: ${reason}`
          : `version ${version} cannot be loaded yet (attempt ${failures}; retrying in ${(delay / 1000).toFixed(1)} s): ${reason}`,
      );
      return false;
    };
    if (!fs.existsSync(path.join(dir, MODEL_JSON)) || !fs.existsSync(path.join(dir, SIGNATURE_FILE)))
      return fail(`${!fs.existsSync(path.join(dir, MODEL_JSON)) ? MODEL_JSON : SIGNATURE_FILE} is missing (still being copied?)`);
    const check = verifyChecksums(dir);
    if (check.state === 'incomplete' || check.state === 'corrupt') return fail(check.reason);
    let bundle: ModelBundle;
    try {
      bundle = await ModelBundle.load(dir);
    } catch (error) {
      return fail((error as Error).message.replace(/\n\s*Fix: /, ' '));
    }
    if (fingerprintOf(dir) !== fingerprint) {
      bundle.dispose();
      return fail('its files changed while it was loading (still being copied?)');
    }
    const before = this.loaded;
    this.loaded = { version, bundle };
    this.attempts.set(version, { status: { version, state: 'AVAILABLE' }, failures: 0, nextAttemptAt: 0, fingerprint });
    if (before) {
      before.bundle.dispose();
      this.attempts.set(before.version, { status: { version: before.version, state: 'END' }, failures: 0, nextAttemptAt: 0, fingerprint: '' });
    }
    this.log(`serving version ${version}${before ? ` (was ${before.version})` : ''}${check.state === 'verified' ? ' (checksums verified)' : ''}`);
    return true;
  }

  /** The last load error of a version, if it failed. */
  failure(version: number): string | undefined {
    return this.attempts.get(version)?.status.error;
  }

  /** Every version known, newest first (TF Serving's GetModelStatus), or one. */
  status(version?: number): VersionStatus[] {
    const all = [...this.attempts.values()].map((a) => a.status).sort((a, b) => b.version - a.version);
    return version === undefined ? all : all.filter((s) => s.version === version);
  }

  dispose(): void {
    this.loaded?.bundle.dispose();
    this.loaded = undefined;
  }
}

function numberedDirs(dir: string): number[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^\d+$/.test(d.name))
      .map((d) => Number(d.name));
  } catch {
    return [];
  }
}

function fingerprintOf(dir: string): string {
  const parts: string[] = [];
  const walk = (relative: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, relative), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(rel);
      else {
        try {
          const stat = fs.statSync(path.join(dir, rel));
          parts.push(`${rel}:${stat.size}:${stat.mtimeMs}`);
        } catch {
          parts.push(`${rel}:gone`);
        }
      }
    }
  };
  walk('');
  return parts.join('|');
}
