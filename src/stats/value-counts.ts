/**
 * Turns a feature's (value, count) pairs — what DuckDB's GROUP BY returns, in any order and in
 * chunks — into the mergeable accumulators of accumulators.ts. Everything TFDV reports is a function
 * of the value counts: moments, zeros, NaN/±inf, min/max, the quantiles summary, and for strings
 * unique / top values / rank histogram / average length.
 *
 * Memory stays bounded: numeric pairs are buffered up to `maxBuffered`, then folded into the
 * running accumulator (moments merged with Chan's formula, the exact summary merged and compressed
 * as TFDV's sketch does); string pairs keep only the best-ranked `keep` entries (exact, because each
 * pair already carries the value's final count).
 */
import { compareTopValues, NumericAccumulator, StringAccumulator } from './accumulators';
import { WeightedQuantilesSummary } from './quantiles';

/** Numeric summaries are exact until a feature has this many distinct values; then compressed (rank error ≤ 1/this). */
export const MAX_EXACT_DISTINCT_NUMERIC = 250_000;

export class NumericValueCounts {
  private values: number[] = [];
  private counts: number[] = [];
  /** Moments of the finite values (merged batch by batch with Chan's formula). */
  private finite = { count: 0, mean: 0, m2: 0 };
  private summary = WeightedQuantilesSummary.empty();
  private total = 0;
  private numZeros = 0;
  private numNan = 0;
  private numPosInf = 0;
  private numNegInf = 0;
  private min = Infinity;
  private max = -Infinity;
  private finiteMin = Infinity;
  private finiteMax = -Infinity;

  constructor(private readonly maxBuffered = MAX_EXACT_DISTINCT_NUMERIC) {}

  add(value: number, count: number): void {
    if (Number.isNaN(value)) {
      this.numNan += count;
      return;
    }
    this.values.push(value);
    this.counts.push(count);
    if (this.values.length >= this.maxBuffered) this.flush();
  }

  /** Folds the buffered pairs into the running state; the summary is compressed past maxBuffered entries. */
  private flush(): void {
    if (this.values.length === 0) return;
    const order = Array.from(this.values.keys()).sort((a, b) => this.values[a] - this.values[b]);
    const v: number[] = [];
    const c: number[] = [];
    for (const i of order) {
      // -0 and 0 are one value (DuckDB groups them together too).
      const value = this.values[i] === 0 ? 0 : this.values[i];
      if (v.length && v[v.length - 1] === value) c[c.length - 1] += this.counts[i];
      else {
        v.push(value);
        c.push(this.counts[i]);
      }
    }
    this.values = [];
    this.counts = [];
    let n = 0;
    let sum = 0;
    let compensation = 0;
    for (let i = 0; i < v.length; i++) {
      this.total += c[i];
      if (v[i] === 0) this.numZeros += c[i];
      if (v[i] === Infinity) {
        this.numPosInf += c[i];
        continue;
      }
      if (v[i] === -Infinity) {
        this.numNegInf += c[i];
        continue;
      }
      n += c[i];
      // Kahan summation keeps the mean at full double precision over many values.
      const y = v[i] * c[i] - compensation;
      const t = sum + y;
      compensation = t - sum - y;
      sum = t;
      this.finiteMin = Math.min(this.finiteMin, v[i]);
      this.finiteMax = Math.max(this.finiteMax, v[i]);
    }
    this.min = Math.min(this.min, v[0]);
    this.max = Math.max(this.max, v[v.length - 1]);
    if (n > 0) {
      const mean = sum / n;
      let m2 = 0;
      for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) m2 += c[i] * (v[i] - mean) ** 2;
      const a = this.finite;
      const count = a.count + n;
      const delta = mean - a.mean;
      this.finite = { count, mean: a.mean + (delta * n) / count, m2: a.m2 + m2 + (delta * delta * a.count * n) / count };
    }
    this.summary = this.summary.merge(WeightedQuantilesSummary.fromValueCounts(v, c));
    if (this.summary.size > this.maxBuffered) this.summary = this.summary.compress(this.maxBuffered);
  }

  result(): NumericAccumulator {
    this.flush();
    const infinite = this.numPosInf + this.numNegInf;
    // TFDV's accumulator sees the infinities: the mean becomes ±inf (NaN with both) and the variance NaN.
    const mean = !infinite ? this.finite.mean : this.numPosInf && this.numNegInf ? NaN : this.numPosInf ? Infinity : -Infinity;
    return {
      count: this.total,
      mean,
      m2: infinite ? NaN : this.finite.m2,
      numZeros: this.numZeros,
      numNan: this.numNan,
      min: this.min,
      max: this.max,
      finiteMin: this.finiteMin,
      finiteMax: this.finiteMax,
      numPosInf: this.numPosInf,
      summary: this.summary,
    };
  }
}

/** Byte-wise UTF-8 order (= code point order), which TFDV's Python bytes comparison uses. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

export class StringValueCounts {
  private entries: { value: string; count: number; sortKey: string | number }[] = [];
  private unique = 0;
  private totalValues = 0;
  private totalBytes = 0;
  /** Every value looked like a number: a CSV column the type sniffer left as text by mistake. */
  allNumeric = true;

  constructor(
    private readonly keep: number,
    private readonly categorical = false,
  ) {}

  add(value: string | number, count: number): void {
    const text = String(value);
    this.unique++;
    this.totalValues += count;
    this.totalBytes += (this.categorical ? text.length : Buffer.byteLength(text, 'utf8')) * count;
    if (this.allNumeric && !NUMBER.test(text)) this.allNumeric = false;
    this.entries.push({ value: text, count, sortKey: this.categorical ? Number(value) : text });
    if (this.entries.length >= 2 * this.keep + 1024) this.truncate();
  }

  private truncate(): void {
    this.entries.sort(this.categorical ? compareTopValues : compareTopStrings);
    this.entries.length = Math.min(this.entries.length, this.keep);
  }

  result(): StringAccumulator {
    this.truncate();
    return {
      totalValues: this.totalValues,
      totalBytes: this.totalBytes,
      unique: this.unique,
      valueCounts: this.entries,
      complete: this.entries.length === this.unique,
    };
  }
}

const NUMBER = /^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?|nan)\s*$/i;

/** TFDV's order: count descending, then the larger value (UTF-8 bytes) first. */
function compareTopStrings(x: { count: number; value: string }, y: { count: number; value: string }): number {
  return x.count !== y.count ? y.count - x.count : compareUtf8(y.value, x.value);
}
