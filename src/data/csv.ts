/**
 * The one CSV front door shared by CsvExampleGen and `tfx-ts stats` / StatisticsGen on raw files:
 * which files are accepted, how DuckDB is told to read them (strict: a ragged row is an error, never
 * a silently re-guessed dialect), and how a failure is explained (the first ragged line by number,
 * found by a streaming RFC 4180 scan, so a bad row 5,000 lines down is named, not reported as
 * DuckDB's "Error when sniffing file").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { sqlString } from './duckdb';

/** What the input must be for a CSV reader; throws one clear UserError otherwise. Returns the number of quote characters. */
export function checkCsvFile(file: string): number {
  const stat = fs.statSync(file);
  if (!stat.isFile()) {
    // DuckDB reads a file several times (sniffing, then scanning): a pipe can be read only once, so
    // it would hang waiting for a second writer. Refuse what is not a regular file up front.
    throw new UserError(
      `${file} is ${describeFileKind(stat)}, not a regular file.`,
      stat.isDirectory()
        ? 'point at the CSV file, or at the directory only where a directory is accepted.'
        : 'save the data to a regular file first (e.g. `cat pipe > data.csv`) and pass that file.',
    );
  }
  if (stat.size === 0) throw new UserError(`CSV file ${file} is empty.`, 'a CSV input needs a header line and at least one row.');
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch {
    throw new UserError(`CSV file ${file} cannot be read (permission denied).`, 'make it readable (chmod +r) or copy it somewhere readable.');
  }
  // DuckDB accepts a quote left open at the end of the file (the rest of the file becomes one
  // value). In valid CSV quote characters come in pairs, so an odd count is checked in detail.
  const quotes = quoteCount(file);
  if (quotes % 2 === 1) {
    const problem = scanCsvShape(file, guessDelimiter(file));
    if (problem?.kind === 'unterminated') {
      throw new UserError(
        `Cannot read CSV ${file}: the quoted field starting on line ${problem.line} is never closed.`,
        'close the quote, or double a quote character that is part of a value ("").',
      );
    }
  }
  return quotes;
}

/** Number of '"' bytes in the file (memchr-speed: one read, indexOf per quote). */
function quoteCount(file: string): number {
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 20);
  let count = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) return count;
      const chunk = n === buffer.length ? buffer : buffer.subarray(0, n);
      for (let at = chunk.indexOf(0x22); at !== -1; at = chunk.indexOf(0x22, at + 1)) count++;
    }
  } finally {
    fs.closeSync(fd);
  }
}

export function describeFileKind(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

export interface CsvReadOptions {
  /** Field delimiter; default: guessed from the header line (comma first). */
  delimiter?: string;
  /** Type every column from every row (a second full parse) instead of DuckDB's sample. */
  typeFromEveryRow?: boolean;
  /**
   * The columns and their types, known already (from csv-scan.ts's pass over every row, or from one
   * sniff): DuckDB then reads with these and detects nothing (no sniffing pass at all).
   */
  columns?: { name: string; type: string }[];
}

/**
 * DuckDB `read_csv(...)` over `files`, typed as TFX features (int64 / float / bytes). RFC 4180's
 * dialect is fixed (double quote, doubled to escape it), skip=0, strict mode and no null padding:
 * DuckDB's sniffer would otherwise try other quote and escape characters (on a 5,000-column file
 * that search took three times as long as typing the columns), skip past ragged lines, pad short
 * rows, or read a malformed file as one text column instead of reporting it.
 */
export function csvRelation(files: string[], options: CsvReadOptions = {}): string {
  const delim = options.delimiter ?? guessDelimiter(files[0]);
  const settings = ['header=true'];
  if (options.columns) {
    settings.push('auto_detect=false', `columns={${options.columns.map((c) => `${sqlString(c.name)}: ${sqlString(c.type)}`).join(', ')}}`);
  } else {
    settings.push('skip=0', "auto_type_candidates=['BIGINT','DOUBLE','VARCHAR']");
    if (options.typeFromEveryRow) settings.push('sample_size=-1');
  }
  settings.push(`delim=${sqlString(delim)}`, `quote='"'`, `escape='"'`, 'strict_mode=true', 'null_padding=false');
  return `read_csv([${files.map(sqlString).join(', ')}], ${settings.join(', ')})`;
}

/**
 * The header line decides the delimiter when it holds one of the usual ones (comma first, as "CSV"
 * says); a one-column header means comma. Never left to DuckDB's sniffer: on a one-column file it
 * would pick whatever splits the sample best, and read a row with a stray comma as valid.
 */
export function guessDelimiter(file: string): string {
  const header = readFirstLine(file);
  return [',', '\t', ';', '|'].find((d) => header.includes(d)) ?? ',';
}

/** The file's first line (up to 64 KiB), without its line break. */
export function readFirstLine(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString('utf8').split(/\r?\n/)[0];
  } finally {
    fs.closeSync(fd);
  }
}

/** True when DuckDB's error is about a value's type (then reading again typed from every row can help). */
export function isConversionError(error: unknown): boolean {
  return /could not convert|conversion error|cast/i.test((error as Error).message ?? '');
}

/**
 * One UserError for a CSV that DuckDB refused: names the first ragged line (fields differ from the
 * header), an unterminated quote, or a NUL byte; otherwise DuckDB's own reason, without its
 * sniffer jargon.
 */
export function csvError(files: string[], delimiter: string | undefined, error: Error): UserError {
  for (const file of files) {
    const delim = delimiter ?? guessDelimiter(file);
    const problem = scanCsvShape(file, delim);
    if (problem?.kind === 'ragged') {
      return new UserError(
        `Cannot read CSV ${file}: line ${problem.line} has ${problem.fields} fields but the header has ${problem.expected}.`,
        'every row needs as many fields as the header (quote fields that contain the delimiter).',
      );
    }
    if (problem?.kind === 'unterminated') {
      return new UserError(
        `Cannot read CSV ${file}: the quoted field starting on line ${problem.line} is never closed.`,
        'close the quote, or double a quote character that is part of a value ("").',
      );
    }
  }
  const where = files.length === 1 ? files[0] : `files under ${path.dirname(files[0])}`;
  const reason = firstLines(error.message)
    .replace(/Error when sniffing file[^|]*\|?\s*/i, '')
    .replace(/^Invalid Input Error:\s*/i, '');
  return new UserError(
    `Cannot read CSV ${where}: ${reason || 'DuckDB could not parse it as CSV'}`,
    'every row needs as many fields as the header, and each column one type (numbers or text) throughout.',
  );
}

export type CsvShapeProblem = { kind: 'ragged'; line: number; fields: number; expected: number } | { kind: 'unterminated'; line: number };

/**
 * Streams the file once through an RFC 4180 state machine (quoted fields may hold delimiters,
 * doubled quotes and line breaks) and returns the first record whose field count differs from the
 * header's, with the physical line it starts on. Memory stays constant on any file size.
 */
export function scanCsvShape(file: string, delim: string): CsvShapeProblem | undefined {
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 20);
  const d = delim.charCodeAt(0);
  const QUOTE = 0x22,
    LF = 0x0a,
    CR = 0x0d;
  let line = 1;
  let recordLine = 1;
  let fields = 1;
  let fieldStart = true;
  let quoted = false;
  let quoteOpenedOn = 0;
  let afterQuote = false; // just saw a quote inside a quoted field: either "" or the closing quote
  let expected: number | undefined;
  let empty = true; // the record so far is an empty line
  const endRecord = (): CsvShapeProblem | undefined => {
    if (!empty || fields > 1) {
      if (expected === undefined) expected = fields;
      else if (fields !== expected) return { kind: 'ragged', line: recordLine, fields, expected };
    }
    fields = 1;
    fieldStart = true;
    empty = true;
    recordLine = line;
    return undefined;
  };
  try {
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      for (let i = 0; i < n; i++) {
        const c = buffer[i];
        if (quoted) {
          if (afterQuote) {
            afterQuote = false;
            if (c === QUOTE) continue; // "" inside a quoted field
            quoted = false; // the previous quote closed the field; fall through to handle c
          } else {
            if (c === QUOTE) afterQuote = true;
            else if (c === LF) line++;
            continue;
          }
        }
        if (c === QUOTE && fieldStart) {
          quoted = true;
          quoteOpenedOn = line;
          fieldStart = false;
          empty = false;
        } else if (c === d) {
          fields++;
          fieldStart = true;
          empty = false;
        } else if (c === LF) {
          line++;
          const problem = endRecord();
          if (problem) return problem;
        } else if (c !== CR) {
          fieldStart = false;
          empty = false;
        }
      }
    }
    if (quoted && !afterQuote) return { kind: 'unterminated', line: quoteOpenedOn };
    return endRecord();
  } finally {
    fs.closeSync(fd);
  }
}

/** The first few non-empty lines of a (DuckDB) error message, on one line. */
export function firstLines(message: string): string {
  return message
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, 4)
    .join(' | ');
}
