import * as tf from '@tensorflow/tfjs';
import { UserError } from '../util/errors';
import type { AdamConfig } from './flat-adam';
import { SimdGemm, simdAvailable } from '../model/simd-gemm';
import { SimdTower } from '../model/simd-tower';
import { planWideDeepStructure, WideDeepPlan } from '../model/wide-deep';

/** The plan for a model the wide & deep step can train (binaryCrossentropy, Adam), or undefined. */
export function planWideDeep(model: tf.LayersModel): WideDeepPlan | undefined {
  const loss = (model as unknown as { loss?: unknown }).loss;
  if (loss !== 'binaryCrossentropy' && loss !== 'binary_crossentropy') return undefined;
  // Without WebAssembly SIMD the model takes tfjs' generic path.
  if (!simdAvailable()) return undefined;
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
 *   - the dense tower on WebAssembly SIMD GEMM tiles (model/simd-gemm.ts) over one memory that
 *     holds every weight, gradient, moment and activation (no tensors, no copies, no weight
 *     re-packing), the backward pass written out (what tfjs' tape derives for these ops);
 *   - the wide part in plain JS on one concatenated table: a width-1 embedding lookup is one
 *     array read per categorical feature, its gradient one add (no gather/scatter kernels);
 *   - the sigmoid, binaryCrossentropy (with tfjs-layers' clip) and its gradient in JS on the
 *     batch's logits (40 numbers);
 *   - Adam once over all weights as one flat array (tfjs' float32 update, SIMD).
 * The weights live in that memory between steps and are written into the model's variables by
 * `syncToModel()` (fit() calls it when training ends), so the model saves and predicts as usual.
 * Other models take the generic path.
 *
 * Memory layout: the tower's (model/simd-tower.ts) with the wide tables as its tail; gradient,
 * first and second moment in three regions of the same layout.
 */
export class WideDeepTrainer {
  private readonly tower: SimdTower;
  private readonly g: SimdGemm;
  /** Per layer after the first: its kernelᵀ [units × input ld], refreshed each step for the backward pass. */
  private readonly transposed: number[];
  private readonly gradient: number;
  private readonly firstMoment: number;
  private readonly secondMoment: number;
  private readonly table: number;
  private readonly tableSize: number;
  private readonly ones: number;
  private accBeta1: number;
  private accBeta2: number;

  constructor(
    readonly plan: WideDeepPlan,
    private readonly adam: AdamConfig,
  ) {
    this.tableSize = plan.wide.reduce((a, w) => a + w.size, 0);
    // The wide tables after the tower's weights: Adam runs over one array.
    this.tower = new SimdTower(plan.deep, this.tableSize, true);
    const g = (this.g = this.tower.g);
    this.table = this.tower.tail;
    this.gradient = g.alloc(this.tower.size);
    this.firstMoment = g.alloc(this.tower.size);
    this.secondMoment = g.alloc(this.tower.size);
    const layers = this.tower.layers;
    this.transposed = layers.map((l, i) => (i > 0 ? g.alloc(l.units * layers[i - 1].ld) : 0));
    this.ones = g.alloc(1);
    g.f32[this.ones] = 1;
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
    this.tower.load();
    const f = this.g.f32;
    let offset = this.table;
    for (const w of this.plan.wide) {
      f.set(w.embeddings.dataSync() as Float32Array, offset);
      offset += w.size;
    }
  }

  /** Writes the trained weights into the model's variables (fit() calls it when training ends). */
  syncToModel(): void {
    this.tower.store();
    const f = this.g.f32;
    tf.tidy(() => {
      let offset = this.table;
      for (const w of this.plan.wide) {
        w.embeddings.assign(tf.tensor(f.slice(offset, offset + w.size), w.embeddings.shape));
        offset += w.size;
      }
    });
  }

  /** sigmoid(deep logit + the row's wide weights), added in the Add layer's order in float32. */
  private probability(deepLogit: number, wide: Int32Array, at: number, table: Float32Array): number {
    const order = this.plan.sumOrder;
    let logit = 0;
    for (let t = 0; t < order.length; t++) {
      const term = order[t] < 0 ? deepLogit : table[this.table + wide[at + order[t]]];
      logit = t === 0 ? term : Math.fround(logit + term);
    }
    return Math.fround(1 / (1 + Math.exp(-logit)));
  }

  /** P(label = 1) for `rows` examples on the current weights (fit() validates with it: no write-back, no layers engine). */
  predict(x: Float32Array, wide: Int32Array, rows: number): Float32Array {
    const out = new Float32Array(rows);
    const width = this.plan.wide.length;
    const deepWidth = this.deepWidth;
    const chunk = 256;
    for (let start = 0; start < rows; start += chunk) {
      const n = Math.min(chunk, rows - start);
      const logits = this.tower.forward(x.subarray(start * deepWidth, (start + n) * deepWidth), n);
      const ld = this.tower.layers[this.tower.layers.length - 1].ld;
      const f = this.g.f32;
      for (let r = 0; r < n; r++) out[start + r] = this.probability(f[logits + r * ld], wide, (start + r) * width, f);
    }
    return out;
  }

  /**
   * One step on `rows` examples: x is the deep features row-major (rows × deepWidth), wide the
   * table indexes (rows × wide features, from wideIndexes), y the labels. Returns the batch's
   * mean loss before the update.
   */
  step(x: Float32Array, wide: Int32Array, y: Float32Array, rows: number): number {
    const { beta1, beta2, epsilon, learningRate } = this.adam;
    const g = this.g;
    const tower = this.tower;
    const logits = tower.forward(x, rows);
    const f = g.f32;
    const layers = tower.layers;
    const last = layers[layers.length - 1];
    // Wide logits, the Add (in the layer's order, in float32), sigmoid, the loss and d loss / d logit
    // (written as the last layer's deltas, column 0; its padding columns stay zero).
    const width = this.plan.wide.length;
    const scale = Math.fround(1 / rows);
    const tableGradient = this.gradient + (this.table - tower.params);
    f.fill(0, tableGradient, tableGradient + this.tableSize);
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      const p = this.probability(f[logits + r * last.ld], wide, r * width, f);
      const q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
      loss -= y[r] * Math.log(q) + (1 - y[r]) * Math.log(1 - q);
      // The clip's gradient is zero outside [eps, 1 - eps], as in tfjs' clipByValue.
      const d = p >= EPSILON && p <= 1 - EPSILON ? Math.fround(Math.fround(p - y[r]) * scale) : 0;
      f[last.deltas + r * last.ld] = d;
      // Wide gradients: every row adds its delta to the entry it read.
      for (let j = 0; j < width; j++) f[tableGradient + wide[r * width + j]] += d;
    }
    // Deep gradients, layer by layer from the top.
    const toGradient = this.gradient - tower.params;
    for (let i = layers.length - 1; i >= 0; i--) {
      const l = layers[i];
      const input = i > 0 ? layers[i - 1].activations : tower.input;
      const inputLd = i > 0 ? layers[i - 1].ld : tower.inputLd;
      // dKernel = inputᵀ · deltas (inputᵀ read in place through A's strides); dBias = 1ᵀ · deltas.
      g.gemm('zero', l.inputs, l.units, rows, input, 1, inputLd, l.deltas, l.ld, l.kernel + toGradient, l.ld);
      g.gemm('zero', 1, l.units, rows, this.ones, 0, 0, l.deltas, l.ld, l.bias + toGradient, l.ld);
      if (i > 0) {
        // The layer below's deltas = (deltas · kernelᵀ) ⊙ step(its activations) (relu's gradient; step(relu(x)) = step(x)).
        const below = layers[i - 1];
        g.transpose(l.kernel, l.ld, l.inputs, l.units, this.transposed[i], below.ld);
        g.gemm(
          below.relu ? 'mask' : 'zero',
          rows,
          l.inputs,
          l.units,
          l.deltas,
          l.ld,
          1,
          this.transposed[i],
          below.ld,
          below.deltas,
          below.ld,
          below.activations,
        );
      }
    }
    g.adam(
      tower.params,
      this.gradient,
      this.firstMoment,
      this.secondMoment,
      tower.size,
      beta1,
      beta2,
      epsilon,
      1 - this.accBeta1,
      1 - this.accBeta2,
      learningRate,
    );
    this.accBeta1 = Math.fround(this.accBeta1 * Math.fround(beta1));
    this.accBeta2 = Math.fround(this.accBeta2 * Math.fround(beta2));
    return loss / rows;
  }

  dispose(): void {
    // The module's memory goes with the trainer.
  }
}
