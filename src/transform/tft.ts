import { UserError } from '../util/errors';
import { DType, GRAPH_FORMAT, GraphNode, RawFeature, rawInputsOf, TransformGraph } from './graph';
import { opDef } from './ops';

/**
 * What a module file's `preprocessingFn(inputs, tft)` works with: symbolic columns. Calling a
 * mapper or an analyzer records a node instead of computing; the Transform component then runs
 * the analyzers over the train split and stores the finished graph. Names follow TFT
 * (tft.scale_to_z_score → tft.scaleToZScore, ...).
 */
export type ColumnLike = Column | number | string;

export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly inputs = new Map<string, Column>();

  constructor(readonly rawFeatures: readonly RawFeature[]) {}

  input(name: string): Column {
    const existing = this.inputs.get(name);
    if (existing) return existing;
    const feature = this.rawFeatures.find((f) => f.name === name);
    if (!feature)
      throw new UserError(
        `preprocessingFn read inputs.${name}, which is not a feature of the examples.`,
        `use one of: ${this.rawFeatures.map((f) => f.name).join(', ')}.`,
      );
    const column = this.node('input', [], { name }, feature.dtype);
    this.inputs.set(name, column);
    return column;
  }

  constant(value: number | string): Column {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new UserError(`Transform constants must be finite numbers, got ${value}.`);
    const dtype: DType = typeof value === 'string' ? 'string' : Number.isInteger(value) ? 'int' : 'float';
    return this.node('constant', [], { value }, dtype);
  }

  /** Adds (or reuses an identical) node; checks argument types with the op's rules. */
  apply(op: string, args: ColumnLike[], attrs: Record<string, unknown> = {}): Column {
    const columns = args.map((a) => this.lift(a, op));
    const def = opDef(op);
    if (def.arity !== columns.length) throw new Error(`${op} takes ${def.arity} argument(s), got ${columns.length}.`);
    const dtype = def.dtype(
      columns.map((c) => c.dtype),
      attrs,
    );
    return this.node(
      op,
      columns.map((c) => c.id),
      attrs,
      dtype,
    );
  }

  private lift(value: ColumnLike, op: string): Column {
    if (value instanceof Column) {
      if (value.builder !== this)
        throw new UserError(`${op}: a column from another preprocessingFn call was mixed in.`, 'build every output from the `inputs` given to this call.');
      return value;
    }
    if (typeof value === 'number' || typeof value === 'string') return this.constant(value);
    throw new UserError(
      `${op}: expected a column, a number or a string, got ${describe(value)}.`,
      'pass inputs.<feature> or the result of another tft function.',
    );
  }

  private node(op: string, args: number[], attrs: Record<string, unknown>, dtype: DType): Column {
    const key = JSON.stringify([op, args, attrs]);
    const found = this.byKey.get(key);
    if (found !== undefined) return new Column(this, found);
    const id = this.nodes.length;
    this.nodes.push({ id, op, args, attrs, dtype });
    this.byKey.set(key, id);
    return new Column(this, id);
  }
}

/** A symbolic column of raw or derived values (one value per example). */
export class Column {
  constructor(
    readonly builder: GraphBuilder,
    readonly id: number,
  ) {}

  get dtype(): DType {
    return this.builder.nodes[this.id].dtype;
  }

  add(other: ColumnLike): Column {
    return this.builder.apply('add', [this, other]);
  }
  sub(other: ColumnLike): Column {
    return this.builder.apply('sub', [this, other]);
  }
  mul(other: ColumnLike): Column {
    return this.builder.apply('mul', [this, other]);
  }
  div(other: ColumnLike): Column {
    return this.builder.apply('div', [this, other]);
  }
  gt(other: ColumnLike): Column {
    return this.builder.apply('gt', [this, other]);
  }
  ge(other: ColumnLike): Column {
    return this.builder.apply('ge', [this, other]);
  }
  lt(other: ColumnLike): Column {
    return this.builder.apply('lt', [this, other]);
  }
  le(other: ColumnLike): Column {
    return this.builder.apply('le', [this, other]);
  }
  eq(other: ColumnLike): Column {
    return this.builder.apply('eq', [this, other]);
  }
  ne(other: ColumnLike): Column {
    return this.builder.apply('ne', [this, other]);
  }
  and(other: ColumnLike): Column {
    return this.builder.apply('and', [this, other]);
  }
  or(other: ColumnLike): Column {
    return this.builder.apply('or', [this, other]);
  }
  not(): Column {
    return this.builder.apply('not', [this]);
  }
  neg(): Column {
    return this.builder.apply('neg', [this]);
  }
  abs(): Column {
    return this.builder.apply('abs', [this]);
  }
  log(): Column {
    return this.builder.apply('log', [this]);
  }
  log1p(): Column {
    return this.builder.apply('log1p', [this]);
  }
  exp(): Column {
    return this.builder.apply('exp', [this]);
  }
  sqrt(): Column {
    return this.builder.apply('sqrt', [this]);
  }
  sigmoid(): Column {
    return this.builder.apply('sigmoid', [this]);
  }
  floor(): Column {
    return this.builder.apply('floor', [this]);
  }
  clip(min: number, max: number): Column {
    if (!(min <= max)) throw new UserError(`clip(${min}, ${max}): min must not exceed max.`);
    return this.builder.apply('clip', [this], { min, max });
  }
  cast(to: DType): Column {
    return this.builder.apply('cast', [this], { to });
  }
  /** TFX taxi's `_fill_in_missing`: '' for strings, 0 for numbers unless a value is given; a column (e.g. tft.mean(x)) imputes per row. */
  fillMissing(value?: number | string | Column): Column {
    if (value instanceof Column) return this.builder.apply('where', [this.isMissing(), value, this]);
    return this.builder.apply('fill_missing', [this], { value: value ?? (this.dtype === 'string' ? '' : 0) });
  }
  isMissing(): Column {
    return this.builder.apply('is_missing', [this]);
  }

  toString(): string {
    const node = this.builder.nodes[this.id];
    return `Column(${node.op}#${node.id}: ${node.dtype})`;
  }
}

function builderOf(op: string, ...values: ColumnLike[]): GraphBuilder {
  const column = values.find((v): v is Column => v instanceof Column);
  if (!column) throw new UserError(`${op} needs at least one column argument (inputs.<feature> or a derived column).`);
  return column.builder;
}

function positiveInt(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    throw new UserError(`${op}: ${name} must be a positive integer, got ${JSON.stringify(value)}.`);
  return value;
}

export interface VocabularyOptions {
  /** Keep the topK most frequent values (ties: larger value first, as TFT). */
  topK?: number;
  /** Drop values seen fewer times than this. */
  frequencyThreshold?: number;
  /** Values outside the vocabulary hash into this many extra indices after it. */
  numOovBuckets?: number;
  /** Index for missing values (and unknown values when numOovBuckets is 0). */
  defaultValue?: number;
}

/** The analyzers and mappers of a preprocessingFn (TFT's `tft` module). */
export const tft = {
  /** (x - mean) / std over the train split (population std). */
  scaleToZScore(x: Column): Column {
    return builderOf('scaleToZScore', x).apply('scale_to_z_score', [x]);
  },
  /** (x - min) / (max - min) over the train split. */
  scaleTo01(x: Column): Column {
    return builderOf('scaleTo01', x).apply('scale_to_0_1', [x]);
  },
  /** Index of each value in a frequency-ordered vocabulary computed over the train split. */
  computeAndApplyVocabulary(x: Column, options: VocabularyOptions = {}): Column {
    const topK = options.topK === undefined ? null : positiveInt('computeAndApplyVocabulary', 'topK', options.topK);
    const frequencyThreshold = options.frequencyThreshold ?? 0;
    const numOovBuckets = options.numOovBuckets ?? 0;
    if (!Number.isInteger(numOovBuckets) || numOovBuckets < 0)
      throw new UserError(`computeAndApplyVocabulary: numOovBuckets must be an integer >= 0, got ${numOovBuckets}.`);
    return builderOf('computeAndApplyVocabulary', x).apply('compute_and_apply_vocabulary', [x], {
      topK,
      frequencyThreshold,
      numOovBuckets,
      defaultValue: options.defaultValue ?? -1,
    });
  },
  /** Bucket index by train-split quantiles: numBuckets - 1 boundaries (fewer when values repeat). */
  bucketize(x: Column, numBuckets: number): Column {
    positiveInt('bucketize', 'numBuckets', numBuckets);
    return builderOf('bucketize', x).apply('bucketize', [x], { numBuckets });
  },
  /** Bucket index for given sorted boundaries: the number of boundaries <= x. */
  applyBuckets(x: Column, boundaries: number[]): Column {
    if (!Array.isArray(boundaries) || boundaries.some((b, i) => typeof b !== 'number' || !Number.isFinite(b) || (i > 0 && b < boundaries[i - 1]))) {
      throw new UserError('applyBuckets: boundaries must be finite numbers in ascending order.');
    }
    return builderOf('applyBuckets', x).apply('apply_buckets', [x], { boundaries: [...boundaries] });
  },
  /** Index of each value in a given vocabulary (TFT's apply_vocabulary with a fixed list). */
  applyVocabulary(x: Column, vocabulary: string[], options: { numOovBuckets?: number; defaultValue?: number } = {}): Column {
    return builderOf('applyVocabulary', x).apply('apply_vocabulary', [x], {
      vocabulary: [...vocabulary],
      numOovBuckets: options.numOovBuckets ?? 0,
      defaultValue: options.defaultValue ?? -1,
    });
  },
  /** Stable hash bucket of each string in [0, hashBuckets). */
  hashStrings(x: Column, hashBuckets: number): Column {
    positiveInt('hashStrings', 'hashBuckets', hashBuckets);
    return builderOf('hashStrings', x).apply('hash_strings', [x], { hashBuckets });
  },
  fillMissing(x: Column, value?: number | string | Column): Column {
    return x.fillMissing(value);
  },
  where(condition: Column, ifTrue: ColumnLike, ifFalse: ColumnLike): Column {
    return builderOf('where', condition, ifTrue, ifFalse).apply('where', [condition, ifTrue, ifFalse]);
  },
  minimum(a: ColumnLike, b: ColumnLike): Column {
    return builderOf('minimum', a, b).apply('minimum', [a, b]);
  },
  maximum(a: ColumnLike, b: ColumnLike): Column {
    return builderOf('maximum', a, b).apply('maximum', [a, b]);
  },
  /** Full-pass statistics, usable as constants in mappers (TFT's tft.mean, tft.var, ...). */
  mean(x: Column): Column {
    return builderOf('mean', x).apply('analyzer_mean', [x]);
  },
  var(x: Column): Column {
    return builderOf('var', x).apply('analyzer_var', [x]);
  },
  min(x: Column): Column {
    return builderOf('min', x).apply('analyzer_min', [x]);
  },
  max(x: Column): Column {
    return builderOf('max', x).apply('analyzer_max', [x]);
  },
  sum(x: Column): Column {
    return builderOf('sum', x).apply('analyzer_sum', [x]);
  },
  size(x: Column): Column {
    return builderOf('size', x).apply('analyzer_size', [x]);
  },
};

export type Tft = typeof tft;
export type PreprocessingInputs = Record<string, Column>;
export type PreprocessingFn = (inputs: PreprocessingInputs, tftModule: Tft) => Record<string, Column> | Promise<Record<string, Column>>;

/** Runs a preprocessingFn symbolically and returns the (not yet analyzed) graph. */
export async function tracePreprocessingFn(fn: PreprocessingFn, rawFeatures: RawFeature[], where = 'preprocessingFn'): Promise<TransformGraph> {
  const builder = new GraphBuilder(rawFeatures);
  const inputs = new Proxy({} as PreprocessingInputs, {
    get: (_target, key) => (typeof key === 'string' ? builder.input(key) : undefined),
    has: (_target, key) => typeof key === 'string' && rawFeatures.some((f) => f.name === key),
    ownKeys: () => rawFeatures.map((f) => f.name),
    getOwnPropertyDescriptor: (_target, key) =>
      typeof key === 'string' && rawFeatures.some((f) => f.name === key) ? { enumerable: true, configurable: true, value: builder.input(key) } : undefined,
  });
  let result: unknown;
  try {
    result = await fn(inputs, tft);
  } catch (error) {
    if (error instanceof UserError) throw error;
    const err = error as Error;
    const wrapped = new UserError(`${where} threw: ${err?.message ?? String(error)}`);
    wrapped.stack = `${wrapped.message}\n${(err?.stack ?? '').split('\n').slice(1).join('\n')}`;
    throw wrapped;
  }
  if (!result || typeof result !== 'object' || Array.isArray(result)) {
    throw new UserError(`${where} must return an object of output columns, e.g. { fare_xf: tft.scaleToZScore(inputs.fare) }; it returned ${describe(result)}.`);
  }
  const entries = Object.entries(result as Record<string, unknown>);
  if (entries.length === 0) throw new UserError(`${where} returned no outputs.`, 'return at least one transformed feature.');
  const outputs = entries.map(([name, value]) => {
    if (!(value instanceof Column)) {
      throw new UserError(
        `${where}: output "${name}" is ${describe(value)}, not a column.`,
        'build outputs from inputs.<feature> with tft functions and column methods.',
      );
    }
    if (value.builder !== builder) throw new UserError(`${where}: output "${name}" was built from another call's inputs.`);
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name))
      throw new UserError(`${where}: output name "${name}" is not usable as a feature name.`, 'use letters, digits, "_", "." or "-".');
    return { name, node: value.id, dtype: value.dtype, rawInputs: rawInputsOf(builder.nodes, value.id) };
  });
  return { format: GRAPH_FORMAT, version: 1, rawFeatures: [...rawFeatures], nodes: builder.nodes, outputs };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
