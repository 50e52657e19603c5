import { sqlString } from '../data/duckdb';
import { UserError } from '../util/errors';
import type { DType, GraphNode } from './graph';
import { hashBucket, hashBucketSql } from './hash';

/**
 * Every operation a transform graph may hold. Each one has two faces that must agree:
 *  - `js`: an element-wise function over whole columns (the only code that transforms rows; it
 *    runs in Transform, the Trainer's input, the Evaluator and the model server), and
 *  - `sql`: the same expression in DuckDB, so analyzers can run engine-side over the train split
 *    even when their input is a derived column (e.g. z-score of a filled-in column).
 * Missing values are NaN in numeric columns and null in string columns (SQL NULL).
 */
export type ColumnValues = Float64Array | (string | null)[];
/** A column, or a scalar (constants and scalar analyzer results broadcast over rows). */
export type Value = ColumnValues | number | string;

export interface OpDef {
  /** Number of node arguments. */
  arity: number;
  /** 'scalar': a full-pass statistic (mean, min, ...) used as a constant; 'column': an analyzer applied per row. */
  analyzer?: 'scalar' | 'column';
  dtype(args: DType[], attrs: Record<string, unknown>): DType;
  js(args: Value[], node: GraphNode, rows: number): Value;
  sql(args: string[], node: GraphNode): string;
}

const isNumeric = (t: DType) => t === 'int' || t === 'float';

function requireNumeric(op: string, types: DType[]): void {
  types.forEach((t, i) => {
    if (!isNumeric(t))
      throw new UserError(
        `${op}: argument ${i + 1} is a string column; ${op} needs numbers.`,
        'cast it first (x.cast("float")) or use a string op such as computeAndApplyVocabulary / hashStrings.',
      );
  });
}

function requireString(op: string, types: DType[]): void {
  types.forEach((t, i) => {
    if (t !== 'string')
      throw new UserError(`${op}: argument ${i + 1} is a ${t} column; ${op} needs strings.`, 'cast it first with x.cast("string") (ints only).');
  });
}

// ---- column helpers (broadcast scalars; keep loops monomorphic for speed) ----

export function mapNumber(a: Value, rows: number, f: (x: number) => number): Value {
  if (typeof a === 'number') return f(a);
  const values = a as Float64Array;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) out[i] = f(values[i]);
  return out;
}

export function mapNumber2(a: Value, b: Value, rows: number, f: (x: number, y: number) => number): Value {
  if (typeof a === 'number' && typeof b === 'number') return f(a, b);
  const out = new Float64Array(rows);
  if (typeof a === 'number') {
    const bv = b as Float64Array;
    for (let i = 0; i < rows; i++) out[i] = f(a, bv[i]);
  } else if (typeof b === 'number') {
    const av = a as Float64Array;
    for (let i = 0; i < rows; i++) out[i] = f(av[i], b);
  } else {
    const av = a as Float64Array;
    const bv = b as Float64Array;
    for (let i = 0; i < rows; i++) out[i] = f(av[i], bv[i]);
  }
  return out;
}

function at(value: Value, i: number): number | string | null {
  return typeof value === 'number' || typeof value === 'string' ? value : value[i];
}

function mapAny(args: Value[], rows: number, f: (...xs: (number | string | null)[]) => number | string | null, dtype: DType): Value {
  if (args.every((a) => typeof a === 'number' || typeof a === 'string')) return f(...(args as (number | string)[])) as number | string;
  if (dtype === 'string') {
    const out: (string | null)[] = new Array(rows);
    for (let i = 0; i < rows; i++) out[i] = f(...args.map((a) => at(a, i))) as string | null;
    return out;
  }
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = f(...args.map((a) => at(a, i)));
    out[i] = v === null ? NaN : (v as number);
  }
  return out;
}

export function mapString(a: Value, rows: number, f: (x: string | null) => number | string | null, outType: DType): Value {
  if (typeof a === 'string') {
    const v = f(a);
    return v === null ? (outType === 'string' ? (null as unknown as string) : NaN) : v;
  }
  const values = a as (string | null)[];
  if (outType === 'string') {
    const out: (string | null)[] = new Array(rows);
    for (let i = 0; i < rows; i++) out[i] = f(values[i]) as string | null;
    return out;
  }
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = f(values[i]);
    out[i] = v === null ? NaN : (v as number);
  }
  return out;
}

const missing = (x: number) => x !== x; // NaN test without a call

// ---- SQL helpers ----
const bool = (expr: string) => `CAST(coalesce(${expr}, FALSE) AS DOUBLE)`;
const num = (value: number) =>
  Number.isFinite(value) ? `CAST(${String(value)} AS DOUBLE)` : value > 0 ? `'inf'::DOUBLE` : value < 0 ? `'-inf'::DOUBLE` : `'nan'::DOUBLE`;

function numericBinary(op: string, f: (x: number, y: number) => number, sql: (a: string, b: string) => string, intResult = true): OpDef {
  return {
    arity: 2,
    dtype: (t) => {
      requireNumeric(op, t);
      return intResult && t[0] === 'int' && t[1] === 'int' ? 'int' : 'float';
    },
    js: (args, _node, rows) => mapNumber2(args[0], args[1], rows, f),
    sql: (a) => sql(a[0], a[1]),
  };
}

function comparison(op: string, f: (x: number, y: number) => boolean, sqlOp: string, strings: boolean): OpDef {
  return {
    arity: 2,
    dtype: (t) => {
      if (strings && t[0] === 'string' && t[1] === 'string') return 'int';
      requireNumeric(op, t);
      return 'int';
    },
    js: (args, _node, rows) => {
      if (typeof args[0] !== 'number' && !(args[0] instanceof Float64Array)) {
        return mapAny(args, rows, (x, y) => (x === null || y === null ? 0 : (sqlOp === '=' ? x === y : x !== y) ? 1 : 0), 'int');
      }
      return mapNumber2(args[0], args[1], rows, (x, y) => (f(x, y) ? 1 : 0));
    },
    // NULL compares as false, as in the JS version (NaN comparisons are false).
    sql: (a) => bool(`${a[0]} ${sqlOp} ${a[1]}`),
  };
}

function unaryFloat(op: string, f: (x: number) => number, sql: (a: string) => string): OpDef {
  return {
    arity: 1,
    dtype: (t) => (requireNumeric(op, t), 'float'),
    js: (args, _node, rows) => mapNumber(args[0], rows, f),
    sql: (a) => sql(a[0]),
  };
}

/** bisect_right: the number of boundaries <= x (tf.raw_ops.Bucketize); missing → -1. */
export function bucketIndex(x: number, boundaries: readonly number[]): number {
  if (missing(x)) return -1;
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (boundaries[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function bucketSql(x: string, boundaries: readonly number[]): string {
  if (boundaries.length === 0) return `CASE WHEN ${x} IS NULL OR isnan(${x}) THEN -1.0 ELSE 0.0 END`;
  const sum = boundaries.map((b) => `CAST(${x} >= ${num(b)} AS INTEGER)`).join(' + ');
  return `CASE WHEN ${x} IS NULL OR isnan(${x}) THEN -1.0 ELSE CAST(${sum} AS DOUBLE) END`;
}

/** Vocabulary index, or an OOV bucket in [size, size + numOovBuckets), or defaultValue. Missing → defaultValue. */
export function vocabularyLookup(vocabulary: readonly string[], numOovBuckets: number, defaultValue: number): (x: string | null) => number {
  const index = new Map<string, number>();
  vocabulary.forEach((v, i) => index.set(v, i));
  return (x) => {
    if (x === null) return defaultValue;
    const found = index.get(x);
    if (found !== undefined) return found;
    return numOovBuckets > 0 ? vocabulary.length + hashBucket(x, numOovBuckets) : defaultValue;
  };
}

function vocabularySql(x: string, vocabulary: readonly string[], numOovBuckets: number, defaultValue: number): string {
  const list = vocabulary.length ? `[${vocabulary.map(sqlString).join(', ')}]` : '[]::VARCHAR[]';
  const oov = numOovBuckets > 0 ? `${vocabulary.length}.0 + ${hashBucketSql(x, numOovBuckets)}` : `${defaultValue}.0`;
  return `CASE WHEN ${x} IS NULL THEN ${defaultValue}.0 ELSE coalesce(CAST(list_position(${list}, ${x}) - 1 AS DOUBLE), ${oov}) END`;
}

/** String → number as the CSV reader would: blank is missing, non-numbers are missing. */
export function parseNumber(x: string | null): number {
  if (x === null || x.trim() === '') return NaN;
  const v = Number(x);
  return Number.isNaN(v) ? NaN : v;
}

function analysisOf(node: GraphNode): Record<string, unknown> {
  if (!node.analysis) {
    throw new UserError(
      `Transform node ${node.id} (${node.op}) has not been analyzed.`,
      'run the Transform component (its analysis pass) before applying the graph.',
    );
  }
  return node.analysis;
}

/** Leaves: apply and compileSql read raw columns and constant values directly. */
function leaf(kind: string): OpDef {
  const direct = () => {
    throw new Error(`${kind} nodes are evaluated by the graph walker, not as ops.`);
  };
  return { arity: 0, dtype: direct, js: direct, sql: direct };
}

export const OPS: Record<string, OpDef> = {
  input: leaf('input'),
  constant: leaf('constant'),
  fill_missing: {
    arity: 1,
    dtype: (t, attrs) => {
      const value = attrs.value;
      if (t[0] === 'string' && typeof value !== 'string')
        throw new UserError(`fillMissing: the default for a string column must be a string, got ${JSON.stringify(value)}.`);
      if (t[0] !== 'string' && typeof value !== 'number')
        throw new UserError(`fillMissing: the default for a numeric column must be a number, got ${JSON.stringify(value)}.`);
      if (t[0] === 'int' && !Number.isInteger(value)) return 'float';
      return t[0];
    },
    js: (args, node, rows) => {
      const value = node.attrs.value as number | string;
      if (typeof value === 'string') return mapString(args[0], rows, (x) => (x === null ? value : x), 'string');
      return mapNumber(args[0], rows, (x) => (missing(x) ? value : x));
    },
    sql: (a, node) => {
      const value = node.attrs.value as number | string;
      return typeof value === 'string'
        ? `coalesce(${a[0]}, ${sqlString(value)})`
        : `CASE WHEN ${a[0]} IS NULL OR isnan(${a[0]}) THEN ${num(value)} ELSE ${a[0]} END`;
    },
  },
  is_missing: {
    arity: 1,
    dtype: () => 'int',
    js: (args, _node, rows) => {
      const a = args[0];
      if (typeof a === 'number' || a instanceof Float64Array) return mapNumber(a, rows, (x) => (missing(x) ? 1 : 0));
      return mapString(a, rows, (x) => (x === null ? 1 : 0), 'int');
    },
    sql: (a) => `CAST(${a[0]} IS NULL AS DOUBLE)`,
  },
  add: numericBinary(
    'add',
    (x, y) => x + y,
    (a, b) => `(${a} + ${b})`,
  ),
  sub: numericBinary(
    'sub',
    (x, y) => x - y,
    (a, b) => `(${a} - ${b})`,
  ),
  mul: numericBinary(
    'mul',
    (x, y) => x * y,
    (a, b) => `(${a} * ${b})`,
  ),
  div: numericBinary(
    'div',
    (x, y) => x / y,
    (a, b) => `(CAST(${a} AS DOUBLE) / ${b})`,
    false,
  ),
  minimum: numericBinary(
    'minimum',
    (x, y) => (missing(x) || missing(y) ? NaN : Math.min(x, y)),
    (a, b) => `CASE WHEN ${a} IS NULL OR ${b} IS NULL THEN NULL ELSE least(${a}, ${b}) END`,
  ),
  maximum: numericBinary(
    'maximum',
    (x, y) => (missing(x) || missing(y) ? NaN : Math.max(x, y)),
    (a, b) => `CASE WHEN ${a} IS NULL OR ${b} IS NULL THEN NULL ELSE greatest(${a}, ${b}) END`,
  ),
  gt: comparison('gt', (x, y) => x > y, '>', false),
  ge: comparison('ge', (x, y) => x >= y, '>=', false),
  lt: comparison('lt', (x, y) => x < y, '<', false),
  le: comparison('le', (x, y) => x <= y, '<=', false),
  eq: comparison('eq', (x, y) => x === y, '=', true),
  ne: comparison('ne', (x, y) => x !== y && x === x && y === y, '<>', true),
  and: numericBinary(
    'and',
    (x, y) => (x !== 0 && !missing(x) && y !== 0 && !missing(y) ? 1 : 0),
    (a, b) => bool(`(${a} <> 0 AND ${b} <> 0)`),
  ),
  or: numericBinary(
    'or',
    (x, y) => ((x !== 0 && !missing(x)) || (y !== 0 && !missing(y)) ? 1 : 0),
    (a, b) => bool(`(${a} <> 0 OR ${b} <> 0)`),
  ),
  not: {
    arity: 1,
    dtype: (t) => (requireNumeric('not', t), 'int'),
    js: (args, _node, rows) => mapNumber(args[0], rows, (x) => (x === 0 || missing(x) ? 1 : 0)),
    sql: (a) => bool(`NOT coalesce(${a[0]} <> 0, FALSE)`),
  },
  neg: {
    arity: 1,
    dtype: (t) => (requireNumeric('neg', t), t[0]),
    js: (args, _node, rows) => mapNumber(args[0], rows, (x) => -x),
    sql: (a) => `(-${a[0]})`,
  },
  abs: {
    arity: 1,
    dtype: (t) => (requireNumeric('abs', t), t[0]),
    js: (args, _node, rows) => mapNumber(args[0], rows, Math.abs),
    sql: (a) => `abs(${a[0]})`,
  },
  log: unaryFloat('log', Math.log, (a) => `CASE WHEN ${a} > 0 THEN ln(${a}) WHEN ${a} = 0 THEN '-inf'::DOUBLE WHEN ${a} < 0 THEN 'nan'::DOUBLE END`),
  log1p: unaryFloat(
    'log1p',
    Math.log1p,
    (a) => `CASE WHEN ${a} > -1 THEN ln(1 + ${a}) WHEN ${a} = -1 THEN '-inf'::DOUBLE WHEN ${a} < -1 THEN 'nan'::DOUBLE END`,
  ),
  exp: unaryFloat('exp', Math.exp, (a) => `exp(${a})`),
  sqrt: unaryFloat('sqrt', Math.sqrt, (a) => `CASE WHEN ${a} >= 0 THEN sqrt(${a}) WHEN ${a} < 0 THEN 'nan'::DOUBLE END`),
  sigmoid: unaryFloat(
    'sigmoid',
    (x) => 1 / (1 + Math.exp(-x)),
    (a) => `(1 / (1 + exp(-${a})))`,
  ),
  floor: unaryFloat('floor', Math.floor, (a) => `floor(${a})`),
  clip: {
    arity: 1,
    dtype: (t) => (requireNumeric('clip', t), t[0]),
    js: (args, node, rows) => {
      const lo = node.attrs.min as number;
      const hi = node.attrs.max as number;
      return mapNumber(args[0], rows, (x) => (x < lo ? lo : x > hi ? hi : x));
    },
    sql: (a, node) =>
      `CASE WHEN ${a[0]} < ${num(node.attrs.min as number)} THEN ${num(node.attrs.min as number)} WHEN ${a[0]} > ${num(node.attrs.max as number)} THEN ${num(node.attrs.max as number)} ELSE ${a[0]} END`,
  },
  where: {
    arity: 3,
    dtype: (t) => {
      requireNumeric('where (condition)', [t[0]]);
      if ((t[1] === 'string') !== (t[2] === 'string')) throw new UserError('where: both branches must be strings, or both numbers.');
      return t[1] === 'string' ? 'string' : t[1] === 'int' && t[2] === 'int' ? 'int' : 'float';
    },
    js: (args, node, rows) => mapAny(args, rows, (c, a, b) => (c !== 0 && c === c ? a : b), node.dtype),
    sql: (a) => `CASE WHEN coalesce(${a[0]} <> 0, FALSE) THEN ${a[1]} ELSE ${a[2]} END`,
  },
  cast: {
    arity: 1,
    dtype: (t, attrs) => {
      const to = attrs.to as DType;
      if (!['int', 'float', 'string'].includes(to)) throw new UserError(`cast: unknown type ${JSON.stringify(to)}; use "int", "float" or "string".`);
      if (t[0] === 'float' && to === 'string')
        throw new UserError('cast: a float column cannot become a string (its text form is ambiguous).', 'cast to "int" first, or bucketize it.');
      return to;
    },
    js: (args, node, rows) => {
      const to = node.attrs.to as DType;
      const a = args[0];
      const from: DType = typeof a === 'string' || Array.isArray(a) ? 'string' : 'float';
      if (from === 'string' && to === 'string') return a;
      if (from === 'string') return mapString(a, rows, (x) => (to === 'int' ? Math.trunc(parseNumber(x)) : parseNumber(x)), to);
      if (to === 'string') return mapAny([a], rows, (x) => (x === null || missing(x as number) ? null : String(x)), 'string');
      return to === 'int' ? mapNumber(a, rows, Math.trunc) : a;
    },
    sql: (a, node) => {
      const to = node.attrs.to as DType;
      if (to === 'string') return `CAST(CAST(${a[0]} AS BIGINT) AS VARCHAR)`;
      if (to === 'int') return `trunc(TRY_CAST(${a[0]} AS DOUBLE))`;
      return `TRY_CAST(${a[0]} AS DOUBLE)`;
    },
  },
  hash_strings: {
    arity: 1,
    dtype: (t) => (requireString('hashStrings', t), 'int'),
    js: (args, node, rows) => {
      const buckets = node.attrs.hashBuckets as number;
      return mapString(args[0], rows, (x) => (x === null ? -1 : hashBucket(x, buckets)), 'int');
    },
    sql: (a, node) => `CASE WHEN ${a[0]} IS NULL THEN -1.0 ELSE ${hashBucketSql(a[0], node.attrs.hashBuckets as number)} END`,
  },
  apply_buckets: {
    arity: 1,
    dtype: (t) => (requireNumeric('applyBuckets', t), 'int'),
    js: (args, node, rows) => {
      const boundaries = node.attrs.boundaries as number[];
      return mapNumber(args[0], rows, (x) => bucketIndex(x, boundaries));
    },
    sql: (a, node) => bucketSql(a[0], node.attrs.boundaries as number[]),
  },
  apply_vocabulary: {
    arity: 1,
    dtype: (t) => (requireString('applyVocabulary', t), 'int'),
    js: (args, node, rows) =>
      mapString(
        args[0],
        rows,
        vocabularyLookup(node.attrs.vocabulary as string[], (node.attrs.numOovBuckets as number) ?? 0, (node.attrs.defaultValue as number) ?? -1),
        'int',
      ),
    sql: (a, node) =>
      vocabularySql(a[0], node.attrs.vocabulary as string[], (node.attrs.numOovBuckets as number) ?? 0, (node.attrs.defaultValue as number) ?? -1),
  },

  // ---- analyzers applied per row ----
  scale_to_z_score: {
    arity: 1,
    analyzer: 'column',
    dtype: (t) => (requireNumeric('scaleToZScore', t), 'float'),
    js: (args, node, rows) => {
      const { mean, variance } = analysisOf(node) as { mean: number; variance: number };
      const std = Math.sqrt(variance);
      // TFT: a constant column (variance 0) is only centred.
      return std > 0 ? mapNumber(args[0], rows, (x) => (x - mean) / std) : mapNumber(args[0], rows, (x) => x - mean);
    },
    sql: (a, node) => {
      const { mean, variance } = analysisOf(node) as { mean: number; variance: number };
      const std = Math.sqrt(variance);
      return std > 0 ? `((${a[0]} - ${num(mean)}) / ${num(std)})` : `(${a[0]} - ${num(mean)})`;
    },
  },
  scale_to_0_1: {
    arity: 1,
    analyzer: 'column',
    dtype: (t) => (requireNumeric('scaleTo01', t), 'float'),
    js: (args, node, rows) => {
      const { min, max } = analysisOf(node) as { min: number; max: number };
      // TFT: when min >= max (empty or constant column) the values are squashed with a sigmoid.
      return max > min ? mapNumber(args[0], rows, (x) => (x - min) / (max - min)) : mapNumber(args[0], rows, (x) => 1 / (1 + Math.exp(-x)));
    },
    sql: (a, node) => {
      const { min, max } = analysisOf(node) as { min: number; max: number };
      return max > min ? `((${a[0]} - ${num(min)}) / ${num(max - min)})` : `(1 / (1 + exp(-${a[0]})))`;
    },
  },
  compute_and_apply_vocabulary: {
    arity: 1,
    analyzer: 'column',
    dtype: (t) => (requireString('computeAndApplyVocabulary', t), 'int'),
    js: (args, node, rows) => {
      const { vocabulary } = analysisOf(node) as { vocabulary: string[] };
      return mapString(args[0], rows, vocabularyLookup(vocabulary, node.attrs.numOovBuckets as number, node.attrs.defaultValue as number), 'int');
    },
    sql: (a, node) =>
      vocabularySql(a[0], (analysisOf(node) as { vocabulary: string[] }).vocabulary, node.attrs.numOovBuckets as number, node.attrs.defaultValue as number),
  },
  bucketize: {
    arity: 1,
    analyzer: 'column',
    dtype: (t) => (requireNumeric('bucketize', t), 'int'),
    js: (args, node, rows) => {
      const { boundaries } = analysisOf(node) as { boundaries: number[] };
      return mapNumber(args[0], rows, (x) => bucketIndex(x, boundaries));
    },
    sql: (a, node) => bucketSql(a[0], (analysisOf(node) as { boundaries: number[] }).boundaries),
  },

  // ---- scalar analyzers (tft.mean, tft.min, ...): constants after analysis ----
  ...Object.fromEntries(
    (['mean', 'var', 'min', 'max', 'sum', 'size'] as const).map((name) => [
      `analyzer_${name}`,
      {
        arity: 1,
        analyzer: 'scalar',
        dtype: (t: DType[]) => {
          if (name !== 'size') requireNumeric(`tft.${name}`, t);
          return name === 'size' ? 'int' : 'float';
        },
        js: (_args: Value[], node: GraphNode) => (analysisOf(node) as { value: number }).value,
        sql: (_a: string[], node: GraphNode) => num((analysisOf(node) as { value: number }).value),
      } satisfies OpDef,
    ]),
  ),
};

export function opDef(op: string): OpDef {
  const def = OPS[op];
  if (!def) throw new UserError(`Unknown transform op "${op}".`, 'the graph was written by a newer tfx-ts, or edited by hand; re-run Transform.');
  return def;
}
