import * as tf from '@tensorflow/tfjs';
import { UserError } from '../util/errors';
import type { AdamConfig } from './flat-adam';
import { Kernels } from '../model/kernels';
import { planWideDeepStructure, WideDeepPlan } from '../model/wide-deep';

/** The plan for a model the wide & deep step can train (binaryCrossentropy, Adam), or undefined. */
export function planWideDeep(model: tf.LayersModel): WideDeepPlan | undefined {
  const loss = (model as unknown as { loss?: unknown }).loss;
  if (loss !== 'binaryCrossentropy' && loss !== 'binary_crossentropy') return undefined;
  return planWideDeepStructure(model);
}

/** binaryCrossentropy's clip (tfjs-layers uses the backend epsilon). */
const EPSILON = 1e-7;

/**
 * Category ids of the wide features as one row-major matrix (rows × wide features) of indexes
 * into the concatenated table. The id is truncated to an integer, as the Embedding layer's cast
 * does; an id outside [0, inputDim) is the error tfjs' gather raises, with the feature named.
 */
export function wideIndexes(plan: WideDeepPlan, columns: Float32Array[], rows: number, source = 'the dataset'): Int32Array {
  const width = plan.wide.length;
  const out = new Int32Array(rows * width);
  let offset = 0;
  plan.wide.forEach(({ feature, size }, j) => {
    const column = columns[j];
    for (let i = 0; i < rows; i++) {
      const id = Math.trunc(column[i]);
      if (!(id >= 0 && id < size)) {
        throw new UserError(
          `Feature "${feature}" has category id ${column[i]} in ${source}, outside its embedding's range [0, ${size}).`,
          `give the Embedding inputDim larger than the largest id, or map ids into range in preprocessingFn (tft.computeAndApplyVocabulary, tft.where).`,
        );
      }
      out[i * width + j] = offset + id;
    }
    offset += size;
  });
  return out;
}

/**
 * A compiled training step for wide & deep binary classifiers (model/wide-deep.ts: the TFX taxi
 * template's model), binaryCrossentropy, Adam.
 *
 * The taxi model trains with batches of 40, where tfjs' generic path spends its time on per-op
 * overhead (~300 kernels per step: a gather, a flatten and a segment sum per embedding, the tape's
 * clones, the optimizer's per-variable kernels), not on arithmetic. Here each step is:
 *   - the dense tower on tfjs (XNNPACK fused matmuls, one input matrix per batch, backward pass
 *     written out: ~30 kernels);
 *   - the wide part in plain JS on one concatenated table: a width-1 embedding lookup is one
 *     array read per categorical feature, its gradient one add (no gather/scatter kernels);
 *   - the sigmoid, binaryCrossentropy (with tfjs-layers' clip) and its gradient in JS on the
 *     batch's logits (40 numbers);
 *   - Adam once, in JS, over all weights as one flat array (the same update as tfjs' Adam;
 *     flat-adam.ts explains why flat).
 * The kernels are called directly (model/kernels.ts), not through tfjs' engine: at batch 40 the
 * engine's bookkeeping per op (scopes, tensor tracking, the reshapes matMul adds around its
 * kernel) cost as much as the arithmetic. The weights live in the flat array between steps and are
 * written into the model's variables by `syncToModel()` (fit() calls it before validation and when
 * training ends), so the model saves and predicts as usual. Other models take the generic path.
 */
export class WideDeepTrainer {
  /** All weights, flat: each deep kernel and bias, then every wide table. */
  private readonly weights: Float32Array;
  private readonly gradient: Float32Array;
  private readonly firstMoment: Float32Array;
  private readonly secondMoment: Float32Array;
  private readonly offsets: number[];
  private readonly wideOffset: number;
  private accBeta1: number;
  private accBeta2: number;
  private readonly kernels = new Kernels();
  private readonly deepVariables: tf.Variable[];
  private delta = new Float32Array(0);

  constructor(
    readonly plan: WideDeepPlan,
    private readonly adam: AdamConfig,
  ) {
    this.deepVariables = plan.deep.flatMap((l) => [l.kernel, l.bias]);
    const sizes = [...this.deepVariables.map((v) => v.size), ...plan.wide.map((w) => w.size)];
    this.offsets = [];
    let total = 0;
    for (const size of sizes) {
      this.offsets.push(total);
      total += size;
    }
    this.wideOffset = this.offsets[this.deepVariables.length] ?? total;
    this.weights = new Float32Array(total);
    this.gradient = new Float32Array(total);
    this.firstMoment = new Float32Array(total);
    this.secondMoment = new Float32Array(total);
    // tfjs keeps beta^t in float32 scalars, multiplied once per step.
    this.accBeta1 = Math.fround(adam.beta1);
    this.accBeta2 = Math.fround(adam.beta2);
    this.loadFromModel();
  }

  get deepWidth(): number {
    return this.plan.deep[0].kernel.shape[0];
  }

  /** Reads the model's current weights (fit() calls it first: the user may have set weights between fits). */
  loadFromModel(): void {
    const variables = [...this.deepVariables, ...this.plan.wide.map((w) => w.embeddings)];
    variables.forEach((v, i) => this.weights.set(v.dataSync() as Float32Array, this.offsets[i]));
  }

  /** Writes the trained weights into the model's variables (fit() calls it before validation and when training ends). */
  syncToModel(): void {
    const variables = [...this.deepVariables, ...this.plan.wide.map((w) => w.embeddings)];
    tf.tidy(() => {
      variables.forEach((v, i) => v.assign(tf.tensor(this.weights.subarray(this.offsets[i], this.offsets[i] + v.size), v.shape)));
    });
  }

  /** The dense tower's forward pass on this step's weights (uploaded from the flat array); every tensor goes to `temporaries`. */
  private forward(
    x: Float32Array,
    rows: number,
    temporaries: tf.TensorInfo[],
  ): { kernels: tf.TensorInfo[]; activations: tf.TensorInfo[]; deepLogits: Float32Array } {
    const k = this.kernels;
    const keep = (t: tf.TensorInfo) => (temporaries.push(t), t);
    const layers = this.plan.deep;
    const kernels = this.deepVariables.map((v, i) =>
      keep(k.upload(this.weights.subarray(this.offsets[i], this.offsets[i] + v.size), i % 2 === 0 ? [1, ...v.shape] : v.shape)),
    );
    const activations: tf.TensorInfo[] = [keep(k.upload(x, [1, rows, this.deepWidth]))];
    for (let i = 0; i < layers.length; i++) {
      activations.push(keep(k.matMul(activations[i], kernels[2 * i], { bias: kernels[2 * i + 1], relu: layers[i].relu })));
    }
    return { kernels, activations, deepLogits: k.read(activations[layers.length]) };
  }

  /** sigmoid(deep logit + the row's wide weights), added in the Add layer's order in float32. */
  private probability(deepLogit: number, wide: Int32Array, at: number, table: Float32Array): number {
    const order = this.plan.sumOrder;
    let logit = 0;
    for (let t = 0; t < order.length; t++) {
      const term = order[t] < 0 ? deepLogit : table[wide[at + order[t]]];
      logit = t === 0 ? term : Math.fround(logit + term);
    }
    return Math.fround(1 / (1 + Math.exp(-logit)));
  }

  /** P(label = 1) for `rows` examples on the current weights (fit() validates with it: no write-back, no layers engine). */
  predict(x: Float32Array, wide: Int32Array, rows: number): Float32Array {
    const temporaries: tf.TensorInfo[] = [];
    try {
      const { deepLogits } = this.forward(x, rows, temporaries);
      const table = this.weights.subarray(this.wideOffset);
      const width = this.plan.wide.length;
      return Float32Array.from({ length: rows }, (_, r) => this.probability(deepLogits[r], wide, r * width, table));
    } finally {
      for (const t of temporaries) this.kernels.dispose(t);
    }
  }

  /**
   * One step on `rows` examples: x is the deep features row-major (rows × deepWidth), wide the
   * table indexes (rows × wide features, from wideIndexes), y the labels. Returns the batch's
   * mean loss before the update.
   */
  step(x: Float32Array, wide: Int32Array, y: Float32Array, rows: number): number {
    const { beta1, beta2, epsilon, learningRate } = this.adam;
    const layers = this.plan.deep;
    const gradient = this.gradient;
    const weights = this.weights;
    // The wide tables, concatenated: what wideIndexes points into.
    const table = weights.subarray(this.wideOffset);
    const tableGradient = gradient.subarray(this.wideOffset);
    if (this.delta.length < rows) this.delta = new Float32Array(rows);
    const delta = this.delta;
    let loss = 0;
    const k = this.kernels;
    const temporaries: tf.TensorInfo[] = [];
    const keep = (t: tf.TensorInfo) => (temporaries.push(t), t);
    try {
      const { kernels, activations, deepLogits } = this.forward(x, rows, temporaries);
      // Wide logits, the Add (in the layer's order, in float32), sigmoid, the loss and d loss / d logit.
      const width = this.plan.wide.length;
      const scale = Math.fround(1 / rows);
      for (let r = 0; r < rows; r++) {
        const p = this.probability(deepLogits[r], wide, r * width, table);
        const q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
        loss -= y[r] * Math.log(q) + (1 - y[r]) * Math.log(1 - q);
        // The clip's gradient is zero outside [eps, 1 - eps], as in tfjs' clipByValue.
        delta[r] = p >= EPSILON && p <= 1 - EPSILON ? Math.fround(Math.fround(p - y[r]) * scale) : 0;
      }
      // Wide gradients: every row adds its delta to the entry it read.
      tableGradient.fill(0);
      for (let r = 0; r < rows; r++) {
        const d = delta[r];
        for (let j = 0; j < width; j++) tableGradient[wide[r * width + j]] += d;
      }
      // Deep gradients, the backward pass written out (what tfjs' tape derives for these ops).
      let back = keep(k.upload(delta.subarray(0, rows), [1, rows, 1]));
      let backValues: ArrayLike<number> = delta;
      for (let i = layers.length - 1; i >= 0; i--) {
        gradient.set(k.read(keep(k.matMul(activations[i], back, { transposeA: true }))), this.offsets[2 * i]);
        // The bias gradient (a sum over the batch) in JS: cheaper than a kernel at these sizes.
        const units = layers[i].bias.size;
        const biasStart = this.offsets[2 * i + 1];
        for (let u = 0; u < units; u++) {
          let sum = 0;
          for (let r = 0; r < rows; r++) sum += backValues[r * units + u];
          gradient[biasStart + u] = sum;
        }
        if (i > 0) {
          const propagated = keep(k.matMul(back, kernels[2 * i], { transposeB: true }));
          back = layers[i - 1].relu ? keep(k.reluGrad(propagated, activations[i], temporaries)) : propagated;
          backValues = k.read(back);
        }
      }
    } finally {
      for (const t of temporaries) k.dispose(t);
    }
    // Adam over every weight at once (tfjs' update: moments, bias correction by accumulated beta powers, epsilon).
    adamUpdate(weights, gradient, this.firstMoment, this.secondMoment, beta1, beta2, epsilon, learningRate / (1 - this.accBeta1), 1 / (1 - this.accBeta2));
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(beta2));
    return loss / rows;
  }

  dispose(): void {
    // Nothing held between steps: every step's tensors are freed when it ends.
  }
}

/**
 * Adam's update of every weight (tfjs' arithmetic, with the bias corrections folded into stepSize
 * and inverseCorrection2). Most entries of a wide table are untouched by any batch: with no
 * gradient and no first moment their update is exactly zero, so only the second moment decays.
 * Moments that fall below 1e-35 are flushed to zero before they become float32 subnormals (each
 * operation on a subnormal takes a slow microcode path); at that size their share of an update
 * (≤ stepSize · 1e-35 / epsilon) is far below a float32 weight's resolution, and tfjs' float32
 * moments underflow to zero there too.
 */
function adamUpdate(
  weights: Float32Array,
  gradient: Float32Array,
  firstMoment: Float32Array,
  secondMoment: Float32Array,
  beta1: number,
  beta2: number,
  epsilon: number,
  stepSize: number,
  inverseCorrection2: number,
): void {
  const oneMinusBeta1 = 1 - beta1;
  const oneMinusBeta2 = 1 - beta2;
  const n = weights.length;
  for (let i = 0; i < n; i++) {
    const g = gradient[i];
    let m = firstMoment[i];
    if (g === 0 && m === 0) {
      const v = beta2 * secondMoment[i];
      secondMoment[i] = v < 1e-35 ? 0 : v;
      continue;
    }
    m = beta1 * m + oneMinusBeta1 * g;
    const v = beta2 * secondMoment[i] + oneMinusBeta2 * g * g;
    firstMoment[i] = m < 1e-35 && m > -1e-35 ? 0 : m;
    secondMoment[i] = v < 1e-35 ? 0 : v;
    weights[i] -= (stepSize * m) / (Math.sqrt(v * inverseCorrection2) + epsilon);
  }
}
