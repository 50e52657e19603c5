/**
 * Mergeable partial statistics, one per feature and shard, and their conversion into TFDV's
 * FeatureNameStatistics.
 *
 * Design (why it merges): every piece is an algebraic or sketch state with an associative merge,
 * like TFDV's combiner accumulators:
 *  - presence/valency: counts, min/max and the exact distribution of values-per-example (a small
 *    value→count table; list lengths have few distinct values) → add / min / max;
 *  - numeric moments: (count, mean, M2) merged with Chan et al.'s parallel variance formula, plus
 *    zeros / NaN / ±inf counts and finite min/max → add / min / max;
 *  - quantiles: TFDV's weighted quantiles summary (quantiles.ts), merged with its merge rule and
 *    compressed to a bounded size;
 *  - strings: total byte length (add) and the value→count table. A complete table merges exactly
 *    (add counts, unique = size of the union).
 * value-counts.ts builds these states from DuckDB's value counts (batch by batch, merging as it
 * goes); `mergeFeatureAccumulators` combines shards (files, spans) computed separately.
 * Memory is bounded by the number of distinct values kept, never by the number of rows.
 */
import { NotSupportedError } from '../util/errors';
import { equiWidthHistogramBuckets, findMedian, quantilesHistogramBuckets, rebinQuantiles, WeightedQuantilesSummary } from './quantiles';
import type { CommonStatistics, FeatureNameStatistics, Histogram, NumericStatistics, StatisticsFeatureType, StatsOptions, StringStatistics } from './types';
import { DEFAULT_STATS_OPTIONS } from './types';

/** TFDV computes num_histogram_buckets × 100 quantiles for the STANDARD histogram and median. */
export const QUANTILES_FACTOR_FOR_STD_HISTOGRAM = 100;

export interface PresenceAccumulator {
  numNonMissing: number;
  /** Distinct "values in one example" → number of examples (for scalar columns: {1: numNonMissing}). */
  numValuesCounts: Map<number, number>;
}

export interface NumericAccumulator {
  /** Non-NaN values. */
  count: number;
  mean: number;
  /** Sum of squared deviations from the mean. */
  m2: number;
  numZeros: number;
  numNan: number;
  min: number;
  max: number;
  finiteMin: number;
  finiteMax: number;
  numPosInf: number;
  summary: WeightedQuantilesSummary;
}

export interface StringAccumulator {
  totalValues: number;
  totalBytes: number;
  unique: number;
  /** Most frequent values first (count desc, value desc); `complete` when every distinct value is listed. */
  valueCounts: { value: string; count: number; sortKey: string | number }[];
  complete: boolean;
}

export interface FeatureAccumulator {
  name: string;
  type: StatisticsFeatureType;
  presence: PresenceAccumulator;
  numeric?: NumericAccumulator;
  strings?: StringAccumulator;
}

export function mergeFeatureAccumulators(a: FeatureAccumulator, b: FeatureAccumulator): FeatureAccumulator {
  if (a.name !== b.name) throw new Error(`cannot merge statistics of different features ${a.name} and ${b.name}`);
  if (a.type !== b.type) {
    throw new Error(`Cannot determine the type of feature ${a.name}. Found values of types ${a.type} and ${b.type}.`);
  }
  const numValuesCounts = new Map(a.presence.numValuesCounts);
  for (const [k, v] of b.presence.numValuesCounts) numValuesCounts.set(k, (numValuesCounts.get(k) ?? 0) + v);
  return {
    name: a.name,
    type: a.type,
    presence: { numNonMissing: a.presence.numNonMissing + b.presence.numNonMissing, numValuesCounts },
    numeric: a.numeric && b.numeric ? mergeNumeric(a.numeric, b.numeric) : (a.numeric ?? b.numeric),
    strings: a.strings && b.strings ? mergeStrings(a.name, a.strings, b.strings) : (a.strings ?? b.strings),
  };
}

export function mergeNumeric(a: NumericAccumulator, b: NumericAccumulator): NumericAccumulator {
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  const mean = count === 0 ? 0 : a.mean + (delta * b.count) / count;
  const m2 = count === 0 ? 0 : a.m2 + b.m2 + (delta * delta * a.count * b.count) / count;
  return {
    count,
    mean,
    m2,
    numZeros: a.numZeros + b.numZeros,
    numNan: a.numNan + b.numNan,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    finiteMin: Math.min(a.finiteMin, b.finiteMin),
    finiteMax: Math.max(a.finiteMax, b.finiteMax),
    numPosInf: a.numPosInf + b.numPosInf,
    // 1 / epsilon entries per summary, with TFDV's epsilon 0.01 → generous headroom at 100k.
    summary: a.summary.merge(b.summary).compress(100_000),
  };
}

function mergeStrings(name: string, a: StringAccumulator, b: StringAccumulator): StringAccumulator {
  if (!a.complete || !b.complete) {
    throw new NotSupportedError(`Merging truncated top-k tables (feature ${name})`, 'compute the statistics of the combined data in one pass instead.');
  }
  const counts = new Map<string, { value: string; count: number; sortKey: string | number }>();
  for (const entry of [...a.valueCounts, ...b.valueCounts]) {
    const key = String(entry.sortKey);
    const existing = counts.get(key);
    if (existing) existing.count += entry.count;
    else counts.set(key, { ...entry });
  }
  const valueCounts = [...counts.values()].sort(compareTopValues);
  return { totalValues: a.totalValues + b.totalValues, totalBytes: a.totalBytes + b.totalBytes, unique: valueCounts.length, valueCounts, complete: true };
}

/** TFDV sorts (count, value) pairs in reverse: count descending, then the larger value first. */
export function compareTopValues(x: { count: number; sortKey: string | number }, y: { count: number; sortKey: string | number }): number {
  if (x.count !== y.count) return y.count - x.count;
  if (x.sortKey === y.sortKey) return 0;
  return x.sortKey < y.sortKey ? 1 : -1;
}

/** Builds TFDV's FeatureNameStatistics from a (merged) accumulator. */
export function finalizeFeature(acc: FeatureAccumulator, numExamples: number, options: StatsOptions = {}): FeatureNameStatistics {
  const o = { ...DEFAULT_STATS_OPTIONS, ...options };
  const commonStats = makeCommonStats(acc.presence, numExamples, o.numValuesHistogramBuckets);
  const result: FeatureNameStatistics = { path: { step: [acc.name] }, type: acc.type };
  if (acc.strings) {
    result.stringStats = makeStringStats(acc.strings, commonStats, o);
  } else if (acc.numeric) {
    result.numStats = makeNumericStats(acc.numeric, commonStats, o);
  } else {
    throw new Error(`feature ${acc.name} has neither numeric nor string statistics`);
  }
  return result;
}

function makeCommonStats(presence: PresenceAccumulator, numExamples: number, numValuesHistogramBuckets: number): CommonStatistics {
  const lengths = [...presence.numValuesCounts.keys()].sort((x, y) => x - y);
  const totNumValues = lengths.reduce((sum, len) => sum + len * presence.numValuesCounts.get(len)!, 0);
  const common: CommonStatistics = {
    numNonMissing: presence.numNonMissing,
    numMissing: numExamples - presence.numNonMissing,
    minNumValues: 0,
    maxNumValues: 0,
    avgNumValues: 0,
    totNumValues,
  };
  // As TFDV: min/max/avg num values and the histogram only when some example has the feature.
  if (presence.numNonMissing > 0) {
    common.minNumValues = lengths[0];
    common.maxNumValues = lengths[lengths.length - 1];
    common.avgNumValues = totNumValues / presence.numNonMissing;
    const summary = WeightedQuantilesSummary.fromValueCounts(
      lengths,
      lengths.map((l) => presence.numValuesCounts.get(l)!),
    );
    const { quantiles, cumulativeWeights } = summary.quantilesAndCumulativeWeights(numValuesHistogramBuckets);
    common.numValuesHistogram = histogram('QUANTILES', quantilesHistogramBuckets(quantiles, cumulativeWeights), 0);
  }
  return common;
}

function makeNumericStats(n: NumericAccumulator, commonStats: CommonStatistics, o: Required<StatsOptions>): NumericStatistics {
  const stats: NumericStatistics = { commonStats, mean: 0, stdDev: 0, numZeros: 0, min: 0, median: 0, max: 0, histograms: [] };
  if (n.count === 0) {
    // Only NaNs (or nothing): TFDV sets just num_nan on two empty histograms.
    if (n.numNan > 0) stats.histograms = [histogram('STANDARD', [], n.numNan), histogram('QUANTILES', [], n.numNan)];
    return stats;
  }
  stats.mean = n.mean;
  // Python's max(0, nan) is 0: TFDV reports std_dev 0 when the variance is undefined (infinite values).
  const variance = n.m2 / n.count;
  stats.stdDev = Number.isNaN(variance) ? 0 : Math.sqrt(Math.max(0, variance));
  stats.numZeros = n.numZeros;
  stats.min = n.min;
  stats.max = n.max;
  const numQuantiles = QUANTILES_FACTOR_FOR_STD_HISTOGRAM * o.numQuantilesHistogramBuckets;
  const { quantiles, cumulativeWeights } = n.summary.quantilesAndCumulativeWeights(numQuantiles);
  stats.median = findMedian(quantiles);
  const standard = equiWidthHistogramBuckets(quantiles, cumulativeWeights, n.finiteMin, n.finiteMax, o.numHistogramBuckets, n.numPosInf);
  const rebinned = rebinQuantiles(quantiles, cumulativeWeights, QUANTILES_FACTOR_FOR_STD_HISTOGRAM);
  stats.histograms = [
    histogram('STANDARD', standard, n.numNan),
    histogram('QUANTILES', quantilesHistogramBuckets(rebinned.quantiles, rebinned.cumulativeWeights), n.numNan),
  ];
  return stats;
}

function makeStringStats(s: StringAccumulator, commonStats: CommonStatistics, o: Required<StatsOptions>): StringStatistics {
  const ranked = s.valueCounts.slice(0, Math.max(o.numTopValues, o.numRankHistogramBuckets));
  return {
    commonStats,
    unique: s.unique,
    topValues: ranked.slice(0, o.numTopValues).map((e) => ({ value: e.value, frequency: e.count })),
    avgLength: s.totalValues > 0 ? s.totalBytes / s.totalValues : 0,
    rankHistogram: {
      buckets: ranked.slice(0, o.numRankHistogramBuckets).map((e, i) => ({ lowRank: i, highRank: i, label: e.value, sampleCount: e.count })),
    },
  };
}

function histogram(type: Histogram['type'], buckets: Histogram['buckets'], numNan: number): Histogram {
  return { type, numNan, numUndefined: 0, buckets };
}
