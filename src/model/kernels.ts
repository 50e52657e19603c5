import * as tf from '@tensorflow/tfjs';

/**
 * tfjs kernels called directly on the active backend (tf.getKernel / KernelBackend: tfjs' public
 * kernel API), with tensors as plain TensorInfo the caller frees. The matmul kernels take rank-3
 * operands ([batch, rows, cols]) — the shape tf.matMul reshapes to before running them.
 */
export class Kernels {
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
  matMul(
    a: tf.TensorInfo,
    b: tf.TensorInfo,
    options: { transposeA?: boolean; transposeB?: boolean; bias?: tf.TensorInfo; relu?: boolean } = {},
  ): tf.TensorInfo {
    this.check();
    const attrs = { transposeA: options.transposeA ?? false, transposeB: options.transposeB ?? false };
    if (options.bias || options.relu) {
      const inputs = { a, b, ...(options.bias ? { bias: options.bias } : {}) } as unknown as tf.NamedTensorInfoMap;
      return this.fusedMatMul({
        inputs,
        backend: this.backend,
        attrs: { ...attrs, activation: options.relu ? 'relu' : 'linear', leakyreluAlpha: 0 } as unknown as tf.NamedAttrMap,
      }) as tf.TensorInfo;
    }
    return this.batchMatMul({
      inputs: { a, b } as unknown as tf.NamedTensorInfoMap,
      backend: this.backend,
      attrs: attrs as unknown as tf.NamedAttrMap,
    }) as tf.TensorInfo;
  }

  /** dy ⊙ step(y): relu's gradient given its output y (tfjs' Relu gradient is dy · step(x), and step(relu(x)) = step(x)). */
  reluGrad(dy: tf.TensorInfo, y: tf.TensorInfo, temporaries: tf.TensorInfo[]): tf.TensorInfo {
    const mask = this.stepKernel({
      inputs: { x: y } as unknown as tf.NamedTensorInfoMap,
      backend: this.backend,
      attrs: { alpha: 0 } as unknown as tf.NamedAttrMap,
    }) as tf.TensorInfo;
    temporaries.push(mask);
    return this.multiply({ inputs: { a: dy, b: mask } as unknown as tf.NamedTensorInfoMap, backend: this.backend, attrs: {} }) as tf.TensorInfo;
  }
}
