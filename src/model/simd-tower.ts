import * as tf from '@tensorflow/tfjs';
import { SimdGemm } from './simd-gemm';

/** One Dense layer of a tower: its [inputs × units] kernel and bias, optionally relu. */
export interface DenseLayerVariables {
  kernel: tf.Variable;
  bias: tf.Variable;
  relu: boolean;
}

export interface TowerLayer {
  inputs: number;
  units: number;
  /** Row stride (floats) of this layer's kernel, bias, activations and deltas: units rounded up to 4. */
  ld: number;
  relu: boolean;
  /** Float offsets in the module's memory. */
  kernel: number;
  bias: number;
  activations: number;
  /** Backward-pass room (allocated only for training). */
  deltas: number;
}

/**
 * A stack of Dense layers on WebAssembly SIMD GEMM tiles (simd-gemm.ts), weights held in the
 * module's memory: what the compiled wide & deep training step (trainer/wide-deep-fast-path.ts)
 * trains and what a model bundle predicts with (wide-deep.ts), one home for the layout.
 *
 * Parameter region (floats): each layer's kernel [inputs × ld] then bias [ld], then `tailFloats`
 * more (the trainer keeps the wide tables there, so Adam runs over one array). Padding columns are
 * zero and stay zero (zero weights, zero gradients).
 */
export class SimdTower {
  readonly g = new SimdGemm();
  readonly layers: TowerLayer[] = [];
  /** Start and length (floats, a multiple of 4) of the parameter region. */
  readonly params: number;
  readonly size: number;
  /** Where the tail (after the last bias) starts. */
  readonly tail: number;
  readonly inputWidth: number;
  /** Row stride of the input matrix. */
  readonly inputLd: number;
  input = 0;
  private capacity = 0;

  constructor(
    readonly variables: DenseLayerVariables[],
    tailFloats = 0,
    private readonly training = false,
  ) {
    const pad = (n: number) => Math.ceil(n / 4) * 4;
    let size = 0;
    const placed = variables.map((l) => {
      const [inputs, units] = l.kernel.shape as [number, number];
      const ld = pad(units);
      const kernel = size;
      size += inputs * ld;
      const bias = size;
      size += ld;
      return { inputs, units, ld, relu: l.relu, kernel, bias };
    });
    const tail = size;
    size += pad(tailFloats);
    this.size = size;
    this.params = this.g.alloc(size);
    this.tail = this.params + tail;
    for (const l of placed) this.layers.push({ ...l, kernel: this.params + l.kernel, bias: this.params + l.bias, activations: 0, deltas: 0 });
    this.inputWidth = placed[0]?.inputs ?? 0;
    this.inputLd = pad(this.inputWidth);
    this.load();
  }

  /** Reads the layers' weights from their variables. */
  load(): void {
    const f = this.g.f32;
    this.variables.forEach((dense, i) => {
      const l = this.layers[i];
      const kernel = dense.kernel.dataSync() as Float32Array;
      for (let r = 0; r < l.inputs; r++) f.set(kernel.subarray(r * l.units, (r + 1) * l.units), l.kernel + r * l.ld);
      f.set(dense.bias.dataSync() as Float32Array, l.bias);
    });
  }

  /** Writes the layers' weights into their variables. */
  store(): void {
    const f = this.g.f32;
    tf.tidy(() => {
      this.variables.forEach((dense, i) => {
        const l = this.layers[i];
        const kernel = new Float32Array(l.inputs * l.units);
        for (let r = 0; r < l.inputs; r++) kernel.set(f.subarray(l.kernel + r * l.ld, l.kernel + r * l.ld + l.units), r * l.units);
        dense.kernel.assign(tf.tensor(kernel, dense.kernel.shape));
        dense.bias.assign(tf.tensor(f.slice(l.bias, l.bias + l.units), dense.bias.shape));
      });
    });
  }

  /** Room for `rows` examples' inputs, activations (and deltas when training); grown, never shrunk. */
  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const capacity = Math.max(rows, 64);
    this.input = this.g.alloc(capacity * this.inputLd);
    for (const l of this.layers) {
      l.activations = this.g.alloc(capacity * l.ld);
      if (this.training) l.deltas = this.g.alloc(capacity * l.ld);
    }
    this.capacity = capacity;
  }

  /** Forward pass on `rows` examples (x row-major, rows × inputWidth); returns the float offset of the last layer's outputs (row stride: its ld). */
  forward(x: Float32Array, rows: number): number {
    this.reserve(rows);
    const g = this.g;
    const f = g.f32;
    const width = this.inputWidth;
    const ld = this.inputLd;
    for (let r = 0; r < rows; r++) for (let c = 0; c < width; c++) f[this.input + r * ld + c] = x[r * width + c];
    let input = this.input;
    let inputLd = ld;
    for (const l of this.layers) {
      g.gemm(l.relu ? 'biasRelu' : 'bias', rows, l.units, l.inputs, input, inputLd, 1, l.kernel, l.ld, l.activations, l.ld, l.bias);
      input = l.activations;
      inputLd = l.ld;
    }
    return input;
  }
}
