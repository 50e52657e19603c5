import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../model/backend';
import { flatAdamFor } from './flat-adam';

/** A small wide & deep model, seeded so both copies start from the same weights. */
function model(): tf.LayersModel {
  const dense = tf.input({ shape: [1], name: 'x' });
  const category = tf.input({ shape: [1], name: 'c' });
  const hidden = tf.layers
    .dense({ units: 8, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })
    .apply(dense) as tf.SymbolicTensor;
  const deep = tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(hidden) as tf.SymbolicTensor;
  const wide = tf.layers
    .flatten()
    .apply(
      tf.layers
        .embedding({ inputDim: 5, outputDim: 1, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 3 }) })
        .apply(category),
    ) as tf.SymbolicTensor;
  const out = tf.layers.activation({ activation: 'sigmoid' }).apply(tf.layers.add().apply([deep, wide])) as tf.SymbolicTensor;
  const m = tf.model({ inputs: [dense, category], outputs: out });
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
  return m;
}

describe('FlatAdam', () => {
  it('updates weights exactly as tfjs AdamOptimizer does, step after step', async () => {
    await selectBackend();
    const reference = model();
    const fused = model();
    const flat = flatAdamFor(fused)!;
    expect(flat).toBeDefined();
    const x = tf.tensor2d([[0.5], [-1], [2], [0.1], [1.5], [-0.3]]);
    const c = tf.tensor2d([[0], [1], [4], [2], [1], [3]]);
    const y = tf.tensor2d([[1], [0], [1], [0], [1], [0]]);
    const lossOf = (m: tf.LayersModel) => () => tf.mean(tf.losses.sigmoidCrossEntropy(y, m.apply([x, c]) as tf.Tensor)) as tf.Scalar;
    for (let step = 0; step < 25; step++) {
      tf.tidy(() => {
        reference.optimizer.minimize(lossOf(reference));
      });
      tf.dispose(flat.minimize(lossOf(fused)));
    }
    const a = reference.getWeights().map((w) => Array.from(w.dataSync()));
    const b = fused.getWeights().map((w) => Array.from(w.dataSync()));
    expect(b).toEqual(a);
    expect(a[0]).not.toEqual(model().getWeights()[0].dataSync());
  });

  it('is not used for other optimizers', async () => {
    await selectBackend();
    const m = model();
    m.compile({ optimizer: tf.train.sgd(0.1), loss: 'binaryCrossentropy' });
    expect(flatAdamFor(m)).toBeUndefined();
  });
});
