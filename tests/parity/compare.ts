/**
 * Field-by-field comparison of our statistics with TFDV's, on the same file. Returns every difference
 * as a line (feature, field, ours, TFDV's), so a failing test prints the whole list at once.
 *
 * The input's FLOAT columns are float32 values already (tfdv.test.ts rounds them, as TFDV's CSV
 * decoder and tf.Example do), so both sides see identical values and the comparison is exact:
 * - counts, min, max, zeros, unique, top values, rank histograms, avg_length / avg_num_values
 *   (proto `float` fields: compared as float32): exact;
 * - mean and std_dev: 1e-12 relative (summation order); STANDARD histogram counts (interpolated from
 *   the quantiles in floating point): 1e-9;
 * - quantiles (median, QUANTILES histogram, and the STANDARD counts derived from them) are exact,
 *   except where TFDV's quantile sketch is approximate: there each of TFDV's boundaries must lie
 *   within TFDV's guaranteed rank error (epsilon 0.01 of the examples) of the exact rank, which the
 *   caller checks against the data (`approximateQuantiles`).
 */
import type { CommonStatistics, DatasetFeatureStatistics, FeatureNameStatistics, Histogram } from '../../src/stats/types';

/** TFDV's quantile sketch epsilon (StatsOptions default). */
export const TFDV_EPSILON = 0.01;

/** Features whose quantiles TFDV approximated, with the check that its boundaries are within the sketch's rank error. */
export interface ApproximateQuantiles {
  features: ReadonlySet<string>;
}

export function compareDatasets(
  ours: DatasetFeatureStatistics,
  theirs: DatasetFeatureStatistics,
  approximate: ApproximateQuantiles = { features: new Set() },
): string[] {
  const diffs: string[] = [];
  const name = (f: FeatureNameStatistics) => f.path.step.join('.');
  if (ours.numExamples !== theirs.numExamples) diffs.push(`numExamples: ${ours.numExamples} vs TFDV ${theirs.numExamples}`);
  const theirFeatures = new Map(theirs.features.map((f) => [name(f), f]));
  const ourFeatures = new Map(ours.features.map((f) => [name(f), f]));
  for (const n of theirFeatures.keys()) if (!ourFeatures.has(n)) diffs.push(`${n}: only in TFDV's statistics`);
  for (const n of ourFeatures.keys()) if (!theirFeatures.has(n)) diffs.push(`${n}: only in ours`);
  for (const [n, o] of ourFeatures) {
    const t = theirFeatures.get(n);
    if (t) diffs.push(...compareFeature(o, t, approximate.features.has(n) ? ours.numExamples : 0).map((d) => `${n}.${d}`));
  }
  return diffs;
}

/** `sketchN` > 0: TFDV's quantiles are approximate for this feature (n examples); quantile-derived fields are checked by the caller. */
function compareFeature(o: FeatureNameStatistics, t: FeatureNameStatistics, sketchN = 0): string[] {
  const diffs: string[] = [];
  if (o.type !== t.type) return [`type: ${o.type} vs TFDV ${t.type}`];
  const exact = (field: string, a: unknown, b: unknown) => {
    if (a !== b) diffs.push(`${field}: ${a} vs TFDV ${b}`);
  };
  const close = (field: string, a: number, b: number, tol: number) => {
    if (!(Math.abs(a - b) <= tol) && !(Number.isNaN(a) && Number.isNaN(b))) diffs.push(`${field}: ${a} vs TFDV ${b} (|diff| ${Math.abs(a - b)} > ${tol})`);
  };
  const common = (field: string, a: CommonStatistics, b: CommonStatistics) => {
    for (const k of ['numNonMissing', 'numMissing', 'minNumValues', 'maxNumValues', 'totNumValues'] as const) exact(`${field}.${k}`, a[k], b[k]);
    // avg_num_values is a proto `float`: TFDV's value is float32.
    exact(`${field}.avgNumValues`, Math.fround(a.avgNumValues), Math.fround(b.avgNumValues));
    if (a.numValuesHistogram || b.numValuesHistogram)
      diffs.push(...compareHistogram(`${field}.numValuesHistogram`, a.numValuesHistogram, b.numValuesHistogram, (x) => x, 1e-9));
  };
  if (o.numStats || t.numStats) {
    if (!o.numStats || !t.numStats) return [`numStats: ${o.numStats ? 'ours only' : 'TFDV only'}`];
    const a = o.numStats;
    const b = t.numStats;
    common('numStats.commonStats', a.commonStats, b.commonStats);
    exact('numStats.numZeros', a.numZeros, b.numZeros);
    exact('numStats.min', a.min, b.min);
    exact('numStats.max', a.max, b.max);
    const magnitude = Math.max(Math.abs(b.mean), Math.abs(b.min), Math.abs(b.max));
    close('numStats.mean', a.mean, b.mean, 1e-12 * magnitude);
    close('numStats.stdDev', a.stdDev, b.stdDev, 1e-9 * Math.abs(b.stdDev) + 1e-12 * magnitude);
    if (a.histograms.length !== b.histograms.length) diffs.push(`numStats.histograms: ${a.histograms.length} vs TFDV ${b.histograms.length}`);
    if (sketchN > 0) {
      // Quantile-derived fields: the caller checks TFDV's values against the sketch's rank error.
      const eps = TFDV_EPSILON * sketchN;
      for (let i = 0; i < Math.min(a.histograms.length, b.histograms.length); i++) {
        const x = a.histograms[i];
        const y = b.histograms[i];
        if (x.type === 'STANDARD') {
          // Equal-width buckets: the same edges; each count is a difference of two cumulative counts, each within eps.
          diffs.push(...compareHistogram(`numStats.histograms[STANDARD]`, x, y, (v) => v, 2 * eps, 1e-9 * Math.max(1, Math.abs(b.max - b.min))));
        }
      }
    } else {
      exact('numStats.median', a.median, b.median);
      for (let i = 0; i < Math.min(a.histograms.length, b.histograms.length); i++) {
        diffs.push(...compareHistogram(`numStats.histograms[${b.histograms[i].type}]`, a.histograms[i], b.histograms[i], (x) => x, 1e-9));
      }
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
function compareHistogram(
  field: string,
  a: Histogram | undefined,
  b: Histogram | undefined,
  bound: (x: number) => number,
  countTol: number,
  boundTol = 0,
): string[] {
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
