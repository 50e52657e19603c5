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
import type { CsvRouter } from './csv-route';
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
  /** Add to the outputs (written by the scan of an earlier range) instead of starting them with the header. */
  append?: boolean;
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
  CLASSES = 6;
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
/** Region of each split file's writer. */
const WRITER_BYTES = 4 << 20;

/**
 * Byte weights for typing a field in the hot loop without stepping the number DFA on every byte: a
 * field's sum counts its dots (bits 0-5), exponent letters (6-11), signs (12-17), spaces (18-23) and
 * other bytes (24 up); digits weigh 0. The shapes nearly every number has (digits, one dot, a leading
 * sign) are read off the sum; any other numeric-looking field is run through the DFA alone. -1 marks
 * the bytes that end an unquoted field's run (delimiter, quote, line breaks).
 */
const W_DOT = 1,
  W_E = 1 << 6,
  W_SIGN = 1 << 12,
  W_SPACE = 1 << 18,
  W_OTHER = 1 << 24;
const WEIGHT = new Int32Array(256).fill(W_OTHER);
for (let c = 0x30; c <= 0x39; c++) WEIGHT[c] = 0;
WEIGHT[0x2e] = W_DOT;
WEIGHT[0x45] = WEIGHT[0x65] = W_E;
WEIGHT[0x2b] = WEIGHT[0x2d] = W_SIGN;
WEIGHT[0x20] = WEIGHT[0x09] = W_SPACE;

/** The kind of one field from its weight sum; `start` is its first byte (an opening quote when quoted). */
function kindOfField(buffer: Buffer, start: number, end: number, sum: number, content: number, quoted: boolean): number {
  if (content === 0) return MISSING;
  let kind: number;
  if (sum === 0) kind = INT;
  else if (sum >= W_OTHER) return TEXT;
  else if (!quoted && sum === W_DOT && content > 1) return FLOAT;
  else if (!quoted && (buffer[start] === 0x2d || buffer[start] === 0x2b) && sum === W_SIGN && content > 1) kind = INT;
  else if (!quoted && (buffer[start] === 0x2d || buffer[start] === 0x2b) && sum === W_SIGN + W_DOT && content > 2) return FLOAT;
  else kind = exactKind(unquote(buffer, start, end));
  if (kind === INT && content > 18) return fitsInt64(unquote(buffer, start, end).toString('latin1')) ? INT : FLOAT;
  return kind;
}

/** A value's kind by the number DFA (the grammar above), byte by byte. */
function exactKind(value: Buffer): number {
  let state = 0;
  for (let i = 0; i < value.length; i++) state = NEXT[state + CLASS[value[i]]];
  return KIND_OF_STATE[state / CLASSES];
}

/**
 * Memory shared by the read buffer, the split writers' regions, their table and a batch of record
 * bounds: a record moves to its split with copyWithin, a memmove that allocates nothing (Buffer.copy
 * between two buffers makes a view per call). With the router (csv-route.ts) the arena is the
 * router's WebAssembly memory and records are routed a batch at a time.
 * Layout: [read buffer + 16 bytes of padding][region per split][table: 4 × i32 per split][batch].
 */
class Arena {
  readonly all: Uint8Array;
  /** The read buffer. */
  readonly read: Buffer;
  /** Per split: bucket end, cursor, limit (byte offsets in `all`), records routed by the router. */
  readonly table: Int32Array;
  readonly tableOffset: number;
  /** (start, end) pairs of records waiting to be routed. */
  readonly batch: Int32Array;
  readonly batchOffset: number;
  readonly regionsOffset: number;
  /** For the router's fast path: the byte weights, the column kinds, and its [pos, records, lines] answer. */
  readonly weights: Int32Array;
  readonly weightsOffset: number;
  readonly kinds: Uint8Array;
  readonly kindsOffset: number;
  readonly out: Int32Array;
  readonly outOffset: number;

  constructor(
    readBytes: number,
    readonly regionBytes: number,
    splits: number,
    readonly router: CsvRouter | undefined,
    columns: number,
  ) {
    const readOffset = 64; // address 0 stays unused
    this.regionsOffset = align(readOffset + readBytes + 16);
    this.tableOffset = align(this.regionsOffset + regionBytes * splits);
    this.batchOffset = align(this.tableOffset + 16 * splits);
    this.weightsOffset = align(this.batchOffset + (router ? BATCH * 8 : 0));
    this.kindsOffset = this.weightsOffset + 256 * 4;
    this.outOffset = align(this.kindsOffset + columns);
    const total = this.outOffset + 16;
    router?.reserve(total);
    const memory = router ? router.memory : new ArrayBuffer(total);
    this.all = new Uint8Array(memory);
    this.read = Buffer.from(memory, readOffset, readBytes);
    this.table = new Int32Array(memory, this.tableOffset, 4 * splits);
    this.batch = new Int32Array(memory, this.batchOffset, router ? BATCH * 2 : 0);
    this.weights = new Int32Array(memory, this.weightsOffset, 256);
    this.kinds = new Uint8Array(memory, this.kindsOffset, columns).fill(0);
    this.out = new Int32Array(memory, this.outOffset, 3);
  }
}

/** Records routed by one call into the router. */
const BATCH = 1 << 16;

const align = (n: number) => (n + 15) & ~15;

/** One split's CSV file, written from its region of the arena (its cursor lives in the arena's table). */
class SplitWriter {
  private closed = false;
  private readonly fd: number;
  private readonly base: number;

  constructor(
    file: string,
    header: Buffer,
    private readonly arena: Arena,
    private readonly split: number,
    bucketEnd: number,
    append = false,
  ) {
    this.base = arena.regionsOffset + split * arena.regionBytes;
    arena.table.set([bucketEnd, this.base, this.base + arena.regionBytes, 0], 4 * split);
    this.fd = fs.openSync(file, append ? 'a' : 'w');
    if (!append) this.append(header, 0, header.length);
  }

  /** Appends source[start, end) and a line break. */
  append(source: Buffer, start: number, end: number): void {
    const { all, table, read } = this.arena;
    const n = end - start + 1;
    if (table[4 * this.split + 1] + n > table[4 * this.split + 2]) this.flush();
    if (n > this.arena.regionBytes) {
      this.writeAll(source, start, end);
      this.writeAll(Buffer.from([LF]), 0, 1);
      return;
    }
    const cursor = table[4 * this.split + 1];
    if (source === read) all.copyWithin(cursor, read.byteOffset + start, read.byteOffset + end);
    else all.set(source.subarray(start, end), cursor);
    all[cursor + n - 1] = LF;
    table[4 * this.split + 1] = cursor + n;
  }

  /** Writes the region out and empties it. */
  flush(): void {
    const cursor = this.arena.table[4 * this.split + 1];
    this.writeAll(this.arena.all, this.base, cursor);
    this.arena.table[4 * this.split + 1] = this.base;
  }

  private writeAll(source: Uint8Array, start: number, end: number): void {
    for (let at = start; at < end;) at += fs.writeSync(this.fd, source, at, end - at);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Where the n-th record of a split came from (to name the line of an error DuckDB reports in a split file). */
export interface RecordLocation {
  file: string;
  line: number;
}

/** A file's header record. */
export interface CsvHeader {
  columns: string[];
  /** The header record's bytes, without its line break: the first line of every split file. */
  bytes: Buffer;
  /** Byte offset and line number of what follows the header (the first data record or blank line). */
  dataStart: number;
  dataLine: number;
}

/** A byte range of a CSV file holding whole records: [start, end), `start` just after a line break outside quotes. */
export interface CsvRange {
  file: string;
  start: number;
  end: number;
  /** Line number at `start`, when known (errors then name the file's own line; else the range is scanned again to count). */
  firstLine?: number;
}

export interface RangeScanOptions {
  delimiter: string;
  /** Routes records to their splits in WebAssembly (csv-route.ts); the result is the same without. */
  router?: CsvRouter;
  header: CsvHeader;
  splitting?: CsvSplitting;
  /** Stop after this many records (a sample). */
  maxRecords?: number;
  locate?: { split: number; record: number; found?: RecordLocation };
}

export interface RangeScan {
  /** Each column's largest kind (MISSING < INT < FLOAT < TEXT; see typeOfKinds). */
  kinds: Uint8Array;
  rows: number;
  rowsPerSplit: number[];
}

/** Column types from kinds: int64, float or bytes; a column with no value is text (as DuckDB's sniffer types it). */
export function typeOfKinds(kinds: ArrayLike<number>): CsvColumnType[] {
  return Array.from(kinds, (k) => TYPE_OF_KIND[k]);
}

/** Kind of each DuckDB type, so types and kinds can be compared and combined. */
export function kindOfType(type: CsvColumnType): number {
  return type === 'BIGINT' ? INT : type === 'DOUBLE' ? FLOAT : TEXT;
}

function checkDelimiter(delimiter: string): number {
  const delim = Buffer.from(delimiter, 'latin1');
  if (delim.length !== 1 || delim[0] === QUOTE || delim[0] === LF || delim[0] === CR) {
    throw new UserError(
      `Delimiter ${JSON.stringify(delimiter)} is not supported.`,
      'use a single character other than a quote or a line break, e.g. "," or "\\t".',
    );
  }
  return delim[0];
}

/** The header: the first non-blank record (after a UTF-8 byte order mark). */
export function readCsvHeader(file: string, delimiter: string): CsvHeader {
  let header: CsvHeader | undefined;
  scanRecords({ file, start: 0, end: fs.statSync(file).size, firstLine: 1 }, checkDelimiter(delimiter), (buffer, start, end, line, next, nextLine) => {
    const bytes = Buffer.from(buffer.subarray(start, end));
    // DuckDB checks the UTF-8 of the values it reads, but not of a header line it is told to skip.
    if (!isUtf8(bytes))
      throw new UserError(
        `Cannot read CSV ${file}: its header line (line ${line}) is not valid UTF-8.`,
        'save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`).',
      );
    header = { columns: splitFields(bytes, delimiter.charCodeAt(0)), bytes, dataStart: next, dataLine: nextLine };
    return false;
  });
  if (!header) throw new UserError(`CSV file ${file} is empty.`, 'ExampleGen needs a header line and at least one row.');
  return header;
}

/**
 * Scans the records of one range: types every column, checks the shape, and (with `splitting`)
 * appends each record to its split's file by its fingerprint. Throws a UserError naming the file and
 * line for ragged records and unclosed quotes.
 */
export function scanCsvRange(range: CsvRange, options: RangeScanOptions): RangeScan {
  const D = checkDelimiter(options.delimiter);
  const { splitting, header, locate } = options;
  if (splitting && (splitting.totalBuckets < 1 || splitting.totalBuckets > MAX_TOTAL_BUCKETS)) {
    throw new UserError(
      `The splits have ${splitting.totalBuckets} hash buckets in total.`,
      `use between 1 and ${MAX_TOTAL_BUCKETS} buckets in total (e.g. 2 for train, 1 for eval).`,
    );
  }
  const ncols = header.columns.length;
  const rowsPerSplit = splitting ? splitting.ranges.map(() => 0) : [];
  const rangeBytes = Math.max(range.end - range.start, 1 << 16);
  const readBytes = Math.min(CHUNK, rangeBytes);
  const regionBytes = Math.min(WRITER_BYTES, rangeBytes + header.bytes.length + 1);
  const partitionColumn = splitting?.partitionColumn ?? -1;
  // The router takes whole records only (a partition key may need unquoting), and cannot stop at the n-th record of a split.
  const router = splitting?.outputs && partitionColumn < 0 && !locate ? options.router : undefined;
  const arena = new Arena(readBytes, regionBytes, splitting?.outputs?.length ?? 0, router, ncols);
  // The column kinds live in the arena, where the router's fast path raises them too.
  const kinds = arena.kinds;
  const writers = splitting?.outputs?.map((output, s) => new SplitWriter(output, header.bytes, arena, s, splitting.ranges[s].end, splitting.append));
  const splitOf = (bucket: number) => {
    let split = 0;
    while (bucket >= splitting!.ranges[split].end) split++;
    return split;
  };
  let pending = 0;
  /** Routes the records waiting in the batch (before the read buffer's bytes move, and at the end). */
  const routeBatch = () => {
    const route = (from: number) => router!.route(arena.batchOffset + 8 * from, pending - from, splitting!.totalBuckets, arena.tableOffset);
    for (let done = 0; done < pending;) {
      let routed = route(done);
      if (routed === 0) {
        // A split's region is full: write the regions out and go on.
        writers!.forEach((w) => w.flush());
        routed = route(done);
      }
      if (routed === 0) {
        // A record longer than a whole region: written on its own.
        const start = arena.batch[2 * done] - arena.read.byteOffset;
        const end = arena.batch[2 * done + 1] - arena.read.byteOffset;
        const split = splitOf(bucketOf(arena.read, start, end, splitting!.totalBuckets));
        rowsPerSplit[split]++;
        writers![split].append(arena.read, start, end);
        routed = 1;
      }
      done += routed;
    }
    pending = 0;
  };
  const maxRecords = options.maxRecords ?? Infinity;
  let rows = 0;
  let fast: ((pos: number, len: number) => { pos: number; lines: number; ranOut: boolean }) | undefined;
  if (router && maxRecords === Infinity) {
    arena.weights.set(WEIGHT);
    arena.weights[D] = arena.weights[QUOTE] = arena.weights[LF] = arena.weights[CR] = -1;
    const base = arena.read.byteOffset;
    fast = (pos, len) => {
      const batch = arena.batchOffset + 8 * pending;
      const status = router.fast(base + pos, base + len, ncols, D, arena.weightsOffset, arena.kindsOffset, batch, BATCH - pending, arena.outOffset);
      const [stop, records, lines] = arena.out;
      pending += records;
      rows += records;
      if (pending === BATCH) routeBatch();
      return { pos: stop - base, lines, ranOut: status === 0 };
    };
  }
  try {
    scanRecords(
      range,
      D,
      (buffer, start, end, line, next, nextLine, fields, keyStart, keyEnd, keyQuoted) => {
        if (fields !== ncols) {
          throw new UserError(
            `Cannot read CSV ${range.file}: line ${line} has ${fields} fields but the header has ${ncols}.`,
            'every row needs as many fields as the header (quote fields that contain the delimiter).',
          );
        }
        rows++;
        if (splitting) {
          if (router && buffer === arena.read) {
            arena.batch[2 * pending] = buffer.byteOffset + start;
            arena.batch[2 * pending + 1] = buffer.byteOffset + end;
            if (++pending === BATCH) routeBatch();
            return rows < maxRecords;
          }
          if (pending > 0) routeBatch();
          let bucket: number;
          if (partitionColumn < 0) bucket = bucketOf(buffer, start, end, splitting.totalBuckets);
          else if (!keyQuoted) bucket = bucketOf(buffer, keyStart, keyEnd, splitting.totalBuckets);
          else {
            const key = unquote(buffer, keyStart, keyEnd);
            bucket = bucketOf(key, 0, key.length, splitting.totalBuckets);
          }
          const split = splitOf(bucket);
          rowsPerSplit[split]++;
          writers?.[split].append(buffer, start, end);
          if (locate && locate.split === split && rowsPerSplit[split] === locate.record) {
            locate.found = { file: range.file, line };
            return false;
          }
        }
        return rows < maxRecords;
      },
      { ncols, partitionColumn, kinds },
      arena.read,
      router && (() => routeBatch()),
      fast,
    );
    if (pending > 0) routeBatch();
    if (router) rowsPerSplit.forEach((_, s) => (rowsPerSplit[s] += arena.table[4 * s + 3]));
  } catch (error) {
    // A range that starts mid-file counts lines from 1: scan it again from its true line so that the
    // error names the line a user sees in an editor (only on this error path: counting costs a pass).
    if (error instanceof UserError && range.firstLine === undefined) {
      writers?.forEach((w) => w.close());
      scanCsvRange(
        { ...range, firstLine: linesBefore(range.file, range.start) + 1 },
        { ...options, splitting: splitting && { ...splitting, outputs: undefined } },
      );
    }
    throw error;
  } finally {
    writers?.forEach((w) => w.close());
  }
  if (locate?.found && range.firstLine === undefined) locate.found.line += linesBefore(range.file, range.start);
  // A copy: the arena's memory is the next scan's.
  return { kinds: Uint8Array.from(kinds), rows, rowsPerSplit };
}

type OnRecord = (
  buffer: Buffer,
  start: number,
  end: number,
  line: number,
  next: number,
  nextLine: number,
  fields: number,
  keyStart: number,
  keyEnd: number,
  keyQuoted: boolean,
) => boolean;

/**
 * The record loop (RFC 4180; blank records skipped): calls `onRecord` with each record's bytes and
 * line until it returns false or the range ends. With `typing`, each column's largest kind so far is
 * kept in `typing.kinds` (a record's kinds count before its shape is checked: a ragged record ends
 * the scan with an error anyway).
 */
function scanRecords(
  range: CsvRange,
  D: number,
  onRecord: OnRecord,
  typing?: { ncols: number; kinds: Uint8Array; partitionColumn: number },
  /** The read buffer to start with (it is replaced by a larger one for a record that does not fit). */
  initial?: Buffer,
  /** Called before the read buffer's bytes move: records passed to onRecord are gone after it. */
  beforeRefill?: () => void,
  /**
   * Takes the plain records from `pos` of the initial buffer in one go (csv-route.ts's fast path):
   * returns where it stopped, the line breaks it passed, and whether the bytes ran out (the record
   * there is then read again after a refill) or the record there is one for this loop.
   */
  fast?: (pos: number, len: number) => { pos: number; lines: number; ranOut: boolean },
): void {
  const { file } = range;
  const weight = Int32Array.from(WEIGHT);
  weight[D] = weight[QUOTE] = weight[LF] = weight[CR] = -1;
  const ncols = typing?.ncols ?? 0;
  const columnKinds = typing?.kinds ?? new Uint8Array(0);
  const partitionColumn = typing?.partitionColumn ?? -1;
  const fd = fs.openSync(file, 'r');
  let buffer = initial ?? Buffer.allocUnsafe(Math.min(CHUNK, Math.max(range.end - range.start, 1 << 16)));
  try {
    let len = 0;
    let pos = 0;
    let base = range.start; // file offset of buffer[0]
    let readAt = range.start;
    let eof = false;
    let needMore = true;
    let line = range.firstLine ?? 1;
    // Field boundaries of the partition column in the current record.
    let keyStart = 0;
    let keyEnd = 0;
    let keyQuoted = false;
    for (;;) {
      // Refill: keep the unfinished record at the front, grow for records longer than the buffer.
      if (needMore && !eof) {
        beforeRefill?.();
        if (pos > 0) {
          buffer.copyWithin(0, pos, len);
          len -= pos;
          base += pos;
          pos = 0;
        }
        if (len >= buffer.length - 1) {
          const bigger = Buffer.allocUnsafe(buffer.length * 2);
          buffer.copy(bigger, 0, 0, len);
          buffer = bigger;
        }
        // One byte stays free for a sentinel line break after the data: the hot loop then needs no
        // bounds check of its own (it stops at the sentinel as at any structural byte).
        const n = readAt < range.end ? fs.readSync(fd, buffer, len, Math.min(buffer.length - 1 - len, range.end - readAt), readAt) : 0;
        if (n === 0) eof = true;
        len += n;
        readAt += n;
        buffer[len] = LF;
        needMore = false;
        if (base === 0 && pos === 0 && len >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) pos = 3; // UTF-8 byte order mark
      }
      if (pos >= len && eof) break;
      if (fast && buffer === initial) {
        const taken = fast(pos, len);
        pos = taken.pos;
        line += taken.lines;
        if (taken.ranOut && !eof) {
          needMore = true;
          continue;
        }
        if (pos >= len && eof) break;
      }
      // One record from pos: fields, kinds and its end; -1 when the buffer ends first.
      let i = pos;
      let col = 0;
      let sum = 0;
      let inQuotes = false;
      let quoted = false;
      let content = 0;
      let fieldStart = i;
      let end = -1;
      let next = -1;
      let newlines = 0;
      for (;;) {
        if (!inQuotes) {
          // The hot loop: ordinary bytes only add their weight.
          const run = i;
          let w = 0;
          while ((w = weight[buffer[i]]) >= 0) {
            sum += w;
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
              sum += W_OTHER;
              content++;
              i += 2;
              continue;
            }
            inQuotes = false;
            i++;
            continue;
          }
          if (c === LF) newlines++;
          sum += WEIGHT[c];
          content++;
          i++;
          continue;
        }
        if (c === D || c === LF || c === CR || c === -1) {
          if (c === CR) {
            if (i + 1 >= len && !eof) break;
            if (i + 1 < len && buffer[i + 1] !== LF) {
              sum += W_OTHER; // a lone CR is data
              content++;
              i++;
              continue;
            }
          }
          if (col < ncols) {
            // A column already text stays text; the common number shapes skip the call.
            const known = columnKinds[col];
            if (known < TEXT && content > 0) {
              let kind: number;
              if (sum === 0 && content <= 18) kind = INT;
              else if (sum === W_DOT && !quoted && content > 1) kind = FLOAT;
              else {
                kind = kindOfField(buffer, fieldStart, i, sum, content, quoted);
                if (kind === TEXT && content <= 16 && SPECIAL_FLOAT.test(unquote(buffer, fieldStart, i).toString('latin1'))) kind = FLOAT;
              }
              if (kind > known) columnKinds[col] = kind;
            }
            if (col === partitionColumn) {
              keyStart = fieldStart;
              keyEnd = i;
              keyQuoted = quoted;
            }
          }
          if (c === D) {
            col++;
            sum = 0;
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
        sum += W_OTHER;
        content++;
        i++;
      }
      if (end < 0) {
        needMore = true;
        continue;
      }
      const recordLine = line;
      line += 1 + newlines;
      if (end === pos) {
        pos = next; // a blank line
        continue;
      }
      const more = onRecord(buffer, pos, end, recordLine, base + next, line, col + 1, keyStart, keyEnd, keyQuoted);
      pos = next;
      if (!more) return;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Byte offsets that cut a file's records [dataStart, size) into ranges of about `rangeBytes`: each cut
 * is the first line break outside quotes at or after the previous cut + rangeBytes (a quote toggles
 * "inside quotes", a doubled quote toggles twice, as the scanner reads them). The cuts depend on the
 * bytes alone, so the ranges (and the Parquet files made from them) are the same on every machine.
 */
export function cutRanges(file: string, dataStart: number, rangeBytes: number, quoteFree = false): CsvRange[] {
  const size = fs.statSync(file).size;
  const cuts = [dataStart];
  let target = dataStart + rangeBytes;
  if (quoteFree) {
    // No quotes in the file (the caller counted them): every line break ends a record, so only the
    // bytes after each target are read.
    const fd = fs.openSync(file, 'r');
    const window = Buffer.allocUnsafe(1 << 16);
    try {
      for (let at = target; at < size;) {
        const n = fs.readSync(fd, window, 0, window.length, at);
        const lf = window.subarray(0, n).indexOf(LF);
        if (n === 0) break;
        if (lf < 0) at += n;
        else {
          cuts.push(at + lf + 1);
          at = target = at + lf + 1 + rangeBytes;
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  } else if (target < size) {
    const fd = fs.openSync(file, 'r');
    const chunk = Buffer.allocUnsafe(CHUNK);
    let inQuotes = false;
    try {
      for (let base = dataStart; base < size && target < size;) {
        const n = fs.readSync(fd, chunk, 0, Math.min(CHUNK, size - base), base);
        if (n === 0) break;
        const bytes = chunk.subarray(0, n);
        let i = 0;
        while (i < n && target < size) {
          if (inQuotes) {
            const q = bytes.indexOf(QUOTE, i);
            if (q < 0) i = n;
            else {
              inQuotes = false;
              i = q + 1;
            }
          } else if (base + i < target) {
            const stop = Math.min(target - base, n);
            const q = bytes.indexOf(QUOTE, i);
            if (q >= 0 && q < stop) {
              inQuotes = true;
              i = q + 1;
            } else i = stop;
          } else {
            const lf = bytes.indexOf(LF, i);
            const q = bytes.indexOf(QUOTE, i);
            if (q >= 0 && (lf < 0 || q < lf)) {
              inQuotes = true;
              i = q + 1;
            } else if (lf < 0) i = n;
            else {
              cuts.push(base + lf + 1);
              target = base + lf + 1 + rangeBytes;
              i = lf + 1;
            }
          }
        }
        base += n;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  if (cuts[cuts.length - 1] < size || cuts.length === 1) cuts.push(size);
  return cuts.slice(0, -1).map((start, k) => ({ file, start, end: cuts[k + 1] }));
}

/** Number of line breaks before `offset` (to name a file's own line in an error from a range that starts later). */
export function linesBefore(file: string, offset: number): number {
  const fd = fs.openSync(file, 'r');
  const chunk = Buffer.allocUnsafe(CHUNK);
  let count = 0;
  try {
    for (let at = 0; at < offset;) {
      const n = fs.readSync(fd, chunk, 0, Math.min(CHUNK, offset - at), at);
      if (n === 0) break;
      const bytes = chunk.subarray(0, n);
      for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) count++;
      at += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return count;
}

/**
 * Types every column of `files` (one header each, the same columns) from every row: what statistics
 * need of a CSV when they type it themselves. Throws a UserError naming the file and line for ragged
 * records, unclosed quotes and headers that disagree.
 */
export function scanCsv(files: string[], delimiter: string): CsvScan {
  let columns: string[] | undefined;
  let kinds: Uint8Array | undefined;
  const fileTypes: CsvColumnType[][] = [];
  let rows = 0;
  for (const file of files) {
    const header = readCsvHeader(file, delimiter);
    if (!columns) {
      columns = header.columns;
      kinds = new Uint8Array(columns.length);
    } else if (header.columns.join('\u0000') !== columns.join('\u0000')) {
      throw new UserError(
        `CSV files disagree on their header: ${files[0]} has [${columns.join(',')}] but ${file} has [${header.columns.join(',')}].`,
        'give every file of one input the same columns in the same order.',
      );
    }
    const scan = scanCsvRange({ file, start: header.dataStart, end: fs.statSync(file).size, firstLine: header.dataLine }, { delimiter, header });
    scan.kinds.forEach((k, c) => {
      if (k > kinds![c]) kinds![c] = k;
    });
    fileTypes.push(typeOfKinds(scan.kinds));
    rows += scan.rows;
  }
  return { columns: columns!, types: typeOfKinds(kinds!), fileTypes, rows, rowsPerSplit: [] };
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
