/**
 * Atomic file output for every command that writes a file (stats, schema infer, validate, report,
 * compile, template copy, Pusher, setup): the bytes go to a temporary file beside the target, are
 * fsync'ed, and only then renamed over it. A full disk, a kill or a crash leaves the previous good
 * file in place, never a truncated one. Failures are explained (EACCES, EISDIR, ENOSPC, ...) with
 * the path and what to do, instead of Node's raw message.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from './errors';

/** Writes `data` to `file` atomically (temp + fsync + rename), creating the parent directory. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const target = path.resolve(file);
  checkTarget(target);
  mkdirFor(target);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', existingMode(target));
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
  } catch (error) {
    if (fd !== undefined)
      try {
        fs.closeSync(fd);
      } catch {
        /* already failing */
      }
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* best effort: the target is untouched either way */
    }
    throw explainWriteError(error, target);
  }
  syncDirectory(path.dirname(target));
}

/**
 * Makes a directory tree appear atomically: `fill(tmpDir)` writes into a temporary sibling, every
 * file is fsync'ed, and the directory is renamed into place. `target` must not exist yet.
 */
export function writeDirectoryAtomic(target: string, fill: (tmpDir: string) => void): void {
  const absolute = path.resolve(target);
  mkdirFor(absolute);
  const tmp = path.join(path.dirname(absolute), `.${path.basename(absolute)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    fs.mkdirSync(tmp);
    fill(tmp);
    fsyncTree(tmp);
    fs.renameSync(tmp, absolute);
  } catch (error) {
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
    throw error instanceof UserError ? error : explainWriteError(error, absolute);
  }
  syncDirectory(path.dirname(absolute));
}

/** fsync of every file under `dir` (and the directories), so a rename publishes durable content. */
export function fsyncTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) fsyncTree(full);
    else if (entry.isFile()) {
      const fd = fs.openSync(full, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
  }
  syncDirectory(dir);
}

function syncDirectory(dir: string): void {
  // Makes the rename itself durable; not every file system allows fsync on a directory.
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

function checkTarget(target: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(target);
  } catch {
    return;
  }
  if (stat.isDirectory()) {
    throw new UserError(
      `Cannot write ${target}: it is a directory.`,
      `pass a file path, e.g. ${path.join(target, 'output' + (path.extname(target) || '.json'))}.`,
    );
  }
  if (!stat.isFile()) throw new UserError(`Cannot write ${target}: it is not a regular file.`, 'pass the path of a regular file to create or replace.');
}

function mkdirFor(target: string): void {
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
  } catch (error) {
    throw explainWriteError(error, target);
  }
}

function existingMode(target: string): number {
  try {
    return fs.statSync(target).mode & 0o777;
  } catch {
    return 0o666;
  }
}

/** A file-system error on writing `target` as one UserError saying what happened and what to do. */
export function explainWriteError(error: unknown, target: string): Error {
  if (error instanceof UserError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const dir = path.dirname(target);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new UserError(
        `Cannot write ${target}: permission denied.`,
        `write somewhere you may write (e.g. -o ./${path.basename(target)}), or make ${dir} writable for this user.`,
      );
    case 'EROFS':
      return new UserError(`Cannot write ${target}: the file system is read-only.`, 'write the output to a writable location.');
    case 'EISDIR':
      return new UserError(`Cannot write ${target}: it is a directory.`, `pass a file path, e.g. ${path.join(target, path.basename(target))}.`);
    case 'ENOTDIR':
    case 'EEXIST': // mkdir -p through an existing file
      return new UserError(`Cannot write ${target}: a part of its path is a file, not a directory.`, 'check the output path.');
    case 'ENOSPC':
    case 'EDQUOT':
      return new UserError(
        `Cannot write ${target}: no space left on the device${code === 'EDQUOT' ? ' (disk quota exceeded)' : ''}. Any previous ${path.basename(target)} was left unchanged.`,
        'free some disk space (df -h shows where), or write the output to another file system.',
      );
    case 'ENAMETOOLONG':
      return new UserError(`Cannot write ${target}: the file name is too long.`, 'use a shorter output path.');
    default:
      return new UserError(`Cannot write ${target}: ${(error as Error).message}`, 'check the output path and that its directory is writable.');
  }
}
