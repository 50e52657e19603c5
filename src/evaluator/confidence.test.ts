import { spawnSync } from 'node:child_process';
import { binaryIntervals, bootstrapWeights, percentile } from './confidence';
import { evalConfigSchema } from './eval-config';
import { binaryMetricNotes, binaryMetrics } from './metrics';
import { mulberry32 } from '../trainer/random';

/**
 * Bootstrap confidence intervals: the numbers against scikit-learn and numpy replaying the same
 * Poisson weights, and the properties an interval must have (it holds the estimate, it is the same
 * for a seed, it narrows as the slice grows).
 */
function sample(n: number, seed: number): { labels: Float64Array; scores: Float32Array } {
  const random = mulberry32(seed);
  const labels = new Float64Array(n);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = random() < 0.3 ? 1 : 0;
    // Rounded to 1/40: many tied scores, so the weighted AUC's tie handling is exercised.
    scores[i] = Math.round(Math.min(1, Math.max(0, 0.35 * labels[i] + random() * 0.65)) * 40) / 40;
  }
  return { labels, scores };
}

const all = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);
const requests = [{ name: 'auc' }, { name: 'binary_accuracy' }];
const options = (extra: Record<string, unknown> = {}) =>
  evalConfigSchema.parse({ options: { computeConfidenceIntervals: true, confidenceIntervals: extra } }).options!.confidenceIntervals;

test('the intervals are what scikit-learn and numpy compute on the same bootstrap weights', () => {
  const { labels, scores } = sample(800, 5);
  const rows = all(800);
  const opts = options({ numBootstrapSamples: 60, seed: 42 });
  const ours = binaryIntervals(labels, scores, rows, 'Overall', requests, opts);
  const weights = [...bootstrapWeights(rows.length, opts, 'Overall')].map((w) => Array.from(w));
  expect(weights).toHaveLength(60);
  // Poisson(1): mean 1, and some examples drawn 0 times, some several times.
  const flat = weights.flat();
  expect(flat.reduce((a, b) => a + b, 0) / flat.length).toBeCloseTo(1, 1);
  expect(flat.filter((w) => w === 0).length / flat.length).toBeCloseTo(Math.exp(-1), 1);
  const script = [
    'import json, sys',
    'import numpy as np',
    'from sklearn import metrics',
    'd = json.load(sys.stdin); y = np.array(d["y"]); p = np.array(d["p"]); yhat = (p > 0.5).astype(int)',
    'auc = [metrics.roc_auc_score(y, p, sample_weight=w) for w in d["w"]]',
    'acc = [metrics.accuracy_score(y, yhat, sample_weight=w) for w in d["w"]]',
    'print(json.dumps({"auc": list(np.percentile(auc, [2.5, 97.5])), "accuracy": list(np.percentile(acc, [2.5, 97.5]))}))',
  ].join('\n');
  const out = spawnSync('/usr/bin/python3', ['-c', script], {
    input: JSON.stringify({ y: Array.from(labels), p: Array.from(scores), w: weights }),
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(out.stderr);
  const reference = JSON.parse(out.stdout) as { auc: [number, number]; accuracy: [number, number] };
  expect(ours.intervals.auc.lowerBound).toBeCloseTo(reference.auc[0], 10);
  expect(ours.intervals.auc.upperBound).toBeCloseTo(reference.auc[1], 10);
  expect(ours.intervals.binary_accuracy.lowerBound).toBeCloseTo(reference.accuracy[0], 10);
  expect(ours.intervals.binary_accuracy.upperBound).toBeCloseTo(reference.accuracy[1], 10);
  expect(ours.intervals.auc.samples).toBe(60);
});

test('an interval holds the estimate, is the same for a seed, differs for another, and narrows as the slice grows', () => {
  const { labels, scores } = sample(4000, 9);
  const opts = options({ seed: 3 });
  const width = (n: number) => {
    const rows = all(n);
    const r = binaryIntervals(labels, scores, rows, 'Overall', requests, opts);
    const estimate = binaryMetrics(labels, scores, rows, requests);
    for (const m of ['auc', 'binary_accuracy']) {
      expect(r.intervals[m].lowerBound).toBeLessThanOrEqual(estimate[m] as number);
      expect(r.intervals[m].upperBound).toBeGreaterThanOrEqual(estimate[m] as number);
      expect(r.intervals[m].lowerBound).toBeLessThan(r.intervals[m].upperBound);
    }
    return r.intervals.auc.upperBound - r.intervals.auc.lowerBound;
  };
  // Interval width shrinks like 1/sqrt(n): 16x the examples, about a quarter of the width.
  const small = width(250);
  const large = width(4000);
  expect(large).toBeLessThan(small * 0.45);
  expect(large).toBeGreaterThan(small * 0.1);

  const rows = all(1000);
  const once = binaryIntervals(labels, scores, rows, 'Overall', requests, opts);
  expect(binaryIntervals(labels, scores, rows, 'Overall', requests, opts)).toEqual(once);
  expect(binaryIntervals(labels, scores, rows, 'Overall', requests, options({ seed: 4 })).intervals.auc).not.toEqual(once.intervals.auc);
  // A slice's samples depend on its name and the seed only, not on the other slices.
  expect(binaryIntervals(labels, scores, rows, 'hour:1', requests, opts).intervals.auc).not.toEqual(once.intervals.auc);
  // A 99% interval contains the 95% one.
  const wide = binaryIntervals(labels, scores, rows, 'Overall', requests, options({ seed: 3, confidenceLevel: 0.99 }));
  expect(wide.intervals.auc.lowerBound).toBeLessThanOrEqual(once.intervals.auc.lowerBound);
  expect(wide.intervals.auc.upperBound).toBeGreaterThanOrEqual(once.intervals.auc.upperBound);
});

test('a one-example slice and a one-class slice say why they have no AUC or interval', () => {
  // Ten positives (three scored below 0.5) and one negative.
  const labels = Float64Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
  const scores = Float32Array.from([0.9, 0.4, 0.7, 0.8, 0.3, 0.6, 0.9, 0.45, 0.7, 0.8, 0.2]);
  const one = Uint32Array.from([0]);
  const positives = Uint32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(binaryIntervals(labels, scores, one, 's', requests, options()).notes).toEqual({
    auc: 'no confidence interval: the slice has 1 example',
    binary_accuracy: 'no confidence interval: the slice has 1 example',
  });
  const r = binaryIntervals(labels, scores, positives, 's', requests, options());
  expect(r.notes.auc).toMatch(/auc was undefined in 100 of 100 bootstrap samples \(resamples with one class only/);
  expect(r.intervals.auc).toBeUndefined();
  // Accuracy is defined on one class: 7 of 10 right, and an interval around it within [0, 1].
  expect(binaryMetrics(labels, scores, positives, requests).binary_accuracy).toBe(0.7);
  expect(r.intervals.binary_accuracy.lowerBound).toBeGreaterThanOrEqual(0.2);
  expect(r.intervals.binary_accuracy.lowerBound).toBeLessThan(0.7);
  expect(r.intervals.binary_accuracy.upperBound).toBeGreaterThan(0.7);
  expect(r.intervals.binary_accuracy.upperBound).toBeLessThanOrEqual(1);
  const metrics = binaryMetrics(labels, scores, positives, requests);
  expect(binaryMetricNotes(labels, positives, metrics)).toEqual({
    auc: 'AUC is undefined: it needs positive and negative examples, and this slice has all 10 examples positive',
  });
  expect(binaryMetricNotes(labels, one, binaryMetrics(labels, scores, one, requests)).auc).toBe(
    'AUC is undefined: it needs positive and negative examples, and this slice has all 1 example positive',
  );
});

test("percentile is numpy's linear interpolation, and the options are checked", () => {
  expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
  expect(percentile([1, 2, 3, 4, 5], 0.025)).toBeCloseTo(1.1, 12);
  expect(percentile([7], 0.975)).toBe(7);
  expect(() => evalConfigSchema.parse({ options: { confidenceIntervals: { method: 'JACKKNIFE' } } })).toThrow(/JACKKNIFE is not supported/);
  expect(() => evalConfigSchema.parse({ options: { confidenceIntervals: { numBootstrapSamples: 5 } } })).toThrow(/greater than or equal to 20/);
  expect(evalConfigSchema.parse({ options: { computeConfidenceIntervals: true } }).options).toEqual({
    computeConfidenceIntervals: true,
    confidenceIntervals: { method: 'POISSON_BOOTSTRAP', numBootstrapSamples: 100, seed: 0, confidenceLevel: 0.95 },
  });
  // Configs without options normalize as before (cache keys of earlier runs stay valid).
  expect(evalConfigSchema.parse({}).options).toBeUndefined();
});
