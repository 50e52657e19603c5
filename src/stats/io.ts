/**
 * Reading and writing statistics JSON, validated once at the edge. Accepts what protobuf's JSON
 * printer emits for DatasetFeatureStatisticsList (int64 as strings, default values omitted) as well
 * as what we write (numbers, every field present), and fills the defaults so readers get complete
 * typed objects.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { Artifact, splitUri } from '../dsl/artifact';
import { formatZodError, UserError } from '../util/errors';
import type { DatasetFeatureStatistics, DatasetFeatureStatisticsList } from './types';

/** TFX's file name inside each Split-<name> folder of an ExampleStatistics artifact (JSON instead of binary proto). */
export const STATS_FILE_NAME = 'FeatureStats.json';

/** int64/uint64 in proto3 JSON may be a string; doubles may be "NaN"/"Infinity". */
const num = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^-?(\d+(\.\d*)?([eE][+-]?\d+)?|NaN|Infinity)$/)
      .transform(Number),
  ])
  .default(0);

const histogram = z
  .object({
    type: z.enum(['STANDARD', 'QUANTILES']).default('STANDARD'),
    numNan: num,
    numUndefined: num,
    buckets: z.array(z.object({ lowValue: num, highValue: num, sampleCount: num }).passthrough()).default([]),
    name: z.string().optional(),
  })
  .passthrough();

const commonStats = z
  .object({
    numNonMissing: num,
    numMissing: num,
    minNumValues: num,
    maxNumValues: num,
    avgNumValues: num,
    totNumValues: num,
    numValuesHistogram: histogram.optional(),
  })
  .passthrough();

const numStats = z
  .object({
    commonStats: commonStats.default({}),
    mean: num,
    stdDev: num,
    numZeros: num,
    min: num,
    median: num,
    max: num,
    histograms: z.array(histogram).default([]),
  })
  .passthrough();

const stringStats = z
  .object({
    commonStats: commonStats.default({}),
    unique: num,
    topValues: z.array(z.object({ value: z.string().default(''), frequency: num }).passthrough()).default([]),
    avgLength: num,
    rankHistogram: z
      .object({
        buckets: z.array(z.object({ lowRank: num, highRank: num, label: z.string().default(''), sampleCount: num }).passthrough()).default([]),
      })
      .passthrough()
      .default({}),
  })
  .passthrough();

const feature = z
  .object({
    path: z.object({ step: z.array(z.string()).min(1) }).optional(),
    name: z.string().optional(),
    type: z.enum(['INT', 'FLOAT', 'STRING', 'BYTES', 'STRUCT']).default('INT'),
    numStats: numStats.optional(),
    stringStats: stringStats.optional(),
    bytesStats: z
      .object({ commonStats: commonStats.default({}) })
      .passthrough()
      .optional(),
    structStats: z
      .object({ commonStats: commonStats.default({}) })
      .passthrough()
      .optional(),
    customStats: z.array(z.any()).optional(),
  })
  .passthrough()
  .refine((f) => f.path || f.name, { message: 'a feature needs path.step (or name)' })
  .transform(({ name, ...rest }) => ({ ...rest, path: rest.path ?? { step: [name!] } }));

const dataset = z
  .object({
    name: z.string().default(''),
    numExamples: num,
    features: z.array(feature).default([]),
  })
  .passthrough();

const statisticsListSchema = z.object({ datasets: z.array(dataset).min(1, 'datasets must hold at least one dataset') }).passthrough();

/** Validates a parsed JSON value as a DatasetFeatureStatisticsList; `source` names it in errors. */
export function parseStatisticsList(value: unknown, source = 'statistics'): DatasetFeatureStatisticsList {
  const parsed = statisticsListSchema.safeParse(value);
  if (!parsed.success) {
    throw new UserError(
      `${source} is not a TFDV DatasetFeatureStatisticsList: ${formatZodError(parsed.error)}`,
      'pass the JSON written by `tfx-ts stats` or StatisticsGen ({"datasets": [{"name", "numExamples", "features": [...]}]}).',
    );
  }
  return parsed.data as unknown as DatasetFeatureStatisticsList;
}

export function readStatistics(file: string): DatasetFeatureStatisticsList {
  const absolute = path.resolve(file);
  if (!fs.existsSync(absolute)) throw new UserError(`Statistics file ${absolute} does not exist.`, 'create it with `tfx-ts stats <data> -o stats.json`.');
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(absolute, 'utf8'));
  } catch (error) {
    throw new UserError(`${absolute} is not valid JSON: ${(error as Error).message}`, 'pass the JSON written by `tfx-ts stats` or StatisticsGen.');
  }
  return parseStatisticsList(json, absolute);
}

export { jsonNumbers, writeStatistics } from './write';

/**
 * All splits of an ExampleStatistics artifact as one list, one dataset per split (named after the
 * split). What views read.
 */
export function loadStatistics(artifact: Artifact): DatasetFeatureStatisticsList {
  const splits = artifact.splitNames;
  if (splits.length === 0) throw new UserError(`ExampleStatistics artifact ${artifact.uri} has no split_names.`, 'run StatisticsGen to produce it.');
  const datasets: DatasetFeatureStatistics[] = [];
  for (const split of splits) {
    const list = readStatistics(path.join(splitUri(artifact.uri, split), STATS_FILE_NAME));
    for (const d of list.datasets) datasets.push({ ...d, name: split });
  }
  return { datasets };
}

/** One split's statistics from an ExampleStatistics artifact. */
export function loadSplitStatistics(artifact: Artifact, split: string): DatasetFeatureStatistics {
  if (!artifact.splitNames.includes(split)) {
    throw new UserError(`ExampleStatistics ${artifact.uri} has no split "${split}".`, `use one of: ${artifact.splitNames.join(', ')}.`);
  }
  const list = readStatistics(path.join(splitUri(artifact.uri, split), STATS_FILE_NAME));
  return { ...list.datasets[0], name: split };
}
