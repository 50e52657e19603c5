import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { splitUri } from '../../dsl/artifact';
import type { Executor, ExecutorContext } from '../../dsl/component';
import { checkCsvFile, csvRelation, firstLines, guessDelimiter, readFirstLine } from '../../data/csv';
import { DuckSession, sqlIdent, sqlString } from '../../data/duckdb';
import { CsvColumnType, CsvScan, scanCsv } from '../../data/csv-scan';
import { bucketExpression, bucketRanges, checkUniqueSplitNames, InputConfig, OutputConfig } from '../../data/splits';
import { UserError } from '../../util/errors';
import { resolveInputFiles } from './files';
import { isObjectStoreUri, localCopyOf } from '../../io/storage';
import { writeTfExamplesOfSplit } from '../../transform/tf-example-io';

/** Column types of examples: TFX features are int64, float or bytes, so everything maps onto those three (plus lists of them). */
const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|HUGEINT|UHUGEINT|BOOLEAN)$/;
const FLOAT_TYPES = /^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/;

/** DuckDB's memory limit while writing splits: a streaming CSV → Parquet copy needs a few row groups per thread. */
const EXAMPLEGEN_MEMORY_LIMIT = '256MB';

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
 * CSV → Parquet per split in one read of the input: a byte-level pass (data/csv-scan.ts) types every
 * column from every row, checks the shape, and appends each record to its split's CSV file by the
 * fingerprint of its bytes; DuckDB then parses each split file once with those fixed types (no
 * sniffing) and writes it as Parquet.
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

async function readCsvInto(context: ExecutorContext<CsvParameters>, p: CsvParameters): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-examplegen-'));
  try {
    await DuckSession.with(
      async (db) => {
        // COPY streams; the limit keeps DuckDB's buffers (and the process) small, spilling to our own
        // temporary directory instead of the working directory if it ever needs to.
        await db.run(`SET temp_directory = ${sqlString(work)}`);
        if (p.inputConfig) {
          checkUniqueSplitNames(p.inputConfig.splits.map((s) => s.name));
          const written: string[] = [];
          for (const [index, split] of p.inputConfig.splits.entries()) {
            context.progress(index / p.inputConfig.splits.length, `reading split ${split.name}`);
            const files = checkFiles(resolveInputFiles(path.join(p.inputBase, split.pattern)));
            const delim = p.delimiter ?? guessDelimiter(files[0]);
            const scan = scanCsv(files, delim);
            checkScan(files, scan);
            await writeSplit(db, context, files, delim, scan, split.name, scan.rows);
            written.push(split.name);
          }
          await finish(db, context, written);
          return;
        }
        const files = checkFiles(resolveInputFiles(p.inputBase));
        const { splits, partitionFeatureName } = p.outputConfig.splitConfig;
        checkUniqueSplitNames(splits.map((s) => s.name));
        const delim = p.delimiter ?? guessDelimiter(files[0]);
        const ranges = bucketRanges(p.outputConfig);
        const outputs = ranges.map((r) => path.join(work, `${r.name}.csv`));
        let partitionColumn: number | undefined;
        if (partitionFeatureName) {
          const columns = scanHeader(files[0], delim);
          partitionColumn = columns.indexOf(partitionFeatureName);
          if (partitionColumn < 0)
            throw new UserError(`partitionFeatureName "${partitionFeatureName}" is not a column of the input.`, `use one of: ${columns.join(', ')}.`);
        }
        context.progress(0.05, `reading ${files.length} CSV file(s), hashing rows into splits`);
        const scan = scanCsv(files, delim, { totalBuckets: ranges[ranges.length - 1].end, ranges, partitionColumn, outputs });
        checkScan(files, scan);
        for (const [index, range] of ranges.entries()) {
          context.progress(0.5 + (0.5 * index) / ranges.length, `writing split ${range.name}`);
          await writeSplit(db, context, [outputs[index]], delim, scan, range.name, scan.rowsPerSplit[index], {
            files,
            delim,
            index,
            totalBuckets: ranges[ranges.length - 1].end,
            ranges,
            partitionColumn,
          });
        }
        await finish(
          db,
          context,
          ranges.map((r) => r.name),
        );
      },
      { memoryLimit: EXAMPLEGEN_MEMORY_LIMIT },
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The CSV front door shared with statistics (regular, non-empty, readable files; quotes closed). */
function checkFiles(files: string[]): string[] {
  for (const file of files) checkCsvFile(file);
  return files;
}

function scanHeader(file: string, delim: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-header-'));
  try {
    const head = path.join(dir, 'head.csv');
    fs.writeFileSync(head, `${readFirstLine(file).replace(/^\uFEFF/, '')}\n`);
    return scanCsv([head], delim).columns;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
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

interface Origin {
  files: string[];
  delim: string;
  index: number;
  totalBuckets: number;
  ranges: { start: number; end: number }[];
  partitionColumn?: number;
}

/** One split file (CSV with the input's header) → Split-<name>/data.parquet, typed as the scan found. */
async function writeSplit(
  db: DuckSession,
  context: ExecutorContext<unknown>,
  files: string[],
  delim: string,
  scan: CsvScan,
  split: string,
  expected: number,
  origin?: Origin,
): Promise<void> {
  const dir = splitUri(context.outputs.examples[0].uri, split);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'data.parquet');
  const reader = csvRelation(files, { delimiter: delim, columns: scan.columns.map((name, i) => ({ name, type: scan.types[i] })) });
  let written: number;
  try {
    const [{ Count }] = await db.all<{ Count: number }>(`COPY (SELECT * FROM ${reader}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
    written = Number(Count);
  } catch (error) {
    throw conversionError(error as Error, files, origin);
  }
  if (written !== expected) throw new Error(`split ${split}: DuckDB read ${written} rows where the scan found ${expected}.`);
  context.log(`split ${split}: ${written} examples`);
  if (written === 0) context.log(`warning: split ${split} is empty; give it more hash buckets or provide more data.`);
}

/** DuckDB's conversion error names a line of the split file; find the input line it came from. */
function conversionError(error: Error, files: string[], origin?: Origin): Error {
  const line = /Line: (\d+)/.exec(error.message);
  const column = /converting column "([^"]+)"/.exec(error.message);
  const value = /Could not convert string "([^"]*)" to '(\w+)'/.exec(error.message);
  if (!line || !column)
    return new UserError(
      `Cannot read CSV ${files.join(', ')}: ${firstLines(error.message)}`,
      'every row needs as many fields as the header, and each column one type (numbers or text) throughout.',
    );
  let where = `line ${line[1]} of ${files[0]}`;
  if (origin) {
    const locate: { split: number; record: number; found?: { file: string; line: number } } = { split: origin.index, record: Number(line[1]) - 1 };
    scanCsv(origin.files, origin.delim, { totalBuckets: origin.totalBuckets, ranges: origin.ranges, partitionColumn: origin.partitionColumn }, locate);
    if (locate.found) where = `line ${locate.found.line} of ${locate.found.file}`;
  }
  return new UserError(
    `Cannot read CSV: column "${column[1]}" ${value ? `has the value "${value[1]}", which is not a ${value[2]}, ` : 'has a value of another type '}on ${where}.`,
    `make every value of "${column[1]}" a number, or quote text so that the column is read as text.`,
  );
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

async function finish(db: DuckSession, context: ExecutorContext<unknown>, splitNames: string[]): Promise<void> {
  const examples = context.outputs.examples[0];
  if ((context.parameters as { writeTfExamples?: boolean }).writeTfExamples) {
    for (const split of splitNames) {
      context.progress(0.9, `writing split ${split} as TFRecord of tf.Example`);
      await writeTfExamplesOfSplit(db, splitUri(examples.uri, split));
    }
  }
  examples.splitNames = splitNames;
  examples.properties.span = 0;
  examples.properties.version = 0;
  context.progress(1, 'done');
}
