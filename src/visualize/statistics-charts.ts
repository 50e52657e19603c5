import type { HistogramBucket } from '../stats/types';
import type { CategoricalSummary, DatasetSummary, FeatureView, NumericSummary, StatisticsViewModel } from '../protocol/view-models';
import { digitsToSeparate, SIGNIFICANT_DIGITS, formatCount, formatNumber, formatPercent } from './html';
import { chartSpec, ChartSpec, NUMBER_FORMAT, PERCENT_FORMAT } from './vega';

/**
 * Vega-Lite specs of the statistics view, one chart per feature with one color per dataset:
 * STANDARD histogram (equal-width buckets shared by every dataset, side by side within each bucket), QUANTILES
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

/** Ticks an axis asks for (CHART_CONFIG's tickCount); their spacing decides how many digits the labels need. */
const AXIS_TICKS = 4;

/** Axis labels in the views' one number format (html.ts's formatNumber), with the digits that tell ticks apart. */
function axisFormat(values: number[]): { formatType: string; format: string } {
  const finite = values.filter(Number.isFinite);
  const magnitude = Math.max(0, ...finite.map(Math.abs));
  const span = finite.length > 0 ? Math.max(...finite) - Math.min(...finite) : 0;
  return { formatType: NUMBER_FORMAT, format: String(digitsToSeparate(magnitude, span / (AXIS_TICKS + 1))) };
}

/** A count as a tooltip says it: shared buckets re-spread stored counts, so a fractional count is "≈". */
function tooltipCount(count: number): string {
  return Math.abs(count - Math.round(count)) > 1e-6 ? `≈${formatCount(Math.round(count))}` : formatCount(count);
}

/**
 * The one value of a feature whose every split with values holds a single value (min = max, the
 * same in every split), e.g. a census tract column that is empty but for one row: no histogram
 * can show it (a full-width 100 % block), the view says it in words instead.
 */
export function singleValue(feature: FeatureView<NumericSummary>): number | undefined {
  const present = feature.perDataset.filter((s): s is NumericSummary => !!s && s.count > 0);
  if (present.length === 0) return undefined;
  const value = present[0].min;
  return Number.isFinite(value) && present.every((s) => s.min === value && s.max === value) ? value : undefined;
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

/** Buckets of the shared STANDARD histogram (the most any dataset stored; TFDV's default is 10). */
function sharedBucketCount(buckets: HistogramBucket[][]): number {
  return Math.max(1, ...buckets.map((b) => b.length));
}

/**
 * Bars of the STANDARD histograms on SHARED bucket edges: equal-width buckets over the merged
 * finite range of every dataset shown, each dataset in its own slot of every bucket, so train and
 * eval are compared bucket by bucket (each split's stored histogram has edges of its own range).
 * A stored bucket's count is spread over the shared buckets it overlaps in proportion to the
 * overlap (values assumed uniform within a stored bucket, the only assumption a histogram allows);
 * a zero-width bucket (a single value) goes whole to the bucket holding its value; open-ended
 * (±inf) buckets are clamped to the finite range. Counts are preserved per dataset.
 */
export function standardHistogramBars(feature: FeatureView<NumericSummary>, datasets: DatasetSummary[]): HistogramBar[] {
  const present = datasets.map((d, i) => ({ d, s: feature.perDataset[i] })).filter((x) => x.s && x.s.standard.length > 0);
  const extent = finiteExtent(present.flatMap((x) => x.s!.standard));
  if (!extent) return [];
  const span = extent[1] - extent[0];
  // A constant feature gets one visible bar around its value.
  const pad = span > 0 ? 0 : Math.max(Math.abs(extent[0]) * 0.05, 0.5);
  const lo = extent[0] - pad;
  const hi = extent[1] + pad;
  const n = span > 0 ? sharedBucketCount(present.map((x) => x.s!.standard)) : 1;
  const width = (hi - lo) / n;
  const edges = Array.from({ length: n + 1 }, (_, k) => (k === n ? hi : lo + k * width));
  const indexOf = (v: number) => Math.min(n - 1, Math.max(0, Math.floor((v - lo) / width)));
  return present.flatMap(({ d, s }, slot) => {
    const counts = new Array<number>(n).fill(0);
    for (const b of s!.standard) {
      const low = Math.min(Math.max(b.lowValue, lo), hi);
      const high = Math.min(Math.max(b.highValue, lo), hi);
      if (!(high > low)) {
        counts[indexOf(low)] += b.sampleCount;
        continue;
      }
      for (let k = indexOf(low); k <= indexOf(high) && k < n; k++) {
        const overlap = Math.min(high, edges[k + 1]) - Math.max(low, edges[k]);
        if (overlap > 0) counts[k] += (b.sampleCount * overlap) / (high - low);
      }
    }
    const total = counts.reduce((sum, c) => sum + c, 0);
    return counts.map((count, k) => ({
      dataset: d.name,
      low: edges[k],
      high: edges[k + 1],
      count,
      share: total > 0 ? count / total : 0,
      x0: edges[k] + (width * slot) / present.length,
      x1: edges[k] + (width * (slot + 1)) / present.length,
    }));
  });
}

/** Hover bands of a histogram: one per shared bucket, with its range and every dataset's count and share. */
export interface BucketTip {
  x0: number;
  x1: number;
  tip: string;
}

/** Per bucket: "12.5 – 15" then one line per dataset ("train: 1,234 (12.3%)"); a dataset without values says so. */
export function histogramTips(bars: HistogramBar[], datasets: DatasetSummary[]): BucketTip[] {
  const shown = datasets.filter((d) => bars.some((b) => b.dataset === d.name));
  const first = bars.filter((b) => b.dataset === shown[0]?.name);
  if (first.length === 0) return [];
  const edges = first.flatMap((b) => [b.low, b.high]);
  const digits = digitsToSeparate(Math.max(...edges.map(Math.abs)), first[0].high - first[0].low, SIGNIFICANT_DIGITS);
  return first.map((bucket, k) => {
    const lines = datasets.map((d) => {
      const bar = bars.find((b) => b.dataset === d.name && b.low === bucket.low);
      return bar ? `${d.name}: ${tooltipCount(bar.count)} (${formatPercent(bar.share)})` : `${d.name}: no values`;
    });
    // The last bucket holds its upper edge too (TFDV's buckets are [low, high), the last [low, high]).
    const range = `${formatNumber(bucket.low, digits)} to ${formatNumber(bucket.high, digits)}${k === first.length - 1 ? ' (inclusive)' : ''}`;
    return { x0: bucket.low, x1: bucket.high, tip: [range, ...lines].join('\n') };
  });
}

/**
 * The STANDARD histogram; `log` draws the heights on a symmetric-log scale (Facets' "log" switch),
 * so the few values in a heavy tail (fares, trip miles, tips) are not a hairline beside one bar.
 * Each bucket has an invisible band on top whose SVG <title> is its tooltip (range, count and
 * share per dataset), shown on hover without JavaScript.
 */
export function standardHistogramSpec(feature: FeatureView<NumericSummary>, datasets: DatasetSummary[], options: { log?: boolean } = {}): ChartSpec {
  const bars = standardHistogramBars(feature, datasets);
  const compare = datasets.length > 1;
  const yField = compare ? 'share' : 'count';
  // symlog is linear near 0 and logarithmic beyond `constant`: one value (or 0.1 % of a split) is the smallest step shown.
  const yScale = options.log ? { scale: { type: 'symlog', constant: compare ? 0.001 : 1 } } : {};
  const x = {
    field: 'x0',
    type: 'quantitative',
    title: null,
    scale: { zero: false, nice: false },
    axis: { ...axisFormat(bars.flatMap((b) => [b.low, b.high])), grid: false },
  };
  return chartSpec(
    { chart: options.log ? 'log' : 'standard', feature: feature.name },
    {
      description: `Histogram (equal-width buckets${options.log ? ', log scale' : ''}) of ${feature.name}`,
      width: CHART_WIDTH,
      height: HISTOGRAM_HEIGHT,
      layer: [
        {
          data: { values: bars },
          mark: { type: 'rect', stroke: null, opacity: 0.9 },
          encoding: {
            x,
            x2: { field: 'x1' },
            y: {
              field: yField,
              type: 'quantitative',
              title: null,
              ...yScale,
              axis: compare ? { formatType: PERCENT_FORMAT, tickCount: 3 } : { formatType: NUMBER_FORMAT, tickCount: 3 },
            },
            color: colorEncoding(datasets),
          },
        },
        {
          data: { values: histogramTips(bars, datasets) },
          mark: { type: 'rect', fill: '#000', fillOpacity: 0, stroke: null, aria: true },
          encoding: { x, x2: { field: 'x1' }, y: { value: 0 }, y2: { value: HISTOGRAM_HEIGHT }, description: { field: 'tip' } },
        },
      ],
    },
  );
}

export interface QuantileMark {
  dataset: string;
  /** 0 (min) to 1 (max) in steps of 1/buckets. */
  quantile: number;
  value: number;
  /** Hover text: "eval: median 7.85". */
  tip: string;
}

function quantileTip(dataset: string, quantile: number, value: number): string {
  const name = quantile === 0 ? 'min' : quantile === 1 ? 'max' : quantile === 0.5 ? 'median' : `${Math.round(quantile * 100)}th percentile`;
  return `${dataset}: ${name} ${formatNumber(value)}`;
}

/** The boundaries of the QUANTILES histogram: min, each decile (with 10 buckets), max. */
export function quantileMarks(feature: FeatureView<NumericSummary>, datasets: DatasetSummary[]): QuantileMark[] {
  return datasets.flatMap((d, i) => {
    const buckets = feature.perDataset[i]?.quantiles ?? [];
    if (buckets.length === 0) return [];
    const boundaries = [buckets[0].lowValue, ...buckets.map((b) => b.highValue)];
    return boundaries
      .map((value, k) => ({ dataset: d.name, quantile: k / buckets.length, value, tip: quantileTip(d.name, k / buckets.length, value) }))
      .filter((m) => Number.isFinite(m.value));
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
        x: { field: 'value', type: 'quantitative', title: null, scale: { zero: false }, axis: { ...axisFormat(marks.map((m) => m.value)), grid: true } },
        y,
        color: colorEncoding(datasets),
      },
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 1.5, opacity: 0.6 },
          encoding: { x: { aggregate: 'min', field: 'value' }, x2: { aggregate: 'max', field: 'value' } },
        },
        {
          mark: { type: 'point', filled: true, size: 36, opacity: 0.95, aria: true },
          encoding: { description: { field: 'tip' } },
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

/** Hover bands of the top-values chart: one per value, with every dataset's count and share of values. */
export function topValueTips(bars: TopValueBar[], datasets: DatasetSummary[]): { value: string; tip: string }[] {
  const values = [...new Set([...bars].sort((a, b) => a.rank - b.rank).map((b) => b.value))];
  return values.map((value) => {
    const lines = datasets.map((d) => {
      const bar = bars.find((b) => b.dataset === d.name && b.value === value);
      return bar ? `${d.name}: ${formatCount(bar.frequency)} (${formatPercent(bar.share)})` : `${d.name}: not among its top values`;
    });
    return { value, tip: [value, ...lines].join('\n') };
  });
}

export function topValuesSpec(feature: FeatureView<CategoricalSummary>, datasets: DatasetSummary[]): ChartSpec {
  const bars = topValueBars(feature, datasets);
  const compare = datasets.length > 1;
  const values = [...new Set([...bars].sort((a, b) => a.rank - b.rank).map((b) => b.value))];
  const inChart = datasets.filter((d) => bars.some((b) => b.dataset === d.name)).length;
  const width = CHART_WIDTH - 60;
  const y = { field: 'value', type: 'nominal', title: null, sort: values, axis: { labelLimit: 140, ticks: false, domain: false } };
  return chartSpec(
    { chart: 'topValues', feature: feature.name },
    {
      description: `Most frequent values of ${feature.name}`,
      width,
      height: { step: Math.max(12, 5 * inChart + 4), for: 'position' },
      layer: [
        {
          data: { values: bars },
          mark: { type: 'bar' },
          encoding: {
            y,
            yOffset: { field: 'dataset', sort: datasets.map((d) => d.name) },
            x: {
              field: compare ? 'share' : 'frequency',
              type: 'quantitative',
              title: null,
              axis: { formatType: compare ? PERCENT_FORMAT : NUMBER_FORMAT, tickCount: 3 },
            },
            color: colorEncoding(datasets),
          },
        },
        {
          data: { values: topValueTips(bars, datasets) },
          mark: { type: 'rect', fill: '#000', fillOpacity: 0, stroke: null, aria: true },
          encoding: { y, x: { value: 0 }, x2: { value: width }, description: { field: 'tip' } },
        },
      ],
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
    // A single-valued feature is said in words (statistics-html.ts), not drawn as a full-width block.
    ...model.numeric
      .filter((f) => singleValue(f) === undefined)
      .flatMap((f) => [standardHistogramSpec(f, model.datasets), standardHistogramSpec(f, model.datasets, { log: true }), quantilesSpec(f, model.datasets)]),
    ...model.categorical.filter((f) => f.perDataset.some((s) => s && s.topValues.length > 0)).map((f) => topValuesSpec(f, model.datasets)),
  ];
}

/** What the features can be sorted by, as Facets Overview offers. */
export interface FeatureScores {
  /** The largest missing share over the datasets. */
  missing: number;
  /** L-infinity distance between the first two datasets' distributions (shared histogram buckets or top values); 0 with one dataset. */
  drift: number;
  /** 1 − normalized entropy of the first dataset's distribution: 0 for uniform, 1 for one value. */
  nonUniformity: number;
}

function nonUniformity(shares: number[]): number {
  const p = shares.filter((s) => s > 0);
  if (p.length <= 1) return shares.length > 1 || p.length === 1 ? 1 : 0;
  const entropy = -p.reduce((sum, s) => sum + s * Math.log(s), 0);
  return Math.max(0, 1 - entropy / Math.log(shares.length));
}

export function numericScores(feature: FeatureView<NumericSummary>, datasets: DatasetSummary[]): FeatureScores {
  const bars = standardHistogramBars(feature, datasets);
  const byDataset = datasets.map((d) => bars.filter((b) => b.dataset === d.name).map((b) => b.share)).filter((s) => s.length > 0);
  const drift = byDataset.length > 1 ? Math.max(0, ...byDataset[0].map((s, k) => Math.abs(s - (byDataset[1][k] ?? 0)))) : 0;
  return {
    missing: Math.max(0, ...feature.perDataset.map((s) => s?.missingFraction ?? 0)),
    drift,
    nonUniformity: byDataset.length > 0 ? nonUniformity(byDataset[0]) : 0,
  };
}

export function categoricalScores(feature: FeatureView<CategoricalSummary>, datasets: DatasetSummary[]): FeatureScores {
  const bars = topValueBars(feature, datasets, Number.MAX_SAFE_INTEGER);
  const shares = (i: number) => new Map(bars.filter((b) => b.dataset === datasets[i]?.name).map((b) => [b.value, b.share]));
  const [a, b] = [shares(0), shares(1)];
  const values = new Set([...a.keys(), ...b.keys()]);
  const drift = datasets.length > 1 && b.size > 0 ? Math.max(0, ...[...values].map((v) => Math.abs((a.get(v) ?? 0) - (b.get(v) ?? 0)))) : 0;
  // Entropy over the values TFDV kept (top values) and the remaining unique values, taken as equally
  // frequent (all the stored statistics allow), normalized by the log of the number of unique values.
  const first = feature.perDataset[0];
  const kept = [...a.values()].filter((s) => s > 0);
  const rest = Math.max(0, 1 - kept.reduce((sum, s) => sum + s, 0));
  const unique = Math.max(first?.unique ?? 0, kept.length);
  const others = unique - kept.length;
  const entropy = -kept.reduce((sum, s) => sum + s * Math.log(s), 0) - (others > 0 && rest > 0 ? rest * Math.log(rest / others) : 0);
  const score = unique > 1 ? Math.min(1, Math.max(0, 1 - entropy / Math.log(unique))) : unique === 1 ? 1 : 0;
  return {
    missing: Math.max(0, ...feature.perDataset.map((s) => s?.missingFraction ?? 0)),
    drift,
    nonUniformity: score,
  };
}
