import * as tf from '@tensorflow/tfjs';
import { flatAdamConfig, AdamConfig } from './flat-adam';
import { planDenseStack } from '../model/dense-stack';

/**
 * A compiled training step for the most common tabular model: inputs (concatenated, or one
 * vector input) → Dense layers (relu/linear) → Dense(1, sigmoid), binaryCrossentropy, Adam.
 * tfjs' generic path records every op on a tape and clones each tensor a gradient may need (the
 * 64-32-1 benchmark model ran ~190 kernels per step, 53 of them clones). Here the backward pass is
 * written out (the gradients tfjs would derive, including binaryCrossentropy's clipping), the
 * inputs arrive as one matrix, transposed matmuls stay one engine op, and Adam runs once over
 * all weights: about 55 kernels per step, no tape. The model's own variables are updated, so the
 * model saves and predicts as usual. Any other model uses the generic path.
 */
export interface DensePlan {
  /** Dataset features in the order the model concatenates them. */
  features: string[];
  layers: { kernel: tf.Variable; bias: tf.Variable; relu: boolean }[];
}

/** The plan for a model the compiled step can train, or undefined. */
export function planDenseBinaryClassifier(model: tf.LayersModel): DensePlan | undefined {
  const loss = (model as unknown as { loss?: unknown }).loss;
  if (loss !== 'binaryCrossentropy' && loss !== 'binary_crossentropy') return undefined;
  if (!flatAdamConfig(model)) return undefined;
  const stack = planDenseStack(model);
  if (!stack) return undefined;
  const last = stack.layers[stack.layers.length - 1];
  if (last.activation !== 'sigmoid' || last.kernel.shape[1] !== 1) return undefined;
  if (stack.layers.slice(0, -1).some((l) => l.activation === 'sigmoid')) return undefined;
  return { features: stack.features, layers: stack.layers.map((l) => ({ kernel: l.kernel, bias: l.bias, relu: l.activation === 'relu' })) };
}

/** binaryCrossentropy's clip (tfjs-layers uses the backend epsilon). */
const EPSILON = 1e-7;

export class DenseTrainer {
  private readonly variables: tf.Variable[];
  private readonly sizes: number[];
  private firstMoment: tf.Tensor1D;
  private secondMoment: tf.Tensor1D;
  private accBeta1: number;
  private accBeta2: number;
  private readonly ones = new Map<number, tf.Tensor2D>();

  constructor(
    readonly plan: DensePlan,
    private readonly adam: AdamConfig,
  ) {
    this.variables = plan.layers.flatMap((l) => [l.kernel, l.bias]);
    this.sizes = this.variables.map((v) => v.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    this.firstMoment = tf.keep(tf.zeros([total]));
    this.secondMoment = tf.keep(tf.zeros([total]));
    this.accBeta1 = Math.fround(adam.beta1);
    this.accBeta2 = Math.fround(adam.beta2);
  }

  get width(): number {
    return this.plan.layers[0].kernel.shape[0];
  }

  /** One step on `rows` examples (x row-major rows × width, y rows); returns the predictions before the update. */
  step(x: Float32Array, y: Float32Array, rows: number): Float32Array {
    const { beta1, beta2, epsilon, learningRate } = this.adam;
    const [predictions, m, v] = tf.tidy(() => {
      const input = tf.tensor2d(x, [rows, this.width]);
      const labels = tf.tensor2d(y, [rows, 1]);
      const activations: tf.Tensor[] = [input];
      const layers = this.plan.layers;
      for (let i = 0; i < layers.length; i++) {
        const last = i === layers.length - 1;
        activations.push(
          tf.fused.matMul({
            a: activations[i] as tf.Tensor2D,
            b: layers[i].kernel as tf.Tensor2D,
            bias: layers[i].bias,
            activation: !last && layers[i].relu ? 'relu' : 'linear',
          }),
        );
      }
      const p = tf.sigmoid(activations[layers.length]);
      // d mean(BCE(clip(p)))/d logit = (p - y) / rows where eps <= p <= 1 - eps, else 0 (the clip's gradient).
      const inRange = tf.mul(tf.step(tf.sub(p, EPSILON)), tf.step(tf.sub(1 - EPSILON, p)));
      let delta: tf.Tensor = tf.mul(tf.sub(p, labels), tf.div(inRange, rows));
      const grads: tf.Tensor[] = new Array(layers.length * 2);
      for (let i = layers.length - 1; i >= 0; i--) {
        grads[2 * i] = tf.matMul(activations[i], delta, true, false);
        // A row of ones times delta sums over the batch on the fast matmul kernel (a reduction over axis 0 is slow in wasm).
        grads[2 * i + 1] = tf.matMul(this.onesRow(rows), delta as tf.Tensor2D);
        if (i > 0) {
          const back = tf.matMul(delta, layers[i].kernel as tf.Tensor2D, false, true);
          delta = layers[i - 1].relu ? tf.mul(back, tf.step(activations[i])) : back;
        }
      }
      const gradient = tf.concat(grads.map((g) => tf.reshape(g, [-1])));
      const m = tf.add(tf.mul(this.firstMoment, beta1), tf.mul(gradient, 1 - beta1));
      const v = tf.add(tf.mul(this.secondMoment, beta2), tf.mul(tf.square(gradient), 1 - beta2));
      const update = tf.mul(tf.div(tf.div(m, 1 - this.accBeta1), tf.add(tf.sqrt(tf.div(v, 1 - this.accBeta2)), epsilon)), -learningRate);
      const pieces = tf.split(update, this.sizes);
      this.variables.forEach((variable, i) => variable.assign(tf.add(tf.reshape(pieces[i], variable.shape), variable)));
      return [p, m, v] as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
    });
    this.firstMoment.dispose();
    this.secondMoment.dispose();
    this.firstMoment = tf.keep(m);
    this.secondMoment = tf.keep(v);
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(beta2));
    const out = predictions.dataSync() as Float32Array;
    predictions.dispose();
    return out;
  }

  private onesRow(rows: number): tf.Tensor2D {
    let ones = this.ones.get(rows);
    if (!ones) {
      ones = tf.keep(tf.ones([1, rows]) as tf.Tensor2D);
      this.ones.set(rows, ones);
    }
    return ones;
  }

  dispose(): void {
    this.firstMoment.dispose();
    this.secondMoment.dispose();
    for (const t of this.ones.values()) t.dispose();
  }
}

/** mean binary cross-entropy of predictions, clipped as tfjs-layers clips them. */
export function binaryCrossentropy(p: Float32Array, y: Float32Array, rows: number): number {
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const q = Math.min(1 - EPSILON, Math.max(EPSILON, p[i]));
    if (q !== q) return NaN;
    sum -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
  }
  return sum / rows;
}
