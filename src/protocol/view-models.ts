import type { FreqAndValue, HistogramBucket } from '../stats/types';

/**
 * The statistics view model: what Facets Overview shows, read off TFDV's statistics. The kernel
 * builds it (visualize/statistics-model.ts) and sends it in the statistics payload (`model`), so
 * the lab's renderer draws from the same typed model instead of re-reading the raw JSON.
 * Type-only, browser-safe.
 */

export interface DatasetSummary {
  name: string;
  numExamples: number;
  color: string;
}

export interface NumericSummary {
  count: number;
  /** numMissing / numExamples, as Facets shows "missing". */
  missingFraction: number;
  mean: number;
  stdDev: number;
  /** numZeros / totNumValues (zeros among all values; the same as per example for single-valued features). */
  zerosFraction: number;
  min: number;
  median: number;
  max: number;
  standard: HistogramBucket[];
  quantiles: HistogramBucket[];
}

export interface CategoricalSummary {
  count: number;
  missingFraction: number;
  unique: number;
  /** Most frequent values, as stored (frequency descending). Empty for bytes features. */
  topValues: FreqAndValue[];
  /** Values counted by topValues frequencies (totNumValues), the base of their percentages. */
  totalValues: number;
  /** Average string length (string features) or number of bytes (bytes features). */
  avgLength: number;
}

export interface FeatureView<S> {
  name: string;
  type: string;
  /** One entry per dataset, in dataset order; undefined where the dataset lacks the feature. */
  perDataset: (S | undefined)[];
}

export interface StatisticsViewModel {
  datasets: DatasetSummary[];
  numeric: FeatureView<NumericSummary>[];
  categorical: FeatureView<CategoricalSummary>[];
  /** Features with neither numeric nor string/bytes statistics (e.g. STRUCT), listed by name. */
  other: { name: string; type: string }[];
}

/** One point of a training curve (loss or a metric, train or validation). */
export interface TrainingPoint {
  step: number;
  epoch: number;
  split: 'train' | 'validation';
  metric: string;
  value: number;
}

/** The training curves a Trainer records (live while it trains, then `training_curves.json` in the ModelRun); the training payload. */
export interface TrainingCurves {
  points: TrainingPoint[];
  status: {
    step: number;
    totalSteps: number;
    done: boolean;
    backend?: string;
    examplesPerSecond?: number;
    seconds?: number;
  };
}
