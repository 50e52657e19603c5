import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { repoRoot, tempDir } from '../testing/fixtures';
import { writeTaxiExamples } from '../testing/modeling-fixtures';
import { runTransform } from '../transform/run';
import { splitFiles } from '../transform/example-io';
import { TransformOutput } from '../transform/transform-output';
import { selectBackend } from '../model/backend';
import { ExampleDataset } from './dataset';
import { fit } from './fit';
import { planWideDeep, planWideDeepStructure, WideDeepPredictor, wideIndexes } from './wide-deep-fast-path';
import { buildKerasModel } from '../../notebooks/taxi/model';
import { LABEL_KEY, transformedName } from '../../notebooks/taxi/features';

/**
 * The compiled wide & deep step against tfjs' generic path (tape + tfjs' own gradients + the same
 * Adam), on the taxi notebook's own model and the taxi sample's transformed features.
 *
 * Documented tolerance: after 300 steps of batch 40 (Adam, learning rate 0.005) every weight
 * agrees within 2e-3 absolute and the epoch losses within 1e-3. The two paths compute the same
 * gradients with float32 sums in a different order (and the sigmoid / loss gradient in float64 JS
 * rounded to float32); Adam divides by sqrt(v), so a weight whose gradient is ~0 can move by up to
 * the learning rate on rounding noise alone, which is where the largest differences are.
 */
describe('compiled wide & deep training step (the taxi model)', () => {
  const dir = tempDir('tfx-ts-wide-deep-');
  let transform: TransformOutput;
  let train: ExampleDataset;
  const labelKey = transformedName(LABEL_KEY);

  beforeAll(async () => {
    await selectBackend();
    const examples = await writeTaxiExamples(path.join(dir, 'examples'), { limit: 4000 });
    await runTransform({
      moduleFile: path.join(repoRoot, 'notebooks', 'taxi', 'preprocessing.ts'), preprocessingFn: 'preprocessingFn', examplesUri: examples.uri,
      analyzeSplits: ['train'], transformSplits: [], graphDir: path.join(dir, 'graph'),
    });
    transform = TransformOutput.load(path.join(dir, 'graph'));
    train = await ExampleDataset.fromFiles(splitFiles(examples.uri, 'train'), { batchSize: 40, labelKey }, transform);
  }, 120_000);

  function twoTaxiModels(): [tf.LayersModel, tf.LayersModel] {
    const a = buildKerasModel(transform, [100, 70, 50, 25], 0.005);
    const b = buildKerasModel(transform, [100, 70, 50, 25], 0.005);
    b.setWeights(a.getWeights());
    return [a, b];
  }

  it('recognizes the notebook model: 3 numeric inputs → 100-70-50-25-1, 13 width-1 embeddings', () => {
    const [model] = twoTaxiModels();
    const plan = planWideDeep(model)!;
    expect(plan).toBeDefined();
    expect(plan.deepFeatures).toEqual(['trip_miles_xf', 'fare_xf', 'trip_seconds_xf']);
    expect(plan.deep.map((l) => l.kernel.shape)).toEqual([[3, 100], [100, 70], [70, 50], [50, 25], [25, 1]]);
    expect(plan.wide).toHaveLength(13);
    expect(plan.sumOrder).toEqual([-1, ...Array.from({ length: 13 }, (_, i) => i)]);
  });

  it('trains to the same weights and losses as the generic tfjs path, within the documented tolerance', async () => {
    const [compiled, generic] = twoTaxiModels();
    const a = await fit(compiled, train, { steps: 300, seed: 3 });
    const b = await fit(generic, train, { steps: 300, seed: 3, compiledStep: false });
    expect(a.history.length).toBe(b.history.length);
    a.history.forEach((epoch, i) => expect(Math.abs(epoch.loss - b.history[i].loss)).toBeLessThan(1e-3));
    const wa = compiled.getWeights().map((w) => w.dataSync());
    const wb = generic.getWeights().map((w) => w.dataSync());
    let worst = 0;
    wa.forEach((values, i) => values.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - wb[i][j])))));
    expect(worst).toBeLessThan(2e-3);
    // It did train: the loss went down and embeddings of seen categories moved off zero.
    expect(a.history[a.history.length - 1].loss).toBeLessThan(a.history[0].loss);
    expect(planWideDeep(compiled)!.wide.some((w) => w.embeddings.dataSync().some((v) => v !== 0))).toBe(true);
  }, 120_000);

  it('continues Adam across fit() calls and picks up weights set in between', async () => {
    const [compiled, generic] = twoTaxiModels();
    await fit(compiled, train, { steps: 50, seed: 1 });
    await fit(generic, train, { steps: 50, seed: 1, compiledStep: false });
    // Both models get the same new weights; the optimizers keep their moments.
    generic.setWeights(compiled.getWeights());
    await fit(compiled, train, { steps: 50, seed: 2 });
    await fit(generic, train, { steps: 50, seed: 2, compiledStep: false });
    const wa = compiled.getWeights().map((w) => w.dataSync());
    const wb = generic.getWeights().map((w) => w.dataSync());
    wa.forEach((values, i) => values.forEach((v, j) => expect(Math.abs(v - wb[i][j])).toBeLessThan(2e-3)));
  }, 120_000);

  it('predicts what model.predict gives, from one matrix and the id columns', () => {
    const [model] = twoTaxiModels();
    // Non-zero embeddings so the wide part counts.
    const plan = planWideDeepStructure(model)!;
    plan.wide.forEach((w, j) => w.embeddings.assign(tf.randomUniform([w.size, 1], -1, 1, 'float32', j)));
    const rows = 64;
    const inputs = model.inputNames.map((name) => train.features[name].subarray(0, rows));
    const expected = tf.tidy(() => (model.predict(inputs.map((c) => tf.tensor2d(c, [rows, 1]))) as tf.Tensor).dataSync());
    const x = new Float32Array(rows * plan.deepFeatures.length);
    plan.deepFeatures.forEach((f, j) => train.features[f].subarray(0, rows).forEach((v, i) => (x[i * plan.deepFeatures.length + j] = v)));
    const got = new WideDeepPredictor(plan).predict(x, plan.wide.map((w) => train.features[w.feature]), rows);
    got.forEach((p, i) => expect(Math.abs(p - expected[i])).toBeLessThan(1e-6));
  });

  it('names the feature when a category id is outside its embedding', () => {
    const [model] = twoTaxiModels();
    const plan = planWideDeep(model)!;
    const columns = plan.wide.map(() => new Float32Array([0, 1]));
    columns[2] = new Float32Array([0, plan.wide[2].size]);
    expect(() => wideIndexes(plan, columns, 2, 'train.parquet')).toThrow(`Feature "${plan.wide[2].feature}" has category id ${plan.wide[2].size} in train.parquet, outside its embedding's range [0, ${plan.wide[2].size})`);
  });

  it('leaves other models to the generic path', () => {
    const build = (options: { dropout?: boolean; width?: number; optimizer?: string; loss?: string }) => {
      const deepIn = tf.input({ shape: [1], name: 'x' });
      const wideIn = tf.input({ shape: [1], name: 'c' });
      let deep = tf.layers.dense({ units: 4, activation: 'relu' }).apply(deepIn) as tf.SymbolicTensor;
      if (options.dropout) deep = tf.layers.dropout({ rate: 0.5 }).apply(deep) as tf.SymbolicTensor;
      const logit = tf.layers.dense({ units: 1 }).apply(deep) as tf.SymbolicTensor;
      let wide = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 5, outputDim: options.width ?? 1 }).apply(wideIn)) as tf.SymbolicTensor;
      if ((options.width ?? 1) !== 1) wide = tf.layers.dense({ units: 1 }).apply(wide) as tf.SymbolicTensor;
      const out = tf.layers.activation({ activation: 'sigmoid' }).apply(tf.layers.add().apply([logit, wide])) as tf.SymbolicTensor;
      const model = tf.model({ inputs: [deepIn, wideIn], outputs: out });
      model.compile({ optimizer: options.optimizer ?? 'adam', loss: options.loss ?? 'binaryCrossentropy' });
      return model;
    };
    expect(planWideDeep(build({}))).toBeDefined();
    expect(planWideDeep(build({ dropout: true }))).toBeUndefined();
    expect(planWideDeep(build({ width: 2 }))).toBeUndefined();
    expect(planWideDeep(build({ loss: 'meanSquaredError' }))).toBeUndefined();
  });
});
