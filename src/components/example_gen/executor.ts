import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitUri } from '../../dsl/artifact';
import type { Executor, ExecutorContext } from '../../dsl/component';
import { csvError, csvRelation, checkCsvFile, guessDelimiter } from '../../data/csv';
import { DuckSession, sqlIdent, sqlString } from '../../data/duckdb';
import { bucketExpression, bucketRanges, checkUniqueSplitNames, InputConfig, OutputConfig } from '../../data/splits';
import { UserError } from '../../util/errors';
import { resolveInputFiles } from './files';
import { isObjectStoreUri, localCopyOf } from '../../io/storage';
import * as os from 'node:os';
import { writeTfExamplesOfSplit } from '../../data/tf-example-io';

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
  await DuckSession.with(async (db) => {
    if (p.inputConfig) {
      checkUniqueSplitNames(p.inputConfig.splits.map((s) => s.name));
      const written: string[] = [];
      for (const [index, split] of p.inputConfig.splits.entries()) {
        context.progress(index / p.inputConfig.splits.length, `reading split ${split.name}`);
        const files = resolveInputFiles(path.join(p.inputBase, split.pattern));
        await loadCsv(db, files, p.delimiter, `src_${index}`);
        await writeSplit(db, context, `src_${index}`, split.name, 'TRUE');
        written.push(split.name);
      }
      await finish(db, context, written);
      return;
    }
    const files = resolveInputFiles(p.inputBase);
    context.progress(0.05, `reading ${files.length} CSV file(s)`);
    await loadCsv(db, files, p.delimiter, 'src');
    await splitAndWrite(db, context, p.outputConfig);
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

async function loadCsv(db: DuckSession, files: string[], delimiter: string | undefined, table: string): Promise<void> {
  for (const file of files) checkCsvFile(file);
  const delim = delimiter ?? guessDelimiter(files[0]);
  const reader = (fileList: string[]) => csvRelation(fileList, { delimiter: delim, typeFromEveryRow: true });
  if (files.length > 1) await checkConsistentColumns(db, files, reader);
  try {
    await db.run(`CREATE TABLE ${table} AS SELECT * FROM ${reader(files)}`);
  } catch (error) {
    throw csvError(files, delim, error as Error);
  }
  const [{ n }] = await db.all<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
  if (n === 0) throw new UserError(`CSV ${files.join(', ')} has a header but no rows.`, 'add data rows; ExampleGen cannot make examples from a header alone.');
}

/** Each file is sniffed on its own: a column that is numeric in one file and text in another is refused rather than silently turned into text. */
async function checkConsistentColumns(db: DuckSession, files: string[], reader: (f: string[]) => string): Promise<void> {
  let reference: { file: string; columns: Map<string, string> } | undefined;
  for (const file of files) {
    let described: { column_name: string; column_type: string }[];
    try {
      described = await db.all(`DESCRIBE SELECT * FROM ${reader([file])}`);
    } catch (error) {
      throw csvError([file], guessDelimiter(file), error as Error);
    }
    const columns = new Map(described.map((d) => [d.column_name, d.column_type === 'BIGINT' || d.column_type === 'DOUBLE' ? 'number' : 'text']));
    if (!reference) {
      reference = { file, columns };
      continue;
    }
    const a = [...reference.columns.keys()].join(',');
    const b = [...columns.keys()].join(',');
    if (a !== b)
      throw new UserError(
        `CSV files disagree on their header: ${reference.file} has [${a}] but ${file} has [${b}].`,
        'give every file of one input the same columns in the same order.',
      );
    for (const [name, kind] of columns) {
      if (reference.columns.get(name) !== kind) {
        throw new UserError(
          `Column "${name}" cannot be given one type: it is ${reference.columns.get(name)} in ${reference.file} but ${kind} in ${file}.`,
          `clean the values of "${name}" so that it is numeric (or text) in every file.`,
        );
      }
    }
  }
}

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
    await writeSplit(db, context, 'bucketed', range.name, `__bucket >= ${range.start} AND __bucket < ${range.end}`, columns);
  }
  await finish(
    db,
    context,
    ranges.map((r) => r.name),
  );
}

async function writeSplit(db: DuckSession, context: ExecutorContext<unknown>, table: string, split: string, where: string, columns?: string[]): Promise<void> {
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
