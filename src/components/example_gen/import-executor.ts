import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitUri } from '../../dsl/artifact';
import type { Executor } from '../../dsl/component';
import { DuckSession } from '../../data/duckdb';
import { readTfExampleFiles, tfRecordFilesOf, writeParquetExamples } from '../../transform/tf-example-io';
import { UserError } from '../../util/errors';

interface ImportParameters {
  inputBase: string;
}

/** Each Split-<name>/ folder of TFRecord tf.Examples becomes the same split of Parquet examples. */
export const importExampleGenExecutor: Executor<ImportParameters> = async (context) => {
  const base = path.resolve(context.parameters.inputBase);
  if (!fs.existsSync(base) || !fs.statSync(base).isDirectory()) {
    throw new UserError(
      `ImportExampleGen: ${base} is not a directory.`,
      'point inputBase at TFX ExampleGen output (the folder holding Split-train/, Split-eval/).',
    );
  }
  const splits = fs
    .readdirSync(base)
    .filter((d) => d.startsWith('Split-') && fs.statSync(path.join(base, d)).isDirectory())
    .sort()
    .map((d) => d.slice('Split-'.length));
  if (splits.length === 0)
    throw new UserError(
      `ImportExampleGen: ${base} has no Split-<name>/ folders.`,
      'point inputBase at TFX ExampleGen output (the folder holding Split-train/, Split-eval/).',
    );
  const examples = context.outputs.examples[0];
  await DuckSession.with(async (db) => {
    for (const [index, split] of splits.entries()) {
      context.progress(index / splits.length, `reading split ${split}`);
      const files = tfRecordFilesOf(path.join(base, `Split-${split}`));
      if (files.length === 0)
        throw new UserError(
          `ImportExampleGen: ${path.join(base, `Split-${split}`)} holds no TFRecord files.`,
          'TFX writes them as *.gz (gzipped TFRecord of tf.Example).',
        );
      const data = readTfExampleFiles(files);
      if (data.numRows === 0) throw new UserError(`ImportExampleGen: split ${split} has no examples.`);
      await writeParquetExamples(db, path.join(splitUri(examples.uri, split), 'data.parquet'), data);
      context.log(`split ${split}: ${data.numRows} examples, ${Object.keys(data.columns).length} features`);
    }
  });
  examples.splitNames = splits;
  examples.properties.span = 0;
  examples.properties.version = 0;
  context.progress(1, 'done');
};
