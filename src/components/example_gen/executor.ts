import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { splitUri } from '../../dsl/artifact';
import type { Executor, ExecutorContext } from '../../dsl/component';
import { checkCsvFile, guessDelimiter } from '../../data/csv';
import { DuckSession, sqlIdent, sqlString } from '../../data/duckdb';
import { CsvColumnType, CsvScan, cutRanges, readCsvHeader, scanCsvRange, typeOfKinds } from '../../data/csv-scan';
import { RANGE_BYTES, RangeJob, RangeResult, scratchRoot, Segment, shardName } from './csv-parts';
import { RangePool } from './range-pool';
import { bucketExpression, bucketRanges, checkUniqueSplitNames, InputConfig, OutputConfig } from '../../data/splits';
import { UserError } from '../../util/errors';
import { resolveInputFiles } from './files';
import { isObjectStoreUri, localCopyOf } from '../../io/storage';

/** Column types of examples: TFX features are int64, float or bytes, so everything maps onto those three (plus lists of them). */
const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|HUGEINT|UHUGEINT|BOOLEAN)$/;
const FLOAT_TYPES = /^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/;

interface CsvParameters {
  inputBase: string;
  inputConfig?: InputConfig;
  outputConfig: OutputConfig;
  delimiter?: string;
  writeTfExamples?: boolean;
}
interface QueryParameters {
  query: string;
  outputConfig: OutputConfig;
  inputFiles?: string[];
  writeTfExamples?: boolean;
}

/**
 * CSV → Parquet per split in one read of the input, cut into ranges converted side by side
 * (csv-parts.ts): a byte-level pass (data/csv-scan.ts) types every column from every row, checks the
 * shape, and appends each record to its split's CSV file by the fingerprint of its bytes; DuckDB then
 * parses each split file with fixed types (no sniffing) and writes it as Parquet, one file per range.
 */
export const csvExampleGenExecutor: Executor<CsvParameters> = async (context) => {
  const remote = isObjectStoreUri(context.parameters.inputBase);
  if (!remote) return readCsvInto(context, context.parameters);
  // DuckDB reads local files (its httpfs extension cannot be installed offline): copy the input first.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-example-gen-'));
  try {
    context.progress(0.01, `downloading ${context.parameters.inputBase}`);
    const inputBase = await localCopyOf(context.parameters.inputBase, scratch);
    await readCsvInto(context, { ...context.parameters, inputBase });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
};

/** One conversion: these files' records go to these splits by these bucket ranges (one range for an input split). */
interface CsvGroup {
  files: string[];
  splitNames: string[];
  bucketRanges: { start: number; end: number }[];
  totalBuckets: number;
  partitionFeatureName?: string;
}

async function readCsvInto(context: ExecutorContext<CsvParameters>, p: CsvParameters): Promise<void> {
  let groups: CsvGroup[];
  const quoteFree = new Set<string>();
  if (p.inputConfig) {
    checkUniqueSplitNames(p.inputConfig.splits.map((s) => s.name));
    groups = p.inputConfig.splits.map((split) => ({
      files: checkFiles(resolveInputFiles(path.join(p.inputBase, split.pattern)), quoteFree),
      splitNames: [split.name],
      bucketRanges: [{ start: 0, end: 1 }],
      totalBuckets: 1,
    }));
  } else {
    const { splits, partitionFeatureName } = p.outputConfig.splitConfig;
    checkUniqueSplitNames(splits.map((s) => s.name));
    const ranges = bucketRanges(p.outputConfig);
    groups = [
      {
        files: checkFiles(resolveInputFiles(p.inputBase), quoteFree),
        splitNames: ranges.map((r) => r.name),
        bucketRanges: ranges,
        totalBuckets: ranges[ranges.length - 1].end,
        partitionFeatureName,
      },
    ];
  }
  const written = await convertCsv(context, groups, quoteFree, p.delimiter);
  if (p.writeTfExamples) await DuckSession.with(async (db) => finish(db, context, written));
  else await finish(undefined, context, written);
}

/**
 * CSV → Parquet per split (csv-parts.ts): every file is read once, in ranges converted side by side;
 * types are settled when all ranges are in, and ranges written with other types are written again.
 */
async function convertCsv(context: ExecutorContext<CsvParameters>, groups: CsvGroup[], quoteFree: Set<string>, delimiter?: string): Promise<string[]> {
  const examplesUri = context.outputs.examples[0].uri;
  // Settings first: a bad one is refused before anything is made.
  const [slots, cutBytes] = [examplegenSlots(), rangeBytes()];
  const scratch = fs.mkdtempSync(path.join(scratchRoot(), 'tfx-ts-examplegen-'));
  const pool = new RangePool(slots);
  try {
    let columns: string[] | undefined;
    const jobs: RangeJob[] = [];
    const groupOfJob: number[] = [];
    const allFiles: string[] = [];
    let sampleTypes: CsvColumnType[] | undefined;
    for (const [g, group] of groups.entries()) {
      // Each input split (inputConfig) may have a delimiter of its own, as before ranges.
      const delim = delimiter ?? guessDelimiter(group.files[0]);
      let partitionColumn: number | undefined;
      // Each job becomes one Parquet file per split: a range of a large file, or small files packed
      // together up to a range's size (a file per job would give a directory of many small files
      // as many tiny Parquet files, and a DuckDB statement each).
      const packs: Segment[][] = [];
      let packBytes = Infinity;
      for (const file of group.files) {
        const header = readCsvHeader(file, delim);
        if (!columns) columns = header.columns;
        else if (header.columns.join('\u0000') !== columns.join('\u0000'))
          throw new UserError(
            `CSV files disagree on their header: ${allFiles[0]} has [${columns.join(',')}] but ${file} has [${header.columns.join(',')}].`,
            'give every file of one input the same columns in the same order.',
          );
        if (group.partitionFeatureName) {
          partitionColumn = columns.indexOf(group.partitionFeatureName);
          if (partitionColumn < 0)
            throw new UserError(`partitionFeatureName "${group.partitionFeatureName}" is not a column of the input.`, `use one of: ${columns.join(', ')}.`);
        }
        const ranges = cutRanges(file, header.dataStart, cutBytes, quoteFree.has(file));
        ranges[0].firstLine = header.dataLine;
        sampleTypes ??= typeOfKinds(scanCsvRange(ranges[0], { delimiter: delim, header, maxRecords: SAMPLE_RECORDS }).kinds);
        const segments = ranges.map((range) => ({ range, header, file: allFiles.length }));
        allFiles.push(file);
        const bytes = ranges[0].end - ranges[0].start;
        if (ranges.length === 1 && packBytes + bytes <= cutBytes) {
          packs[packs.length - 1].push(segments[0]);
          packBytes += bytes;
        } else {
          packs.push(...segments.map((segment) => [segment]));
          packBytes = ranges.length === 1 ? bytes : Infinity;
        }
      }
      for (const [k, segments] of packs.entries()) {
        const index = jobs.length;
        jobs.push({
          index,
          segments,
          delimiter: delim,
          totalBuckets: group.totalBuckets,
          bucketRanges: group.bucketRanges,
          partitionColumn,
          splitFiles: group.splitNames.map((split) => path.join(scratch, `${index}-${split}.csv`)),
          parquetFiles: group.splitNames.map((split) => path.join(splitUri(examplesUri, split), shardName(k, packs.length))),
          sampleTypes: sampleTypes!,
        });
        groupOfJob.push(g);
      }
      for (const split of group.splitNames) fs.mkdirSync(splitUri(examplesUri, split), { recursive: true });
    }
    context.progress(0.02, `reading ${allFiles.length} CSV file(s) in ${jobs.length} range(s)`);
    let done = 0;
    // Every range settles before an error is raised (no DuckDB is closed under a running statement),
    // and the error raised is the first range's in file order, as a one-pass reader would report it.
    const settled = await Promise.allSettled(
      jobs.map(async (job) => {
        const result = await pool.convert(job);
        context.progress(0.02 + (0.9 * ++done) / jobs.length, `converted ${done} of ${jobs.length} range(s)`);
        return result;
      }),
    );
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const results = settled.map((s) => (s as PromiseFulfilledResult<RangeResult>).value);
    const kinds = new Uint8Array(columns!.length);
    const fileKinds = allFiles.map(() => new Uint8Array(columns!.length));
    for (const [j, result] of results.entries())
      result.kinds.forEach((segmentKinds, i) =>
        segmentKinds.forEach((k, c) => {
          const file = jobs[j].segments[i].file;
          if (k > kinds[c]) kinds[c] = k;
          if (k > fileKinds[file][c]) fileKinds[file][c] = k;
        }),
      );
    const rows = results.reduce((sum, r) => sum + r.rows, 0);
    checkScan(allFiles, { columns: columns!, types: typeOfKinds(kinds), fileTypes: fileKinds.map(typeOfKinds), rows, rowsPerSplit: [] });
    const types = typeOfKinds(kinds);
    const stale = results.filter((r) => r.types.some((t, c) => t !== types[c]));
    if (stale.length > 0) {
      context.log(`writing ${stale.length} of ${jobs.length} range(s) again: a column's type was settled by a later range`);
      const rewritten = await Promise.allSettled(stale.map((r) => pool.rewrite({ job: jobs[r.index], types })));
      const rewriteFailed = rewritten.find((s) => s.status === 'rejected');
      if (rewriteFailed) throw (rewriteFailed as PromiseRejectedResult).reason;
    }
    const names: string[] = [];
    for (const [g, group] of groups.entries()) {
      for (const [s, split] of group.splitNames.entries()) {
        const count = results.filter((r) => groupOfJob[r.index] === g).reduce((sum, r) => sum + r.rowsPerSplit[s], 0);
        context.log(`split ${split}: ${count} examples`);
        if (count === 0) context.log(`warning: split ${split} is empty; give it more hash buckets or provide more data.`);
        names.push(split);
      }
    }
    return names;
  } finally {
    pool.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Records typed before any range is written: a range never writes a column with a smaller type than these show. */
const SAMPLE_RECORDS = 20_000;

/** A positive integer from the environment, or `fallback` when unset; anything else is refused, not ignored. */
function positiveIntegerFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new UserError(`${name}=${JSON.stringify(raw)} is not a positive integer.`, `set it to a whole number such as ${fallback}, or unset it.`);
  return value;
}

/** Range size; TFX_TS_EXAMPLEGEN_RANGE_BYTES lets tests cut small files into several ranges. */
function rangeBytes(): number {
  return positiveIntegerFromEnv('TFX_TS_EXAMPLEGEN_RANGE_BYTES', RANGE_BYTES);
}

/**
 * Ranges in hand at once: one scanned here while DuckDB writes the others (3 measured best on 2
 * cores: 0.89 s for the 1M-row file, against 0.96 s with 2), or TFX_TS_EXAMPLEGEN_SLOTS.
 */
function examplegenSlots(): number {
  return positiveIntegerFromEnv('TFX_TS_EXAMPLEGEN_SLOTS', Math.max(3, Math.min(os.cpus().length + 1, 5)));
}

/**
 * The CSV front door shared with statistics (regular, non-empty, readable files; quotes closed).
 * Files without a quote character go into `quoteFree`: their ranges are cut without reading them
 * through (see cutRanges).
 */
function checkFiles(files: string[], quoteFree: Set<string>): string[] {
  for (const file of files) if (checkCsvFile(file) === 0) quoteFree.add(file);
  return files;
}

/** No rows, or a column numeric in one file and text in another: refused (a silent cast to text would hide the problem). */
function checkScan(files: string[], scan: CsvScan): void {
  if (scan.rows === 0)
    throw new UserError(`CSV ${files.join(', ')} has a header but no rows.`, 'add data rows; ExampleGen cannot make examples from a header alone.');
  const kind = (t: CsvColumnType) => (t === 'VARCHAR' ? 'text' : 'number');
  scan.columns.forEach((name, c) => {
    const present = scan.fileTypes.map((types, f) => ({ file: files[f], kind: kind(types[c]) }));
    const numberFile = present.find((x) => x.kind === 'number');
    const textFile = present.find((x) => x.kind === 'text');
    if (numberFile && textFile && scan.types[c] === 'VARCHAR' && files.length > 1) {
      const [first, second] = files.indexOf(numberFile.file) < files.indexOf(textFile.file) ? [numberFile, textFile] : [textFile, numberFile];
      throw new UserError(
        `Column "${name}" cannot be given one type: it is ${first.kind} in ${first.file} but ${second.kind} in ${second.file}.`,
        `clean the values of "${name}" so that it is numeric (or text) in every file.`,
      );
    }
  });
}

export const queryExampleGenExecutor: Executor<QueryParameters> = async (context) => {
  await DuckSession.with(async (db) => {
    context.progress(0.05, 'running query');
    try {
      await db.run(`CREATE TABLE raw AS ${context.parameters.query.trim().replace(/;+\s*$/, '')}`);
    } catch (error) {
      throw new UserError(
        `QueryExampleGen: the query failed in DuckDB: ${(error as Error).message}`,
        'fix the SQL; it must be one SELECT (read_csv / read_parquet / read_json work on local files).',
      );
    }
    await normalizeTypes(db, 'raw', 'src');
    await splitAndWrite(db, context, context.parameters.outputConfig);
  });
};

/** Query results may hold any DuckDB type: map them onto TFX's int64 / float / bytes (as BigQueryExampleGen does). */
async function normalizeTypes(db: DuckSession, from: string, to: string): Promise<void> {
  const described = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE ${from}`);
  const select = described.map(({ column_name, column_type }) => {
    const col = sqlIdent(column_name);
    if (INTEGER_TYPES.test(column_type)) return `CAST(${col} AS BIGINT) AS ${col}`;
    if (FLOAT_TYPES.test(column_type)) return `CAST(${col} AS DOUBLE) AS ${col}`;
    if (column_type === 'VARCHAR' || column_type.endsWith('[]')) return col;
    return `CAST(${col} AS VARCHAR) AS ${col}`;
  });
  await db.run(`CREATE TABLE ${to} AS SELECT ${select.join(', ')} FROM ${from}`);
  const [{ n }] = await db.all<{ n: number }>(`SELECT count(*) AS n FROM ${to}`);
  if (n === 0) throw new UserError('QueryExampleGen: the query returned no rows.', 'check its WHERE clause and the files it reads.');
}

async function splitAndWrite(db: DuckSession, context: ExecutorContext<unknown>, outputConfig: OutputConfig): Promise<void> {
  const { splits, partitionFeatureName } = outputConfig.splitConfig;
  checkUniqueSplitNames(splits.map((s) => s.name));
  const columns = (await db.all<{ column_name: string }>('DESCRIBE src')).map((d) => d.column_name);
  if (partitionFeatureName && !columns.includes(partitionFeatureName)) {
    throw new UserError(`partitionFeatureName "${partitionFeatureName}" is not a column of the input.`, `use one of: ${columns.join(', ')}.`);
  }
  const total = splits.reduce((sum, s) => sum + s.hashBuckets, 0);
  context.progress(0.4, 'hashing rows into splits');
  await db.run(`CREATE TABLE bucketed AS SELECT *, ${bucketExpression(columns, total, partitionFeatureName)} AS __bucket FROM src`);
  const ranges = bucketRanges(outputConfig);
  for (const [index, range] of ranges.entries()) {
    context.progress(0.5 + (0.5 * index) / ranges.length, `writing split ${range.name}`);
    await writeTableSplit(db, context, 'bucketed', range.name, `__bucket >= ${range.start} AND __bucket < ${range.end}`, columns);
  }
  await finish(
    db,
    context,
    ranges.map((r) => r.name),
  );
}

async function writeTableSplit(
  db: DuckSession,
  context: ExecutorContext<unknown>,
  table: string,
  split: string,
  where: string,
  columns?: string[],
): Promise<void> {
  const examples = context.outputs.examples[0];
  const dir = splitUri(examples.uri, split);
  fs.mkdirSync(dir, { recursive: true });
  const select = columns ? columns.map(sqlIdent).join(', ') : '*';
  const file = path.join(dir, 'data.parquet');
  await db.run(`COPY (SELECT ${select} FROM ${table} WHERE ${where}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
  const [{ n }] = await db.all<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(file)})`);
  context.log(`split ${split}: ${n} examples`);
  if (n === 0) context.log(`warning: split ${split} is empty; give it more hash buckets or provide more data.`);
}

/** Records the splits (and writes TFRecord copies when asked: then `db` is needed). */
async function finish(db: DuckSession | undefined, context: ExecutorContext<unknown>, splitNames: string[]): Promise<void> {
  const examples = context.outputs.examples[0];
  if (db && (context.parameters as { writeTfExamples?: boolean }).writeTfExamples) {
    for (const split of splitNames) {
      context.progress(0.9, `writing split ${split} as TFRecord of tf.Example`);
      // Loaded only here: the tf.Example codec takes longer to load than a small CSV takes to convert.
      const { writeTfExamplesOfSplit } = await import('../../transform/tf-example-io');
      await writeTfExamplesOfSplit(db, splitUri(examples.uri, split));
    }
  }
  examples.splitNames = splitNames;
  examples.properties.span = 0;
  examples.properties.version = 0;
  context.progress(1, 'done');
}
