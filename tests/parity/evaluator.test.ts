/**
 * TFMA parity: the taxi eval split's labels (tips_xf from our Transform) and a model's scores fed to
 * TFMA (tfma.analyze_raw_data, real TFMA 0.47) and to the Evaluator's metric, slicing and threshold
 * code; per slice: example count, accuracy, precision, recall, AUC, PR-AUC, calibration, mean label
 * and prediction; and the blessing decision for the same thresholds.
 *
 * The scores come from a fixed scoring rule over raw features rather than a trained model, so the test
 * does not depend on training; they are multiples of 1/64 with many ties, which also makes TFMA's
 * 10,000-threshold AUC exact (no threshold falls on a score), so AUC is compared to 1e-9.
 */
import * as path from 'node:path';
import { DuckSession } from '../../src/data/duckdb';
import { evalConfigSchema, EvalConfig } from '../../src/evaluator/eval-config';
import { metricRequests } from '../../src/evaluator/evaluate';
import { binaryMetrics } from '../../src/evaluator/metrics';
import { computeSlices } from '../../src/evaluator/slicing';
import { validateMetrics } from '../../src/evaluator/validate';
import { repoRoot, sharedData, tempDir } from '../../src/testing/fixtures';
import { writeTaxiExamples } from '../../src/testing/modeling-fixtures';
import { applyTransformGraph } from '../../src/transform/apply';
import { readExampleColumns, splitFiles } from '../../src/transform/example-io';
import { runTransform } from '../../src/transform/run';
import { runOracle } from './oracle';

const METRICS = ['ExampleCount', 'BinaryAccuracy', 'AUC', 'AUCPrecisionRecall', 'Precision', 'Recall', 'MeanLabel', 'MeanPrediction', 'Calibration'];
const SLICING = [{}, { featureKeys: ['payment_type'] }, { featureKeys: ['trip_start_hour'] }];

/** Configurations as both sides spell them: ours (camelCase EvalConfig) and TFMA's (proto3 JSON). */
const CASES: { id: string; thresholds: Record<string, { lowerBound?: number; upperBound?: number }> }[] = [
  { id: 'passing thresholds', thresholds: { binary_accuracy: { lowerBound: 0.6 }, auc: { lowerBound: 0.6 }, calibration: { upperBound: 2 } } },
  { id: 'failing AUC threshold', thresholds: { auc: { lowerBound: 0.95 }, example_count: { lowerBound: 100 }, calibration: { upperBound: 1 } } },
];

const CLASS_OF: Record<string, string> = { binary_accuracy: 'BinaryAccuracy', auc: 'AUC', calibration: 'Calibration', example_count: 'ExampleCount' };

function ourConfig(thresholds: (typeof CASES)[number]['thresholds']): EvalConfig {
  return {
    modelSpecs: [{ labelKey: 'tips_xf' }],
    slicingSpecs: SLICING,
    metricsSpecs: [
      {
        metrics: METRICS.map((className) => ({ className })),
        thresholds: Object.fromEntries(Object.entries(thresholds).map(([m, b]) => [m, { valueThreshold: b }])),
      },
    ],
  };
}

function tfmaConfig(thresholds: (typeof CASES)[number]['thresholds']) {
  return {
    modelSpecs: [{ labelKey: 'label', predictionKey: 'prediction' }],
    slicingSpecs: SLICING,
    metricsSpecs: [
      {
        metrics: METRICS.map((className) => {
          const name = Object.entries(CLASS_OF).find(([, c]) => c === className)?.[0];
          return name && thresholds[name] ? { className, threshold: { valueThreshold: thresholds[name] } } : { className };
        }),
      },
    ],
  };
}

describe('TFMA parity on taxi eval labels and scores (real TFMA)', () => {
  jest.setTimeout(300_000);
  const dir = tempDir('tfx-ts-parity-tfma-');
  let rows: { label: number[]; prediction: number[]; payment_type: string[]; trip_start_hour: number[] };
  let oracle: {
    results: Record<
      string,
      {
        slices: { key: [string, string | number][]; metrics: Record<string, number> }[];
        validationOk: boolean;
        failures: { sliceKey?: { singleSliceKeys?: unknown[] } }[];
      }
    >;
  };

  beforeAll(async () => {
    const examples = await writeTaxiExamples(path.join(dir, 'examples'), { csv: path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv') });
    const { graph } = await runTransform({
      moduleFile: path.join(repoRoot, 'notebooks', 'taxi', 'preprocessing.ts'),
      preprocessingFn: 'preprocessingFn',
      examplesUri: examples.uri,
      analyzeSplits: ['train'],
      transformSplits: [],
      graphDir: path.join(dir, 'graph'),
    });
    const raw = await DuckSession.with(async (db) =>
      readExampleColumns(db, splitFiles(examples.uri, 'eval'), [
        ...graph.rawFeatures.filter((f) => ['fare', 'tips', 'payment_type', 'trip_start_hour', 'trip_miles'].includes(f.name)),
      ]),
    );
    const label = Array.from(applyTransformGraph(graph, raw, { outputs: ['tips_xf'] }).features.tips_xf as ArrayLike<number>);
    const payment = raw.columns.payment_type as (string | null)[];
    const fare = raw.columns.fare as Float64Array;
    const miles = raw.columns.trip_miles as Float64Array;
    const hour = raw.columns.trip_start_hour as Float64Array;
    // A fixed scoring rule (card payers tip; short pricey trips more), quantized to 1/64.
    const prediction = label.map((_, i) => {
      const f = Number.isNaN(fare[i]) ? 0 : fare[i];
      const m = Number.isNaN(miles[i]) ? 0 : miles[i];
      const s = (payment[i] === 'Credit Card' ? 0.45 : 0.05) + 0.3 * Math.min(1, f / 40) - 0.2 * Math.min(1, m / 20) + (0.1 * ((i * 7919) % 13)) / 13;
      return Math.round(Math.min(1, Math.max(0, s)) * 64) / 64;
    });
    rows = { label, prediction, payment_type: payment.map((p) => p ?? ''), trip_start_hour: Array.from(hour) };
    oracle = await runOracle('tfma_oracle', {
      rows,
      out: dir,
      configs: CASES.map((c) => ({ id: c.id, evalConfig: tfmaConfig(c.thresholds) })),
    });
  }, 50 * 60_000);

  function ours(id: string) {
    const config = evalConfigSchema.parse(ourConfig(CASES.find((c) => c.id === id)!.thresholds));
    const labels = Float64Array.from(rows.label);
    const scores = Float64Array.from(rows.prediction);
    const columns: Record<string, (string | null)[] | Float64Array> = {
      payment_type: rows.payment_type,
      trip_start_hour: Float64Array.from(rows.trip_start_hour),
    };
    const slices = computeSlices(config.slicingSpecs, labels.length, (f) => columns[f]).map((s) => ({
      key: s.key,
      metrics: binaryMetrics(labels, scores, s.rows, metricRequests(config)),
    }));
    const overall = slices.find((s) => s.key.length === 0)!;
    return { slices, validation: validateMetrics(config, overall.metrics, undefined) };
  }

  it('has the same slices with the same example counts', () => {
    const mine = ours(CASES[0].id)
      .slices.map((s) => `${JSON.stringify(s.key)}=${s.metrics.example_count}`)
      .sort();
    const theirs = oracle.results[CASES[0].id].slices.map((s) => `${JSON.stringify(s.key)}=${s.metrics.example_count}`).sort();
    expect(mine).toEqual(theirs);
  });

  it('computes the same metrics on every slice', () => {
    const mine = ours(CASES[0].id).slices;
    const differing: string[] = [];
    for (const t of oracle.results[CASES[0].id].slices) {
      const o = mine.find((s) => JSON.stringify(s.key) === JSON.stringify(t.key));
      if (!o) {
        differing.push(`${JSON.stringify(t.key)}: missing`);
        continue;
      }
      for (const [name, raw] of Object.entries(t.metrics)) {
        const value = Number(raw); // proto3 JSON writes NaN as "NaN"
        const v = o.metrics[name];
        if (typeof v !== 'number') {
          differing.push(`${JSON.stringify(t.key)} ${name}: not computed by us`);
          continue;
        }
        // Documented deviation: with no example scored above the threshold, precision is 0/0:
        // TFMA reports NaN, we report 0 (as Keras' Precision does).
        if (name === 'precision' && Number.isNaN(value) && v === 0) continue;
        // Documented deviation: on a slice without a positive label, AUC, PR-AUC, recall and
        // calibration are undefined (0/0); TFMA reports AUC 0 and NaN for the others, we the reverse.
        const noPositives = Number(t.metrics.mean_label) === 0;
        if (
          noPositives &&
          ['auc', 'auc_precision_recall', 'recall', 'calibration'].includes(name) &&
          (Number.isNaN(v) ? value === 0 : Number.isNaN(value) && v === 0)
        )
          continue;
        if (!(Math.abs(v - value) <= 1e-9 * Math.max(1, Math.abs(value))) && !(Number.isNaN(v) && Number.isNaN(value)))
          differing.push(`${JSON.stringify(t.key)} ${name}: ${v} vs TFMA ${value}`);
      }
    }
    expect(differing).toEqual([]);
  });

  it.each(CASES.map((c) => c.id))('blesses the same way on the Overall slice: %s', (id) => {
    const tfma = oracle.results[id];
    const isOverall = (f: { sliceKey?: { singleSliceKeys?: unknown[] } }) => !f.sliceKey?.singleSliceKeys?.length;
    // Documented deviation: TFMA checks a MetricsSpec's thresholds on every slice it computes; our
    // Evaluator checks them on the Overall slice (TFX's blessing is about the model as a whole).
    expect(ours(id).validation.ok).toBe(!tfma.failures.some(isOverall));
    if (tfma.validationOk !== ours(id).validation.ok) expect(tfma.failures.length).toBeGreaterThan(0);
  });
});
