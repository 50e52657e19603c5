import { UserError } from '../util/errors';
import { DType, nodesNeededFor, TransformGraph } from './graph';
import { ColumnValues, opDef, Value } from './ops';

/**
 * THE function that turns raw examples into features. Transform (materialized examples), the
 * Trainer's input, the Evaluator and the model server all call it, so training and serving can
 * not drift apart.
 */
export type RawRow = Record<string, unknown>;

/** Columnar raw examples: numeric features as Float64Array (NaN = missing), strings as arrays (null = missing). */
export interface RawColumns {
  numRows: number;
  columns: Record<string, ColumnValues>;
}

export interface TransformedBatch {
  numRows: number;
  features: Record<string, ColumnValues>;
  dtypes: Record<string, DType>;
}

export interface ApplyOptions {
  /** Outputs to compute (default: all). Serving asks only for the model's inputs, so the label is never needed. */
  outputs?: readonly string[];
}

/** A raw example that does not match the graph's raw features (serving answers 400 with this message). */
export class RawInputError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'RawInputError';
  }
}

/**
 * The nodes an output set needs and the raw inputs they read, per graph: serving applies the same
 * graph to the same outputs for every request, one row at a time.
 */
const plans = new WeakMap<TransformGraph, Map<string, { needed: number[]; inputNames: string[] }>>();

function planFor(graph: TransformGraph, outputNames: readonly string[]): { needed: number[]; inputNames: string[] } {
  let byOutputs = plans.get(graph);
  if (!byOutputs) plans.set(graph, (byOutputs = new Map()));
  const key = outputNames.join('\u0000');
  let plan = byOutputs.get(key);
  if (!plan) {
    const needed = nodesNeededFor(graph, outputNames);
    plan = { needed, inputNames: needed.filter((id) => graph.nodes[id].op === 'input').map((id) => graph.nodes[id].attrs.name as string) };
    byOutputs.set(key, plan);
  }
  return plan;
}

export function applyTransformGraph(graph: TransformGraph, examples: RawRow[] | RawColumns, options: ApplyOptions = {}): TransformedBatch {
  const outputNames = options.outputs ?? graph.outputs.map((o) => o.name);
  const { needed, inputNames } = planFor(graph, outputNames);
  const raw = Array.isArray(examples) ? rowsToColumns(graph, examples, inputNames) : checkColumns(graph, examples, inputNames);
  const rows = raw.numRows;
  const values: Value[] = [];
  for (const id of needed) {
    const node = graph.nodes[id];
    if (node.op === 'input') values[id] = raw.columns[node.attrs.name as string];
    else if (node.op === 'constant') values[id] = node.attrs.value as number | string;
    else
      values[id] = opDef(node.op).js(
        node.args.map((a) => values[a]),
        node,
        rows,
      );
  }
  const features: Record<string, ColumnValues> = {};
  const dtypes: Record<string, DType> = {};
  for (const name of outputNames) {
    const output = graph.outputs.find((o) => o.name === name)!;
    const value = values[output.node];
    // Outputs must not alias the caller's input arrays (an identity output would otherwise share them).
    const aliased = graph.nodes[output.node].op === 'input';
    features[name] = materialize(aliased && typeof value === 'object' ? (value.slice() as ColumnValues) : value, output.dtype, rows);
    dtypes[name] = output.dtype;
  }
  return { numRows: rows, features, dtypes };
}

/** Raw features a set of outputs needs (what serving must receive). */
export function requiredRawFeatures(graph: TransformGraph, outputNames: readonly string[]): { name: string; dtype: DType }[] {
  const names = new Set(
    nodesNeededFor(graph, outputNames)
      .filter((id) => graph.nodes[id].op === 'input')
      .map((id) => graph.nodes[id].attrs.name as string),
  );
  return graph.rawFeatures.filter((f) => names.has(f.name));
}

function materialize(value: Value, dtype: DType, rows: number): ColumnValues {
  if (typeof value === 'number') return new Float64Array(rows).fill(value);
  if (typeof value === 'string') return new Array<string | null>(rows).fill(value);
  if (value instanceof Float64Array) return dtype === 'string' ? Array.from(value, (v) => String(v)) : value;
  return value;
}

function rowsToColumns(graph: TransformGraph, rows: RawRow[], inputNames: string[]): RawColumns {
  const columns: Record<string, ColumnValues> = {};
  for (const name of inputNames) {
    const dtype = graph.rawFeatures.find((f) => f.name === name)!.dtype;
    if (dtype === 'string') {
      const out: (string | null)[] = new Array(rows.length);
      rows.forEach((row, i) => {
        const v = valueOf(row, name, i);
        if (v === null || typeof v === 'string') out[i] = v;
        else
          throw new RawInputError(
            `Example ${i}: feature "${name}" must be a string, got ${typeName(v)}.`,
            `send "${name}" as a JSON string (or null when missing).`,
          );
      });
      columns[name] = out;
    } else {
      const out = new Float64Array(rows.length);
      rows.forEach((row, i) => {
        const v = valueOf(row, name, i);
        if (v === null) out[i] = NaN;
        else if (typeof v === 'number' && Number.isFinite(v)) {
          if (dtype === 'int' && !Number.isInteger(v)) throw new RawInputError(`Example ${i}: feature "${name}" must be an integer, got ${v}.`);
          // 1e30 is an "integer" to JavaScript but no int64; beyond 2^53 a JSON number is not exact either.
          if (dtype === 'int' && !Number.isSafeInteger(v)) {
            throw new RawInputError(
              `Example ${i}: feature "${name}" is an int64 feature, but ${v} is outside the integers a JSON number holds exactly (±${Number.MAX_SAFE_INTEGER}).`,
              `send "${name}" as an integer within that range (or null when missing).`,
            );
          }
          out[i] = v;
        } else if (typeof v === 'bigint') out[i] = Number(v);
        else
          throw new RawInputError(
            `Example ${i}: feature "${name}" must be ${dtype === 'int' ? 'an integer' : 'a number'}, got ${typeName(v)}.`,
            `send "${name}" as a JSON number (or null when missing).`,
          );
      });
      columns[name] = out;
    }
  }
  return { numRows: rows.length, columns };
}

function valueOf(row: RawRow, name: string, index: number): unknown {
  if (row === null || typeof row !== 'object' || Array.isArray(row))
    throw new RawInputError(`Example ${index} must be an object of feature values, got ${typeName(row)}.`);
  if (!(name in row)) throw new RawInputError(`Example ${index} is missing feature "${name}".`, `add "${name}" (null if its value is unknown).`);
  const value = row[name];
  return value === undefined ? null : value;
}

function checkColumns(graph: TransformGraph, examples: RawColumns, inputNames: string[]): RawColumns {
  for (const name of inputNames) {
    const column = examples.columns[name];
    const dtype = graph.rawFeatures.find((f) => f.name === name)!.dtype;
    if (!column)
      throw new RawInputError(
        `The examples have no column "${name}", which the transform graph reads.`,
        'pass the raw examples the graph was analyzed on (same feature names).',
      );
    if ((dtype === 'string') !== Array.isArray(column)) {
      throw new RawInputError(
        `Column "${name}" holds ${Array.isArray(column) ? 'strings' : 'numbers'} but the transform graph expects ${dtype === 'string' ? 'strings' : 'numbers'}.`,
      );
    }
    if (column.length !== examples.numRows) throw new RawInputError(`Column "${name}" has ${column.length} values for ${examples.numRows} examples.`);
  }
  return examples;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `${typeof value} ${JSON.stringify(value)}`;
}
