/**
 * The split fingerprint: MurmurHash3_x86_128 (Austin Appleby's reference, seed 0) of a byte string,
 * of which the first 8 bytes of the 16-byte digest are read as an unsigned little-endian 64-bit
 * integer — what Python's `int.from_bytes(mmh3.hash_bytes(key, 0, x64arch=False)[:8], 'little')`
 * returns. The algorithm is fixed by its reference code, so a row's split depends on neither the
 * DuckDB version nor the platform (test vectors in fingerprint.test.ts come from the Python mmh3
 * package).
 *
 * Written out here rather than taken from an npm murmur package because it runs once per CSV record
 * on ranges of one large buffer: the packages take a fresh byte array or string per call and return
 * a hex string, which costs more than the hash itself at a million rows.
 */

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function word(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

/** Low and high 32-bit halves of the fingerprint's first 64 bits, written into `out`. */
function murmur3x86Low64(b: Uint8Array, start: number, end: number, out: Uint32Array): void {
  const len = end - start;
  let h1 = 0;
  let h2 = 0;
  let h3 = 0;
  let h4 = 0;
  const blocksEnd = start + (len & ~15);
  let i = start;
  for (; i < blocksEnd; i += 16) {
    let k1 = word(b, i);
    let k2 = word(b, i + 4);
    let k3 = word(b, i + 8);
    let k4 = word(b, i + 12);
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = rotl(h1, 19);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = rotl(h2, 17);
    h2 = (h2 + h3) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = rotl(h3, 15);
    h3 = (h3 + h4) | 0;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = rotl(h4, 13);
    h4 = (h4 + h1) | 0;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }
  const tail = len & 15;
  if (tail > 0) {
    let k1 = 0;
    let k2 = 0;
    let k3 = 0;
    let k4 = 0;
    // The reference's fall-through switch: byte j of the tail goes into word j >> 2 at shift 8·(j & 3).
    for (let j = tail - 1; j >= 0; j--) {
      const v = b[i + j] << ((j & 3) * 8);
      if (j >= 12) k4 ^= v;
      else if (j >= 8) k3 ^= v;
      else if (j >= 4) k2 ^= v;
      else k1 ^= v;
    }
    if (tail > 12) {
      k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
      h4 ^= k4;
    }
    if (tail > 8) {
      k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
      h3 ^= k3;
    }
    if (tail > 4) {
      k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
      h2 ^= k2;
    }
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
  }
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2) | 0;
  h1 = (h1 + h3) | 0;
  h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2) | 0;
  h1 = (h1 + h3) | 0;
  h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
}

const scratch = new Uint32Array(2);

/** The 64-bit fingerprint of `bytes[start, end)` (as a bigint: for tests and documentation). */
export function fingerprint64(bytes: Uint8Array, start = 0, end = bytes.length): bigint {
  murmur3x86Low64(bytes, start, end, scratch);
  return (BigInt(scratch[1]) << 32n) | BigInt(scratch[0]);
}

/** Largest number of hash buckets for which `bucketOf` stays exact in double arithmetic. */
export const MAX_TOTAL_BUCKETS = 1 << 26;

/** fingerprint64(bytes[start, end)) mod totalBuckets, without allocating. */
export function bucketOf(bytes: Uint8Array, start: number, end: number, totalBuckets: number): number {
  murmur3x86Low64(bytes, start, end, scratch);
  // (hi·2^32 + lo) mod t from 32-bit halves: every product stays below 2^53 for t ≤ 2^26.
  return ((scratch[1] % totalBuckets) * (4294967296 % totalBuckets) + (scratch[0] % totalBuckets)) % totalBuckets;
}
