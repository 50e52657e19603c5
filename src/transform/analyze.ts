import { DuckSession, sqlIdent, sqlString } from '../data/duckdb';
import { UserError } from '../util/errors';
import { GraphNode, TransformGraph } from './graph';
import { opDef } from './ops';
import { parquetSource } from './example-io';

/**
 * The analysis pass: every analyzer (z-score moments, min/max, vocabularies, quantile boundaries,
 * tft.mean/...) runs as DuckDB SQL over the train split. Analyzers whose inputs depend on other
 * analyzers wait for them (levels); each level is one aggregate query plus one GROUP BY per
 * vocabulary. Returns a new graph with `analysis` filled in.
 */
export async function analyzeTransformGraph(graph: TransformGraph, db: DuckSession, trainFiles: readonly string[]): Promise<TransformGraph> {
  const nodes: GraphNode[] = graph.nodes.map((n) => ({ ...n, attrs: { ...n.attrs }, analysis: n.analysis ? { ...n.analysis } : undefined }));
  const inputs = [...new Set(nodes.filter((n) => n.op === 'input').map((n) => n.attrs.name as string))];
  const select = inputs.map((name) => {
    const dtype = graph.rawFeatures.find((f) => f.name === name)!.dtype;
    return dtype === 'string' ? `CAST(${sqlIdent(name)} AS VARCHAR) AS ${sqlIdent(name)}` : `CAST(${sqlIdent(name)} AS DOUBLE) AS ${sqlIdent(name)}`;
  });
  await db.run(`CREATE OR REPLACE TEMP VIEW __transform_raw AS SELECT ${select.length ? select.join(', ') : '1 AS __one'} FROM ${parquetSource(trainFiles)}`);
  const [{ n: examples }] = await db.all<{ n: number }>('SELECT count(*) AS n FROM __transform_raw');
  if (examples === 0)
    throw new UserError(
      'The train split is empty, so Transform has nothing to analyze.',
      "check ExampleGen's outputConfig and input: the train split needs examples.",
    );

  const isAnalyzer = (n: GraphNode) => Boolean(opDef(n.op).analyzer);
  const dependsOnPending = memoize((id: number, self: (id: number) => boolean): boolean => {
    const node = nodes[id];
    if (node.op === 'input' || node.op === 'constant') return false;
    if (isAnalyzer(node) && !node.analysis) return true;
    return node.args.some(self);
  });

  for (;;) {
    const pending = nodes.filter((n) => isAnalyzer(n) && !n.analysis);
    if (pending.length === 0) break;
    dependsOnPending.clear();
    const ready = pending.filter((n) => !n.args.some((a) => dependsOnPending.get(a)));
    if (ready.length === 0) throw new Error('Transform analysis is stuck: analyzers depend on each other in a cycle.');
    const sqlOf = compileSql(nodes);
    const aggregates: string[] = [];
    const readers: ((row: Record<string, unknown>) => void)[] = [];
    for (const node of ready) {
      const expr = sqlOf(node.args[0]);
      const clean = node.dtype === 'string' || node.op === 'compute_and_apply_vocabulary' ? expr : `nullif(CAST(${expr} AS DOUBLE), 'nan'::DOUBLE)`;
      const k = `a${node.id}`;
      switch (node.op) {
        case 'compute_and_apply_vocabulary':
          await analyzeVocabulary(db, node, expr);
          continue;
        case 'scale_to_z_score':
          aggregates.push(`avg(${clean}) AS ${k}_mean`, `var_pop(${clean}) AS ${k}_var`, `count(${clean}) AS ${k}_n`);
          readers.push((r) => {
            requireValues(node, r[`${k}_n`]);
            node.analysis = { mean: r[`${k}_mean`], variance: r[`${k}_var`] ?? 0 };
          });
          break;
        case 'scale_to_0_1':
          aggregates.push(`min(${clean}) AS ${k}_min`, `max(${clean}) AS ${k}_max`, `count(${clean}) AS ${k}_n`);
          readers.push((r) => {
            requireValues(node, r[`${k}_n`]);
            node.analysis = { min: r[`${k}_min`], max: r[`${k}_max`] };
          });
          break;
        case 'bucketize': {
          const numBuckets = node.attrs.numBuckets as number;
          const fractions = Array.from({ length: numBuckets - 1 }, (_, i) => (i + 1) / numBuckets);
          aggregates.push(fractions.length ? `quantile_disc(${clean}, [${fractions.join(', ')}]) AS ${k}_q` : `NULL AS ${k}_q`, `count(${clean}) AS ${k}_n`);
          readers.push((r) => {
            requireValues(node, r[`${k}_n`]);
            const quantiles = (r[`${k}_q`] as number[] | null) ?? [];
            node.analysis = { boundaries: [...new Set(quantiles.map(Number))].sort((a, b) => a - b) };
          });
          break;
        }
        default: {
          const fn = { analyzer_mean: 'avg', analyzer_var: 'var_pop', analyzer_min: 'min', analyzer_max: 'max', analyzer_sum: 'sum', analyzer_size: 'count' }[
            node.op
          ];
          if (!fn) throw new Error(`No analysis defined for ${node.op}.`);
          aggregates.push(node.op === 'analyzer_size' ? `count(*) AS ${k}_v` : `${fn}(${clean}) AS ${k}_v`, `count(${clean}) AS ${k}_n`);
          readers.push((r) => {
            if (node.op !== 'analyzer_size') requireValues(node, r[`${k}_n`]);
            node.analysis = { value: Number(r[`${k}_v`] ?? 0) };
          });
        }
      }
    }
    if (aggregates.length) {
      const [row] = await db.all(`SELECT ${aggregates.join(', ')} FROM __transform_raw`);
      for (const read of readers) read(row);
    }
  }
  return { ...graph, nodes, analyzedExamples: examples };
}

async function analyzeVocabulary(db: DuckSession, node: GraphNode, expr: string): Promise<void> {
  const topK = node.attrs.topK as number | null;
  const threshold = (node.attrs.frequencyThreshold as number) ?? 0;
  // TFT orders by frequency, ties by the value itself, both descending. Like TFT, the empty string
  // and strings holding \n or \r never enter a vocabulary (its files are one token per line): such
  // values are looked up as unknown (OOV bucket or defaultValue).
  const rows = await db.all<{ v: string; c: number }>(
    `SELECT v, count(*) AS c FROM (SELECT ${expr} AS v FROM __transform_raw) WHERE v IS NOT NULL AND v <> '' AND strpos(v, chr(10)) = 0 AND strpos(v, chr(13)) = 0 GROUP BY v ${threshold > 0 ? `HAVING count(*) >= ${Math.trunc(threshold)}` : ''} ORDER BY c DESC, v DESC ${topK ? `LIMIT ${topK}` : ''}`,
  );
  node.analysis = { vocabulary: rows.map((r) => r.v), counts: rows.map((r) => Number(r.c)) };
}

function requireValues(node: GraphNode, count: unknown): void {
  if (!count) {
    throw new UserError(
      `Analyzer ${node.op} (node ${node.id}) saw no values in the train split: its input is missing in every example.`,
      'fill missing values first (x.fillMissing(0)) or drop this feature.',
    );
  }
}

/** DuckDB SQL of an output of an analyzed graph, over a relation with the raw features as columns (numbers as DOUBLE). */
export function outputSql(graph: TransformGraph, outputName: string): string {
  const output = graph.outputs.find((o) => o.name === outputName);
  if (!output) throw new UserError(`The transform graph has no output "${outputName}".`);
  return compileSql(graph.nodes)(output.node);
}

/** SQL for each node's row-level expression; analyzers must already have their analysis. */
function compileSql(nodes: GraphNode[]): (id: number) => string {
  const cache = new Map<number, string>();
  const sqlOf = (id: number): string => {
    const cached = cache.get(id);
    if (cached !== undefined) return cached;
    const node = nodes[id];
    let sql: string;
    if (node.op === 'input') sql = sqlIdent(node.attrs.name as string);
    else if (node.op === 'constant') sql = typeof node.attrs.value === 'string' ? sqlString(node.attrs.value) : `CAST(${node.attrs.value} AS DOUBLE)`;
    else sql = opDef(node.op).sql(node.args.map(sqlOf), node);
    cache.set(id, sql);
    return sql;
  };
  return sqlOf;
}

function memoize(fn: (id: number, self: (id: number) => boolean) => boolean): { get: (id: number) => boolean; clear: () => void } {
  const cache = new Map<number, boolean>();
  const get = (id: number): boolean => {
    if (!cache.has(id)) cache.set(id, fn(id, get));
    return cache.get(id)!;
  };
  return { get, clear: () => cache.clear() };
}
