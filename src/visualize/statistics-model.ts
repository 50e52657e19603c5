import type {
  CommonStatistics,
  DatasetFeatureStatistics,
  DatasetFeatureStatisticsList,
  FeatureNameStatistics,
  Histogram,
  HistogramBucket,
} from '../stats/types';
import type { CategoricalSummary, NumericSummary, StatisticsViewModel } from '../protocol/view-models';
import { datasetColor } from './vega';

/**
 * The statistics view model: what Facets Overview shows, read off TFDV's statistics (no
 * statistic is computed here, only ratios of stored counts for display). Several datasets (the
 * splits of one artifact, or two runs) line up per feature so they can be compared side by side.
 */

export interface LabeledStatistics {
  statistics: DatasetFeatureStatisticsList;
  /** Names the run when two runs are compared; used when a dataset has no name or names collide. */
  label?: string;
}

/** proto3-JSON writes 64-bit integers as strings and omits zero values; read both forms. */
function num(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return NaN;
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    return Number(value);
  }
  return NaN;
}

export function featureNameOf(feature: FeatureNameStatistics): string {
  const legacyName = (feature as unknown as { name?: string }).name;
  return feature.path?.step?.length ? feature.path.step.join('.') : (legacyName ?? '');
}

function histogramOf(histograms: Histogram[] | undefined, type: 'STANDARD' | 'QUANTILES'): HistogramBucket[] {
  // proto3-JSON omits enum defaults: a histogram without `type` is STANDARD.
  const found = (histograms ?? []).find((h) => (h.type ?? 'STANDARD') === type);
  return (found?.buckets ?? []).map((b) => ({ lowValue: num(b.lowValue), highValue: num(b.highValue), sampleCount: num(b.sampleCount) }));
}

function missingFraction(common: CommonStatistics | undefined, numExamples: number): number {
  const missing = num(common?.numMissing);
  const total = numExamples > 0 ? numExamples : missing + num(common?.numNonMissing);
  return total > 0 ? missing / total : 0;
}

function numericSummary(feature: FeatureNameStatistics, numExamples: number): NumericSummary {
  const stats = feature.numStats!;
  const common = stats.commonStats;
  const totalValues = num(common?.totNumValues) || num(common?.numNonMissing);
  return {
    count: num(common?.numNonMissing),
    missingFraction: missingFraction(common, numExamples),
    mean: num(stats.mean),
    stdDev: num(stats.stdDev),
    zerosFraction: totalValues > 0 ? num(stats.numZeros) / totalValues : 0,
    min: num(stats.min),
    median: num(stats.median),
    max: num(stats.max),
    standard: histogramOf(stats.histograms, 'STANDARD'),
    quantiles: histogramOf(stats.histograms, 'QUANTILES'),
  };
}

function categoricalSummary(feature: FeatureNameStatistics, numExamples: number): CategoricalSummary {
  if (feature.stringStats) {
    const stats = feature.stringStats;
    return {
      count: num(stats.commonStats?.numNonMissing),
      missingFraction: missingFraction(stats.commonStats, numExamples),
      unique: num(stats.unique),
      topValues: (stats.topValues ?? []).map((t) => ({ value: String(t.value ?? ''), frequency: num(t.frequency) })),
      totalValues: num(stats.commonStats?.totNumValues) || num(stats.commonStats?.numNonMissing),
      avgLength: num(stats.avgLength),
    };
  }
  const bytes = feature.bytesStats!;
  return {
    count: num(bytes.commonStats?.numNonMissing),
    missingFraction: missingFraction(bytes.commonStats, numExamples),
    unique: num(bytes.unique),
    topValues: [],
    totalValues: num(bytes.commonStats?.totNumValues) || num(bytes.commonStats?.numNonMissing),
    avgLength: num(bytes.avgNumBytes),
  };
}

/** Dataset names as shown: the stored name, else the run's label; made unique with the label when they collide. */
function datasetNames(inputs: LabeledStatistics[]): { dataset: DatasetFeatureStatistics; name: string }[] {
  const flat = inputs.flatMap((input, runIndex) =>
    (input.statistics.datasets ?? []).map((dataset, index) => ({ dataset, label: input.label, runIndex, index })),
  );
  const rawName = (d: (typeof flat)[number]) => d.dataset.name || d.label || `dataset ${d.index + 1}`;
  const counts = new Map<string, number>();
  for (const d of flat) counts.set(rawName(d), (counts.get(rawName(d)) ?? 0) + 1);
  const used = new Set<string>();
  return flat.map((d) => {
    let name = rawName(d);
    if ((counts.get(name) ?? 0) > 1 && d.label && d.dataset.name) name = `${name} (${d.label})`;
    let unique = name;
    for (let n = 2; used.has(unique); n++) unique = `${name} #${n}`;
    used.add(unique);
    return { dataset: d.dataset, name: unique };
  });
}

export function statisticsViewModel(inputs: LabeledStatistics[]): StatisticsViewModel {
  const named = datasetNames(inputs);
  const datasets = named.map(({ dataset, name }, index) => ({ name, numExamples: num(dataset.numExamples), color: datasetColor(index) }));

  // Features in order of first appearance, keyed by path; each dataset contributes its own statistics.
  const order: string[] = [];
  const byName = new Map<string, (FeatureNameStatistics | undefined)[]>();
  named.forEach(({ dataset }, datasetIndex) => {
    for (const feature of dataset.features ?? []) {
      const name = featureNameOf(feature);
      if (!byName.has(name)) {
        byName.set(name, new Array(named.length).fill(undefined));
        order.push(name);
      }
      byName.get(name)![datasetIndex] = feature;
    }
  });

  const model: StatisticsViewModel = { datasets, numeric: [], categorical: [], other: [] };
  for (const name of order) {
    const features = byName.get(name)!;
    const first = features.find((f) => f !== undefined)!;
    // proto3-JSON omits the enum default: a feature without `type` is INT.
    const type = String(first.type ?? 'INT');
    if (features.some((f) => f?.numStats)) {
      model.numeric.push({
        name,
        type,
        perDataset: features.map((f, i) => (f?.numStats ? numericSummary(f, datasets[i].numExamples) : undefined)),
      });
    } else if (features.some((f) => f?.stringStats || f?.bytesStats)) {
      model.categorical.push({
        name,
        type,
        perDataset: features.map((f, i) => (f?.stringStats || f?.bytesStats ? categoricalSummary(f, datasets[i].numExamples) : undefined)),
      });
    } else {
      model.other.push({ name, type });
    }
  }
  return model;
}
