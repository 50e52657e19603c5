import { BIGINT, DOUBLE, DuckDBDataChunk, VARCHAR } from '@duckdb/node-api';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitUri } from '../dsl/artifact';
import { DuckSession, sqlIdent, sqlString } from '../data/duckdb';
import { NotSupportedError, UserError } from '../util/errors';
import type { DType, RawFeature } from './graph';
import type { ColumnValues } from './ops';
import type { RawColumns } from './apply';

/**
 * Examples (Parquet, `<uri>/Split-<name>/*.parquet`) to and from columns. DuckDB reads and writes
 * the files; numbers come out as Float64Array with NaN for missing, strings as arrays with null.
 */
const INT_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|BOOLEAN)$/;
const FLOAT_TYPES = /^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/;

/** Parquet files of one split of an Examples artifact; a clear error when the split is absent or empty. */
export function splitFiles(examplesUri: string, split: string): string[] {
  const dir = splitUri(examplesUri, split);
  if (!fs.existsSync(dir)) {
    const present = fs.existsSync(examplesUri)
      ? fs
          .readdirSync(examplesUri)
          .filter((d) => d.startsWith('Split-'))
          .map((d) => d.slice(6))
      : [];
    throw new UserError(
      `The examples at ${examplesUri} have no "${split}" split (splits: ${present.join(', ') || 'none'}).`,
      `produce a "${split}" split in ExampleGen's outputConfig, or choose one of the existing splits.`,
    );
  }
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.parquet'))
    .sort()
    .map((f) => path.join(dir, f));
  if (files.length === 0) throw new UserError(`Split "${split}" at ${dir} holds no Parquet files.`);
  return files;
}

export function parquetSource(files: readonly string[]): string {
  return `read_parquet([${files.map(sqlString).join(', ')}])`;
}

/** Feature names and types (int / float / string) of Parquet examples. */
export async function describeExamples(db: DuckSession, files: readonly string[]): Promise<RawFeature[]> {
  const described = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${parquetSource(files)}`);
  return described.map(({ column_name, column_type }) => ({ name: column_name, dtype: dtypeOfSql(column_name, column_type) }));
}

function dtypeOfSql(name: string, sqlType: string): DType {
  if (INT_TYPES.test(sqlType)) return 'int';
  if (FLOAT_TYPES.test(sqlType)) return 'float';
  if (sqlType === 'VARCHAR') return 'string';
  if (sqlType.endsWith('[]'))
    throw new NotSupportedError(
      `List-valued feature "${name}" (${sqlType})`,
      'flatten it to one value per example in ExampleGen (e.g. with a QueryExampleGen SELECT).',
    );
  return 'string';
}

/** Reads the given features of Parquet examples into columns (all rows). */
export async function readExampleColumns(db: DuckSession, files: readonly string[], features: readonly RawFeature[]): Promise<RawColumns> {
  if (features.length === 0) {
    const [{ n }] = await db.all<{ n: number }>(`SELECT count(*) AS n FROM ${parquetSource(files)}`);
    return { numRows: n, columns: {} };
  }
  const select = features.map((f) =>
    f.dtype === 'string' ? `CAST(${sqlIdent(f.name)} AS VARCHAR) AS ${sqlIdent(f.name)}` : `CAST(${sqlIdent(f.name)} AS DOUBLE) AS ${sqlIdent(f.name)}`,
  );
  const reader = await db.connection.runAndReadAll(`SELECT ${select.join(', ')} FROM ${parquetSource(files)}`);
  const raw = reader.getColumnsObjectJS() as Record<string, unknown[]>;
  const columns: Record<string, ColumnValues> = {};
  let numRows = 0;
  for (const feature of features) {
    const values = raw[feature.name] ?? [];
    numRows = values.length;
    if (feature.dtype === 'string') columns[feature.name] = values as (string | null)[];
    else {
      const out = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        out[i] = v === null ? NaN : (v as number);
      }
      columns[feature.name] = out;
    }
  }
  return { numRows, columns };
}

/** Writes columns as one Parquet file (int → BIGINT, float → DOUBLE, string → VARCHAR). */
export async function writeExampleColumns(
  db: DuckSession,
  file: string,
  numRows: number,
  columns: Record<string, ColumnValues>,
  dtypes: Record<string, DType>,
): Promise<void> {
  const names = Object.keys(columns);
  const table = `write_${Math.random().toString(36).slice(2, 10)}`;
  const sqlTypes = names.map((n) => (dtypes[n] === 'string' ? 'VARCHAR' : dtypes[n] === 'int' ? 'BIGINT' : 'DOUBLE'));
  await db.run(`CREATE TEMP TABLE ${table} (${names.map((n, i) => `${sqlIdent(n)} ${sqlTypes[i]}`).join(', ')})`);
  const appender = await db.connection.createAppender(table);
  const types = sqlTypes.map((t) => (t === 'VARCHAR' ? VARCHAR : t === 'BIGINT' ? BIGINT : DOUBLE));
  const CHUNK = 2048;
  for (let start = 0; start < numRows; start += CHUNK) {
    const size = Math.min(CHUNK, numRows - start);
    const chunk = DuckDBDataChunk.create(types, size);
    names.forEach((name, index) => {
      const column = columns[name];
      const values: (number | bigint | string | null)[] = new Array(size);
      for (let i = 0; i < size; i++) {
        const v = column[start + i];
        if (v === null || (typeof v === 'number' && Number.isNaN(v))) values[i] = null;
        else if (sqlTypes[index] === 'BIGINT') values[i] = BigInt(Math.trunc(v as number));
        else values[i] = v;
      }
      chunk.setColumnValues(index, values);
    });
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await db.run(`COPY ${table} TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
  await db.run(`DROP TABLE ${table}`);
}

/** The first `limit` examples of a split as plain rows (numbers, strings, null for missing): handy in notebooks for predict requests. */
export async function readExampleRows(
  examplesUri: string,
  split: string,
  options: { limit?: number; features?: string[] } = {},
): Promise<Record<string, number | string | null>[]> {
  const files = splitFiles(examplesUri, split);
  return DuckSession.with(async (db) => {
    const available = await describeExamples(db, files);
    const features = options.features
      ? options.features.map((name) => {
          const found = available.find((f) => f.name === name);
          if (!found) throw new UserError(`Split "${split}" has no feature "${name}".`, `features are: ${available.map((f) => f.name).join(', ')}.`);
          return found;
        })
      : available;
    const raw = await readExampleColumns(db, files, features);
    const n = Math.min(raw.numRows, options.limit ?? raw.numRows);
    return Array.from({ length: n }, (_, i) =>
      Object.fromEntries(
        features.map((f) => {
          const v = raw.columns[f.name][i];
          return [f.name, typeof v === 'number' && Number.isNaN(v) ? null : v];
        }),
      ),
    );
  });
}
