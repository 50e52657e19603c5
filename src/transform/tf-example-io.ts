/**
 * Examples in TFX's own on-disk form: per split, gzipped TFRecord files of tf.Example
 * (`Split-<name>/data_tfrecord-00000-of-00001.gz`, ExampleGen's naming). ExampleGen writes them
 * beside its Parquet when asked (`writeTfExamples`), so a Python TFX Trainer or tf.data reads our
 * examples; ImportExampleGen reads them, so we read TFX ExampleGen's output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DuckSession } from '../data/duckdb';
import { describeExamples, readExampleColumns, writeExampleColumns } from './example-io';
import { UserError } from '../util/errors';
import { decodeExamples, encodeExamples, ExampleColumns } from './tf-example';
import { readTfRecordFile, writeTfRecordFile } from '../data/tfrecord';

export const TF_EXAMPLE_FILE_NAME = 'data_tfrecord-00000-of-00001.gz';

/** Writes a split's Parquet examples again as a gzipped TFRecord of tf.Example in the same folder. */
export async function writeTfExamplesOfSplit(db: DuckSession, splitDir: string): Promise<number> {
  const files = fs
    .readdirSync(splitDir)
    .filter((f) => f.endsWith('.parquet'))
    .sort()
    .map((f) => path.join(splitDir, f));
  const features = await describeExamples(db, files);
  const { numRows, columns } = await readExampleColumns(db, files, features);
  const dtypes = Object.fromEntries(features.map((f) => [f.name, f.dtype]));
  writeTfRecordFile(path.join(splitDir, TF_EXAMPLE_FILE_NAME), encodeExamples({ numRows, columns, dtypes }));
  return numRows;
}

/** TFRecord files of one split folder: TFX writes `*.gz` (gzipped) and sometimes plain `*tfrecord*` files. */
export function tfRecordFilesOf(splitDir: string): string[] {
  return fs
    .readdirSync(splitDir)
    .filter((f) => /\.gz$|tfrecord/i.test(f) && fs.statSync(path.join(splitDir, f)).isFile())
    .sort()
    .map((f) => path.join(splitDir, f));
}

/** Reads tf.Example TFRecord files into columns (all files concatenated, in name order). */
export function readTfExampleFiles(files: readonly string[]): ExampleColumns {
  if (files.length === 0) throw new UserError('No TFRecord files to read.', 'point ImportExampleGen at TFX ExampleGen output (Split-<name>/*.gz).');
  const records = files.flatMap((f) => readTfRecordFile(f));
  return decodeExamples(records, files.length === 1 ? files[0] : path.dirname(files[0]));
}

/** Writes decoded examples as our Parquet examples file. */
export async function writeParquetExamples(db: DuckSession, file: string, data: ExampleColumns): Promise<void> {
  await writeExampleColumns(db, file, data.numRows, data.columns, data.dtypes);
}
