/**
 * The taxi model's compiled training step alone (bench/train/run.ts times it through the whole
 * Trainer): the notebook model's shape (3 numeric inputs → 100-70-50-25-1, 13 width-1
 * embeddings with the taxi features' sizes), random data, batch 40; CPU µs per step and examples
 * per CPU-second, 3 rounds.
 *
 *   npx tsx bench/train/step.ts [steps per round, default 1000]
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/model/backend';
import { planWideDeep, WideDeepTrainer, wideIndexes } from '../../src/trainer/wide-deep-fast-path';
import { flatAdamConfig } from '../../src/trainer/flat-adam';
import { mulberry32 } from '../../src/trainer/random';
const sizes = [10, 100, 10, 10, 10, 10, 24, 31, 12, 2000, 2000, 80, 80];
function build() {
  const deepInputs = ['a', 'b', 'c'].map((name) => tf.input({ shape: [1], name }));
  const wideInputs = sizes.map((_, i) => tf.input({ shape: [1], name: `w${i}` }));
  let deep = tf.layers.concatenate().apply(deepInputs) as tf.SymbolicTensor;
  for (const units of [100, 70, 50, 25]) deep = tf.layers.dense({ units, activation: 'relu' }).apply(deep) as tf.SymbolicTensor;
  const deepLogit = tf.layers.dense({ units: 1 }).apply(deep) as tf.SymbolicTensor;
  const wideLogits = wideInputs.map(
    (input, i) =>
      tf.layers.flatten().apply(tf.layers.embedding({ inputDim: sizes[i], outputDim: 1, embeddingsInitializer: 'zeros' }).apply(input)) as tf.SymbolicTensor,
  );
  const logit = tf.layers.add().apply([deepLogit, ...wideLogits]) as tf.SymbolicTensor;
  const output = tf.layers.activation({ activation: 'sigmoid' }).apply(logit) as tf.SymbolicTensor;
  const model = tf.model({ inputs: [...deepInputs, ...wideInputs], outputs: output });
  model.compile({ optimizer: tf.train.adam(0.005), loss: 'binaryCrossentropy' });
  return model;
}
async function main() {
  await selectBackend();
  const model = build();
  const plan = planWideDeep(model)!;
  const trainer = new WideDeepTrainer(plan, flatAdamConfig(model)!);
  const rnd = mulberry32(1);
  const B = 40,
    N = 10000;
  const x = Float32Array.from({ length: N * 3 }, () => rnd() * 2 - 1);
  const cols = sizes.map((s) => Float32Array.from({ length: N }, () => Math.floor(rnd() * s)));
  const ids = wideIndexes(plan, cols, N);
  const y = Float32Array.from({ length: N }, () => (rnd() > 0.5 ? 1 : 0));
  const steps = Number(process.argv[2] ?? 1000);
  for (let rep = 0; rep < 3; rep++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) {
      const st = (s * B) % (N - B);
      trainer.step(x.subarray(st * 3, (st + B) * 3), ids.subarray(st * 13, (st + B) * 13), y.subarray(st, st + B), B);
    }
    const cu = process.cpuUsage(c0);
    const wall = performance.now() - t0;
    const cpu = (cu.user + cu.system) / 1000;
    console.log(
      `wall ${((wall / steps) * 1000).toFixed(0)} µs/step, cpu ${((cpu / steps) * 1000).toFixed(0)} µs/step → ${Math.round((B / (cpu / steps)) * 1000)} ex/s per CPU-second; tensors ${tf.memory().numTensors}`,
    );
  }
}
main();
