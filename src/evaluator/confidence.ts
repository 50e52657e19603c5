import { mulberry32 } from '../trainer/random';
import type { ConfidenceIntervalOptions } from './eval-config';
import type { MetricRequest } from './metrics';

/**
 * Confidence intervals per slice by the Poisson bootstrap (TFMA's POISSON_BOOTSTRAP): each
 * bootstrap sample weighs every example of the slice by an independent Poisson(1) count, the
 * metric is recomputed with those weights, and the interval is the samples' percentile interval
 * (numpy's default linear interpolation). Sorting the slice once by score makes each sample one
 * linear pass, so AUC intervals cost B passes over the slice instead of B sorts.
 */

/** Metrics with intervals: the binary classifier's AUC and accuracy. */
export const INTERVAL_METRICS = ['auc', 'binary_accuracy'] as const;

/** TFMA's BoundedValue: the interval around the metric's value (which stays in `metrics`). */
export interface BoundedValue {
  lowerBound: number;
  upperBound: number;
  /** Bootstrap samples in which the metric was defined (the interval's basis). */
  samples: number;
}

/** How the artifact's intervals were computed (stored once, beside the slices). */
export interface ConfidenceIntervalInfo extends ConfidenceIntervalOptions {
  metrics: string[];
}

/** Bootstrap samples in which a metric may be undefined (a one-class resample) before no interval is given. */
const MAX_UNDEFINED_SHARE = 0.05;

/**
 * The seed of one slice's resampling: the evaluation's seed mixed with the slice's name (FNV-1a),
 * so a slice gets the same samples whatever other slices are configured.
 */
export function sliceSeed(seed: number, sliceName: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < sliceName.length; i++) {
    h ^= sliceName.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Poisson(1) counts for n examples (Knuth's method: exact, and fast for a mean of 1). */
export function poissonWeights(n: number, random: () => number): Float64Array {
  const weights = new Float64Array(n);
  const limit = Math.exp(-1);
  for (let i = 0; i < n; i++) {
    let k = 0;
    let p = random();
    while (p > limit) {
      k++;
      p *= random();
    }
    weights[i] = k;
  }
  return weights;
}

/** The bootstrap weights of one slice, sample by sample (what the intervals are computed from; tests replay them). */
export function* bootstrapWeights(
  n: number,
  options: Pick<ConfidenceIntervalOptions, 'seed' | 'numBootstrapSamples'>,
  sliceName: string,
): Generator<Float64Array> {
  const random = mulberry32(sliceSeed(options.seed, sliceName));
  for (let b = 0; b < options.numBootstrapSamples; b++) yield poissonWeights(n, random);
}

/** numpy.percentile's default ("linear"): q in [0, 1] over ascending values. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/**
 * Weighted ROC AUC over slice positions sorted by descending score: cumulative weighted true and
 * false positives at each distinct score, trapezoids between them (ties as one step, as
 * scikit-learn's roc_auc_score with sample_weight). NaN without weight on both classes.
 */
function weightedAuc(labels: ArrayLike<number>, scores: ArrayLike<number>, rows: ArrayLike<number>, order: Uint32Array, w: Float64Array): number {
  let tp = 0;
  let fp = 0;
  let area = 0;
  let lastTp = 0;
  let lastFp = 0;
  for (let i = 0; i < order.length; i++) {
    const position = order[i];
    const row = rows[position];
    if (labels[row] === 1) tp += w[position];
    else fp += w[position];
    if (i === order.length - 1 || scores[rows[order[i + 1]]] !== scores[row]) {
      area += ((fp - lastFp) * (tp + lastTp)) / 2;
      lastTp = tp;
      lastFp = fp;
    }
  }
  return tp === 0 || fp === 0 ? NaN : area / (tp * fp);
}

function weightedAccuracy(labels: ArrayLike<number>, scores: ArrayLike<number>, rows: ArrayLike<number>, threshold: number, w: Float64Array): number {
  let correct = 0;
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    total += w[i];
    if (scores[row] > threshold === (labels[row] === 1)) correct += w[i];
  }
  return total === 0 ? NaN : correct / total;
}

export interface SliceIntervals {
  intervals: Record<string, BoundedValue>;
  /** Why a requested interval is not given (a one-example slice, too few of one class). */
  notes: Record<string, string>;
}

/** Bootstrap intervals of the requested interval metrics (AUC, binary accuracy) for one slice of a binary classifier. */
export function binaryIntervals(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  rows: ArrayLike<number>,
  sliceName: string,
  requests: MetricRequest[],
  options: ConfidenceIntervalOptions,
): SliceIntervals {
  const wanted = requests.filter((r) => (INTERVAL_METRICS as readonly string[]).includes(r.name));
  const out: SliceIntervals = { intervals: {}, notes: {} };
  if (wanted.length === 0) return out;
  if (rows.length < 2) {
    for (const r of wanted) out.notes[r.name] = `no confidence interval: the slice has ${rows.length} example${rows.length === 1 ? '' : 's'}`;
    return out;
  }
  const order = Uint32Array.from({ length: rows.length }, (_, i) => i).sort((a, b) => scores[rows[b]] - scores[rows[a]]);
  const samples = new Map<string, number[]>(wanted.map((r) => [r.name, []]));
  for (const w of bootstrapWeights(rows.length, options, sliceName)) {
    for (const r of wanted) {
      const value = r.name === 'auc' ? weightedAuc(labels, scores, rows, order, w) : weightedAccuracy(labels, scores, rows, r.config?.threshold ?? 0.5, w);
      samples.get(r.name)!.push(value);
    }
  }
  const tail = (1 - options.confidenceLevel) / 2;
  for (const r of wanted) {
    const all = samples.get(r.name)!;
    const defined = all.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
    const undefinedCount = all.length - defined.length;
    if (defined.length === 0 || undefinedCount > MAX_UNDEFINED_SHARE * all.length) {
      out.notes[r.name] =
        `no confidence interval: ${r.name} was undefined in ${undefinedCount} of ${all.length} bootstrap samples` +
        (r.name === 'auc' ? ' (resamples with one class only: too few positive or negative examples)' : '');
      continue;
    }
    out.intervals[r.name] = { lowerBound: percentile(defined, tail), upperBound: percentile(defined, 1 - tail), samples: defined.length };
  }
  return out;
}
