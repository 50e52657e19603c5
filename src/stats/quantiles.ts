/**
 * Quantiles the way TFDV derives them, so medians and histograms match TFDV's numbers.
 *
 * TFDV keeps a weighted quantiles summary per numeric feature (tfx_bsl's QuantilesSketch, the
 * Greenwald–Khanna-style summary from TensorFlow's boosted trees, epsilon 0.01), asks it for
 * 1000 quantiles (10 buckets × factor 100) with their cumulative weights, and derives from those:
 * the median (`find_median`), the STANDARD histogram (equal-width buckets whose counts are
 * interpolated from the quantiles) and the QUANTILES histogram (the 1000 quantiles re-binned by 100).
 *
 * The summary here has the same entries and rank semantics. Built from exact value counts it is
 * TFDV's summary before any compression, i.e. exact; that is what TFDV's sketch holds as long as it
 * has not compressed (few distinct values), and within TFDV's epsilon of it otherwise. Summaries
 * merge (shards, files, threads) with TFDV's merge rule and compress to a bounded size.
 */

export interface QuantilesAndWeights {
  /** numQuantiles + 1 boundaries, first = min, last = max. */
  quantiles: number[];
  /** Total weight of values ≤ each boundary (the summary's max rank), as tfx_bsl returns it. */
  cumulativeWeights: number[];
}

/** A sorted weighted summary: entry i holds `value`, its `weight`, and bounds on its rank. */
export class WeightedQuantilesSummary {
  private constructor(
    readonly values: Float64Array,
    readonly weights: Float64Array,
    readonly minRanks: Float64Array,
    readonly maxRanks: Float64Array,
  ) {}

  static empty(): WeightedQuantilesSummary {
    return new WeightedQuantilesSummary(new Float64Array(0), new Float64Array(0), new Float64Array(0), new Float64Array(0));
  }

  /** Exact summary from distinct values (ascending) and their counts. */
  static fromValueCounts(values: ArrayLike<number>, counts: ArrayLike<number>): WeightedQuantilesSummary {
    const n = values.length;
    const v = new Float64Array(n);
    const w = new Float64Array(n);
    const lo = new Float64Array(n);
    const hi = new Float64Array(n);
    let cumulative = 0;
    for (let i = 0; i < n; i++) {
      if (i > 0 && !(values[i] > values[i - 1])) throw new Error('WeightedQuantilesSummary.fromValueCounts needs strictly ascending values');
      v[i] = values[i];
      w[i] = counts[i];
      lo[i] = cumulative;
      cumulative += counts[i];
      hi[i] = cumulative;
    }
    return new WeightedQuantilesSummary(v, w, lo, hi);
  }

  get size(): number {
    return this.values.length;
  }

  get totalWeight(): number {
    return this.size ? this.maxRanks[this.size - 1] : 0;
  }

  /** TFDV's (TensorFlow boosted trees') merge: a merge sort of entries that keeps rank bounds valid. */
  merge(other: WeightedQuantilesSummary): WeightedQuantilesSummary {
    if (other.size === 0) return this;
    if (this.size === 0) return other;
    const out = { v: [] as number[], w: [] as number[], lo: [] as number[], hi: [] as number[] };
    const push = (v: number, w: number, lo: number, hi: number) => {
      out.v.push(v);
      out.w.push(w);
      out.lo.push(lo);
      out.hi.push(hi);
    };
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the merge reads both sketches symmetrically as a and b
    const a = this;
    const b = other;
    let i = 0;
    let j = 0;
    let nextMinRankA = 0;
    let nextMinRankB = 0;
    while (i < a.size && j < b.size) {
      if (a.values[i] < b.values[j]) {
        push(a.values[i], a.weights[i], a.minRanks[i] + nextMinRankB, a.maxRanks[i] + (b.maxRanks[j] - b.weights[j]));
        nextMinRankA = a.minRanks[i] + a.weights[i];
        i++;
      } else if (b.values[j] < a.values[i]) {
        push(b.values[j], b.weights[j], b.minRanks[j] + nextMinRankA, b.maxRanks[j] + (a.maxRanks[i] - a.weights[i]));
        nextMinRankB = b.minRanks[j] + b.weights[j];
        j++;
      } else {
        push(a.values[i], a.weights[i] + b.weights[j], a.minRanks[i] + b.minRanks[j], a.maxRanks[i] + b.maxRanks[j]);
        nextMinRankA = a.minRanks[i] + a.weights[i];
        nextMinRankB = b.minRanks[j] + b.weights[j];
        i++;
        j++;
      }
    }
    for (; i < a.size; i++) push(a.values[i], a.weights[i], a.minRanks[i] + nextMinRankB, a.maxRanks[i] + b.maxRanks[b.size - 1]);
    for (; j < b.size; j++) push(b.values[j], b.weights[j], b.minRanks[j] + nextMinRankA, b.maxRanks[j] + a.maxRanks[a.size - 1]);
    return new WeightedQuantilesSummary(Float64Array.from(out.v), Float64Array.from(out.w), Float64Array.from(out.lo), Float64Array.from(out.hi));
  }

  /**
   * Bounded size (TFDV's Compress): keeps first and last entries and drops entries whose rank gap
   * stays within TotalWeight × max(1/sizeHint, minEps). Keeps memory bounded when shards merge.
   */
  compress(sizeHint: number, minEps = 0): WeightedQuantilesSummary {
    sizeHint = Math.max(sizeHint, 2);
    if (this.size <= sizeHint) return this;
    const epsDelta = this.totalWeight * Math.max(1 / sizeHint, minEps);
    const keep: number[] = [0];
    let addAccumulator = 0;
    const addStep = this.size;
    let last = 0;
    for (let read = 0; read + 1 !== this.size;) {
      let next = read + 1;
      while (
        next !== this.size &&
        addAccumulator < addStep &&
        this.maxRanks[next] - this.weights[next] - (this.minRanks[read] + this.weights[read]) <= epsDelta
      ) {
        addAccumulator += sizeHint;
        next++;
      }
      read = read === next - 1 ? read + 1 : next - 1;
      keep.push(read);
      last = read;
      addAccumulator -= addStep;
    }
    const indices = keep;
    if (last + 1 !== this.size) indices.push(this.size - 1);
    const pick = (arr: Float64Array) => Float64Array.from(indices, (k) => arr[k]);
    return new WeightedQuantilesSummary(pick(this.values), pick(this.weights), pick(this.minRanks), pick(this.maxRanks));
  }

  /** tfx_bsl's GenerateQuantilesAndCumulativeWeights: numQuantiles + 1 rank queries, min and max included. */
  quantilesAndCumulativeWeights(numQuantiles: number): QuantilesAndWeights {
    const quantiles: number[] = [];
    const cumulativeWeights: number[] = [];
    if (this.size === 0) return { quantiles, cumulativeWeights };
    numQuantiles = Math.max(numQuantiles, 2);
    const total = this.maxRanks[this.size - 1];
    for (let cur = 0, rank = 0; rank <= numQuantiles; rank++) {
      const d2 = 2 * ((rank * total) / numQuantiles);
      let next = cur + 1;
      while (next < this.size && d2 >= this.minRanks[next] + this.maxRanks[next]) next++;
      cur = next - 1;
      const pick = next === this.size || d2 < this.minRanks[cur] + this.weights[cur] + (this.maxRanks[next] - this.weights[next]) ? cur : next;
      quantiles.push(this.values[pick]);
      cumulativeWeights.push(this.maxRanks[pick]);
    }
    return { quantiles, cumulativeWeights };
  }
}

/** TFDV's find_median: the middle boundary (odd count) or the mean of the two middle ones. */
export function findMedian(quantiles: number[]): number {
  const n = quantiles.length;
  if (n === 0) throw new Error('findMedian needs at least one quantile boundary');
  const mid = Math.floor(n / 2);
  return n % 2 === 0 ? (quantiles[mid - 1] + quantiles[mid]) / 2 : quantiles[mid];
}

export interface Bucket {
  lowValue: number;
  highValue: number;
  sampleCount: number;
}

/** TFDV's rebin_quantiles: keep every `factor`-th boundary (and the first). */
export function rebinQuantiles(quantiles: number[], cumulativeWeights: number[], factor: number): QuantilesAndWeights {
  if ((cumulativeWeights.length - 1) % factor !== 0) {
    throw new Error(`Reduction factor ${factor} must divide size ${cumulativeWeights.length - 1}`);
  }
  const q = [quantiles[0]];
  const c = [cumulativeWeights[0]];
  for (let i = factor; i < quantiles.length; i += factor) {
    q.push(quantiles[i]);
    c.push(cumulativeWeights[i]);
  }
  return { quantiles: q, cumulativeWeights: c };
}

/**
 * TFDV's _get_bin_weights: bucket counts from cumulative weights (bucket k spans boundaries k and
 * k + 1). Buckets sharing an upper bound share their count evenly, and the weight at the first
 * boundary (values equal to the min) is spread over the leading buckets identical to the first one.
 * Plain numbers, no bucket objects: a STANDARD histogram reads ~1,000 of these per feature.
 */
function binCounts(boundaries: ArrayLike<number>, cumulativeWeights: ArrayLike<number>): Float64Array {
  const n = boundaries.length - 1;
  const counts = new Float64Array(Math.max(n, 0));
  for (let i = 0; i < n; i++) counts[i] = cumulativeWeights[i + 1] - cumulativeWeights[i];
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && boundaries[i + 1] === boundaries[j + 1]) j++;
    if (j > i + 1) {
      let sum = 0;
      for (let k = i; k < j; k++) sum += counts[k];
      for (let k = i; k < j; k++) counts[k] = sum / (j - i);
    }
    i = j;
  }
  let same = 0;
  while (same < n && boundaries[0] === boundaries[same] && boundaries[1] === boundaries[same + 1]) same++;
  for (let k = 0; k < same; k++) counts[k] += cumulativeWeights[0] / same;
  return counts;
}

function binWeights(boundaries: number[], cumulativeWeights: number[]): Bucket[] {
  const counts = binCounts(boundaries, cumulativeWeights);
  return Array.from(counts, (sampleCount, k) => ({ lowValue: boundaries[k], highValue: boundaries[k + 1], sampleCount }));
}

/** TFDV's generate_quantiles_histogram. */
export function quantilesHistogramBuckets(quantiles: number[], cumulativeWeights: number[]): Bucket[] {
  return binWeights(quantiles, cumulativeWeights);
}

/** Removes ±inf boundaries as TFDV's _strip_infinities; returns the count of -inf values. */
function stripInfinities(quantiles: number[], cumulativeWeights: number[], finiteMax: number, numPosInf: number) {
  let q = quantiles;
  let c = cumulativeWeights;
  let negInfIndex = 0;
  while (negInfIndex < q.length && q[negInfIndex] === -Infinity) negInfIndex++;
  let numNegInf = 0;
  if (negInfIndex) {
    numNegInf = c[negInfIndex - 1];
    q = q.slice(negInfIndex);
    c = c.slice(negInfIndex).map((x) => x - numNegInf);
  }
  if (numPosInf) {
    let posInfIndex = 0;
    while (posInfIndex < q.length && q[posInfIndex] < Infinity) posInfIndex++;
    const finiteMaxCount = c[c.length - 1] - numPosInf;
    q = q.slice(0, posInfIndex).concat([finiteMax]);
    c = c.slice(0, posInfIndex).concat([finiteMaxCount]);
  }
  return { quantiles: q, cumulativeWeights: c, numNegInf };
}

/** overlap(): the bucket lies wholly before [low, high] (the next output bucket may start after it). */
const PRECEDES = -1;
/** overlap(): the bucket lies wholly after [low, high] (so do all later ones). */
const FOLLOWS = -2;

/**
 * Fraction of the bucket [bucketLow, bucketHigh]'s samples inside [low, high] (uniform within a
 * bucket), as TFDV's _overlap; PRECEDES / FOLLOWS (both a fraction of 0) when it lies outside.
 */
function overlap(bucketLow: number, bucketHigh: number, low: number, high: number, firstBucket: boolean): number {
  if (bucketHigh === bucketLow && bucketLow === low) return firstBucket ? 1 : PRECEDES;
  if (bucketHigh < low) return PRECEDES;
  if (bucketLow > high) return FOLLOWS;
  const width = bucketHigh - bucketLow;
  if (low <= bucketLow && high >= bucketHigh) return 1;
  if (low <= bucketLow) return (high - bucketLow) / width;
  if (high >= bucketHigh) return (bucketHigh - low) / width;
  return (high - low) / width;
}

/**
 * TFDV's generate_equi_width_histogram: equal-width buckets between the finite min and max whose
 * counts come from the fine quantiles histogram by linear interpolation (so counts are fractional,
 * as in TFDV). ±inf values get their own point buckets at the ends.
 */
export function equiWidthHistogramBuckets(
  quantiles: number[],
  cumulativeWeights: number[],
  finiteMin: number,
  finiteMax: number,
  numBuckets: number,
  numPosInf: number,
): Bucket[] {
  if (!Number.isFinite(finiteMin) && !Number.isFinite(finiteMax)) {
    return [{ lowValue: finiteMin, highValue: finiteMax, sampleCount: cumulativeWeights[cumulativeWeights.length - 1] }];
  }
  const stripped = stripInfinities(quantiles, cumulativeWeights, finiteMax, numPosInf);
  const fineBounds = stripped.quantiles;
  const fine = binCounts(fineBounds, stripped.cumulativeWeights);
  let boundaries: number[];
  if (finiteMin === finiteMax) {
    boundaries = [finiteMin, finiteMax];
  } else {
    // numpy.linspace: start + i * step, with the end point set exactly.
    const step = (finiteMax - finiteMin) / numBuckets;
    boundaries = Array.from({ length: numBuckets + 1 }, (_, i) => finiteMin + i * step);
    boundaries[numBuckets] = finiteMax;
    if (!boundaries.every(Number.isFinite)) return [];
  }
  const result: Bucket[] = [];
  if (stripped.numNegInf) result.push({ lowValue: -Infinity, highValue: -Infinity, sampleCount: stripped.numNegInf });
  let start = 0;
  for (let i = 0; i < boundaries.length - 1; i++) {
    const low = boundaries[i];
    const high = boundaries[i + 1];
    let sampleCount = 0;
    for (let k = start; k < fine.length; k++) {
      const o = overlap(fineBounds[k], fineBounds[k + 1], low, high, i === 0);
      if (o === FOLLOWS) break;
      if (o === PRECEDES) start = k;
      else sampleCount += o * fine[k];
    }
    result.push({ lowValue: low, highValue: high, sampleCount });
  }
  if (numPosInf) result.push({ lowValue: Infinity, highValue: Infinity, sampleCount: numPosInf });
  return result;
}
