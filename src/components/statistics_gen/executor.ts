import * as fs from 'node:fs';
import * as path from 'node:path';
import { splitUri } from '../../dsl/artifact';
import type { Executor } from '../../dsl/component';
import { DuckSession, sqlString } from '../../data/duckdb';
import { loadSchema } from '../../schema/io';
import { statisticsOfRelation } from '../../stats/generate';
import { STATS_BINARY_FILE_NAME, writeStatisticsBinary } from '../../stats/feature-stats-pb';
import { STATS_FILE_NAME, writeStatistics } from '../../stats/io';
import type { StatsOptions } from '../../stats/types';
import { UserError } from '../../util/errors';

interface Parameters {
  excludeSplits: string[];
  statsOptions?: StatsOptions;
}

export const statisticsGenExecutor: Executor<Parameters> = async (context) => {
  const examples = context.inputs.examples[0];
  const schemaArtifact = context.inputs.schema?.[0];
  const schema = schemaArtifact ? loadSchema(schemaArtifact) : undefined;
  const unknown = context.parameters.excludeSplits.filter((s) => !examples.splitNames.includes(s));
  if (unknown.length) {
    throw new UserError(`StatisticsGen: excludeSplits names unknown split(s) ${unknown.join(', ')}.`, `the examples have: ${examples.splitNames.join(', ')}.`);
  }
  const splits = examples.splitNames.filter((s) => !context.parameters.excludeSplits.includes(s));
  if (splits.length === 0) throw new UserError('StatisticsGen: every split is excluded; nothing to compute.', 'remove a split from excludeSplits.');
  const output = context.outputs.statistics[0];
  await DuckSession.with(async (db) => {
    for (const [index, split] of splits.entries()) {
      const dir = splitUri(examples.uri, split);
      const files = fs.existsSync(dir)
        ? fs
            .readdirSync(dir)
            .filter((f) => f.endsWith('.parquet'))
            .sort()
            .map((f) => path.join(dir, f))
        : [];
      if (files.length === 0)
        throw new UserError(`StatisticsGen: split "${split}" of ${examples.uri} has no Parquet files.`, 'run ExampleGen again; its output looks incomplete.');
      const stats = await statisticsOfRelation(db, `read_parquet([${files.map(sqlString).join(', ')}])`, split, {
        ...context.parameters.statsOptions,
        schema,
        progress: (fraction, message) => context.progress((index + fraction) / splits.length, `split ${split}: ${message}`),
      });
      if (stats.numExamples === 0) {
        throw new UserError(
          `StatisticsGen: split "${split}" has no examples.`,
          'give the split more hash buckets in ExampleGen, provide more data, or add it to excludeSplits.',
        );
      }
      writeStatistics({ datasets: [stats] }, path.join(splitUri(output.uri, split), STATS_FILE_NAME));
      // TFX's own file beside ours, so tfdv.load_stats_binary and TFX tools read the artifact as is.
      writeStatisticsBinary({ datasets: [stats] }, path.join(splitUri(output.uri, split), STATS_BINARY_FILE_NAME));
      context.log(`split ${split}: ${stats.numExamples} examples, ${stats.features.length} features`);
    }
  });
  output.splitNames = splits;
  output.properties.span = examples.properties.span ?? 0;
  context.progress(1, 'done');
};
