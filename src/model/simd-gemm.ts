/**
 * Small-matrix GEMM and Adam on WebAssembly SIMD, for the compiled wide & deep training step
 * (trainer/wide-deep-fast-path.ts).
 *
 * Why not tfjs-backend-wasm's kernels (XNNPACK): the taxi model trains with batches of 40 on a
 * 3-100-70-50-25-1 tower, where every fully-connected call spent more on XNNPACK re-packing the
 * weight operand (the weights change every step, so its operator cache never hits: ~200 µs per step)
 * and on tfjs' per-kernel bookkeeping (~20 calls × 5 µs) than on arithmetic (~150 µs). No library
 * offers a wasm GEMM that takes unpacked row-major operands and runs in Node without a toolchain or
 * a native build, so the module is emitted here, in memory, from a few lines of WebAssembly (its
 * binary encoding written out below): register-blocked micro-kernels (up to 4 rows × 8 columns of
 * C in 8 f32x4 accumulators), called by a plain JS loop over tiles. Every operand lives in the
 * module's own memory, laid out by the caller; nothing is copied per call. The same module carries
 * Adam over one flat weight array (tfjs' float32 arithmetic, in tfjs' operation order).
 *
 * Layout contract: B and C are row-major with a row stride (bytes) that is a multiple of 16 and
 * whose padding columns (up to the next multiple of 4) the caller keeps at zero where they are
 * read; A is addressed by two strides, so A or Aᵀ of a row-major matrix can be passed as is.
 */

/** Tile modes: how accumulators start and how they are stored. */
export type GemmMode = 'zero' | 'bias' | 'biasRelu' | 'mask';
const MODES: GemmMode[] = ['zero', 'bias', 'biasRelu', 'mask'];

// ---- WebAssembly binary encoding (only what the kernels use) ----
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function name(s: string): number[] {
  const bytes = Array.from(new TextEncoder().encode(s));
  return [...uleb(bytes.length), ...bytes];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** Instruction builder for one function body. */
class Body {
  readonly bytes: number[] = [];
  private readonly localTypes: number[] = [];
  constructor(private readonly paramCount: number) {}
  local(type: number): number {
    this.localTypes.push(type);
    return this.paramCount + this.localTypes.length - 1;
  }
  emit(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  get(i: number): this {
    return this.emit(0x20, ...uleb(i));
  }
  set(i: number): this {
    return this.emit(0x21, ...uleb(i));
  }
  i32(n: number): this {
    return this.emit(0x41, ...sleb(n));
  }
  f32(x: number): this {
    const b = new Uint8Array(new Float32Array([x]).buffer);
    return this.emit(0x43, ...b);
  }
  simd(op: number, ...imm: number[]): this {
    return this.emit(0xfd, ...uleb(op), ...imm);
  }
  /** v128.load / v128.store with a constant byte offset (align hint 2^4 is only a hint: unaligned is allowed). */
  load128(offset = 0): this {
    return this.simd(0x00, 4, ...uleb(offset));
  }
  store128(offset = 0): this {
    return this.simd(0x0b, 4, ...uleb(offset));
  }
  encode(): number[] {
    // Locals grouped one entry per local (simple, valid).
    const locals = vec(this.localTypes.map((t) => [1, t]));
    const code = [...locals, ...this.bytes, 0x0b];
    return [...uleb(code.length), ...code];
  }
}

const OP = {
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32Eqz: 0x45,
  f32Load: 0x2a,
  block: 0x02,
  loop: 0x03,
  brIf: 0x0d,
  end: 0x0b,
  void: 0x40,
  f32Store: 0x38,
  // SIMD (0xfd prefix)
  v128Load32Splat: 0x09,
  f32x4Splat: 0x13,
  v128And: 0x4e,
  v128AndNot: 0x4f,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  f32x4Abs: 0xe0,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Max: 0xe9,
};

/**
 * C[R × 4V] = A[R × k] · B[k × 4V] (+ bias, relu, or masked by another matrix > 0), params:
 * (a, aRowStride, aColStride, b, ldb, c, ldc, k, extra), all byte addresses / strides.
 * extra: the bias row (bias modes) or the mask matrix at C's position with C's stride (mask mode).
 */
function tileKernel(rows: number, vectors: number, mode: GemmMode): number[] {
  const [A, ARS, ACS, B, LDB, C, LDC, K, EXTRA] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const f = new Body(9);
  const acc: number[][] = [];
  for (let r = 0; r < rows; r++) acc.push(Array.from({ length: vectors }, () => f.local(V128)));
  const bv = Array.from({ length: vectors }, () => f.local(V128));
  const s = f.local(V128);
  const rowOffset = [0, ...Array.from({ length: rows - 1 }, () => f.local(I32))]; // r · aRowStride
  for (let r = 1; r < rows; r++) f.get(ARS).i32(r).emit(OP.i32Mul).set(rowOffset[r]);
  // Initial accumulators.
  for (let v = 0; v < vectors; v++) {
    if (mode === 'bias' || mode === 'biasRelu') f.get(EXTRA).load128(16 * v);
    else f.f32(0).simd(OP.f32x4Splat);
    f.set(acc[0][v]);
    for (let r = 1; r < rows; r++) f.get(acc[0][v]).set(acc[r][v]);
  }
  // for (; k > 0; k--, a += aColStride, b += ldb)
  f.emit(OP.block, OP.void);
  f.get(K).emit(OP.i32Eqz, OP.brIf, 0);
  f.emit(OP.loop, OP.void);
  for (let v = 0; v < vectors; v++)
    f.get(B)
      .load128(16 * v)
      .set(bv[v]);
  for (let r = 0; r < rows; r++) {
    f.get(A);
    if (r > 0) f.get(rowOffset[r]).emit(OP.i32Add);
    f.simd(OP.v128Load32Splat, 2, 0).set(s);
    for (let v = 0; v < vectors; v++) {
      f.get(acc[r][v]).get(s).get(bv[v]).simd(OP.f32x4Mul).simd(OP.f32x4Add).set(acc[r][v]);
    }
  }
  f.get(A).get(ACS).emit(OP.i32Add).set(A);
  f.get(B).get(LDB).emit(OP.i32Add).set(B);
  f.get(K).i32(1).emit(OP.i32Sub).set(K);
  f.get(K).emit(OP.brIf, 0); // loop while k != 0
  f.emit(OP.end, OP.end);
  // Store.
  const zero = f.local(V128);
  f.f32(0).simd(OP.f32x4Splat).set(zero);
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vectors; v++) {
      f.get(C); // address
      f.get(acc[r][v]);
      if (mode === 'biasRelu') f.get(zero).simd(OP.f32x4Max);
      if (mode === 'mask')
        f.get(EXTRA)
          .load128(16 * v)
          .get(zero)
          .simd(OP.f32x4Gt)
          .simd(OP.v128And);
      f.store128(16 * v);
    }
    if (r < rows - 1) {
      f.get(C).get(LDC).emit(OP.i32Add).set(C);
      if (mode === 'mask') f.get(EXTRA).get(LDC).emit(OP.i32Add).set(EXTRA);
    }
  }
  return f.encode();
}

/**
 * Adam over n4 × 4 floats, in tfjs' float32 operations and order (optimizers/adam_optimizer.ts):
 *   m = m·β1 + g·(1−β1);  v = v·β2 + g²·(1−β2);
 *   w = ((m / (1−β1ᵗ)) / (sqrt(v / (1−β2ᵗ)) + ε)) · (−lr) + w
 * Moments below 1e-35 in magnitude are then stored as zero: untouched entries of a wide table only
 * see their second moment decay, and float32 subnormals take a slow path on every operation; at
 * that size their share of an update is far below a weight's float32 resolution.
 * params: (w, g, m, v, n4, β1, β2, 1−β1, 1−β2, ε, 1−β1ᵗ, 1−β2ᵗ, −lr)
 */
function adamKernel(): number[] {
  const [W, G, M, V, N] = [0, 1, 2, 3, 4];
  const f = new Body(13);
  const splat = (param: number) => {
    const l = f.local(V128);
    f.get(param).simd(OP.f32x4Splat).set(l);
    return l;
  };
  const [b1, b2, omb1, omb2, eps, c1, c2, negLr] = [5, 6, 7, 8, 9, 10, 11, 12].map(splat);
  const tiny = f.local(V128);
  f.f32(1e-35).simd(OP.f32x4Splat).set(tiny);
  const g = f.local(V128);
  const m = f.local(V128);
  const v = f.local(V128);
  f.emit(OP.block, OP.void);
  f.get(N).emit(OP.i32Eqz, OP.brIf, 0);
  f.emit(OP.loop, OP.void);
  f.get(G).load128().set(g);
  f.get(M).load128().get(b1).simd(OP.f32x4Mul).get(g).get(omb1).simd(OP.f32x4Mul).simd(OP.f32x4Add).set(m);
  f.get(V).load128().get(b2).simd(OP.f32x4Mul).get(g).get(g).simd(OP.f32x4Mul).get(omb2).simd(OP.f32x4Mul).simd(OP.f32x4Add).set(v);
  // w = (mHat / (sqrt(vHat) + eps)) * (-lr) + w
  f.get(W);
  f.get(m).get(c1).simd(OP.f32x4Div);
  f.get(v).get(c2).simd(OP.f32x4Div).simd(OP.f32x4Sqrt).get(eps).simd(OP.f32x4Add);
  f.simd(OP.f32x4Div).get(negLr).simd(OP.f32x4Mul);
  f.get(W).load128().simd(OP.f32x4Add);
  f.store128();
  // Moments, flushed below 1e-35.
  f.get(M).get(m).get(m).simd(OP.f32x4Abs).get(tiny).simd(OP.f32x4Lt).simd(OP.v128AndNot).store128();
  f.get(V).get(v).get(v).get(tiny).simd(OP.f32x4Lt).simd(OP.v128AndNot).store128();
  for (const p of [W, G, M, V]) f.get(p).i32(16).emit(OP.i32Add).set(p);
  f.get(N).i32(1).emit(OP.i32Sub).set(N);
  f.get(N).emit(OP.brIf, 0);
  f.emit(OP.end, OP.end);
  return f.encode();
}

/**
 * dst[c][r] = src[r][c] for rows × cols floats; params (src, srcLd, dst, dstLd, rows, cols), byte
 * addresses and strides. (The backward pass needs each kernel transposed once per step.)
 */
function transposeKernel(): number[] {
  const [SRC, SRC_LD, DST, DST_LD, ROWS, COLS] = [0, 1, 2, 3, 4, 5];
  const f = new Body(6);
  const s = f.local(I32);
  const d = f.local(I32);
  const c = f.local(I32);
  f.emit(OP.block, OP.void);
  f.get(ROWS).emit(OP.i32Eqz, OP.brIf, 0);
  f.get(COLS).emit(OP.i32Eqz, OP.brIf, 0);
  f.emit(OP.loop, OP.void);
  f.get(SRC).set(s).get(DST).set(d).get(COLS).set(c);
  f.emit(OP.loop, OP.void);
  f.get(d).get(s).emit(OP.f32Load, 2, 0).emit(OP.f32Store, 2, 0);
  f.get(s).i32(4).emit(OP.i32Add).set(s);
  f.get(d).get(DST_LD).emit(OP.i32Add).set(d);
  f.get(c).i32(1).emit(OP.i32Sub).set(c);
  f.get(c).emit(OP.brIf, 0);
  f.emit(OP.end);
  f.get(SRC).get(SRC_LD).emit(OP.i32Add).set(SRC);
  f.get(DST).i32(4).emit(OP.i32Add).set(DST);
  f.get(ROWS).i32(1).emit(OP.i32Sub).set(ROWS);
  f.get(ROWS).emit(OP.brIf, 0);
  f.emit(OP.end, OP.end);
  return f.encode();
}

interface Exports {
  memory: WebAssembly.Memory;
  adam: (...args: number[]) => void;
  transpose: (...args: number[]) => void;
  [tile: string]: unknown;
}

let compiled: WebAssembly.Module | null | undefined;

function tileName(mode: GemmMode, rows: number, vectors: number): string {
  return `${mode}_${rows}x${vectors}`;
}

/** The compiled module, or null where WebAssembly SIMD is not available. */
function module(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  const tiles: { name: string; body: number[] }[] = [];
  for (const mode of MODES)
    for (let rows = 1; rows <= 4; rows++)
      for (let vectors = 1; vectors <= 2; vectors++) tiles.push({ name: tileName(mode, rows, vectors), body: tileKernel(rows, vectors, mode) });
  const types = [
    [0x60, ...vec(Array.from({ length: 9 }, () => [I32])), ...vec([])],
    [0x60, ...vec([...Array.from({ length: 5 }, () => [I32]), ...Array.from({ length: 8 }, () => [F32])]), ...vec([])],
    [0x60, ...vec(Array.from({ length: 6 }, () => [I32])), ...vec([])],
  ];
  const functions = [...tiles.map(() => [0]), [1], [2]];
  const exports = [
    ...tiles.map((t, i) => [...name(t.name), 0x00, ...uleb(i)]),
    [...name('adam'), 0x00, ...uleb(tiles.length)],
    [...name('transpose'), 0x00, ...uleb(tiles.length + 1)],
    [...name('memory'), 0x02, 0],
  ];
  const bytes = new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(3, vec(functions)),
    ...section(5, vec([[0x00, 1]])), // one memory, min 1 page, grown by the caller
    ...section(7, vec(exports)),
    ...section(10, [...uleb(tiles.length + 2), ...tiles.flatMap((t) => t.body), ...adamKernel(), ...transposeKernel()]),
  ]);
  try {
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Whether this runtime has WebAssembly SIMD (the wide & deep step falls back to tfjs' generic path without it). */
export function simdAvailable(): boolean {
  return module() !== null;
}

/**
 * One instance: its own memory (float offsets handed out by `alloc`, 16-byte aligned), the GEMM
 * driver and Adam. Offsets are in floats; `f32` is a view of the whole memory (re-read after alloc).
 */
export class SimdGemm {
  private readonly exports: Exports;
  /** Tile kernels indexed by mode · 8 + (rows − 1) · 2 + (vectors − 1). */
  private readonly tiles: ((...args: number[]) => void)[] = [];
  private used = 0;
  f32: Float32Array;

  constructor() {
    const m = module();
    if (!m) throw new Error('WebAssembly SIMD is not available in this runtime.');
    this.exports = new WebAssembly.Instance(m, {}).exports as unknown as Exports;
    for (const mode of MODES)
      for (let rows = 1; rows <= 4; rows++)
        for (let vectors = 1; vectors <= 2; vectors++) this.tiles.push(this.exports[tileName(mode, rows, vectors)] as (...args: number[]) => void);
    this.f32 = new Float32Array(this.exports.memory.buffer);
  }

  /** Reserves `floats` zeroed floats (rounded up to a multiple of 4) and returns their float offset. */
  alloc(floats: number): number {
    const start = this.used;
    this.used += Math.ceil(floats / 4) * 4;
    const bytes = this.used * 4;
    const memory = this.exports.memory;
    if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    this.f32 = new Float32Array(memory.buffer);
    return start;
  }

  /**
   * C (m × n, row stride ldc floats) = A · B, where A(i, k) is at a + i·aRow + k·aCol and B is k × n
   * with row stride ldb (floats). n may be up to the padded width (a multiple of 4 ≤ ldb, ldc): the
   * padding columns are computed like the others. `extra`: the bias row (bias modes), or the mask
   * matrix (mask mode: C is stored where mask > 0, else 0; same row stride as C).
   */
  gemm(
    mode: GemmMode,
    m: number,
    n: number,
    k: number,
    a: number,
    aRow: number,
    aCol: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    extra = 0,
  ): void {
    const width = Math.ceil(n / 4) * 4;
    const tiles = this.tiles;
    const masked = mode === 'mask';
    const base = MODES.indexOf(mode) * 8;
    for (let i = 0; i < m; i += 4) {
      const rows = Math.min(4, m - i);
      for (let j = 0; j < width; j += 8) {
        const vectors = width - j >= 8 ? 2 : 1;
        const fn = tiles[base + (rows - 1) * 2 + vectors - 1];
        fn((a + i * aRow) * 4, aRow * 4, aCol * 4, (b + j) * 4, ldb * 4, (c + i * ldc + j) * 4, ldc * 4, k, (masked ? extra + i * ldc + j : extra + j) * 4);
      }
    }
  }

  /** dst (cols × rows, row stride dstLd floats) = srcᵀ, src rows × cols with row stride srcLd. */
  transpose(src: number, srcLd: number, rows: number, cols: number, dst: number, dstLd: number): void {
    this.exports.transpose(src * 4, srcLd * 4, dst * 4, dstLd * 4, rows, cols);
  }

  /** Adam (see adamKernel) over `n` floats (a multiple of 4) of weights w with gradient g and moments m, v. */
  adam(
    w: number,
    g: number,
    m: number,
    v: number,
    n: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    oneMinusAccBeta1: number,
    oneMinusAccBeta2: number,
    learningRate: number,
  ): void {
    this.exports.adam(w * 4, g * 4, m * 4, v * 4, n / 4, beta1, beta2, 1 - beta1, 1 - beta2, epsilon, oneMinusAccBeta1, oneMinusAccBeta2, -learningRate);
  }
}
