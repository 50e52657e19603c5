/**
 * CsvExampleGen's record router in WebAssembly (csv-route.wat), the hot part of the CSV scan:
 * - `fast` reads plain records (no quote, LF or CRLF ends) as csv-scan.ts does: each field's kind by
 *   its byte-weight sum, the column kinds raised in place, the record bounds appended to a batch; any
 *   record it cannot settle alone (a quote, a lone CR, a ragged row, a number shape that needs the
 *   exact grammar, a short text that may be inf or nan) is left to the JavaScript scan, one at a time;
 * - `route` takes a batch: each record's split by its fingerprint (MurmurHash3), and its bytes
 *   appended to that split's region.
 * Hand-written because the scan is what bounds CsvExampleGen's main thread (DuckDB writes beside it):
 * the same work in JavaScript took ~580 ms per million taxi rows, the kernel ~270 ms. No library
 * scans CSV records held in one buffer with these typing rules and fingerprint. The mmh3 test
 * vectors, a fuzz test against the JavaScript scan (same kinds, counts and split file bytes, with
 * mutations of the kernel shown to fail it) and the 12 MB and long-record tests pin its output.
 *
 * The build compiles the .wat to dist/ (scripts/build-wasm.js); from sources (Jest) it is compiled
 * here with wabt. Without either, the scan runs in JavaScript alone, with the same result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface RouterExports {
  memory: WebAssembly.Memory;
  route(recs: number, count: number, total: bigint, table: number): number;
  low64(start: number, end: number): bigint;
  fast(pos: number, len: number, ncols: number, delim: number, weights: number, kinds: number, recs: number, max: number, out: number): number;
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

  /** See csv-route.wat: the scan's fast path over plain records; 0: the bytes ran out, 1: a record for the JavaScript scan, 2: the batch is full. */
  fast(pos: number, len: number, ncols: number, delim: number, weights: number, kinds: number, recs: number, max: number, out: number): number {
    return this.exports.fast(pos, len, ncols, delim, weights, kinds, recs, max, out);
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
