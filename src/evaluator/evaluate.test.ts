import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckSession } from '../data/duckdb';
import { repoRoot, tempDir } from '../testing/fixtures';
import { TAXI_CSV, writeTaxiExamples } from '../testing/modeling-fixtures';
import { runTransform } from '../transform/run';
import { runTrainer } from '../trainer/run';
import { evalConfigSchema } from './eval-config';
import { evaluateModels } from './evaluate';

const TAXI = path.join(repoRoot, 'notebooks', 'taxi');

describe('evaluateModels on a small taxi model', () => {
  const dir = tempDir('tfx-ts-eval-');
  let examplesUri: string;
  const bundle = () => ({ uri: path.join(dir, 'model'), modelId: 1, bundleDir: path.join(dir, 'model', 'Format-Serving') });

  beforeAll(async () => {
    examplesUri = (await writeTaxiExamples(path.join(dir, 'examples'), { limit: 3000 })).uri;
    await runTransform({
      moduleFile: path.join(TAXI, 'preprocessing.ts'),
      preprocessingFn: 'preprocessingFn',
      examplesUri,
      analyzeSplits: ['train'],
      transformSplits: [],
      graphDir: path.join(dir, 'graph'),
    });
    await runTrainer({
      moduleFile: path.join(TAXI, 'model.ts'),
      runFn: 'runFn',
      examplesUri,
      trainSplits: ['train'],
      evalSplits: ['eval'],
      trainSteps: 40,
      evalSteps: 5,
      transformGraphDir: path.join(dir, 'graph'),
      hyperparameters: { hiddenUnits: [8] },
      customConfig: {},
      seed: 3,
      servingModelDir: bundle().bundleDir,
      modelRunDir: path.join(dir, 'run'),
    });
  }, 120_000);

  const evaluate = (config: unknown, extra: Record<string, unknown> = {}) =>
    evaluateModels({ config: evalConfigSchema.parse(config), examplesUri, splits: ['eval'], candidate: bundle(), ...extra });

  it('fails validation when a value threshold is not met, and compares with a baseline', async () => {
    const result = await evaluate(
      { metricsSpecs: [{ metrics: [{ className: 'AUC', threshold: { valueThreshold: { lowerBound: 0.999 } } }] }] },
      { baseline: bundle() },
    );
    expect(result.validation.ok).toBe(false);
    expect(result.validation.failures[0].message).toMatch(/auc = 0\.\d+ fails the value threshold >= 0.999/);
    expect(result.slices[0].baselineMetrics?.auc).toBe(result.slices[0].metrics.auc);
  });

  it('computes seeded bootstrap intervals per slice when asked, stores them, and says why a slice has none', async () => {
    const config = {
      slicingSpecs: [{}, { featureKeys: ['payment_type'] }],
      options: { computeConfidenceIntervals: true, confidenceIntervals: { numBootstrapSamples: 40, seed: 11 } },
    };
    const result = await evaluate(config);
    expect(result.confidenceIntervals).toEqual({
      method: 'POISSON_BOOTSTRAP',
      numBootstrapSamples: 40,
      seed: 11,
      confidenceLevel: 0.95,
      metrics: ['binary_accuracy', 'auc'],
    });
    const overall = result.slices[0];
    for (const m of ['auc', 'binary_accuracy']) {
      const ci = overall.confidenceIntervals![m];
      expect(ci.lowerBound).toBeLessThanOrEqual(overall.metrics[m] as number);
      expect(ci.upperBound).toBeGreaterThanOrEqual(overall.metrics[m] as number);
    }
    // Every slice has an interval or a note saying why not.
    for (const slice of result.slices) for (const m of ['auc', 'binary_accuracy']) expect(slice.confidenceIntervals?.[m] ?? slice.notes?.[m]).toBeDefined();
    // A one-class slice (e.g. payment_type:No Charge, never tipped): its AUC is undefined, and the note says why the value is.
    const oneClass = result.slices.filter((s) => typeof s.metrics.auc !== 'number' || !Number.isFinite(s.metrics.auc));
    expect(oneClass.length).toBeGreaterThan(0);
    for (const slice of oneClass)
      expect(slice.notes?.auc).toMatch(/^AUC is undefined: it needs positive and negative examples, and this slice has all \d+ examples? (positive|negative)$/);
    // The same seed gives the same intervals; without the option there are none.
    expect((await evaluate(config)).slices.map((s) => s.confidenceIntervals)).toEqual(result.slices.map((s) => s.confidenceIntervals));
    const plain = await evaluate({ slicingSpecs: config.slicingSpecs });
    expect(plain.confidenceIntervals).toBeUndefined();
    expect(plain.slices.every((s) => s.confidenceIntervals === undefined)).toBe(true);
  });

  it('names a label that exists nowhere, a label that is not 0/1, and a slicing feature that does not exist', async () => {
    await expect(evaluate({ modelSpecs: [{ labelKey: 'big_tipper' }] })).rejects.toThrow(
      /Label "big_tipper" is neither a transformed feature of the model nor a column of the eval examples/,
    );
    await expect(evaluate({ modelSpecs: [{ labelKey: 'fare' }] })).rejects.toThrow(
      /Label "fare" has the value [\d.]+ \(example \d+\); binary classification metrics need labels 0 or 1/,
    );
    await expect(evaluate({ modelSpecs: [{ labelKey: 'tips_xf' }], slicingSpecs: [{ featureKeys: ['weekday'] }] })).rejects.toThrow(
      /Slicing feature "weekday" is neither a column/,
    );
  });

  it('refuses eval examples without the label column (the unlabelled taxi sample)', async () => {
    const unlabelled = await writeTaxiExamples(path.join(dir, 'unlabelled'), { csv: path.join(path.dirname(TAXI_CSV), '..', 'unlabelled', 'data.csv') });
    await expect(evaluateModels({ config: evalConfigSchema.parse({}), examplesUri: unlabelled.uri, splits: ['eval'], candidate: bundle() })).rejects.toThrow(
      /The eval examples lack "tips", which the label "tips_xf" needs/,
    );
    await expect(
      runTransform({
        moduleFile: path.join(TAXI, 'preprocessing.ts'),
        preprocessingFn: 'preprocessingFn',
        examplesUri: unlabelled.uri,
        analyzeSplits: ['train'],
        transformSplits: [],
        graphDir: path.join(dir, 'g2'),
      }),
    ).rejects.toThrow(/read inputs\.tips, which is not a feature of the examples/);
  });

  it('refuses an empty eval split and a missing one', async () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(path.join(empty, 'Split-eval'), { recursive: true });
    await DuckSession.with((db) =>
      db.run(
        `COPY (SELECT * FROM read_parquet('${path.join(examplesUri, 'Split-eval', 'data.parquet')}') LIMIT 0) TO '${path.join(empty, 'Split-eval', 'data.parquet')}' (FORMAT parquet)`,
      ),
    );
    await expect(evaluateModels({ config: evalConfigSchema.parse({}), examplesUri: empty, splits: ['eval'], candidate: bundle() })).rejects.toThrow(
      /The eval split \(eval\) has no examples/,
    );
    await expect(evaluate({}, { splits: ['test'] })).rejects.toThrow(/have no "test" split \(splits: eval, train\)/);
  });
});
