import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../util/errors';

/** A CSV file, a directory (its *.csv files), or a glob → sorted absolute file list; clear errors otherwise. */
export function resolveInputFiles(inputBase: string, extensions = ['.csv']): string[] {
  const absolute = path.resolve(inputBase);
  if (/[*?[]/.test(inputBase)) {
    const files = globFiles(absolute);
    if (files.length === 0) throw new UserError(`No files match ${inputBase}.`, 'check the glob pattern and the directory it points into.');
    return files;
  }
  if (!fs.existsSync(absolute)) {
    throw new UserError(`Input path ${absolute} does not exist.`, 'pass inputBase: a CSV file, a directory holding CSV files, or a glob such as data/*.csv.');
  }
  if (fs.statSync(absolute).isDirectory()) {
    const files = fs
      .readdirSync(absolute)
      .filter((f) => extensions.includes(path.extname(f).toLowerCase()))
      .sort()
      .map((f) => path.join(absolute, f));
    if (files.length === 0)
      throw new UserError(`Directory ${absolute} holds no ${extensions.join('/')} files.`, 'put the CSV files there or point inputBase at the file.');
    return files;
  }
  return [absolute];
}

function globFiles(pattern: string): string[] {
  // fs.globSync arrived in Node 22; a single-directory glob is all ExampleGen needs.
  const dir = path.dirname(pattern);
  if (/[*?[]/.test(dir)) throw new UserError(`Glob ${pattern} has a wildcard in a directory name.`, 'use a wildcard only in the file name, e.g. data/*.csv.');
  if (!fs.existsSync(dir)) throw new UserError(`Directory ${dir} does not exist.`, 'check the path of the glob.');
  const source = path
    .basename(pattern)
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const matcher = new RegExp(`^${source}$`);
  return fs
    .readdirSync(dir)
    .filter((f) => matcher.test(f))
    .sort()
    .map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).isFile());
}
