import { spawnSync } from 'node:child_process';
import { Channel } from '../dsl/channel';
import { standardArtifacts } from '../dsl/artifact';
import { Evaluator } from '../components/evaluator/component';
import { evalConfigSchema } from './eval-config';

import { binaryMetrics, binaryPlots, checkBinaryLabels, multiclassMetrics } from './metrics';
import { computeSlices } from './slicing';
import { validateMetrics } from './validate';
import { mulberry32 } from '../trainer/random';

/** Scores with ties and a realistic class balance, so AUC's tie handling is exercised. */
function sample(n: number, seed: number): { labels: Float64Array; scores: Float32Array } {
  const random = mulberry32(seed);
  const labels = new Float64Array(n);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = random() < 0.25 ? 1 : 0;
    scores[i] = Math.round(Math.min(1, Math.max(0, 0.3 * labels[i] + random() * 0.7)) * 50) / 50;
  }
  return { labels, scores };
}

function sklearn(labels: ArrayLike<number>, scores: ArrayLike<number>): Record<string, number> {
  const script = [
    'import json, sys',
    'from sklearn import metrics',
    'd = json.load(sys.stdin); y = d["y"]; p = d["p"]; yhat = [1 if s > 0.5 else 0 for s in p]',
    'print(json.dumps({"auc": metrics.roc_auc_score(y, p), "accuracy": metrics.accuracy_score(y, yhat), "precision": metrics.precision_score(y, yhat), "recall": metrics.recall_score(y, yhat), "log_loss": metrics.log_loss(y, [min(max(s, 1e-7), 1 - 1e-7) for s in p])}))',
  ].join('\n');
  const out = spawnSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify({ y: Array.from(labels), p: Array.from(scores) }), encoding: 'utf8' });
  if (out.status !== 0) throw new Error(out.stderr);
  return JSON.parse(out.stdout);
}

describe('binary metrics', () => {
  it('agree with scikit-learn (AUC with ties, accuracy, precision, recall, log loss)', () => {
    const { labels, scores } = sample(3000, 11);
    const rows = Uint32Array.from({ length: labels.length }, (_, i) => i);
    const ours = binaryMetrics(
      labels,
      scores,
      rows,
      ['auc', 'binary_accuracy', 'precision', 'recall', 'binary_crossentropy', 'example_count', 'mean_label'].map((name) => ({ name })),
    );
    const reference = sklearn(labels, scores);
    expect(ours.auc as number).toBeCloseTo(reference.auc, 10);
    expect(ours.binary_accuracy as number).toBeCloseTo(reference.accuracy, 12);
    expect(ours.precision as number).toBeCloseTo(reference.precision, 12);
    expect(ours.recall as number).toBeCloseTo(reference.recall, 12);
    expect(ours.binary_crossentropy as number).toBeCloseTo(reference.log_loss, 6);
    expect(ours.example_count).toBe(3000);
  });

  it('draws ROC from (0,0) to (1,1), PR ending at recall 1, and calibration buckets that count every example', () => {
    const { labels, scores } = sample(500, 3);
    const rows = Uint32Array.from({ length: 500 }, (_, i) => i);
    const plots = binaryPlots(labels, scores, rows);
    expect(plots.roc[0]).toMatchObject({ x: 0, y: 0 });
    expect(plots.roc[plots.roc.length - 1]).toMatchObject({ x: 1, y: 1 });
    expect(plots.pr[plots.pr.length - 1].x).toBe(1);
    expect(plots.calibration.reduce((s, b) => s + b.count, 0)).toBe(500);
  });

  it('computes confusion matrices at the configured thresholds', () => {
    const labels = Float64Array.from([1, 0, 1, 0]);
    const scores = Float32Array.from([0.9, 0.6, 0.4, 0.1]);
    const rows = Uint32Array.from([0, 1, 2, 3]);
    const [m] = binaryMetrics(labels, scores, rows, [{ name: 'confusion_matrix_at_thresholds', config: { thresholds: [0.5] } }])
      .confusion_matrix_at_thresholds as { truePositives: number; falsePositives: number; trueNegatives: number; falseNegatives: number }[];
    expect(m).toMatchObject({ truePositives: 1, falsePositives: 1, trueNegatives: 1, falseNegatives: 1 });
  });

  it('refuses labels that are not 0/1 and metrics of another problem', () => {
    expect(() => checkBinaryLabels(Float64Array.from([0, 1, 2]), 'tips')).toThrow(/Label "tips" has the value 2 \(example 2\)/);
    expect(() => binaryMetrics(Float64Array.from([1]), Float32Array.from([1]), Uint32Array.from([0]), [{ name: 'sparse_categorical_accuracy' }])).toThrow(
      /does not apply to a binary classifier/,
    );
    expect(
      multiclassMetrics(Float64Array.from([2, 0]), Float32Array.from([0.1, 0.2, 0.7, 0.5, 0.4, 0.1]), 3, Uint32Array.from([0, 1]), [
        { name: 'sparse_categorical_accuracy' },
      ]).sparse_categorical_accuracy,
    ).toBe(1);
  });
});

describe('slicing', () => {
  it('makes Overall, one slice per value and crosses, skipping rows with missing values', () => {
    const hour = Float64Array.from([1, 2, 1, NaN, 2]);
    const payment = ['Cash', 'Cash', 'Credit Card', 'Cash', null];
    const slices = computeSlices([{}, { featureKeys: ['hour'] }, { featureKeys: ['hour', 'payment'] }, { featureValues: { payment: 'Cash' } }], 5, (f) =>
      f === 'hour' ? hour : payment,
    );
    expect(slices.map((s) => [s.name, Array.from(s.rows)])).toEqual([
      ['Overall', [0, 1, 2, 3, 4]],
      ['hour:1', [0, 2]],
      ['hour:2', [1, 4]],
      ['hour_X_payment:1_X_Cash', [0]],
      ['hour_X_payment:1_X_Credit Card', [2]],
      ['hour_X_payment:2_X_Cash', [1]],
      ['payment:Cash', [0, 1, 3]],
    ]);
  });
});

describe('thresholds (TFMA semantics)', () => {
  const config = evalConfigSchema.parse({
    metricsSpecs: [
      {
        metrics: [
          {
            className: 'BinaryAccuracy',
            threshold: { valueThreshold: { lowerBound: 0.6 }, changeThreshold: { direction: 'HIGHER_IS_BETTER', absolute: -1e-10 } },
          },
        ],
        thresholds: {
          auc: { changeThreshold: { direction: 'HIGHER_IS_BETTER', relative: -0.01 } },
          binary_crossentropy: { changeThreshold: { direction: 'LOWER_IS_BETTER', absolute: 0.001 } },
        },
      },
    ],
  });

  it('skips change thresholds without a baseline and blesses on value thresholds alone', () => {
    const result = validateMetrics(config, { binary_accuracy: 0.8, auc: 0.9, binary_crossentropy: 0.4 }, undefined);
    expect(result.ok).toBe(true);
    expect(result.skipped.map((c) => c.metric)).toEqual(['binary_accuracy', 'auc', 'binary_crossentropy']);
  });

  it('fails a worse candidate in the direction that matters, and passes a better one', () => {
    const worse = validateMetrics(
      config,
      { binary_accuracy: 0.79, auc: 0.88, binary_crossentropy: 0.45 },
      { binary_accuracy: 0.8, auc: 0.9, binary_crossentropy: 0.4 },
    );
    expect(worse.failures.map((c) => c.metric)).toEqual(['binary_accuracy', 'auc', 'binary_crossentropy']);
    const better = validateMetrics(
      config,
      { binary_accuracy: 0.81, auc: 0.895, binary_crossentropy: 0.39 },
      { binary_accuracy: 0.8, auc: 0.9, binary_crossentropy: 0.4 },
    );
    expect(better.ok).toBe(true);
    const low = validateMetrics(config, { binary_accuracy: 0.55, auc: 0.9, binary_crossentropy: 0.4 }, undefined);
    expect(low.failures[0].message).toMatch(/binary_accuracy = 0.55 fails the value threshold >= 0.6/);
  });

  it('rejects malformed EvalConfigs when the Evaluator is constructed, naming the field', () => {
    const inputs = {
      examples: new Channel(standardArtifacts.Examples, undefined, 'examples'),
      model: new Channel(standardArtifacts.Model, undefined, 'model'),
    };
    const make = (evalConfig: unknown) => () => new Evaluator({ ...inputs, evalConfig } as never);
    expect(make({ metricsSpecs: [{ metrics: [{ className: 'Accuracy' }] }] })).toThrow(
      /evalConfig\.metricsSpecs\.0\.metrics\.0\.className: unknown metric className "Accuracy"/,
    );
    expect(make({ metricsSpecs: [{ thresholds: { auc: { changeThreshold: { direction: 'UP', absolute: 0 } } } }] })).toThrow(
      /direction must be "HIGHER_IS_BETTER" or "LOWER_IS_BETTER"/,
    );
    expect(make({ metricsSpecs: [{ thresholds: { auc: { changeThreshold: { direction: 'HIGHER_IS_BETTER' } } } }] })).toThrow(
      /changeThreshold needs `absolute` or `relative`/,
    );
    expect(make({ slicingSpecs: [{ featureKey: ['hour'] }] })).toThrow(/Unrecognized key\(s\) in object: 'featureKey'/);
    expect(make(undefined)).not.toThrow();
  });
});
