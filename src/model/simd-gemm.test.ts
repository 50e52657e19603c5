import { mulberry32 } from '../trainer/random';
import { GemmMode, SimdGemm, simdAvailable } from './simd-gemm';

/**
 * The emitted WebAssembly SIMD kernels against a plain float64 reference, on every tile shape
 * (rows 1–4 and their remainders, 4- and 8-column blocks, padding).
 */
describe('WebAssembly SIMD GEMM and Adam', () => {
  it('is available in Node', () => {
    expect(simdAvailable()).toBe(true);
  });

  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 100, 40],
    [40, 100, 3],
    [40, 70, 100],
    [7, 25, 50],
    [40, 1, 25],
    [5, 13, 0],
  ];
  for (const mode of ['zero', 'bias', 'biasRelu', 'mask'] as GemmMode[]) {
    for (const transposed of [false, true]) {
      it(`${mode}${transposed ? ', A read transposed' : ''}: every shape within float32 rounding`, () => {
        const g = new SimdGemm();
        const rnd = mulberry32(7);
        for (const [m, n, k] of shapes) {
          const ld = Math.ceil(n / 4) * 4;
          const a = g.alloc(m * k);
          const b = g.alloc(Math.max(1, k) * ld);
          const c = g.alloc(m * ld);
          const extra = g.alloc(m * ld);
          const f = g.f32;
          for (let i = 0; i < m * k; i++) f[a + i] = rnd() * 2 - 1;
          for (let r = 0; r < k; r++) for (let j = 0; j < n; j++) f[b + r * ld + j] = rnd() * 2 - 1;
          for (let i = 0; i < m * ld; i++) f[extra + i] = rnd() * 2 - 1;
          f.fill(Number.NaN, c, c + m * ld);
          const at = (i: number, r: number) => (transposed ? f[a + r * m + i] : f[a + i * k + r]);
          g.gemm(mode, m, n, k, a, transposed ? 1 : k, transposed ? m : 1, b, ld, c, ld, extra);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let sum = mode === 'bias' || mode === 'biasRelu' ? f[extra + j] : 0;
              for (let r = 0; r < k; r++) sum += at(i, r) * f[b + r * ld + j];
              if (mode === 'biasRelu') sum = Math.max(0, sum);
              if (mode === 'mask' && !(f[extra + i * ld + j] > 0)) sum = 0;
              expect(Math.abs(f[c + i * ld + j] - sum)).toBeLessThanOrEqual(1e-5 * (1 + k));
            }
            // Padding columns are written too (zero B columns give the bias / zero there), never left unset.
            for (let j = n; j < ld; j++) expect(Number.isNaN(f[c + i * ld + j])).toBe(false);
          }
        }
      });
    }
  }

  it('transposes with row strides', () => {
    const g = new SimdGemm();
    const [rows, cols, srcLd, dstLd] = [5, 7, 8, 8];
    const src = g.alloc(rows * srcLd);
    const dst = g.alloc(cols * dstLd);
    const f = g.f32;
    for (let i = 0; i < rows * srcLd; i++) f[src + i] = i;
    g.transpose(src, srcLd, rows, cols, dst, dstLd);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect(f[dst + c * dstLd + r]).toBe(r * srcLd + c);
    // Outside the transposed block nothing is written.
    for (let c = 0; c < cols; c++) for (let r = rows; r < dstLd; r++) expect(f[dst + c * dstLd + r]).toBe(0);
  });

  it('Adam: tfjs float32 update, in its operation order, over several steps', () => {
    const g = new SimdGemm();
    const n = 12;
    const [w, grad, m, v] = [g.alloc(n), g.alloc(n), g.alloc(n), g.alloc(n)];
    const rnd = mulberry32(3);
    const f = g.f32;
    const ref = { w: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n) };
    for (let i = 0; i < n; i++) ref.w[i] = f[w + i] = rnd();
    const [beta1, beta2, eps, lr] = [0.9, 0.999, 1e-7, 0.005];
    const fr = Math.fround;
    let acc1 = fr(beta1);
    let acc2 = fr(beta2);
    for (let step = 0; step < 5; step++) {
      for (let i = 0; i < n; i++) f[grad + i] = i % 4 === 0 ? 0 : rnd() - 0.5;
      g.adam(w, grad, m, v, n, beta1, beta2, eps, 1 - acc1, 1 - acc2, lr);
      for (let i = 0; i < n; i++) {
        const gi = f[grad + i];
        ref.m[i] = fr(fr(ref.m[i] * fr(beta1)) + fr(gi * fr(1 - beta1)));
        ref.v[i] = fr(fr(ref.v[i] * fr(beta2)) + fr(fr(gi * gi) * fr(1 - beta2)));
        const mHat = fr(ref.m[i] / fr(1 - acc1));
        const vHat = fr(ref.v[i] / fr(1 - acc2));
        ref.w[i] = fr(fr(fr(mHat / fr(fr(Math.sqrt(vHat)) + fr(eps))) * fr(-lr)) + ref.w[i]);
      }
      acc1 = fr(acc1 * fr(beta1));
      acc2 = fr(acc2 * fr(beta2));
    }
    expect(Array.from(f.subarray(w, w + n))).toEqual(Array.from(ref.w));
    expect(Array.from(f.subarray(m, m + n))).toEqual(Array.from(ref.m));
    expect(Array.from(f.subarray(v, v + n))).toEqual(Array.from(ref.v));
  });
});
