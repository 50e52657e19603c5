import type { Command } from 'commander';
import * as path from 'node:path';
import type { DatasetFeatureStatistics, DatasetFeatureStatisticsList } from '../../stats/types';
import { UserError } from '../../util/errors';

// The engines load when a command runs, so other commands start without DuckDB and zod schemas.
const stats = () => import('../../stats/generate');
const statsIo = () => import('../../stats/io');
const schemaIo = () => import('../../schema/io');

/**
 * The TFDV functions people script with: `tfx-ts stats`, `tfx-ts schema infer`, `tfx-ts validate`.
 * Other tools call these exactly; outputs are TFDV's JSON shapes (and schema.pbtxt).
 */
export function registerTfdvCommands(program: Command): void {
  program
    .command('stats')
    .description("Statistics of a CSV or Parquet file (or a directory of them, or of Split-<name> folders) as TFDV's DatasetFeatureStatisticsList JSON")
    .argument('<input>', 'a .csv or .parquet file, or a directory')
    .requiredOption(
      '-o, --output <stats.json|stats.pb>',
      "where to write the statistics: JSON, or TFDV's binary proto when the name ends in .pb (tfdv.load_stats_binary reads it)",
    )
    .option('--name <name>', 'dataset name when there are no splits (default: the file name)')
    .action(async (input: string, options: { output: string; name?: string }) => {
      const started = Date.now();
      const statistics = await (await stats()).generateStatistics({ path: input, name: options.name });
      if (options.output.endsWith('.pb')) (await import('../../stats/feature-stats-pb')).writeStatisticsBinary(statistics, options.output);
      else (await import('../../stats/write')).writeStatistics(statistics, options.output);
      for (const d of statistics.datasets) console.log(`${d.name}: ${d.numExamples} examples, ${d.features.length} features`);
      console.log(`Wrote ${path.resolve(options.output)} in ${((Date.now() - started) / 1000).toFixed(2)} s`);
    });

  const schema = program.command('schema').description('Schemas (TFDV infer_schema; text format or JSON by extension)');
  schema
    .command('infer')
    .description("Infer a schema from statistics JSON (TFDV's infer_schema)")
    .argument('<stats.json>', 'statistics written by `tfx-ts stats` or StatisticsGen')
    .requiredOption('-o, --output <schema.pbtxt|schema.json>', 'where to write the schema; .json writes JSON, anything else the text format')
    .option('--dataset <name>', 'which dataset (split) to infer from when the file holds several (default: "train" if present)')
    .option(
      '--no-infer-feature-shape',
      'write value_count instead of shape for features always present with a fixed number of values (TFDV infers shape by default)',
    )
    .option('--max-string-domain-size <n>', 'largest number of distinct strings that still gets a domain (TFDV default 100)', parsePositiveInt)
    .action(async (statsFile: string, options: { output: string; dataset?: string; inferFeatureShape: boolean; maxStringDomainSize?: number }) => {
      const dataset = pickDataset((await statsIo()).readStatistics(statsFile), options.dataset, statsFile);
      const { inferSchema } = await import('../../schema/infer');
      const inferred = inferSchema(dataset, { inferFeatureShape: options.inferFeatureShape, maxStringDomainSize: options.maxStringDomainSize });
      (await schemaIo()).writeSchema(inferred, options.output);
      console.log(
        `Inferred ${inferred.feature.length} features (${inferred.stringDomain?.length ?? 0} string domains) from dataset "${dataset.name}"; wrote ${path.resolve(options.output)}`,
      );
    });

  program
    .command('validate')
    .description("Validate statistics against a schema (TFDV's validate_statistics); writes TFDV Anomalies JSON. Exits 0 whether or not anomalies are found")
    .argument('<stats.json>', 'statistics to check')
    .requiredOption('--schema <file>', 'schema.pbtxt or schema.json')
    .requiredOption('-o, --output <anomalies.json>', 'where to write the anomalies JSON')
    .option('--previous <stats.json>', 'statistics of the previous span, for drift_comparator')
    .option('--serving <stats.json>', 'serving statistics, for skew_comparator')
    .option('--environment <name>', 'validate as this schema environment (e.g. SERVING)')
    .option('--dataset <name>', 'which dataset (split) to validate when the file holds several')
    .action(
      async (statsFile: string, options: { schema: string; output: string; previous?: string; serving?: string; environment?: string; dataset?: string }) => {
        const { readStatistics } = await statsIo();
        const { validateStatistics } = await import('../../validation/validate');
        const { writeAnomalies } = await import('../../validation/io');
        const statistics = pickDataset(readStatistics(statsFile), options.dataset, statsFile);
        const anomalies = validateStatistics(statistics, (await schemaIo()).readSchema(options.schema), {
          environment: options.environment,
          previousStatistics: options.previous ? pickDataset(readStatistics(options.previous), options.dataset, options.previous) : undefined,
          servingStatistics: options.serving ? pickDataset(readStatistics(options.serving), options.dataset, options.serving) : undefined,
        });
        writeAnomalies(anomalies, options.output);
        const entries = Object.entries(anomalies.anomalyInfo);
        if (anomalies.datasetAnomalyInfo) entries.unshift(['(dataset)', anomalies.datasetAnomalyInfo]);
        for (const [name, info] of entries) console.log(`${name}: ${info.reason.map((r) => r.type).join(', ')}: ${info.shortDescription}: ${info.description}`);
        console.log(
          entries.length ? `${entries.length} anomalies; wrote ${path.resolve(options.output)}` : `No anomalies found; wrote ${path.resolve(options.output)}`,
        );
      },
    );
}

/** A file may hold several datasets (one per split): take the one named, else "train", else the only one. */
function pickDataset(list: DatasetFeatureStatisticsList, name: string | undefined, file: string): DatasetFeatureStatistics {
  const names = list.datasets.map((d) => d.name);
  if (name !== undefined) {
    const found = list.datasets.find((d) => d.name === name);
    if (!found) throw new UserError(`${file} has no dataset named "${name}".`, `use one of: ${names.join(', ')}.`);
    return found;
  }
  if (list.datasets.length === 1) return list.datasets[0];
  const train = list.datasets.find((d) => d.name === 'train');
  if (train) return train;
  throw new UserError(`${file} holds ${names.length} datasets (${names.join(', ')}).`, 'choose one with --dataset <name>.');
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`--max-string-domain-size must be a positive integer, got "${value}".`);
  return n;
}
