/**
 * CsvExampleGen's unit of work: one byte range of a CSV file (data/csv-scan.ts cuts files into ranges
 * of about RANGE_BYTES at record boundaries) becomes one Parquet file per split. A range is scanned
 * once (typed, shape-checked, each record routed by its fingerprint into a split file), then DuckDB
 * parses each split file with fixed types on one thread and writes it as zstd Parquet. Ranges are
 * independent: the range pool (range-pool.ts) has DuckDB write one range while the next is scanned,
 * and a range's output depends on its bytes and types alone.
 *
 * The types a range is written with are known only when every range has been scanned (a decimal in
 * the last range makes the column float everywhere). So a range is written with its own kinds raised
 * to those of a sample of the input's first records; once all ranges are in, a range written with
 * other types than the final ones is scanned and written again (rare: it takes a column whose first
 * values are of a smaller kind than later ones, in a range that holds only those). Every
 * value was checked by our own typing before DuckDB parses it: DuckDB's lenient casts (it reads
 * "1.5" as the BIGINT 2) never see a value of another kind.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import { csvRelation, firstLines } from '../../data/csv';
import { CsvColumnType, CsvHeader, CsvRange, kindOfType, scanCsvRange, typeOfKinds } from '../../data/csv-scan';
import { CsvRouter } from '../../data/csv-route';
import { DuckSession, sqlString } from '../../data/duckdb';
import { UserError } from '../../util/errors';

/** Input bytes per range: big enough that DuckDB's per-statement start is noise, small enough to spread over cores. */
export const RANGE_BYTES = 16 << 20;

/** Memory limit of each range's one-thread DuckDB (a streaming copy of one range needs a few row groups). */
export const RANGE_MEMORY_LIMIT = '256MB';

/** A range of one file, with that file's header; `file` numbers the file among the input's. */
export interface Segment {
  range: CsvRange;
  header: CsvHeader;
  file: number;
}

export interface RangeJob {
  index: number;
  /** One range of a large file, or small files (whole) packed together: written as one Parquet file per split. */
  segments: Segment[];
  delimiter: string;
  totalBuckets: number;
  /** [start, end) bucket range of each split, in order. */
  bucketRanges: { start: number; end: number }[];
  partitionColumn?: number;
  /** Per split: the split CSV file (removed once written) and the Parquet file to write. */
  splitFiles: string[];
  parquetFiles: string[];
  /** Types from a sample of the input's first records; a range never writes a column with a smaller type. */
  sampleTypes: CsvColumnType[];
}

export interface RangeResult {
  index: number;
  /** Each segment's column kinds (per file, to refuse a column numeric in one file and text in another). */
  kinds: number[][];
  rows: number;
  rowsPerSplit: number[];
  /** The types the range's Parquet files were written with. */
  types: CsvColumnType[];
}

export interface RewriteJob {
  job: RangeJob;
  types: CsvColumnType[];
}

/** Scans the range into its split files, then writes each as Parquet with the range's own types. */
export async function convertRange(db: DuckSession, job: RangeJob): Promise<RangeResult> {
  try {
    const scans = scanInto(job, await CsvRouter.load());
    const sampleKinds = job.sampleTypes.map(kindOfType);
    // A column with no value here or in the sample is text, as in a whole-file typing.
    const types = typeOfKinds(sampleKinds.map((k, c) => Math.max(k, ...scans.map((scan) => scan.kinds[c]))));
    const rowsPerSplit = job.splitFiles.map((_, s) => scans.reduce((sum, scan) => sum + scan.rowsPerSplit[s], 0));
    await writeRange(db, job, rowsPerSplit, types);
    const rows = scans.reduce((sum, scan) => sum + scan.rows, 0);
    return { index: job.index, kinds: scans.map((scan) => Array.from(scan.kinds)), rows, rowsPerSplit, types };
  } finally {
    removeSplitFiles(job);
  }
}

/** Writes the range again with the final types (its split files are made again: keeping every range's would hold a copy of the input). */
export async function rewriteRange(db: DuckSession, rewrite: RewriteJob): Promise<void> {
  try {
    const scans = scanInto(rewrite.job, await CsvRouter.load());
    const rowsPerSplit = rewrite.job.splitFiles.map((_, s) => scans.reduce((sum, scan) => sum + scan.rowsPerSplit[s], 0));
    await writeRange(db, rewrite.job, rowsPerSplit, rewrite.types);
  } finally {
    removeSplitFiles(rewrite.job);
  }
}

function scanInto(job: RangeJob, router: CsvRouter | undefined) {
  return job.segments.map((segment, i) =>
    scanCsvRange(segment.range, {
      delimiter: job.delimiter,
      router,
      header: segment.header,
      splitting: {
        totalBuckets: job.totalBuckets,
        ranges: job.bucketRanges,
        partitionColumn: job.partitionColumn,
        outputs: job.splitFiles,
        append: i > 0,
      },
    }),
  );
}

function removeSplitFiles(job: RangeJob): void {
  for (const file of job.splitFiles) fs.rmSync(file, { force: true });
}

async function writeRange(db: DuckSession, job: RangeJob, rowsPerSplit: number[], types: CsvColumnType[]): Promise<void> {
  const columns = job.segments[0].header.columns.map((name, i) => ({ name, type: types[i] }));
  for (const [split, splitFile] of job.splitFiles.entries()) {
    const reader = csvRelation([splitFile], { delimiter: job.delimiter, columns });
    let written: number;
    try {
      const [{ Count }] = await db.all<{ Count: number }>(
        `COPY (SELECT * FROM ${reader}) TO ${sqlString(job.parquetFiles[split])} (FORMAT parquet, COMPRESSION zstd)`,
      );
      written = Number(Count);
    } catch (error) {
      throw conversionError(error as Error, job, split);
    }
    if (written !== rowsPerSplit[split])
      throw new Error(`${job.segments[0].range.file}: DuckDB read ${written} rows of a split file where the scan wrote ${rowsPerSplit[split]}.`);
  }
}

/** DuckDB's error names a line of a split file; name the input line it came from. */
function conversionError(error: Error, job: RangeJob, split: number): Error {
  const line = /Line: (\d+)/.exec(error.message);
  const column = /converting column "([^"]+)"/.exec(error.message);
  const value = /Could not convert string "([^"]*)" to '(\w+)'/.exec(error.message);
  const files = [...new Set(job.segments.map((segment) => segment.range.file))].join(', ');
  if (!line || !column)
    return new UserError(
      `Cannot read CSV ${files}: ${firstLines(error.message)}`,
      'every row needs as many fields as the header, and each column one type (numbers or text) throughout.',
    );
  let where = `line ${line[1]} of a split of ${files}`;
  // The split file's line 1 is the header: its record n - 1, counted through the segments in order.
  let record = Number(line[1]) - 1;
  for (const segment of job.segments) {
    const locate: { split: number; record: number; found?: { file: string; line: number } } = { split, record };
    const scan = scanCsvRange(segment.range, {
      delimiter: job.delimiter,
      header: segment.header,
      splitting: { totalBuckets: job.totalBuckets, ranges: job.bucketRanges, partitionColumn: job.partitionColumn },
      locate,
    });
    if (locate.found) {
      where = `line ${locate.found.line} of ${locate.found.file}`;
      break;
    }
    record -= scan.rowsPerSplit[split];
  }
  return new UserError(
    `Cannot read CSV: column "${column[1]}" ${value ? `has the value "${value[1]}", which is not a ${value[2]}, ` : 'has a value of another type '}on ${where}.`,
    `make every value of "${column[1]}" a number, or quote text so that the column is read as text.`,
  );
}

/** Parquet file name of range `index` of `count` in a split folder: one range keeps TFX-like `data.parquet`. */
export function shardName(index: number, count: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return count === 1 ? 'data.parquet' : `data-${pad(index)}-of-${pad(count)}.parquet`;
}

/**
 * Where split files go: shared memory when it has room (a tmpfs write costs a fraction of a disk
 * file system's, and the files live for one DuckDB statement), else the temporary directory.
 * Containers often give /dev/shm 64 MB; then the disk it is.
 */
export function scratchRoot(): string {
  try {
    const stat = fs.statfsSync(SHARED_MEMORY);
    if (stat.bavail * stat.bsize >= SHARED_MEMORY_NEEDED) return SHARED_MEMORY;
  } catch {
    /* no /dev/shm (not Linux) */
  }
  return os.tmpdir();
}

const SHARED_MEMORY = '/dev/shm';
const SHARED_MEMORY_NEEDED = 1 << 30;
