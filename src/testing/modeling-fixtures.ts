import * as fs from 'node:fs';
import * as path from 'node:path';
import { Artifact, splitUri, standardArtifacts } from '../dsl/artifact';
import { DuckSession, sqlString } from '../data/duckdb';
import { sharedData } from './fixtures';

/** The TFX taxi sample (15,002 rows) as read by the tests; never copied into the repository. */
export const TAXI_CSV = path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv');

/**
 * Writes Parquet examples the way CsvExampleGen lays them out (`Split-train`, `Split-eval`),
 * splitting by row number (2 of 3 rows train) so tests need not run ExampleGen first.
 */
export async function writeTaxiExamples(dir: string, options: { limit?: number; csv?: string } = {}): Promise<Artifact> {
  const csv = options.csv ?? TAXI_CSV;
  await DuckSession.with(async (db) => {
    await db.run(
      `CREATE TABLE src AS SELECT *, row_number() OVER () AS __row FROM read_csv(${sqlString(csv)}, header=true, auto_type_candidates=['BIGINT','DOUBLE','VARCHAR'], sample_size=-1) ${options.limit ? `LIMIT ${options.limit}` : ''}`,
    );
    for (const [split, where] of [
      ['train', '__row % 3 <> 0'],
      ['eval', '__row % 3 = 0'],
    ] as const) {
      const out = splitUri(dir, split);
      fs.mkdirSync(out, { recursive: true });
      await db.run(`COPY (SELECT * EXCLUDE (__row) FROM src WHERE ${where} ORDER BY __row) TO ${sqlString(path.join(out, 'data.parquet'))} (FORMAT parquet)`);
    }
  });
  const artifact = new Artifact(standardArtifacts.Examples, dir);
  artifact.splitNames = ['train', 'eval'];
  return artifact;
}

/** Rows of a CSV as plain objects with numbers parsed (what a client would send to a model server). */
export async function readCsvRows(csv: string, limit?: number): Promise<Record<string, unknown>[]> {
  return DuckSession.with((db) =>
    db.all(
      `SELECT * FROM read_csv(${sqlString(csv)}, header=true, auto_type_candidates=['BIGINT','DOUBLE','VARCHAR'], sample_size=-1) ${limit ? `LIMIT ${limit}` : ''}`,
    ),
  );
}
