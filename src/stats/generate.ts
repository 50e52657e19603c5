/**
 * TFDV's generate_statistics, computed inside DuckDB in one scan: a GROUP BY GROUPING SETS query
 * returns every scalar column's value counts at once (DuckDB builds one hash table per column and
 * spills them under its memory limit). Everything TFDV reports is then derived from those counts
 * (value-counts.ts → accumulators.ts): moments, zeros, NaN/inf, min/max, TFDV's quantiles, median
 * and histograms, and for strings unique / top values / rank histogram / average length. List
 * columns get one grouped query each over their unnested values. Only aggregates leave the
 * engine, streamed in chunks, so memory depends on distinct values, not on rows.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCsvFile, csvError, csvRelation, describeFileKind, guessDelimiter, isConversionError } from '../data/csv';
import { scanCsv } from '../data/csv-scan';
import { DuckSession, sqlIdent, sqlString } from '../data/duckdb';
import type { Schema } from '../schema/types';
import { NotSupportedError, UserError } from '../util/errors';
import { FeatureAccumulator, finalizeFeature } from './accumulators';
import type { DatasetFeatureStatistics, DatasetFeatureStatisticsList, StatisticsFeatureType, StatsOptions } from './types';
import { DEFAULT_STATS_OPTIONS } from './types';
import { NumericValueCounts, StringValueCounts } from './value-counts';

export { MAX_EXACT_DISTINCT_NUMERIC } from './value-counts';

/** Keeps `tfx-ts stats` within ~1 GB of RSS on 10M rows: DuckDB's buffers plus Node's own heap. */
export const DEFAULT_MEMORY_LIMIT = '512MB';

/** How a column is read: its TFDV statistics type and whether it holds lists (multivalent features). */
interface ColumnPlan {
  name: string;
  type: StatisticsFeatureType;
  isList: boolean;
  /** INT feature that the schema marks categorical: string statistics instead of numeric (TFDV). */
  categorical: boolean;
  /** SQL expression of the column, normalized to BIGINT / DOUBLE / VARCHAR (or a list of those). */
  expression: string;
  /** The SQL type `expression` has: BIGINT, DOUBLE or VARCHAR (of the elements, for lists). */
  target: string;
  /** Column type as DuckDB reported it. */
  sourceType: string;
}

export interface GenerateOptions extends StatsOptions {
  /** Marks categorical INT features (int_domain.is_categorical) so they get string statistics, as TFDV. */
  schema?: Schema;
  /** DuckDB's memory limit while computing (default 512MB); what does not fit spills to a temp directory. */
  memoryLimit?: string;
  /** Called with a fraction in [0, 1] while features are computed. */
  progress?: (fraction: number, message: string) => void;
  /** CSV inputs up to this many bytes are typed by our own pass over every row (default OWN_TYPING_MAX_BYTES); larger ones by DuckDB's sniffer. */
  ownTypingMaxBytes?: number;
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|HUGEINT|UHUGEINT|BOOLEAN)$/;
const FLOATING = /^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/;

type Builder = NumericValueCounts | StringValueCounts;

/**
 * Statistics of one dataset given as a SQL relation (e.g. `read_parquet([...])`), as TFDV's
 * DatasetFeatureStatistics named `name`.
 */
export async function statisticsOfRelation(db: DuckSession, relation: string, name: string, options: GenerateOptions = {}): Promise<DatasetFeatureStatistics> {
  return (await scanRelation(db, relation, name, options)).statistics;
}

interface Scan {
  statistics: DatasetFeatureStatistics;
  /** Text columns whose every value is a number (the CSV sniffer saw only empty cells in its sample). */
  numericText: string[];
}

/** What the caller knows of a CSV already: its columns with their types, and its number of records. */
interface KnownColumns {
  columns: { name: string; type: string }[];
  /** Records, when counted by our own pass (blank lines are not records, as in TFDV). */
  rows?: number;
}

/**
 * How the value counts are taken: one GROUPING SETS scan (a hash table per column: the cheapest way
 * through a large file, read once), or one UNPIVOT query per value type straight from the source
 * (linear in the number of cells, whatever the number of columns; a CSV is then read once per value
 * type, with fixed types, and Parquet reads only the columns asked for). UNPIVOT is used for wide
 * data, and for a CSV we typed ourselves (at most 16 MB, or one column, or wide): there a hash
 * table per column costs more than reading the small file once per value type (100 rows × 18
 * columns: 0.04 CPU-s against 0.12 s). `known`: the columns (and the row count) of a CSV read with
 * fixed types, so they need not be described.
 */
async function scanRelation(db: DuckSession, relation: string, name: string, options: GenerateOptions, known?: KnownColumns): Promise<Scan> {
  const o = { ...DEFAULT_STATS_OPTIONS, ...options };
  const keep = Math.max(o.numTopValues, o.numRankHistogramBuckets);
  return scanPlanned(db, relation, name, options, o, keep, known, known?.rows !== undefined);
}

async function scanPlanned(
  db: DuckSession,
  relation: string,
  name: string,
  options: GenerateOptions,
  o: Required<StatsOptions>,
  keep: number,
  known: KnownColumns | undefined,
  /** Unpivot even when the columns would fit one GROUPING SETS scan. */
  preferUnpivot: boolean,
): Promise<Scan> {
  const described = known
    ? known.columns.map((c) => ({ column_name: c.name, column_type: c.type }))
    : await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${relation}`);
  const plans = planColumns(described, options.schema);
  const builders = new Map<ColumnPlan, Builder>();
  const newBuilder = (p: ColumnPlan): Builder => (p.type === 'STRING' || p.categorical ? new StringValueCounts(keep, p.categorical) : new NumericValueCounts());
  const presence = new Map<ColumnPlan, Map<number, number>>();
  const scalars = plans.filter((p) => !p.isList);
  let numExamples = 0;
  options.progress?.(0, 'scanning');
  const unpivot = preferUnpivot || scalars.length > MAX_COLUMNS_PER_SCAN;
  const source = relation;
  if (scalars.length > 0) {
    for (const p of scalars) builders.set(p, newBuilder(p));
    const nonMissing = new Map<ColumnPlan, number>(scalars.map((p) => [p, 0]));
    const onValue = (p: ColumnPlan, value: unknown, count: number) => {
      nonMissing.set(p, nonMissing.get(p)! + count);
      const builder = builders.get(p)!;
      if (builder instanceof NumericValueCounts) builder.add(Number(value), count);
      else builder.add(typeof value === 'bigint' ? value.toString() : (value as string), count);
    };
    if (unpivot) {
      numExamples = await scanValueCountsUnpivoted(db, source, scalars, onValue, known?.rows);
    } else {
      numExamples = await scanValueCounts(db, source, scalars, onValue);
    }
    // A blank line in a one-column CSV is a NULL row to DuckDB but no record to TFDV (nor to CsvExampleGen).
    if (known?.rows !== undefined) numExamples = known.rows;
    options.progress?.(0.5, 'scanning');
    for (const p of scalars) presence.set(p, nonMissing.get(p)! > 0 ? new Map([[1, nonMissing.get(p)!]]) : new Map());
  } else {
    const [{ n }] = await db.all<{ n: number }>(`SELECT count(*) AS n FROM ${source}`);
    numExamples = n;
  }
  for (const [index, p] of plans.filter((x) => x.isList).entries()) {
    options.progress?.(0.5 + index / plans.length / 2, `feature ${p.name}`);
    const builder = newBuilder(p);
    builders.set(p, builder);
    const lengths = new Map<number, number>();
    await streamRows(db, `SELECT len(${p.expression}) AS k, count(*) AS n FROM ${source} WHERE ${sqlIdent(p.name)} IS NOT NULL GROUP BY 1`, 2, (row) => {
      lengths.set(Number(row[0]), Number(row[1]));
    });
    presence.set(p, lengths);
    await streamRows(db, `SELECT v, count(*) AS n FROM (SELECT unnest(${p.expression}) AS v FROM ${source}) WHERE v IS NOT NULL GROUP BY v`, 2, (row) => {
      if (builder instanceof NumericValueCounts) builder.add(Number(row[0]), Number(row[1]));
      else builder.add(typeof row[0] === 'bigint' ? row[0].toString() : (row[0] as string), Number(row[1]));
    });
  }
  const numericText: string[] = [];
  const features = plans.map((p) => {
    const builder = builders.get(p)!;
    const lengths = presence.get(p)!;
    let numNonMissing = 0;
    for (const n of lengths.values()) numNonMissing += n;
    const acc: FeatureAccumulator = { name: p.name, type: p.type, presence: { numNonMissing, numValuesCounts: lengths } };
    if (builder instanceof NumericValueCounts) acc.numeric = builder.result();
    else {
      acc.strings = builder.result();
      if (p.type === 'STRING' && !p.isList && /^VARCHAR$/.test(p.sourceType) && builder.allNumeric && acc.strings.unique > 0) numericText.push(p.name);
    }
    return finalizeFeature(acc, numExamples, o);
  });
  options.progress?.(1, 'done');
  return { statistics: { name, numExamples, features }, numericText };
}

/** Up to this many scalar columns are counted in one GROUPING SETS scan straight over the source (grouping_id is a 64-bit mask). */
const MAX_COLUMNS_PER_SCAN = 60;

/**
 * Wide data (more columns than one GROUPING SETS query handles well: each grouping set costs a hash
 * table, so 60 sets over 20 rows took seconds): the table unpivoted into (column, value) pairs, one
 * query per value type, so the work is linear in the number of cells. UNPIVOT drops NULLs, which
 * statistics count as missing anyway. Returns the number of rows.
 */
async function scanValueCountsUnpivoted(
  db: DuckSession,
  table: string,
  plans: ColumnPlan[],
  onValue: (p: ColumnPlan, value: unknown, count: number) => void,
  knownRows?: number,
): Promise<number> {
  const rows = knownRows ?? (await db.all<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0].n;
  const byType = new Map<string, number[]>();
  plans.forEach((p, i) => {
    const group = byType.get(p.target);
    if (group) group.push(i);
    else byType.set(p.target, [i]);
  });
  for (const indexes of byType.values()) {
    const select = indexes.map((i) => `${plans[i].expression} AS k${i}`).join(', ');
    const sql = `SELECT column_key, value, count(*) AS n FROM (UNPIVOT (SELECT ${select} FROM ${table}) ON COLUMNS(*) INTO NAME column_key VALUE value) GROUP BY ALL`;
    await streamRows(db, sql, 3, (row) => onValue(plans[Number((row[0] as string).slice(1))], row[1], Number(row[2])));
  }
  return rows;
}

/**
 * One scan: the value counts of every column of `group` (one grouping set per column). Calls
 * `onValue` for each non-null value with its count; returns the number of rows.
 */
async function scanValueCounts(
  db: DuckSession,
  relation: string,
  group: ColumnPlan[],
  onValue: (p: ColumnPlan, value: unknown, count: number) => void,
): Promise<number> {
  const keys = group.map((p, i) => `${p.expression} AS k${i}`);
  const idents = group.map((_, i) => `k${i}`);
  // grouping_id sets bit (n-1-i) when column i is NOT grouped: the set of column i has every bit but that one.
  const full = (1n << BigInt(group.length)) - 1n;
  const setOf = new Map<bigint, number>(group.map((_, i) => [full - (1n << BigInt(group.length - 1 - i)), i]));
  const sql = `SELECT ${idents.join(', ')}, grouping_id(${idents.join(', ')}) AS g, count(*) AS n
    FROM (SELECT ${keys.join(', ')} FROM ${relation}) GROUP BY GROUPING SETS (${idents.map((k) => `(${k})`).join(', ')})`;
  let rows = 0;
  await streamRows(db, sql, group.length + 2, (row) => {
    const column = setOf.get(BigInt(row[group.length] as number | bigint))!;
    const count = Number(row[group.length + 1]);
    if (column === 0) rows += count;
    const value = row[column];
    if (value !== null) onValue(group[column], value, count);
  });
  return rows;
}

/** Runs a query and hands each result row to `onRow`, chunk by chunk (the result never sits in memory whole). */
async function streamRows(db: DuckSession, sql: string, width: number, onRow: (row: unknown[]) => void): Promise<void> {
  const result = await db.connection.stream(sql);
  const row = new Array<unknown>(width);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const columns = Array.from({ length: width }, (_, i) => chunk.getColumnValues(i));
    for (let r = 0; r < chunk.rowCount; r++) {
      for (let c = 0; c < width; c++) row[c] = columns[c][r];
      onRow(row);
    }
  }
}

function planColumns(described: { column_name: string; column_type: string }[], schema?: Schema): ColumnPlan[] {
  const categorical = new Set((schema?.feature ?? []).filter((f) => f.type === 'INT' && f.intDomain?.isCategorical).map((f) => f.name));
  return described.map(({ column_name: name, column_type: sourceType }) => {
    const isList = /\[\]$/.test(sourceType);
    const element = isList ? sourceType.slice(0, -2) : sourceType;
    if (/\[\]$/.test(element) || /^(STRUCT|MAP|UNION)/.test(element)) {
      throw new NotSupportedError(
        `Statistics for nested column "${name}" (${sourceType})`,
        'flatten it into top-level columns (lists of numbers or strings are supported).',
      );
    }
    const type: StatisticsFeatureType = INTEGER.test(element) ? 'INT' : FLOATING.test(element) ? 'FLOAT' : 'STRING';
    // Every column as BIGINT / DOUBLE / VARCHAR (or a list of those): TFX's int64 / float / bytes.
    const target = type === 'INT' ? 'BIGINT' : type === 'FLOAT' ? 'DOUBLE' : 'VARCHAR';
    const targetType = `${target}${isList ? '[]' : ''}`;
    // A CSV read with fixed types has them already (on 5,000 columns the casts cost the planner time).
    const expression = sourceType === targetType ? sqlIdent(name) : `CAST(${sqlIdent(name)} AS ${targetType})`;
    return { name, type, isList, categorical: type === 'INT' && categorical.has(name), expression, target, sourceType };
  });
}

/** Input files for `generateStatistics`: CSV or Parquet, one file or a directory of them. */
export interface StatisticsInput {
  /** A .csv/.parquet file, or a directory of such files (one dataset), or Split-<name> subdirectories (one dataset per split). */
  path: string;
  /** Dataset name when there are no splits (default: the file or directory name). */
  name?: string;
}

/**
 * TFDV's generate_statistics_from_csv / from a Parquet dataset: a file, a directory of files, or a
 * directory of Split-<name> folders (then one dataset per split, named after the split).
 */
export async function generateStatistics(input: StatisticsInput | string, options: GenerateOptions = {}): Promise<DatasetFeatureStatisticsList> {
  const { path: inputPath, name } = typeof input === 'string' ? { path: input, name: undefined } : input;
  const absolute = path.resolve(inputPath);
  if (!fs.existsSync(absolute)) throw new UserError(`Input ${absolute} does not exist.`, 'pass a .csv or .parquet file, or a directory of them.');
  const datasets: { name: string; files: string[] }[] = [];
  if (fs.statSync(absolute).isDirectory()) {
    const splits = fs
      .readdirSync(absolute)
      .filter((f) => f.startsWith('Split-') && fs.statSync(path.join(absolute, f)).isDirectory())
      .sort();
    if (splits.length > 0) {
      for (const split of splits) datasets.push({ name: split.slice('Split-'.length), files: dataFiles(path.join(absolute, split)) });
    } else {
      datasets.push({ name: name ?? path.basename(absolute), files: dataFiles(absolute) });
    }
  } else {
    const stat = fs.statSync(absolute);
    if (!stat.isFile())
      throw new UserError(
        `Input ${absolute} is ${describeFileKind(stat)}, not a regular file.`,
        'save the data to a regular file first (e.g. `cat pipe > data.csv`) and pass that file.',
      );
    relationOfFiles([absolute]); // refuses other formats up front
    datasets.push({ name: name ?? path.basename(absolute), files: [absolute] });
  }
  return DuckSession.with(
    async (db) => {
      // DuckDB keeps its memory under the limit and spills tables and hash tables beyond it to disk,
      // in a directory it creates only when it spills (and removes when closed): creating and
      // removing one on every run cost more than a small file's statistics in a busy /tmp.
      const spill = path.join(os.tmpdir(), `tfx-ts-stats-${randomBytes(8).toString('hex')}`);
      await db.run(`SET temp_directory = ${sqlString(spill)}`);
      try {
        return await statisticsOfDatasets(db, datasets, options);
      } finally {
        fs.rmSync(spill, { recursive: true, force: true });
      }
    },
    { memoryLimit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT },
  );
}

async function statisticsOfDatasets(
  db: DuckSession,
  datasets: { name: string; files: string[] }[],
  options: GenerateOptions,
): Promise<DatasetFeatureStatisticsList> {
  {
    const result: DatasetFeatureStatisticsList = { datasets: [] };
    for (const dataset of datasets) {
      const stats = await datasetStatistics(db, dataset.files, dataset.name, options).catch((error) => {
        throw error instanceof UserError
          ? error
          : new UserError(
              `Cannot compute statistics of ${dataset.name}: ${(error as Error).message.split('\n')[0]}`,
              'check that the input is a readable CSV (header row) or Parquet file.',
            );
      });
      if (stats.numExamples === 0)
        throw new UserError(`Dataset "${dataset.name}" has no examples.`, 'statistics need at least one row; check the input file or the split.');
      result.datasets.push(stats);
    }
    return result;
  }
}

/**
 * CSV inputs up to this size (all files) are typed by our own pass over every row (data/csv-scan.ts,
 * the pass CsvExampleGen types with): ~1 ms for a small file where DuckDB's sniffer costs tens of
 * milliseconds, and seconds on thousands of columns. Larger files are typed by DuckDB's sniffer on
 * a sample, which costs the same whatever the size, checked against a full scan.
 */
export const OWN_TYPING_MAX_BYTES = 16 << 20;

/**
 * One dataset. CSV is typed as CsvExampleGen types it (int64 / float / string from every row): by
 * our own pass for small, wide or one-column files, else by DuckDB's sniffer on a sample, whose
 * guess is kept only when it provably matches a full scan: no conversion error, and no text column
 * whose values are all numbers (a column empty in the sample). Otherwise the columns are typed
 * again from every row. Either way DuckDB then reads with fixed types: one sniff at most.
 */
async function datasetStatistics(db: DuckSession, files: string[], name: string, options: GenerateOptions): Promise<DatasetFeatureStatistics> {
  if (path.extname(files[0]).toLowerCase() !== '.csv') return statisticsOfRelation(db, relationOfFiles(files), name, options);
  // The CSV front door shared with CsvExampleGen: same file checks, strict reading, same errors.
  for (const file of files) checkCsvFile(file);
  const delimiter = guessDelimiter(files[0]);
  const fields = headerFields(files[0], delimiter);
  const bytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  if (fields > MAX_COLUMNS_PER_SCAN || fields === 1 || bytes <= (options.ownTypingMaxBytes ?? OWN_TYPING_MAX_BYTES)) {
    // Blank lines are skipped as TFDV skips them (they matter in a one-column file, where DuckDB reads them as NULL rows).
    const scan = scanCsv(files, delimiter);
    if (namesDuckDbKeeps(scan.columns)) {
      const known = { columns: scan.columns.map((column, i) => ({ name: column, type: scan.types[i] })), rows: scan.rows };
      try {
        return (await scanRelation(db, csvRelation(files, { delimiter, columns: known.columns }), name, options, known)).statistics;
      } catch (error) {
        throw error instanceof UserError ? error : csvError(files, delimiter, error as Error);
      }
    }
  }
  try {
    const columns = await sniffColumns(db, files, delimiter, false);
    const scan = await scanRelation(db, csvRelation(files, { delimiter, columns }), name, options, { columns });
    if (scan.numericText.length === 0) return scan.statistics;
  } catch (error) {
    if (!isConversionError(error)) throw csvError(files, delimiter, error as Error);
  }
  try {
    const columns = await sniffColumns(db, files, delimiter, true);
    return (await scanRelation(db, csvRelation(files, { delimiter, columns }), name, options, { columns })).statistics;
  } catch (error) {
    throw error instanceof UserError ? error : csvError(files, delimiter, error as Error);
  }
}

/** DuckDB's sniffer: the columns' names and types from a sample of rows, or from every row. */
async function sniffColumns(db: DuckSession, files: string[], delimiter: string, typeFromEveryRow: boolean): Promise<{ name: string; type: string }[]> {
  const described = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${csvRelation(files, { delimiter, typeFromEveryRow })}`);
  return described.map((c) => ({ name: c.column_name, type: c.column_type }));
}

/**
 * Header names DuckDB would use as they are: non-empty and distinct ignoring case (its identifiers
 * are case-insensitive). Otherwise its sniffer names the columns (a, a_1, column2, ...).
 */
function namesDuckDbKeeps(names: string[]): boolean {
  return names.every((n) => n !== '') && new Set(names.map((n) => n.toLowerCase())).size === names.length;
}

/** Fields of a CSV's first line: only a hint of the width (the reader decides). */
function headerFields(file: string, delimiter: string): number {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    const line = buffer
      .subarray(0, fs.readSync(fd, buffer, 0, buffer.length, 0))
      .toString('latin1')
      .split('\n')[0];
    return line.split(delimiter).length;
  } finally {
    fs.closeSync(fd);
  }
}

function dataFiles(dir: string): string[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.(csv|parquet)$/i.test(f))
    .sort()
    .map((f) => path.join(dir, f));
  if (files.length === 0) throw new UserError(`Directory ${dir} holds no .csv or .parquet files.`, 'point at a data file or a directory holding them.');
  const kinds = new Set(files.map((f) => path.extname(f).toLowerCase()));
  if (kinds.size > 1) throw new UserError(`Directory ${dir} mixes CSV and Parquet files.`, 'keep one format per directory.');
  return files;
}

/** CSV read as ExampleGen reads it (int64 / float / string columns); Parquet as is. */
export function relationOfFiles(files: string[]): string {
  const list = `[${files.map(sqlString).join(', ')}]`;
  const ext = path.extname(files[0]).toLowerCase();
  if (ext === '.parquet') return `read_parquet(${list})`;
  if (ext === '.csv') return csvRelation(files, { typeFromEveryRow: true });
  throw new UserError(`${files[0]} is neither .csv nor .parquet.`, 'statistics read CSV (with a header row) or Parquet files.');
}
