/**
 * TFDV's generate_statistics, computed inside DuckDB in one scan: a GROUP BY GROUPING SETS query
 * returns every scalar column's value counts at once (DuckDB builds one hash table per column and
 * spills them under its memory limit). Everything TFDV reports is then derived from those counts
 * (value-counts.ts → accumulators.ts): moments, zeros, NaN/inf, min/max, TFDV's quantiles, median
 * and histograms, and for strings unique / top values / rank histogram / average length. List
 * columns get one grouped query each over their unnested values. Only aggregates leave the
 * engine, streamed in chunks, so memory depends on distinct values, not on rows.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCsvFile, csvError, csvRelation, describeFileKind, guessDelimiter, isConversionError } from '../data/csv';
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

/**
 * `knownWide`: the caller saw more than MAX_COLUMNS_PER_SCAN columns (a CSV header), so the source
 * is read into a temporary table before it is described: one CSV sniff instead of two (sniffing
 * thousands of columns takes seconds).
 */
async function scanRelation(db: DuckSession, relation: string, name: string, options: GenerateOptions, knownWide = false): Promise<Scan> {
  const o = { ...DEFAULT_STATS_OPTIONS, ...options };
  const keep = Math.max(o.numTopValues, o.numRankHistogramBuckets);
  let wide = knownWide ? await materialize(db, relation) : undefined;
  try {
    return await scanPlanned(db, wide ?? relation, name, options, o, keep, async (scalars) => {
      // Wide data is counted from a temporary table: read once, whatever the number of columns.
      if (!wide && scalars > MAX_COLUMNS_PER_SCAN) wide = await materialize(db, relation);
      return wide;
    });
  } finally {
    if (wide) await db.run(`DROP TABLE IF EXISTS ${wide}`);
  }
}

async function scanPlanned(
  db: DuckSession,
  relation: string,
  name: string,
  options: GenerateOptions,
  o: Required<StatsOptions>,
  keep: number,
  wideTable: (scalarColumns: number) => Promise<string | undefined>,
): Promise<Scan> {
  const plans = await planColumns(db, relation, options.schema);
  const builders = new Map<ColumnPlan, Builder>();
  const newBuilder = (p: ColumnPlan): Builder => (p.type === 'STRING' || p.categorical ? new StringValueCounts(keep, p.categorical) : new NumericValueCounts());
  const presence = new Map<ColumnPlan, Map<number, number>>();
  const scalars = plans.filter((p) => !p.isList);
  let numExamples = 0;
  options.progress?.(0, 'scanning');
  const wide = await wideTable(scalars.length);
  const source = wide ?? relation;
  if (scalars.length > 0) {
    for (const p of scalars) builders.set(p, newBuilder(p));
    const nonMissing = new Map<ColumnPlan, number>(scalars.map((p) => [p, 0]));
    const onValue = (p: ColumnPlan, value: unknown, count: number) => {
      nonMissing.set(p, nonMissing.get(p)! + count);
      const builder = builders.get(p)!;
      if (builder instanceof NumericValueCounts) builder.add(Number(value), count);
      else builder.add(typeof value === 'bigint' ? value.toString() : (value as string), count);
    };
    if (wide) {
      numExamples = await scanValueCountsUnpivoted(db, wide, scalars, onValue);
    } else {
      numExamples = await scanValueCounts(db, source, scalars, onValue);
    }
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

let wideTables = 0;

/** The relation read once into a temporary table (DuckDB spills it to its temp directory beyond the memory limit). */
async function materialize(db: DuckSession, relation: string): Promise<string> {
  const table = `__tfx_ts_wide_${++wideTables}`;
  await db.run(`CREATE TEMP TABLE ${table} AS SELECT * FROM ${relation}`);
  return table;
}

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
): Promise<number> {
  const [{ n: rows }] = await db.all<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
  const byType = new Map<string, number[]>();
  plans.forEach((p, i) => {
    const target = /AS (\w+)\)$/.exec(p.expression)![1];
    byType.set(target, [...(byType.get(target) ?? []), i]);
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

async function planColumns(db: DuckSession, relation: string, schema?: Schema): Promise<ColumnPlan[]> {
  const described = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${relation}`);
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
    const expression = `CAST(${sqlIdent(name)} AS ${target}${isList ? '[]' : ''})`;
    return { name, type, isList, categorical: type === 'INT' && categorical.has(name), expression, sourceType };
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
      // DuckDB keeps its memory under the limit and spills tables and hash tables beyond it to disk.
      const spill = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-stats-'));
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
 * One dataset. CSV is typed as ExampleGen types it (int64 / float / string). DuckDB's sniffer looks
 * at a sample of rows (typing from every row costs a second full parse); its guess is kept only when
 * it provably matches a full scan: no conversion error, and no text column whose values are all
 * numbers (a column empty in the sample). Otherwise the file is read again, typed from every row.
 */
async function datasetStatistics(db: DuckSession, files: string[], name: string, options: GenerateOptions): Promise<DatasetFeatureStatistics> {
  if (path.extname(files[0]).toLowerCase() !== '.csv') return statisticsOfRelation(db, relationOfFiles(files), name, options);
  // The CSV front door shared with CsvExampleGen: same file checks, strict reading, same errors.
  for (const file of files) checkCsvFile(file);
  const delimiter = guessDelimiter(files[0]);
  const wide = headerFields(files[0], delimiter) > MAX_COLUMNS_PER_SCAN;
  try {
    const scan = await scanRelation(db, csvRelation(files, { delimiter }), name, options, wide);
    if (scan.numericText.length === 0) return scan.statistics;
  } catch (error) {
    if (!isConversionError(error)) throw csvError(files, delimiter, error as Error);
  }
  try {
    return (await scanRelation(db, csvRelation(files, { delimiter, typeFromEveryRow: true }), name, options, wide)).statistics;
  } catch (error) {
    throw error instanceof UserError ? error : csvError(files, delimiter, error as Error);
  }
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
