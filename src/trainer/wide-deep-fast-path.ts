import * as tf from '@tensorflow/tfjs';
import { UserError } from '../util/errors';
import type { AdamConfig } from './flat-adam';

/**
 * A compiled training step for wide & deep binary classifiers, the TFX taxi template's model:
 *   deep: numeric inputs (concatenated) → Dense(relu)… → Dense(1, linear)
 *   wide: one Embedding(inputDim, 1) per categorical input (a linear model over its one-hot encoding) → Flatten
 *   Add(deep logit, wide logits…) → Activation(sigmoid), binaryCrossentropy, Adam.
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
 * The kernels are called directly (Kernels below), not through tfjs' engine: at batch 40 the
 * engine's bookkeeping per op (scopes, tensor tracking, the reshapes matMul adds around its
 * kernel) cost as much as the arithmetic. The weights live in the flat array between steps and are
 * written into the model's variables by `syncToModel()` (fit() calls it before validation and when
 * training ends), so the model saves and predicts as usual. Other models take the generic path.
 */
export interface WideDeepPlan {
  /** Dataset features the deep tower concatenates, in order. */
  deepFeatures: string[];
  /** The tower's Dense layers; the last has one linear unit (the deep logit). */
  deep: { kernel: tf.Variable; bias: tf.Variable; relu: boolean }[];
  /** Width-1 embeddings, each on one categorical feature. */
  wide: { feature: string; embeddings: tf.Variable; size: number }[];
  /** Add's inputs in order: -1 is the deep logit, i ≥ 0 is wide[i] (float32 addition is order-sensitive). */
  sumOrder: number[];
}

interface LayerInternals {
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  inboundNodes: { inboundLayers: LayerInternals[] }[];
  kernel?: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor };
  embeddings?: { read(): tf.Tensor };
  name: string;
}

const inboundOf = (layer: LayerInternals): LayerInternals[] => layer.inboundNodes[0]?.inboundLayers ?? [];

interface Tower {
  features: string[];
  layers: { kernel: tf.Variable; bias: tf.Variable; relu: boolean }[];
  /** Layers it covers (inputs, concatenate, dense). */
  covered: LayerInternals[];
}

/** Inputs (one, or several concatenated, each of shape [1]) → Dense…, walking back from `last`. */
function towerEndingAt(last: LayerInternals): Tower | undefined {
  const dense: LayerInternals[] = [];
  let layer: LayerInternals | undefined = last;
  while (layer && layer.getClassName() === 'Dense') {
    dense.unshift(layer);
    const inbound = inboundOf(layer);
    if (inbound.length !== 1) return undefined;
    layer = inbound[0];
  }
  if (!layer || dense.length === 0) return undefined;
  let inputs: LayerInternals[];
  const covered: LayerInternals[] = [...dense];
  if (layer.getClassName() === 'InputLayer') {
    inputs = [layer];
  } else if (layer.getClassName() === 'Concatenate') {
    const axis = layer.getConfig().axis;
    if (axis !== -1 && axis !== 1) return undefined;
    inputs = inboundOf(layer);
    if (!inputs.every((l) => l.getClassName() === 'InputLayer')) return undefined;
    covered.push(layer);
  } else {
    return undefined;
  }
  covered.push(...inputs);
  const layers: Tower['layers'] = [];
  for (const [i, d] of dense.entries()) {
    const config = d.getConfig() as { activation?: string; useBias?: boolean; kernelRegularizer?: unknown; biasRegularizer?: unknown; activityRegularizer?: unknown; kernelConstraint?: unknown; biasConstraint?: unknown };
    if (!config.useBias || config.kernelRegularizer || config.biasRegularizer || config.activityRegularizer || config.kernelConstraint || config.biasConstraint) return undefined;
    const lastLayer = i === dense.length - 1;
    if (lastLayer ? config.activation !== 'linear' : config.activation !== 'relu' && config.activation !== 'linear') return undefined;
    layers.push({ kernel: d.kernel!.read() as tf.Variable, bias: d.bias!.read() as tf.Variable, relu: config.activation === 'relu' });
  }
  if (layers[layers.length - 1].kernel.shape[1] !== 1) return undefined;
  return { features: inputs.map((l) => l.name), layers, covered };
}

/** The plan for a model the wide & deep step can train (binaryCrossentropy, Adam), or undefined. */
export function planWideDeep(model: tf.LayersModel): WideDeepPlan | undefined {
  const loss = (model as unknown as { loss?: unknown }).loss;
  if (loss !== 'binaryCrossentropy' && loss !== 'binary_crossentropy') return undefined;
  return planWideDeepStructure(model);
}

/** The wide & deep structure of a model (for training or inference), or undefined. */
export function planWideDeepStructure(model: tf.LayersModel): WideDeepPlan | undefined {
  if (model.outputs.length !== 1) return undefined;
  if (model.inputs.some((input) => input.shape.length !== 2 || input.shape[1] !== 1)) return undefined;
  const layers = model.layers as unknown as LayerInternals[];
  const output = layers[layers.length - 1];
  if (output.getClassName() !== 'Activation' || output.getConfig().activation !== 'sigmoid') return undefined;
  const [sum] = inboundOf(output);
  if (!sum || inboundOf(output).length !== 1) return undefined;
  const terms = sum.getClassName() === 'Add' ? inboundOf(sum) : [sum];
  const covered = new Set<LayerInternals>([output, ...(sum.getClassName() === 'Add' ? [sum] : [])]);
  let tower: Tower | undefined;
  const wide: WideDeepPlan['wide'] = [];
  const sumOrder: number[] = [];
  for (const term of terms) {
    if (term.getClassName() === 'Dense') {
      if (tower) return undefined;
      tower = towerEndingAt(term);
      if (!tower) return undefined;
      tower.covered.forEach((l) => covered.add(l));
      sumOrder.push(-1);
    } else if (term.getClassName() === 'Flatten') {
      const [embedding] = inboundOf(term);
      if (!embedding || embedding.getClassName() !== 'Embedding') return undefined;
      const config = embedding.getConfig() as { inputDim?: number; outputDim?: number; maskZero?: boolean; embeddingsRegularizer?: unknown; activityRegularizer?: unknown; embeddingsConstraint?: unknown };
      if (config.outputDim !== 1 || config.maskZero || config.embeddingsRegularizer || config.activityRegularizer || config.embeddingsConstraint) return undefined;
      const [input] = inboundOf(embedding);
      if (!input || input.getClassName() !== 'InputLayer') return undefined;
      sumOrder.push(wide.length);
      wide.push({ feature: input.name, embeddings: embedding.embeddings!.read() as tf.Variable, size: config.inputDim! });
      [term, embedding, input].forEach((l) => covered.add(l));
    } else {
      return undefined;
    }
  }
  // Every layer of the model must be one of those understood (no dropout, normalization, ...), and each input used once.
  if (!tower || covered.size !== layers.length) return undefined;
  const features = [...tower.features, ...wide.map((w) => w.feature)];
  if (new Set(features).size !== features.length || features.length !== model.inputs.length) return undefined;
  return { deepFeatures: tower.features, deep: tower.layers, wide, sumOrder };
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

  constructor(readonly plan: WideDeepPlan, private readonly adam: AdamConfig) {
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
      // This step's dense weights, uploaded from the flat array Adam updated.
      const kernels = this.deepVariables.map((v, i) => keep(k.upload(weights.subarray(this.offsets[i], this.offsets[i] + v.size), i % 2 === 0 ? [1, ...v.shape] : v.shape)));
      const activations: tf.TensorInfo[] = [keep(k.upload(x, [1, rows, this.deepWidth]))];
      for (let i = 0; i < layers.length; i++) {
        activations.push(keep(k.matMul(activations[i], kernels[2 * i], { bias: kernels[2 * i + 1], relu: layers[i].relu })));
      }
      const deepLogits = k.read(activations[layers.length]);
      // Wide logits, the Add (in the layer's order, in float32), sigmoid, the loss and d loss / d logit.
      const width = this.plan.wide.length;
      const order = this.plan.sumOrder;
      const scale = Math.fround(1 / rows);
      for (let r = 0; r < rows; r++) {
        let logit = 0;
        for (let t = 0; t < order.length; t++) {
          const term = order[t] < 0 ? deepLogits[r] : table[wide[r * width + order[t]]];
          logit = t === 0 ? term : Math.fround(logit + term);
        }
        const p = Math.fround(1 / (1 + Math.exp(-logit)));
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
 * Inference through a wide & deep model: the dense tower on fused matmul kernels from one input
 * matrix, the wide lookups and the sigmoid in JS — the values model.predict gives (to float32
 * rounding of the sigmoid), without the layers engine walking 40+ layers per request.
 */
export class WideDeepPredictor {
  private readonly tables: Float32Array[];

  constructor(readonly plan: WideDeepPlan) {
    this.tables = plan.wide.map((w) => w.embeddings.dataSync() as Float32Array);
  }

  /** x: deep features row-major (rows × deep width); wide: per-wide-feature columns of category ids. */
  predict(x: Float32Array, wideColumns: Float32Array[], rows: number): Float32Array {
    const layers = this.plan.deep;
    const deepLogits = tf.tidy(() => {
      let h: tf.Tensor2D = tf.tensor2d(x, [rows, this.plan.deepFeatures.length]);
      for (const layer of layers) h = tf.fused.matMul({ a: h, b: layer.kernel as tf.Tensor2D, bias: layer.bias, activation: layer.relu ? 'relu' : 'linear' }) as tf.Tensor2D;
      return h.dataSync() as Float32Array;
    });
    const out = new Float32Array(rows);
    const order = this.plan.sumOrder;
    for (let r = 0; r < rows; r++) {
      let logit = 0;
      for (let t = 0; t < order.length; t++) {
        let term: number;
        if (order[t] < 0) {
          term = deepLogits[r];
        } else {
          const w = order[t];
          const id = Math.trunc(wideColumns[w][r]);
          if (!(id >= 0 && id < this.plan.wide[w].size)) {
            throw new UserError(`Feature "${this.plan.wide[w].feature}" has category id ${wideColumns[w][r]}, outside its embedding's range [0, ${this.plan.wide[w].size}).`);
          }
          term = this.tables[w][id];
        }
        logit = t === 0 ? term : Math.fround(logit + term);
      }
      out[r] = 1 / (1 + Math.exp(-logit));
    }
    return out;
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
function adamUpdate(weights: Float32Array, gradient: Float32Array, firstMoment: Float32Array, secondMoment: Float32Array, beta1: number, beta2: number, epsilon: number, stepSize: number, inverseCorrection2: number): void {
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

/**
 * tfjs kernels called directly on the active backend (tf.getKernel / KernelBackend: tfjs' public
 * kernel API), with tensors as plain TensorInfo the caller frees. The matmul kernels take rank-3
 * operands ([batch, rows, cols]) — the shape tf.matMul reshapes to before running them.
 */
class Kernels {
  private readonly backend = tf.backend() as tf.KernelBackend;
  private readonly backendName = tf.getBackend();
  private readonly fusedMatMul = this.kernel('_FusedMatMul');
  private readonly batchMatMul = this.kernel('BatchMatMul');
  private readonly stepKernel = this.kernel('Step');
  private readonly multiply = this.kernel('Multiply');

  private kernel(name: string): tf.KernelFunc {
    const config = tf.getKernel(name, tf.getBackend());
    if (!config) throw new Error(`tfjs backend ${tf.getBackend()} has no ${name} kernel.`);
    return config.kernelFunc;
  }

  private check(): void {
    if (tf.getBackend() !== this.backendName) throw new Error(`The tfjs backend changed from ${this.backendName} to ${tf.getBackend()} during training.`);
  }

  upload(values: Float32Array, shape: number[]): tf.TensorInfo {
    return { dataId: this.backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
  }

  read(t: tf.TensorInfo): Float32Array {
    return this.backend.readSync(t.dataId) as Float32Array;
  }

  dispose(t: tf.TensorInfo): void {
    this.backend.disposeData(t.dataId, true);
  }

  /** a · b (rank 3), with an optional bias and relu fused into the kernel. */
  matMul(a: tf.TensorInfo, b: tf.TensorInfo, options: { transposeA?: boolean; transposeB?: boolean; bias?: tf.TensorInfo; relu?: boolean } = {}): tf.TensorInfo {
    this.check();
    const attrs = { transposeA: options.transposeA ?? false, transposeB: options.transposeB ?? false };
    if (options.bias || options.relu) {
      const inputs = { a, b, ...(options.bias ? { bias: options.bias } : {}) } as unknown as tf.NamedTensorInfoMap;
      return this.fusedMatMul({ inputs, backend: this.backend, attrs: { ...attrs, activation: options.relu ? 'relu' : 'linear', leakyreluAlpha: 0 } as unknown as tf.NamedAttrMap }) as tf.TensorInfo;
    }
    return this.batchMatMul({ inputs: { a, b } as unknown as tf.NamedTensorInfoMap, backend: this.backend, attrs: attrs as unknown as tf.NamedAttrMap }) as tf.TensorInfo;
  }

  /** dy ⊙ step(y): relu's gradient given its output y (tfjs' Relu gradient is dy · step(x), and step(relu(x)) = step(x)). */
  reluGrad(dy: tf.TensorInfo, y: tf.TensorInfo, temporaries: tf.TensorInfo[]): tf.TensorInfo {
    const mask = this.stepKernel({ inputs: { x: y } as unknown as tf.NamedTensorInfoMap, backend: this.backend, attrs: { alpha: 0 } as unknown as tf.NamedAttrMap }) as tf.TensorInfo;
    temporaries.push(mask);
    return this.multiply({ inputs: { a: dy, b: mask } as unknown as tf.NamedTensorInfoMap, backend: this.backend, attrs: {} }) as tf.TensorInfo;
  }
}
