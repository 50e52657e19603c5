/**
 * Field-by-field comparison of our statistics with TFDV's. Returns every difference as a line
 * (feature, field, ours, TFDV's), so a failing test prints the whole list at once.
 *
 * Tolerances, each with its reason (docs/tfx-parity.md):
 * - Counts (examples, missing, values, zeros, unique, top-value and rank-histogram frequencies): exact.
 * - INT features: exact values; mean/std compared to 1e-12 relative (summation order only).
 * - FLOAT features: TFDV decodes CSV floats to float32 (tf.Example's float_list), we keep float64.
 *   Order statistics (min, max, median, quantile and histogram bucket boundaries) must equal our
 *   value rounded to float32 exactly; mean and std_dev may differ by the float32 rounding of the
 *   values, at most 2^-24 of the largest magnitude (plus the 1e-12 relative summation term).
 * - STANDARD histogram counts are interpolated from the quantiles in floating point: 1e-9 absolute.
 * - avg_length and avg_num_values are proto `float` fields: equal after rounding ours to float32.
 */
import type { CommonStatistics, DatasetFeatureStatistics, FeatureNameStatistics, Histogram } from '../../src/stats/types';

const F32_EPS = 2 ** -24;

export function compareDatasets(ours: DatasetFeatureStatistics, theirs: DatasetFeatureStatistics): string[] {
  const diffs: string[] = [];
  const name = (f: FeatureNameStatistics) => f.path.step.join('.');
  if (ours.numExamples !== theirs.numExamples) diffs.push(`numExamples: ${ours.numExamples} vs TFDV ${theirs.numExamples}`);
  const theirFeatures = new Map(theirs.features.map((f) => [name(f), f]));
  const ourFeatures = new Map(ours.features.map((f) => [name(f), f]));
  for (const n of theirFeatures.keys()) if (!ourFeatures.has(n)) diffs.push(`${n}: only in TFDV's statistics`);
  for (const n of ourFeatures.keys()) if (!theirFeatures.has(n)) diffs.push(`${n}: only in ours`);
  for (const [n, o] of ourFeatures) {
    const t = theirFeatures.get(n);
    if (t) diffs.push(...compareFeature(o, t).map((d) => `${n}.${d}`));
  }
  return diffs;
}

function compareFeature(o: FeatureNameStatistics, t: FeatureNameStatistics): string[] {
  const diffs: string[] = [];
  if (o.type !== t.type) return [`type: ${o.type} vs TFDV ${t.type}`];
  const exact = (field: string, a: unknown, b: unknown) => { if (a !== b) diffs.push(`${field}: ${a} vs TFDV ${b}`); };
  const close = (field: string, a: number, b: number, tol: number) => {
    if (!(Math.abs(a - b) <= tol) && !(Number.isNaN(a) && Number.isNaN(b))) diffs.push(`${field}: ${a} vs TFDV ${b} (|diff| ${Math.abs(a - b)} > ${tol})`);
  };
  const isFloat = o.type === 'FLOAT';
  /** An order statistic (a data value): exact, after float32 rounding for FLOAT features. */
  const value = (field: string, a: number, b: number) => exact(field, isFloat ? Math.fround(a) : a, b);
  const common = (field: string, a: CommonStatistics, b: CommonStatistics) => {
    for (const k of ['numNonMissing', 'numMissing', 'minNumValues', 'maxNumValues', 'totNumValues'] as const) exact(`${field}.${k}`, a[k], b[k]);
    // avg_num_values is a proto `float`: TFDV's value is float32.
    exact(`${field}.avgNumValues`, Math.fround(a.avgNumValues), Math.fround(b.avgNumValues));
    if (a.numValuesHistogram || b.numValuesHistogram) diffs.push(...compareHistogram(`${field}.numValuesHistogram`, a.numValuesHistogram, b.numValuesHistogram, (x) => x, 1e-9));
  };
  if (o.numStats || t.numStats) {
    if (!o.numStats || !t.numStats) return [`numStats: ${o.numStats ? 'ours only' : 'TFDV only'}`];
    const a = o.numStats;
    const b = t.numStats;
    common('numStats.commonStats', a.commonStats, b.commonStats);
    exact('numStats.numZeros', a.numZeros, b.numZeros);
    value('numStats.min', a.min, b.min);
    value('numStats.max', a.max, b.max);
    value('numStats.median', a.median, b.median);
    const magnitude = Math.max(Math.abs(b.min), Math.abs(b.max));
    const rounding = isFloat ? F32_EPS * magnitude : 0;
    close('numStats.mean', a.mean, b.mean, rounding + 1e-12 * Math.abs(b.mean));
    close('numStats.stdDev', a.stdDev, b.stdDev, 2 * rounding + 1e-9 * Math.abs(b.stdDev));
    if (a.histograms.length !== b.histograms.length) diffs.push(`numStats.histograms: ${a.histograms.length} vs TFDV ${b.histograms.length}`);
    for (let i = 0; i < Math.min(a.histograms.length, b.histograms.length); i++) {
      const type = b.histograms[i].type;
      const round = (x: number) => (isFloat ? Math.fround(x) : x);
      diffs.push(...compareHistogram(`numStats.histograms[${type}]`, a.histograms[i], b.histograms[i], type === 'QUANTILES' ? round : (x) => x, 1e-9, type === 'STANDARD' && isFloat ? F32_EPS * magnitude : 0));
    }
  }
  if (o.stringStats || t.stringStats) {
    if (!o.stringStats || !t.stringStats) return [...diffs, `stringStats: ${o.stringStats ? 'ours only' : 'TFDV only'}`];
    const a = o.stringStats;
    const b = t.stringStats;
    common('stringStats.commonStats', a.commonStats, b.commonStats);
    exact('stringStats.unique', a.unique, b.unique);
    // avg_length is a proto `float`: TFDV's value is float32.
    exact('stringStats.avgLength', Math.fround(a.avgLength), Math.fround(b.avgLength));
    const tv = (x: { value: string; frequency: number }[]) => x.map((v) => `${JSON.stringify(v.value)}×${v.frequency}`).join(', ');
    exact('stringStats.topValues', tv(a.topValues), tv(b.topValues));
    const rh = (x: { buckets: { lowRank: number; highRank: number; label: string; sampleCount: number }[] }) =>
      x.buckets.map((v) => `${v.lowRank}-${v.highRank}:${JSON.stringify(v.label)}×${v.sampleCount}`).join(', ');
    exact('stringStats.rankHistogram', rh(a.rankHistogram), rh(b.rankHistogram));
  }
  return diffs;
}

/**
 * Buckets compared one by one: boundaries through `bound` (float32 rounding for FLOAT quantiles),
 * exact, or within `boundTol` for STANDARD histograms (boundaries computed from min and max);
 * counts within `countTol`.
 */
function compareHistogram(field: string, a: Histogram | undefined, b: Histogram | undefined, bound: (x: number) => number, countTol: number, boundTol = 0): string[] {
  if (!a || !b) return [`${field}: ${a ? 'ours only' : 'TFDV only'}`];
  const diffs: string[] = [];
  if (a.numNan !== b.numNan) diffs.push(`${field}.numNan: ${a.numNan} vs TFDV ${b.numNan}`);
  if (a.numUndefined !== b.numUndefined) diffs.push(`${field}.numUndefined: ${a.numUndefined} vs TFDV ${b.numUndefined}`);
  if (a.buckets.length !== b.buckets.length) return [...diffs, `${field}: ${a.buckets.length} buckets vs TFDV ${b.buckets.length}`];
  a.buckets.forEach((x, i) => {
    const y = b.buckets[i];
    for (const k of ['lowValue', 'highValue'] as const) {
      const ok = boundTol > 0 ? Math.abs(x[k] - y[k]) <= boundTol : bound(x[k]) === y[k];
      if (!ok) diffs.push(`${field}.buckets[${i}].${k}: ${x[k]} vs TFDV ${y[k]}`);
    }
    if (!(Math.abs(x.sampleCount - y.sampleCount) <= countTol)) diffs.push(`${field}.buckets[${i}].sampleCount: ${x.sampleCount} vs TFDV ${y.sampleCount}`);
  });
  return diffs;
}
