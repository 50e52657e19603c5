import type { HistogramBucket } from '../stats/types';
import type { CategoricalSummary, DatasetSummary, FeatureView, NumericSummary, StatisticsViewModel } from '../protocol/view-models';
import { chartSpec, ChartSpec } from './vega';

/**
 * Vega-Lite specs of the statistics view, one chart per feature with one color per dataset:
 * STANDARD histogram (equal-width buckets, datasets side by side within each bucket), QUANTILES
 * (the bucket boundaries of each dataset on one line, as Facets Overview draws them) and top
 * values (horizontal bars). Several datasets are compared in shares of their own values, since
 * splits differ in size; a single dataset shows counts.
 */

export const CHART_WIDTH = 200;
export const HISTOGRAM_HEIGHT = 64;
/** Top values drawn per categorical feature (the stored list has up to 20). */
export const TOP_VALUES_SHOWN = 10;

function colorEncoding(datasets: DatasetSummary[]) {
  return {
    field: 'dataset',
    type: 'nominal',
    scale: { domain: datasets.map((d) => d.name), range: datasets.map((d) => d.color) },
    legend: null,
  };
}

function axisFormat(values: number[]): string {
  const magnitude = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs));
  return magnitude >= 1e4 ? '~s' : '~r';
}

/** Finite drawing extent: TFDV histograms may open with -inf / end with +inf; constant features have zero width. */
function finiteExtent(buckets: HistogramBucket[]): [number, number] | undefined {
  const finite = buckets.flatMap((b) => [b.lowValue, b.highValue]).filter(Number.isFinite);
  if (finite.length === 0) return undefined;
  return [Math.min(...finite), Math.max(...finite)];
}

export interface HistogramBar {
  dataset: string;
  low: number;
  high: number;
  count: number;
  share: number;
  x0: number;
  x1: number;
}

/** Bars of the STANDARD histograms; each dataset takes its own slot of every bucket. */
export function standardHistogramBars(feature: FeatureView<NumericSummary>, datasets: DatasetSummary[]): HistogramBar[] {
  const present = datasets.map((d, i) => ({ d, s: feature.perDataset[i] })).filter((x) => x.s && x.s.standard.length > 0);
  const all = present.flatMap((x) => x.s!.standard);
  const extent = finiteExtent(all);
  if (!extent) return [];
  const span = extent[1] - extent[0];
  // A constant feature gets a visible bar around its value.
  const pad = span > 0 ? 0 : Math.max(Math.abs(extent[0]) * 0.05, 0.5);
  const clamp = (v: number) => Math.min(Math.max(v, extent[0] - pad), extent[1] + pad);
  return present.flatMap(({ d, s }, slot) => {
    const total = s!.standard.reduce((sum, b) => sum + b.sampleCount, 0);
    return s!.standard.map((b) => {
      let low = clamp(b.lowValue);
      let high = clamp(b.highValue);
      if (high - low <= 0) {
        low -= pad || span / 100;
        high += pad || span / 100;
      }
      const width = high - low;
      return {
        dataset: d.name,
        low: b.lowValue,
        high: b.highValue,
        count: b.sampleCount,
        share: total > 0 ? b.sampleCount / total : 0,
        x0: low + (width * slot) / present.length,
        x1: low + (width * (slot + 1)) / present.length,
      };
    });
  });
}

export function standardHistogramSpec(feature: FeatureView<NumericSummary>, datasets: DatasetSummary[]): ChartSpec {
  const bars = standardHistogramBars(feature, datasets);
  const compare = datasets.length > 1;
  const yField = compare ? 'share' : 'count';
  return chartSpec(
    { chart: 'standard', feature: feature.name },
    {
      description: `Histogram (equal-width buckets) of ${feature.name}`,
      width: CHART_WIDTH,
      height: HISTOGRAM_HEIGHT,
      data: { values: bars },
      mark: { type: 'rect', stroke: null, opacity: 0.9 },
      encoding: {
        x: {
          field: 'x0',
          type: 'quantitative',
          title: null,
          scale: { zero: false, nice: false },
          axis: { format: axisFormat(bars.flatMap((b) => [b.x0, b.x1])), grid: false },
        },
        x2: { field: 'x1' },
        y: { field: yField, type: 'quantitative', title: null, axis: { format: compare ? '~%' : '~s', tickCount: 3 } },
        color: colorEncoding(datasets),
        tooltip: [
          { field: 'dataset', title: 'dataset' },
          { field: 'low', title: 'from', format: ',.4~g' },
          { field: 'high', title: 'to', format: ',.4~g' },
          { field: 'count', title: 'count', format: ',.0f' },
          { field: 'share', title: 'share', format: '.1%' },
        ],
      },
    },
  );
}

export interface QuantileMark {
  dataset: string;
  /** 0 (min) to 1 (max) in steps of 1/buckets. */
  quantile: number;
  value: number;
}

/** The boundaries of the QUANTILES histogram: min, each decile (with 10 buckets), max. */
export function quantileMarks(feature: FeatureView<NumericSummary>, datasets: DatasetSummary[]): QuantileMark[] {
  return datasets.flatMap((d, i) => {
    const buckets = feature.perDataset[i]?.quantiles ?? [];
    if (buckets.length === 0) return [];
    const boundaries = [buckets[0].lowValue, ...buckets.map((b) => b.highValue)];
    return boundaries.map((value, k) => ({ dataset: d.name, quantile: k / buckets.length, value })).filter((m) => Number.isFinite(m.value));
  });
}

export function quantilesSpec(feature: FeatureView<NumericSummary>, datasets: DatasetSummary[]): ChartSpec {
  const marks = quantileMarks(feature, datasets);
  const shown = datasets.filter((d) => marks.some((m) => m.dataset === d.name)).map((d) => d.name);
  const y = { field: 'dataset', type: 'nominal', title: null, scale: { domain: shown, padding: 0.5 }, axis: shown.length > 1 ? { labelLimit: 60 } : null };
  return chartSpec(
    { chart: 'quantiles', feature: feature.name },
    {
      description: `Quantiles of ${feature.name}`,
      width: CHART_WIDTH,
      height: HISTOGRAM_HEIGHT,
      data: { values: marks },
      encoding: {
        x: { field: 'value', type: 'quantitative', title: null, scale: { zero: false }, axis: { format: axisFormat(marks.map((m) => m.value)), grid: true } },
        y,
        color: colorEncoding(datasets),
      },
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.6 },
          encoding: { x: { aggregate: 'min', field: 'value' }, x2: { aggregate: 'max', field: 'value' } },
        },
        {
          mark: { type: 'point', filled: true, size: 36, opacity: 0.95 },
          encoding: {
            tooltip: [
              { field: 'dataset', title: 'dataset' },
              { field: 'quantile', title: 'quantile', format: '.0%' },
              { field: 'value', title: 'value', format: ',.4~g' },
            ],
          },
        },
      ],
    },
  );
}

export interface TopValueBar {
  dataset: string;
  value: string;
  /** Position of the value on the chart (by frequency in the first dataset that has it). */
  rank: number;
  frequency: number;
  share: number;
}

/** Up to TOP_VALUES_SHOWN values, ranked by the first dataset, completed by the next datasets' top values. */
export function topValueBars(feature: FeatureView<CategoricalSummary>, datasets: DatasetSummary[], limit = TOP_VALUES_SHOWN): TopValueBar[] {
  const chosen: string[] = [];
  for (const summary of feature.perDataset) {
    for (const top of summary?.topValues ?? []) {
      if (chosen.length >= limit) break;
      if (!chosen.includes(top.value)) chosen.push(top.value);
    }
  }
  return datasets.flatMap((d, i) => {
    const summary = feature.perDataset[i];
    if (!summary) return [];
    const frequencies = new Map(summary.topValues.map((t) => [t.value, t.frequency]));
    return chosen
      .filter((value) => frequencies.has(value))
      .map((value) => {
        const frequency = frequencies.get(value)!;
        return { dataset: d.name, value, rank: chosen.indexOf(value), frequency, share: summary.totalValues > 0 ? frequency / summary.totalValues : 0 };
      });
  });
}

export function topValuesSpec(feature: FeatureView<CategoricalSummary>, datasets: DatasetSummary[]): ChartSpec {
  const bars = topValueBars(feature, datasets);
  const compare = datasets.length > 1;
  const values = [...new Set(bars.sort((a, b) => a.rank - b.rank).map((b) => b.value))];
  const inChart = datasets.filter((d) => bars.some((b) => b.dataset === d.name)).length;
  return chartSpec(
    { chart: 'topValues', feature: feature.name },
    {
      description: `Most frequent values of ${feature.name}`,
      width: CHART_WIDTH - 60,
      height: { step: Math.max(12, 5 * inChart + 4), for: 'position' },
      data: { values: bars },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'value', type: 'nominal', title: null, sort: values, axis: { labelLimit: 140, ticks: false, domain: false } },
        yOffset: { field: 'dataset', sort: datasets.map((d) => d.name) },
        x: { field: compare ? 'share' : 'frequency', type: 'quantitative', title: null, axis: { format: compare ? '~%' : '~s', tickCount: 3 } },
        color: colorEncoding(datasets),
        tooltip: [
          { field: 'dataset', title: 'dataset' },
          { field: 'value', title: 'value' },
          { field: 'frequency', title: 'count', format: ',.0f' },
          { field: 'share', title: 'share of values', format: '.1%' },
        ],
      },
    },
  );
}

export interface FeatureCharts {
  feature: string;
  specs: ChartSpec[];
}

/** Every chart of the view, in table order: per numeric feature STANDARD then QUANTILES, per categorical feature top values. */
export function statisticsChartSpecs(model: StatisticsViewModel): ChartSpec[] {
  return [
    ...model.numeric.flatMap((f) => [standardHistogramSpec(f, model.datasets), quantilesSpec(f, model.datasets)]),
    ...model.categorical.filter((f) => f.perDataset.some((s) => s && s.topValues.length > 0)).map((f) => topValuesSpec(f, model.datasets)),
  ];
}
