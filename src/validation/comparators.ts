/**
 * TFDV's drift/skew distances (anomalies/metrics.cc):
 *  - L-infinity distance between the normalized value-count distributions of a string (or
 *    categorical) feature, with the value where it is reached;
 *  - approximate Jensen-Shannon divergence (log base 2) between the STANDARD histograms of a
 *    numeric feature, after re-bucketing both onto the union of their boundaries (uniform mass
 *    within a bucket) and adding a NaN bucket when either has NaNs.
 */
import type { FeatureNameStatistics, Histogram, HistogramBucket } from '../stats/types';

/** Value → count of a string feature, from its rank histogram (all ranked values) or else its top values, as TFDV's view. */
export function stringValuesWithCounts(feature: FeatureNameStatistics): Map<string, number> {
  const s = feature.stringStats;
  const out = new Map<string, number>();
  if (!s) return out;
  if (s.rankHistogram?.buckets?.length) for (const b of s.rankHistogram.buckets) out.set(b.label, (out.get(b.label) ?? 0) + b.sampleCount);
  else for (const t of s.topValues ?? []) out.set(t.value, (out.get(t.value) ?? 0) + t.frequency);
  return out;
}

function normalize(counts: Map<string, number>): Map<string, number> {
  let total = 0;
  for (const v of counts.values()) total += v;
  const out = new Map<string, number>();
  for (const [k, v] of counts) out.set(k, total === 0 ? 0 : v / total);
  return out;
}

/** Byte-wise order of UTF-8 strings, as std::map<string, ...> orders keys. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function lInftyDistance(a: FeatureNameStatistics, b: FeatureNameStatistics): { value: string; distance: number } {
  const pa = normalize(stringValuesWithCounts(a));
  const pb = normalize(stringValuesWithCounts(b));
  const keys = [...new Set([...pa.keys(), ...pb.keys()])].sort(byteOrder);
  let best = { value: '', distance: 0 };
  // Ties go to the later key in byte order, as TFDV's `>=` scan over a std::map.
  for (const key of keys) {
    const d = Math.abs((pa.get(key) ?? 0) - (pb.get(key) ?? 0));
    if (d >= best.distance) best = { value: key, distance: d };
  }
  return best;
}

interface Bucket {
  low: number;
  high: number;
  count: number;
}

export function standardHistogram(feature: FeatureNameStatistics): Histogram | undefined {
  return feature.numStats?.histograms?.find((h) => (h.type ?? 'STANDARD') === 'STANDARD');
}

/** TFDV's JensenShannonDivergence of two STANDARD histograms; undefined when a feature has none (string features). */
export function jensenShannonDivergence(a: FeatureNameStatistics, b: FeatureNameStatistics): number | undefined {
  const ha = standardHistogram(a);
  const hb = standardHistogram(b);
  if (!ha || !hb) return undefined;
  let b1 = toBuckets(ha.buckets);
  let b2 = toBuckets(hb.buckets);
  const bounds1 = boundarySet(b1);
  const bounds2 = boundarySet(b2);
  if (!sameSet(bounds1, bounds2)) {
    const boundaries = [...new Set([...bounds1, ...bounds2])].sort((x, y) => x - y);
    addSingleValueBoundary(bounds1, b1, boundaries);
    addSingleValueBoundary(bounds2, b2, boundaries);
    b1 = rebucket(boundaries, b1);
    b2 = rebucket(boundaries, b2);
  }
  if ((ha.numNan ?? 0) > 0 || (hb.numNan ?? 0) > 0) {
    b1.push({ low: NaN, high: NaN, count: ha.numNan ?? 0 });
    b2.push({ low: NaN, high: NaN, count: hb.numNan ?? 0 });
  }
  const p = normalizeCounts(b1);
  const q = normalizeCounts(b2);
  if (!p || !q) return undefined;
  const m = p.map((x, i) => (x + q[i]) / 2);
  return (kl(p, m) + kl(q, m)) / 2;
}

function toBuckets(buckets: HistogramBucket[]): Bucket[] {
  return buckets.map((b) => ({ low: b.lowValue, high: b.highValue, count: b.sampleCount }));
}

function boundarySet(buckets: Bucket[]): Set<number> {
  const s = new Set<number>();
  for (const b of buckets) {
    s.add(b.low);
    s.add(b.high);
  }
  return s;
}

function sameSet(a: Set<number>, b: Set<number>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function addSingleValueBoundary(own: Set<number>, buckets: Bucket[], boundaries: number[]): void {
  if (own.size !== 1) return;
  const value = buckets[0].low;
  let i = 0;
  while (i < boundaries.length && boundaries[i] <= value) i++;
  boundaries.splice(i, 0, value);
}

/** TFDV's RebucketHistogram: spread each bucket's count uniformly over the new boundaries it covers. */
function rebucket(boundaries: number[], buckets: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  const last = boundaries.length - 1;
  let index = 0;
  for (const { low, high, count } of buckets) {
    while (low > boundaries[index]) {
      if (index + 1 > last) throw new Error('histogram rebucketing ran past the boundaries');
      out.push({ low: boundaries[index], high: boundaries[index + 1], count: 0 });
      index++;
    }
    if (low === high && low === boundaries[index]) {
      out.push({ low: boundaries[index], high: boundaries[index + 1], count });
      index++;
      continue;
    }
    const covered: number[] = [];
    while (high > boundaries[index]) {
      covered.push(boundaries[index]);
      index++;
    }
    covered.push(boundaries[index]);
    for (let i = 0; i + 1 < covered.length; i++) {
      out.push({ low: covered[i], high: covered[i + 1], count: ((covered[i + 1] - covered[i]) / (high - low)) * count });
    }
  }
  for (let i = index; i < last; i++) out.push({ low: boundaries[i], high: boundaries[i + 1], count: 0 });
  return out;
}

function normalizeCounts(buckets: Bucket[]): number[] | undefined {
  const total = buckets.reduce((s, b) => s + b.count, 0);
  if (total === 0) return undefined;
  return buckets.map((b) => b.count / total);
}

function kl(p: number[], q: number[]): number {
  let result = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0 && q[i] > 0) result += p[i] * Math.log2(p[i] / q[i]);
  return result;
}

/** absl::SixDigits / printf("%.6g"): how TFDV prints numbers in descriptions. */
export function sixDigits(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const exponent = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(6)))));
  if (exponent < -4 || exponent >= 6) {
    const [m, e] = x.toExponential(5).split('e');
    const mantissa = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    const n = Number(e);
    return `${mantissa}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, 5 - exponent));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}
