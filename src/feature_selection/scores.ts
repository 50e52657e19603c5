import { UserError } from '../util/errors';
import type { DType } from '../transform/graph';
import type { ColumnValues } from '../transform/ops';

/**
 * Feature scores against the label, as tfx-addons' FeatureSelector computes them with
 * scikit-learn's SelectKBest:
 *  - mutual_info: mutual information (nats) between each feature and the label; strings and
 *    integer features count as categories, floats are cut into `bins` equal-frequency bins
 *    (a regression label too), so every feature gets a comparable score.
 *  - f_classif: ANOVA F statistic of each numeric feature across the label's classes.
 *  - correlation: |Pearson r| between each numeric feature and a numeric label (f_regression's
 *    ranking).
 * Missing values are a category of their own (mutual_info) or left out (f_classif, correlation).
 */
export type ScoreFunction = 'mutual_info' | 'f_classif' | 'correlation';

/** The FeatureSelection artifact's file: written by FeatureSelector's executor, read by its view. */
export const SELECTION_FILE = 'feature_selection.json';

export interface FeatureSelectionResult {
  labelKey: string;
  scoreFunction: ScoreFunction;
  split: string;
  numExamples: number;
  rule: string;
  selected: string[];
  features: { name: string; dtype: string; treatedAs: string; score: number; rank: number; selected: boolean }[];
}

export interface FeatureScore {
  name: string;
  dtype: DType;
  /** How the feature entered the score: as categories, as bins of a float, or as numbers. */
  treatedAs: 'categorical' | 'binned' | 'numeric';
  score: number;
}

/** Integer codes per row for a column: categories as they are, floats by equal-frequency bins. Missing → its own code. */
export function discretize(values: ColumnValues, dtype: DType, bins: number): { codes: Int32Array; levels: number; treatedAs: 'categorical' | 'binned' } {
  const n = values.length;
  const codes = new Int32Array(n);
  if (dtype === 'float') {
    const present = Array.from(values as Float64Array)
      .filter((v) => !Number.isNaN(v))
      .sort((a, b) => a - b);
    const cuts = [
      ...new Set(Array.from({ length: bins - 1 }, (_, i) => present[Math.floor(((i + 1) * present.length) / bins)]).filter((v) => v !== undefined)),
    ];
    for (let i = 0; i < n; i++) {
      const v = (values as Float64Array)[i];
      if (Number.isNaN(v)) {
        codes[i] = cuts.length + 1;
        continue;
      }
      let lo = 0,
        hi = cuts.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cuts[mid] <= v) lo = mid + 1;
        else hi = mid;
      }
      codes[i] = lo;
    }
    return { codes, levels: cuts.length + 2, treatedAs: 'binned' };
  }
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const raw = values[i];
    const key = raw === null || (typeof raw === 'number' && Number.isNaN(raw)) ? '\u0000missing' : String(raw);
    let code = index.get(key);
    if (code === undefined) index.set(key, (code = index.size));
    codes[i] = code;
  }
  return { codes, levels: index.size, treatedAs: 'categorical' };
}

/** Mutual information (nats) of two discrete variables, from their joint counts (sklearn's mutual_info_score). */
export function mutualInformation(a: Int32Array, aLevels: number, b: Int32Array, bLevels: number): number {
  const n = a.length;
  if (n === 0) return 0;
  const joint = new Float64Array(aLevels * bLevels);
  const ca = new Float64Array(aLevels);
  const cb = new Float64Array(bLevels);
  for (let i = 0; i < n; i++) {
    joint[a[i] * bLevels + b[i]]++;
    ca[a[i]]++;
    cb[b[i]]++;
  }
  let mi = 0;
  for (let x = 0; x < aLevels; x++) {
    for (let y = 0; y < bLevels; y++) {
      const c = joint[x * bLevels + y];
      if (c > 0) mi += (c / n) * Math.log((c * n) / (ca[x] * cb[y]));
    }
  }
  return Math.max(0, mi);
}

/** One-way ANOVA F statistic of `values` grouped by `classes` (sklearn's f_classif for one feature). */
export function anovaF(values: Float64Array, classes: Int32Array, levels: number): number {
  const sums = new Float64Array(levels);
  const counts = new Float64Array(levels);
  let total = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    sums[classes[i]] += v;
    counts[classes[i]]++;
    total += v;
    n++;
  }
  const grand = total / n;
  let between = 0;
  let groups = 0;
  for (let k = 0; k < levels; k++) {
    if (counts[k] === 0) continue;
    groups++;
    between += counts[k] * (sums[k] / counts[k] - grand) ** 2;
  }
  let within = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    within += (v - sums[classes[i]] / counts[classes[i]]) ** 2;
  }
  if (groups < 2 || n <= groups) return 0;
  const msb = between / (groups - 1);
  const msw = within / (n - groups);
  return msw === 0 ? (msb === 0 ? 0 : Infinity) : msb / msw;
}

export function pearson(x: Float64Array, y: Float64Array): number {
  let n = 0,
    sx = 0,
    sy = 0;
  for (let i = 0; i < x.length; i++)
    if (!Number.isNaN(x[i]) && !Number.isNaN(y[i])) {
      n++;
      sx += x[i];
      sy += y[i];
    }
  const mx = sx / n,
    my = sy / n;
  let cov = 0,
    vx = 0,
    vy = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    cov += (x[i] - mx) * (y[i] - my);
    vx += (x[i] - mx) ** 2;
    vy += (y[i] - my) ** 2;
  }
  return vx === 0 || vy === 0 ? 0 : cov / Math.sqrt(vx * vy);
}

export function scoreFeatures(
  features: { name: string; dtype: DType; values: ColumnValues }[],
  label: { name: string; dtype: DType; values: ColumnValues },
  scoreFunction: ScoreFunction,
  bins = 10,
): FeatureScore[] {
  const labelCodes = discretize(label.values, label.dtype, bins);
  return features.map((feature) => {
    if (scoreFunction === 'mutual_info') {
      const codes = discretize(feature.values, feature.dtype, bins);
      return {
        name: feature.name,
        dtype: feature.dtype,
        treatedAs: codes.treatedAs,
        score: mutualInformation(codes.codes, codes.levels, labelCodes.codes, labelCodes.levels),
      };
    }
    if (feature.dtype === 'string') {
      throw new UserError(
        `scoreFunction "${scoreFunction}" needs numeric features, but "${feature.name}" holds strings.`,
        'use scoreFunction "mutual_info", or select features from Transform\'s transformed examples (vocabulary indices).',
      );
    }
    if (scoreFunction === 'f_classif') {
      if (label.dtype === 'float')
        throw new UserError(`f_classif needs a class label, but "${label.name}" is a float.`, 'use scoreFunction "correlation" for a numeric label.');
      return {
        name: feature.name,
        dtype: feature.dtype,
        treatedAs: 'numeric',
        score: anovaF(feature.values as Float64Array, labelCodes.codes, labelCodes.levels),
      };
    }
    if (label.dtype === 'string') throw new UserError(`correlation needs a numeric label, but "${label.name}" holds strings.`);
    return {
      name: feature.name,
      dtype: feature.dtype,
      treatedAs: 'numeric',
      score: Math.abs(pearson(feature.values as Float64Array, label.values as Float64Array)),
    };
  });
}
