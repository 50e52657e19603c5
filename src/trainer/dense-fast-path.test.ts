import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../model/backend';
import { ExampleDataset } from './dataset';
import { planDenseBinaryClassifier } from './dense-fast-path';
import { fit } from './fit';
import { mulberry32 } from './random';

const FEATURES = ['a', 'b', 'c', 'd'];

function denseModel(seed: number, optimizer: tf.Optimizer = tf.train.adam(0.01)): tf.LayersModel {
  const inputs = FEATURES.map((name) => tf.input({ shape: [1], name }));
  const x = tf.layers.concatenate().apply(inputs) as tf.SymbolicTensor;
  const init = (s: number) => tf.initializers.glorotUniform({ seed: seed + s });
  const h1 = tf.layers
    .dense({ units: 16, activation: 'relu', kernelInitializer: init(1), biasInitializer: tf.initializers.constant({ value: 0.01 }) })
    .apply(x) as tf.SymbolicTensor;
  const h2 = tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: init(2) }).apply(h1) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(3) }).apply(h2) as tf.SymbolicTensor;
  const model = tf.model({ inputs, outputs: out });
  model.compile({ optimizer, loss: 'binaryCrossentropy' });
  return model;
}

function dataset(n: number): ExampleDataset {
  const random = mulberry32(5);
  const features: Record<string, Float32Array> = Object.fromEntries(FEATURES.map((f) => [f, Float32Array.from({ length: n }, () => random() * 2 - 1)]));
  const label = Float32Array.from({ length: n }, (_, i) => (features.a[i] * features.b[i] + features.c[i] - 0.3 * features.d[i] > 0 ? 1 : 0));
  return new ExampleDataset(n, features, label, { batchSize: 32, source: 'synthetic' });
}

describe('compiled dense training step', () => {
  it('trains like the generic tfjs path (same weights to float32 precision, same losses)', async () => {
    await selectBackend();
    const data = dataset(640);
    const compiled = denseModel(10);
    const generic = denseModel(10);
    expect(compiled.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(generic.getWeights().map((w) => Array.from(w.dataSync())));
    const a = await fit(compiled, data, { epochs: 3, seed: 1 });
    const b = await fit(generic, data, { epochs: 3, seed: 1, compiledStep: false });
    const wa = compiled.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = generic.getWeights().map((w) => Array.from(w.dataSync()));
    wa.forEach((layer, i) => layer.forEach((v, j) => expect(Math.abs(v - wb[i][j])).toBeLessThan(1e-4)));
    a.history.forEach((epoch, i) => expect(epoch.loss).toBeCloseTo(b.history[i].loss, 4));
    expect(a.history[2].loss).toBeLessThan(a.history[0].loss);
  }, 60_000);

  it('applies only to inputs → dense → Dense(1, sigmoid) with binaryCrossentropy and Adam', () => {
    expect(planDenseBinaryClassifier(denseModel(1))?.features).toEqual(FEATURES);
    expect(planDenseBinaryClassifier(denseModel(1, tf.train.sgd(0.1)))).toBeUndefined();
    const input = tf.input({ shape: [1], name: 'x' });
    const embedded = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 4, outputDim: 2 }).apply(input)) as tf.SymbolicTensor;
    const withEmbedding = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(embedded) as tf.SymbolicTensor });
    withEmbedding.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    expect(planDenseBinaryClassifier(withEmbedding)).toBeUndefined();
    const regression = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor });
    regression.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    expect(planDenseBinaryClassifier(regression)).toBeUndefined();
    const single = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(input) as tf.SymbolicTensor });
    single.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    expect(planDenseBinaryClassifier(single)?.features).toEqual(['x']);
  });
});

describe('dense inference', () => {
  it("gives exactly model.predict's values from one input matrix", async () => {
    const { denseForward, planDenseStack } = await import('../model/dense-stack');
    await selectBackend();
    const model = denseModel(4);
    const stack = planDenseStack(model)!;
    const random = mulberry32(9);
    const rows = 33;
    const columns = FEATURES.map(() => Float32Array.from({ length: rows }, () => random() * 4 - 2));
    const matrix = new Float32Array(rows * FEATURES.length);
    columns.forEach((c, j) => c.forEach((v, i) => (matrix[i * FEATURES.length + j] = v)));
    const expected = tf.tidy(() => (model.predict(columns.map((c) => tf.tensor2d(c, [rows, 1]))) as tf.Tensor).dataSync());
    expect(Array.from(denseForward(stack, matrix, rows))).toEqual(Array.from(expected));
  });
});
