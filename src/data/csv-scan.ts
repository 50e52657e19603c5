/**
 * One pass over CSV bytes that does what ExampleGen needs before DuckDB parses the values:
 * - types every column from every row (int64 / float / bytes, TFX's feature types), so DuckDB can
 *   read with fixed types and no sniffing pass of its own;
 * - checks the shape (every record has the header's number of fields, quotes are closed);
 * - assigns each record to a split by the fingerprint of its bytes (fingerprint.ts) and appends it
 *   to that split's CSV file, which DuckDB then turns into Parquet.
 *
 * Dialect: RFC 4180 — fields separated by `delimiter`, optionally enclosed in double quotes, a
 * doubled quote inside quotes is one quote; records end at LF or CRLF outside quotes; blank lines are
 * skipped (as DuckDB skips them). An empty field (or "") is missing.
 * Types: a column is INT when every present value is an optional sign and digits fitting int64,
 * FLOAT when every present value is an int or a decimal / exponent number (or inf, infinity, nan),
 * otherwise STRING; a column with no present value is STRING (as DuckDB's sniffer types it).
 */
import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import { UserError } from '../util/errors';
import { bucketOf, MAX_TOTAL_BUCKETS } from './fingerprint';

export type CsvColumnType = 'BIGINT' | 'DOUBLE' | 'VARCHAR';

export interface CsvSplitting {
  totalBuckets: number;
  /** [start, end) bucket range of each split, in order. */
  ranges: { start: number; end: number }[];
  /** Hash this column's value instead of the whole record (TFX's partition_feature_name). */
  partitionColumn?: number;
  /** Where each split's records go (a CSV file with the header line); omit to only count. */
  outputs?: string[];
}

export interface CsvScan {
  columns: string[];
  types: CsvColumnType[];
  /** Each file's own column types (to refuse a column that is numeric in one file and text in another). */
  fileTypes: CsvColumnType[][];
  rows: number;
  rowsPerSplit: number[];
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

// Number grammar as a DFA over byte classes, states pre-multiplied by the class count.
// Class 0 (the default) is any other byte.
const K_DIGIT = 1,
  K_SIGN = 2,
  K_DOT = 3,
  K_E = 4,
  K_SPACE = 5,
  CLASSES = 6,
  K_STRUCTURAL = 7;
const CLASS = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = K_DIGIT;
CLASS[0x2b] = CLASS[0x2d] = K_SIGN;
CLASS[0x2e] = K_DOT;
CLASS[0x45] = CLASS[0x65] = K_E;
CLASS[0x20] = CLASS[0x09] = K_SPACE;
const enum S {
  Start,
  Sign,
  Int,
  Dot,
  Frac,
  E,
  ESign,
  Exp,
  IntTrail,
  FloatTrail,
  Dead,
}
const STATES = 11;
const NEXT = new Uint8Array(STATES * CLASSES).fill(S.Dead * CLASSES);
const edge = (from: S, cls: number, to: S) => {
  NEXT[from * CLASSES + cls] = to * CLASSES;
};
edge(S.Start, K_SPACE, S.Start);
edge(S.Start, K_DIGIT, S.Int);
edge(S.Start, K_SIGN, S.Sign);
edge(S.Start, K_DOT, S.Dot);
edge(S.Sign, K_DIGIT, S.Int);
edge(S.Sign, K_DOT, S.Dot);
edge(S.Int, K_DIGIT, S.Int);
edge(S.Int, K_DOT, S.Frac);
edge(S.Int, K_E, S.E);
edge(S.Int, K_SPACE, S.IntTrail);
edge(S.Dot, K_DIGIT, S.Frac);
edge(S.Frac, K_DIGIT, S.Frac);
edge(S.Frac, K_E, S.E);
edge(S.Frac, K_SPACE, S.FloatTrail);
edge(S.E, K_SIGN, S.ESign);
edge(S.E, K_DIGIT, S.Exp);
edge(S.ESign, K_DIGIT, S.Exp);
edge(S.Exp, K_DIGIT, S.Exp);
edge(S.Exp, K_SPACE, S.FloatTrail);
edge(S.IntTrail, K_SPACE, S.IntTrail);
edge(S.FloatTrail, K_SPACE, S.FloatTrail);

/** Field kinds, ordered so that a column's type is the largest kind of its values. */
const MISSING = 0,
  INT = 1,
  FLOAT = 2,
  TEXT = 3;
const KIND_OF_STATE = new Uint8Array(STATES).fill(TEXT);
KIND_OF_STATE[S.Int] = KIND_OF_STATE[S.IntTrail] = INT;
KIND_OF_STATE[S.Frac] = KIND_OF_STATE[S.Exp] = KIND_OF_STATE[S.FloatTrail] = FLOAT;
const TYPE_OF_KIND: CsvColumnType[] = ['VARCHAR', 'BIGINT', 'DOUBLE', 'VARCHAR'];
const SPECIAL_FLOAT = /^\s*[+-]?(inf|infinity|nan)\s*$/i;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const CHUNK = 8 << 20;

class SplitWriter {
  private buffer = Buffer.allocUnsafe(4 << 20);
  private used = 0;
  private readonly fd: number;

  constructor(file: string, header: Buffer) {
    this.fd = fs.openSync(file, 'w');
    this.append(header, 0, header.length);
  }

  append(source: Buffer, start: number, end: number): void {
    const n = end - start + 1;
    if (this.used + n > this.buffer.length) {
      this.flush();
      if (n > this.buffer.length) this.buffer = Buffer.allocUnsafe(n);
    }
    this.buffer.set(source.subarray(start, end), this.used);
    this.buffer[this.used + n - 1] = LF;
    this.used += n;
  }

  flush(): void {
    let offset = 0;
    while (offset < this.used) offset += fs.writeSync(this.fd, this.buffer, offset, this.used - offset);
    this.used = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Where the n-th record of a split came from (to name the line of an error DuckDB reports in a split file). */
export interface RecordLocation {
  file: string;
  line: number;
}

/**
 * Scans `files` (one header each, the same columns) in order. Throws a UserError naming the file and
 * line for ragged records, unclosed quotes and headers that disagree.
 */
export function scanCsv(
  files: string[],
  delimiter: string,
  splitting?: CsvSplitting,
  locate?: { split: number; record: number; found?: RecordLocation },
): CsvScan {
  const delim = Buffer.from(delimiter, 'latin1');
  if (delim.length !== 1 || delim[0] === QUOTE || delim[0] === LF || delim[0] === CR) {
    throw new UserError(
      `Delimiter ${JSON.stringify(delimiter)} is not supported.`,
      'use a single character other than a quote or a line break, e.g. "," or "\\t".',
    );
  }
  if (splitting && (splitting.totalBuckets < 1 || splitting.totalBuckets > MAX_TOTAL_BUCKETS)) {
    throw new UserError(
      `The splits have ${splitting.totalBuckets} hash buckets in total.`,
      `use between 1 and ${MAX_TOTAL_BUCKETS} buckets in total (e.g. 2 for train, 1 for eval).`,
    );
  }
  const D = delim[0];
  const partitionColumn = splitting?.partitionColumn ?? -1;
  // Byte classes of this dialect: the delimiter, quote and line breaks end the hot loop.
  const cls = Uint8Array.from(CLASS);
  cls[D] = cls[QUOTE] = cls[LF] = cls[CR] = K_STRUCTURAL;
  let columns: string[] | undefined;
  let types: number[] = [];
  const fileTypes: CsvColumnType[][] = [];
  const rowsPerSplit = splitting ? splitting.ranges.map(() => 0) : [];
  const bucketToSplit = splitting ? new Int32Array(splitting.totalBuckets) : new Int32Array(0);
  splitting?.ranges.forEach((r, s) => bucketToSplit.fill(s, r.start, r.end));
  let writers: SplitWriter[] | undefined;
  let rows = 0;
  let buffer = Buffer.allocUnsafe(CHUNK);
  try {
    for (const file of files) {
      const fd = fs.openSync(file, 'r');
      try {
        let len = 0;
        let pos = 0;
        let eof = false;
        let needMore = true;
        let bomChecked = false;
        let line = 1;
        let header: Buffer | undefined;
        let ncols = 0;
        let kinds = new Uint8Array(0);
        let fileKinds = new Uint8Array(0);
        // Field boundaries of the partition column in the current record.
        let keyStart = 0;
        let keyEnd = 0;
        let keyQuoted = false;
        for (;;) {
          // Refill: keep the unfinished record at the front, grow for records longer than the buffer.
          if (needMore && !eof) {
            if (pos > 0) {
              buffer.copyWithin(0, pos, len);
              len -= pos;
              pos = 0;
            }
            if (len === buffer.length) {
              const bigger = Buffer.allocUnsafe(buffer.length * 2);
              buffer.copy(bigger, 0, 0, len);
              buffer = bigger;
            }
            const n = fs.readSync(fd, buffer, len, buffer.length - len, null);
            if (n === 0) eof = true;
            len += n;
            needMore = false;
            if (!bomChecked && len >= 3) {
              bomChecked = true;
              if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) pos = 3; // UTF-8 byte order mark
            }
          }
          if (pos >= len && eof) break;
          // One record from pos: fields, kinds and its end; -1 when the buffer ends first.
          let i = pos;
          let col = 0;
          let state = 0;
          let inQuotes = false;
          let quoted = false;
          let content = 0;
          let fieldStart = i;
          let end = -1;
          let next = -1;
          let newlines = 0;
          for (;;) {
            if (!inQuotes) {
              // The hot loop: ordinary bytes only move the number DFA.
              const run = i;
              let k = 0;
              while (i < len && (k = cls[buffer[i]]) !== K_STRUCTURAL) {
                state = NEXT[state + k];
                i++;
              }
              content += i - run;
            }
            let c = -1; // end of file
            if (i < len) c = buffer[i];
            else if (!eof) break;
            else if (inQuotes)
              throw new UserError(
                `Cannot read CSV ${file}: the quoted field starting on line ${line} is never closed.`,
                'close the quote, or double a quote character that is part of a value ("").',
              );
            if (inQuotes) {
              if (c === QUOTE) {
                if (i + 1 >= len && !eof) break;
                if (i + 1 < len && buffer[i + 1] === QUOTE) {
                  state = S.Dead * CLASSES;
                  content++;
                  i += 2;
                  continue;
                }
                inQuotes = false;
                i++;
                continue;
              }
              if (c === LF) newlines++;
              state = NEXT[state + CLASS[c]];
              content++;
              i++;
              continue;
            }
            if (c === D || c === LF || c === CR || c === -1) {
              if (c === CR) {
                if (i + 1 >= len && !eof) break;
                if (i + 1 < len && buffer[i + 1] !== LF) {
                  state = S.Dead * CLASSES;
                  content++;
                  i++;
                  continue;
                } // a lone CR is data
              }
              if (header !== undefined && col < ncols) {
                let kind = content === 0 ? MISSING : KIND_OF_STATE[state / CLASSES];
                if (kind === TEXT && types[col] < TEXT && content <= 16 && SPECIAL_FLOAT.test(unquote(buffer, fieldStart, i).toString('latin1'))) kind = FLOAT;
                else if (kind === INT && content > 18) kind = fitsInt64(unquote(buffer, fieldStart, i).toString('latin1')) ? INT : FLOAT;
                kinds[col] = kind;
                if (col === partitionColumn) {
                  keyStart = fieldStart;
                  keyEnd = i;
                  keyQuoted = quoted;
                }
              }
              if (c === D) {
                col++;
                state = 0;
                content = 0;
                quoted = false;
                fieldStart = i + 1;
                i++;
                continue;
              }
              end = i;
              next = c === -1 ? len : c === CR ? i + 2 : i + 1;
              break;
            }
            if (c === QUOTE) {
              inQuotes = true;
              quoted = true;
              i++;
              continue;
            }
            state = NEXT[state + CLASS[c]];
            content++;
            i++;
          }
          if (end < 0) {
            needMore = true;
            continue;
          }
          const recordLine = line;
          line += 1 + newlines;
          const blank = end === pos;
          if (header === undefined) {
            if (blank) {
              pos = next;
              continue;
            }
            header = Buffer.from(buffer.subarray(pos, end));
            // DuckDB checks the UTF-8 of the values it reads, but not of a header line it is told to skip.
            if (!isUtf8(header))
              throw new UserError(
                `Cannot read CSV ${file}: its header line (line ${recordLine}) is not valid UTF-8.`,
                'save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`).',
              );
            const names = splitFields(header, D);
            ncols = names.length;
            kinds = new Uint8Array(ncols);
            fileKinds = new Uint8Array(ncols);
            if (!columns) {
              columns = names;
              types = new Array<number>(ncols).fill(MISSING);
              if (splitting?.outputs) writers = splitting.outputs.map((output) => new SplitWriter(output, header!));
            } else if (names.join('\u0000') !== columns.join('\u0000')) {
              throw new UserError(
                `CSV files disagree on their header: ${files[0]} has [${columns.join(',')}] but ${file} has [${names.join(',')}].`,
                'give every file of one input the same columns in the same order.',
              );
            }
            pos = next;
            continue;
          }
          if (blank) {
            pos = next;
            continue;
          }
          if (col + 1 !== ncols) {
            throw new UserError(
              `Cannot read CSV ${file}: line ${recordLine} has ${col + 1} fields but the header has ${ncols}.`,
              'every row needs as many fields as the header (quote fields that contain the delimiter).',
            );
          }
          for (let k = 0; k < ncols; k++) {
            if (kinds[k] > fileKinds[k]) fileKinds[k] = kinds[k];
            if (kinds[k] > types[k]) types[k] = kinds[k];
          }
          rows++;
          if (splitting) {
            let bucket: number;
            if (splitting.partitionColumn === undefined) bucket = bucketOf(buffer, pos, end, splitting.totalBuckets);
            else if (!keyQuoted) bucket = bucketOf(buffer, keyStart, keyEnd, splitting.totalBuckets);
            else {
              const key = unquote(buffer, keyStart, keyEnd);
              bucket = bucketOf(key, 0, key.length, splitting.totalBuckets);
            }
            const split = bucketToSplit[bucket];
            rowsPerSplit[split]++;
            writers?.[split].append(buffer, pos, end);
            if (locate && locate.split === split && rowsPerSplit[split] === locate.record) {
              locate.found = { file, line: recordLine };
              return { columns: columns!, types: [], fileTypes: [], rows, rowsPerSplit };
            }
          }
          pos = next;
        }
        if (header === undefined) throw new UserError(`CSV file ${file} is empty.`, 'ExampleGen needs a header line and at least one row.');
        fileTypes.push(Array.from(fileKinds, (k) => TYPE_OF_KIND[k]));
      } finally {
        fs.closeSync(fd);
      }
    }
  } finally {
    writers?.forEach((w) => w.close());
  }
  return { columns: columns!, types: types.map((k) => TYPE_OF_KIND[k]), fileTypes, rows, rowsPerSplit };
}

/** A field's value: without its enclosing quotes, a doubled quote as one. */
function unquote(buffer: Buffer, start: number, end: number): Buffer {
  if (buffer.indexOf(QUOTE, start) < 0 || buffer.indexOf(QUOTE, start) >= end) return buffer.subarray(start, end);
  const out: number[] = [];
  let inQuotes = false;
  for (let i = start; i < end; i++) {
    const c = buffer[i];
    if (c === QUOTE) {
      if (inQuotes && buffer[i + 1] === QUOTE && i + 1 < end) {
        out.push(QUOTE);
        i++;
        continue;
      }
      inQuotes = !inQuotes;
      continue;
    }
    out.push(c);
  }
  return Buffer.from(out);
}

function splitFields(record: Buffer, delimiter: number): string[] {
  const fields: string[] = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i <= record.length; i++) {
    if (i === record.length || (record[i] === delimiter && !inQuotes)) {
      fields.push(unquote(record, start, i).toString('utf8'));
      start = i + 1;
    } else if (record[i] === QUOTE) inQuotes = !inQuotes;
  }
  return fields;
}

function fitsInt64(text: string): boolean {
  try {
    const v = BigInt(text.trim());
    return v >= INT64_MIN && v <= INT64_MAX;
  } catch {
    return false;
  }
}
