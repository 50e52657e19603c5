import * as tf from '@tensorflow/tfjs';

/**
 * tfjs backend selection: `@tensorflow/tfjs-node` (native TensorFlow) when the user installed it,
 * else `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD), else the pure-JS cpu backend. Chosen once
 * per process; the choice is logged by the Trainer and recorded in the model run.
 */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

let selected: Promise<BackendName> | undefined;

export function selectBackend(log: (message: string) => void = () => undefined): Promise<BackendName> {
  selected ??= pick(log);
  return selected;
}

async function pick(log: (message: string) => void): Promise<BackendName> {
  const forced = process.env.TFX_TS_TFJS_BACKEND as BackendName | undefined;
  const order: BackendName[] = forced ? [forced] : ['tensorflow', 'wasm', 'cpu'];
  for (const name of order) {
    try {
      if (name === 'tensorflow') {
        // Optional dependency: it cannot install offline (its install script downloads libtensorflow).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('@tensorflow/tfjs-node');
      } else if (name === 'wasm') {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require('@tensorflow/tfjs-backend-wasm');
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        if (name === 'wasm') installWasmKernels();
        log(
          `tfjs backend: ${name}${name === 'wasm' ? ` (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'on' : 'off'}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'on' : 'off'})` : ''}`,
        );
        return name;
      }
    } catch (error) {
      if (forced) throw new Error(`TFX_TS_TFJS_BACKEND=${forced} cannot be used: ${(error as Error).message}`, { cause: error });
      // Not installed or not usable here: try the next one.
    }
  }
  throw new Error('No tfjs backend could be initialised (tried tensorflow, wasm, cpu).');
}

let wasmKernelsInstalled = false;

/**
 * Two fixes to tfjs-backend-wasm 4.22, measured on the taxi model and the 64-32-1 benchmark:
 *  1. BatchMatMul / _FusedMatMul with a transposed operand run a naive loop instead of XNNPACK;
 *     every Dense layer's backward pass has two of them (x^T·dy, dy·W^T). Transposing first and
 *     multiplying untransposed is 3-4x faster and gives the same sums.
 *  2. UnsortedSegmentSum (the gradient of Gather, i.e. of Embedding layers) has no wasm kernel,
 *     so embeddings could not be trained; a plain loop over the heap provides it.
 */
export function installWasmKernels(): void {
  if (wasmKernelsInstalled) return;
  wasmKernelsInstalled = true;
  const transpose = tf.getKernel('Transpose', 'wasm');
  for (const name of ['BatchMatMul', '_FusedMatMul']) {
    const original = tf.getKernel(name, 'wasm');
    if (!original || !transpose) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
        if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
        const inputs = args.inputs as Record<string, tf.TensorInfo>;
        const temporaries: tf.TensorInfo[] = [];
        const swapLastTwo = (x: tf.TensorInfo) => {
          const rank = x.shape.length;
          const perm = [...Array(rank).keys()];
          [perm[rank - 1], perm[rank - 2]] = [perm[rank - 2], perm[rank - 1]];
          const out = transpose.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
          temporaries.push(out);
          return out;
        };
        const a = attrs.transposeA ? swapLastTwo(inputs.a) : inputs.a;
        const b = attrs.transposeB ? swapLastTwo(inputs.b) : inputs.b;
        const result = original.kernelFunc({ ...args, inputs: { ...inputs, a, b }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
        const backend = args.backend as { disposeData(dataId: object): void };
        for (const t of temporaries) backend.disposeData(t.dataId);
        return result;
      },
    });
  }
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) {
    tf.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName: 'wasm',
      kernelFunc: ({ inputs, attrs, backend }) => {
        const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
        const numSegments = (attrs as { numSegments: number }).numSegments;
        const wasm = backend as unknown as {
          readSync(dataId: object): ArrayLike<number>;
          makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: ArrayLike<number>): tf.TensorInfo;
        };
        const values = wasm.readSync(x.dataId);
        const ids = wasm.readSync(segmentIds.dataId);
        const inner = ids.length === 0 ? 0 : values.length / ids.length;
        const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
        for (let i = 0; i < ids.length; i++) {
          const segment = ids[i];
          if (segment < 0 || segment >= numSegments) continue;
          const from = i * inner;
          const to = segment * inner;
          for (let j = 0; j < inner; j++) out[to + j] += values[from + j];
        }
        return wasm.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype, undefined, out);
      },
    });
  }
}
