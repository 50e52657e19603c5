/**
 * The benchmark model, as a Trainer module file: the same DNN as the scikit-learn side
 * (20 inputs → 64 relu → 32 relu → 1 sigmoid, Adam 1e-3, batch 256, 2 epochs, shuffled).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fit, saveServingModel, tf } from 'tfx-ts/trainer';
import type { FnArgs } from 'tfx-ts';

export const FEATURES = Array.from({ length: 20 }, (_, i) => `f${i}`);

export async function runFn(fnArgs: FnArgs): Promise<void> {
  const batchSize = Number(fnArgs.customConfig.batchSize ?? 256);
  const train = await fnArgs.dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { batchSize, labelKey: 'label', featureKeys: FEATURES });
  const inputs = FEATURES.map((name) => tf.input({ shape: [1], name }));
  const x = tf.layers.concatenate().apply(inputs) as tf.SymbolicTensor;
  const h1 = tf.layers.dense({ units: 64, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  const h2 = tf.layers.dense({ units: 32, activation: 'relu' }).apply(h1) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(h2) as tf.SymbolicTensor;
  const model = tf.model({ inputs, outputs: output });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
  const history = await fit(model, train, {
    epochs: Number(fnArgs.customConfig.epochs ?? 2),
    batchSize,
    fusedOptimizer: fnArgs.customConfig.fusedOptimizer !== false,
    compiledStep: fnArgs.customConfig.compiledStep !== false,
  });
  // The benchmark reads the fit figures back from the model run.
  fs.writeFileSync(path.join(fnArgs.modelRunDir, 'fit.json'), JSON.stringify(history));
  await saveServingModel(model, fnArgs.servingModelDir);
}
