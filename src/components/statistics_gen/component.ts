import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { defineComponent } from '../../dsl/component';

const statsOptionsSchema = z
  .object({
    numTopValues: z.number().int().positive().optional(),
    numRankHistogramBuckets: z.number().int().positive().optional(),
    numHistogramBuckets: z.number().int().positive().optional(),
    numQuantilesHistogramBuckets: z.number().int().positive().optional(),
    numValuesHistogramBuckets: z.number().int().positive().optional(),
  })
  .strict();

const parameters = z
  .object({
    /** Splits to skip (TFX's exclude_splits). */
    excludeSplits: z.array(z.string()).default([]),
    /** TFDV StatsOptions (defaults as TFDV: 20 top values, 10 histogram buckets). */
    statsOptions: statsOptionsSchema.optional(),
  })
  .strict();

/**
 * TFX's StatisticsGen: TFDV statistics of every split of the examples, written as
 * `<uri>/Split-<name>/FeatureStats.json` (a DatasetFeatureStatisticsList with one dataset per file).
 * An optional schema marks categorical INT features (int_domain.is_categorical) for string statistics.
 */
export const StatisticsGen = defineComponent({
  type: 'StatisticsGen',
  version: '1',
  inputs: { examples: { type: standardArtifacts.Examples }, schema: { type: standardArtifacts.Schema, optional: true } },
  outputs: { statistics: { type: standardArtifacts.ExampleStatistics } },
  parameters,
  executor: async () => (await import('./executor')).statisticsGenExecutor,
});
