import * as tf from '@tensorflow/tfjs';
import { UserError } from '../util/errors';
import { Kernels } from './kernels';
import { simdAvailable } from './simd-gemm';
import { SimdTower } from './simd-tower';

/**
 * The wide & deep shape of the TFX taxi template's model, read off a tfjs model's layers:
 *   deep: numeric inputs (concatenated) → Dense(relu)… → Dense(1, linear)
 *   wide: one Embedding(inputDim, 1) per categorical input (a linear model over its one-hot encoding) → Flatten
 *   Add(deep logit, wide logits…) → Activation(sigmoid)
 * The model bundle predicts such models without the layers engine (WideDeepPredictor) and the
 * trainer's compiled step trains them (trainer/wide-deep-fast-path.ts).
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
    const config = d.getConfig() as {
      activation?: string;
      useBias?: boolean;
      kernelRegularizer?: unknown;
      biasRegularizer?: unknown;
      activityRegularizer?: unknown;
      kernelConstraint?: unknown;
      biasConstraint?: unknown;
    };
    if (!config.useBias || config.kernelRegularizer || config.biasRegularizer || config.activityRegularizer || config.kernelConstraint || config.biasConstraint)
      return undefined;
    const lastLayer = i === dense.length - 1;
    if (lastLayer ? config.activation !== 'linear' : config.activation !== 'relu' && config.activation !== 'linear') return undefined;
    layers.push({ kernel: d.kernel!.read() as tf.Variable, bias: d.bias!.read() as tf.Variable, relu: config.activation === 'relu' });
  }
  if (layers[layers.length - 1].kernel.shape[1] !== 1) return undefined;
  return { features: inputs.map((l) => l.name), layers, covered };
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
      const config = embedding.getConfig() as {
        inputDim?: number;
        outputDim?: number;
        maskZero?: boolean;
        embeddingsRegularizer?: unknown;
        activityRegularizer?: unknown;
        embeddingsConstraint?: unknown;
      };
      if (config.outputDim !== 1 || config.maskZero || config.embeddingsRegularizer || config.activityRegularizer || config.embeddingsConstraint)
        return undefined;
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

/**
 * Inference through a wide & deep model: the dense tower on WebAssembly SIMD GEMM tiles
 * (simd-tower.ts, the same code the compiled training step runs) from one input matrix, the wide
 * lookups and the sigmoid in JS — the values model.predict gives (to float32 rounding), without the
 * layers engine walking 40+ layers per request (about 1 ms for the taxi model) or tfjs' per-kernel
 * bookkeeping. Falls back to the backend's fused matmul kernels where WebAssembly SIMD is missing.
 */
/** Rows per forward pass of the SIMD tower. */
const PREDICT_CHUNK = 256;

export class WideDeepPredictor {
  private readonly tables: Float32Array[];
  private readonly tower: SimdTower | undefined;
  private readonly kernels: Kernels | undefined;

  constructor(readonly plan: WideDeepPlan) {
    this.tables = plan.wide.map((w) => w.embeddings.dataSync() as Float32Array);
    if (simdAvailable()) this.tower = new SimdTower(plan.deep);
    else this.kernels = new Kernels();
  }

  private deepLogits(x: Float32Array, rows: number): Float32Array {
    if (this.tower) {
      // In chunks: the module's memory holds one chunk's activations and never shrinks, whatever the request size.
      const width = this.plan.deepFeatures.length;
      const ld = this.tower.layers[this.tower.layers.length - 1].ld;
      const logits = new Float32Array(rows);
      for (let start = 0; start < rows; start += PREDICT_CHUNK) {
        const n = Math.min(PREDICT_CHUNK, rows - start);
        const out = this.tower.forward(x.subarray(start * width, (start + n) * width), n);
        const f = this.tower.g.f32;
        for (let r = 0; r < n; r++) logits[start + r] = f[out + r * ld];
      }
      return logits;
    }
    const k = this.kernels!;
    const temporaries: tf.TensorInfo[] = [];
    try {
      let h = k.upload(x, [1, rows, this.plan.deepFeatures.length]);
      temporaries.push(h);
      for (const layer of this.plan.deep) {
        // The model's own variables as kernel inputs (a bundle's weights do not change, so XNNPACK's packed weights are reused).
        h = k.matMul(h, { dataId: layer.kernel.dataId, shape: [1, ...layer.kernel.shape], dtype: 'float32' }, { bias: layer.bias, relu: layer.relu });
        temporaries.push(h);
      }
      return k.read(h).slice();
    } finally {
      for (const t of temporaries) k.dispose(t);
    }
  }

  /** x: deep features row-major (rows × deep width); wide: per-wide-feature columns of category ids. */
  predict(x: Float32Array, wideColumns: Float32Array[], rows: number): Float32Array {
    const deepLogits = this.deepLogits(x, rows);
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
            throw new UserError(
              `Feature "${this.plan.wide[w].feature}" has category id ${wideColumns[w][r]}, outside its embedding's range [0, ${this.plan.wide[w].size}).`,
            );
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
