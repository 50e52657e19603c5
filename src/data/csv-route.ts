/**
 * CsvExampleGen's record router in WebAssembly (csv-route.wat): for a batch of records, each one's
 * split by its fingerprint and its bytes appended to that split's region, in one call. Hand-written
 * because it is the per-record part of the CSV scan: the same work in JavaScript (fingerprint.ts and
 * a copy per record) took ~120 ms of the main thread per million taxi rows, the kernel ~40 ms, and
 * the main thread is what bounds CsvExampleGen (DuckDB writes beside it). No library routes records
 * held in one buffer by MurmurHash3; the mmh3 test vectors and a comparison with the JavaScript path
 * (csv-scan.test.ts) pin its output.
 *
 * The build compiles the .wat to dist/ (scripts/build-wasm.js); from sources (Jest) it is compiled
 * here with wabt. Without either, the scan routes records in JavaScript, with the same result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface RouterExports {
  memory: WebAssembly.Memory;
  route(recs: number, count: number, total: bigint, table: number): number;
  low64(start: number, end: number): bigint;
}

export class CsvRouter {
  private static loading: Promise<CsvRouter | undefined> | undefined;

  private constructor(private readonly exports: RouterExports) {}

  /** The router of this process (one: scans are synchronous and never interleave), or undefined. */
  static load(): Promise<CsvRouter | undefined> {
    CsvRouter.loading ??= (async () => {
      try {
        const bytes = await moduleBytes();
        if (!bytes) return undefined;
        const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes));
        return new CsvRouter(exports as unknown as RouterExports);
      } catch {
        return undefined;
      }
    })();
    return CsvRouter.loading;
  }

  get memory(): ArrayBuffer {
    return this.exports.memory.buffer;
  }

  /** Grows the memory to at least `bytes`. Views of the memory taken before a growth are detached. */
  reserve(bytes: number): void {
    const missing = bytes - this.exports.memory.buffer.byteLength;
    if (missing > 0) this.exports.memory.grow(Math.ceil(missing / 65536));
  }

  /** The kernel's fingerprint of `bytes` (as fingerprint64 in fingerprint.ts; for tests). */
  fingerprint64(bytes: Uint8Array): bigint {
    this.reserve(64 + bytes.length + 16);
    new Uint8Array(this.memory).set(bytes, 64);
    new Uint8Array(this.memory).fill(0xa5, 64 + bytes.length, 64 + bytes.length + 16); // not part of the key
    return BigInt.asUintN(64, this.exports.low64(64, 64 + bytes.length));
  }

  /** See csv-route.wat: routes records of the batch at `recs` until one does not fit; returns how many were routed. */
  route(recs: number, count: number, totalBuckets: number, table: number): number {
    return this.exports.route(recs, count, BigInt(totalBuckets), table);
  }
}

async function moduleBytes(): Promise<Uint8Array | undefined> {
  const built = path.join(__dirname, 'csv-route.wasm');
  if (fs.existsSync(built)) return fs.readFileSync(built);
  const source = path.join(__dirname, 'csv-route.wat');
  if (!fs.existsSync(source)) return undefined;
  const { default: wabt } = await import('wabt');
  const parsed = (await wabt()).parseWat('csv-route.wat', fs.readFileSync(source, 'utf8'), { bulk_memory: true });
  try {
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}
