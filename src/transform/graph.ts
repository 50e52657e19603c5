import { z } from 'zod';
import { UserError, formatZodError } from '../util/errors';

/**
 * The TransformGraph artifact's JSON: what preprocessingFn built (nodes in topological order) plus
 * the analyzer results filled in by a full pass over the train split. It holds no code, so any
 * process (Trainer, Evaluator, the model server, a browser) can apply it without the module file.
 */
export type DType = 'int' | 'float' | 'string';

export interface GraphNode {
  id: number;
  op: string;
  /** Ids of argument nodes (always lower than this node's id). */
  args: number[];
  /** Parameters given when the graph was built (e.g. topK, hashBuckets, boundaries). */
  attrs: Record<string, unknown>;
  dtype: DType;
  /** Analyzer results (mean/variance, vocabulary, quantile boundaries, ...); set by the analysis pass. */
  analysis?: Record<string, unknown>;
}

export interface RawFeature {
  name: string;
  dtype: DType;
}

export interface GraphOutput {
  name: string;
  node: number;
  dtype: DType;
  /** Raw features this output depends on (serving needs exactly these to compute it). */
  rawInputs: string[];
}

export interface TransformGraph {
  format: typeof GRAPH_FORMAT;
  version: 1;
  /** Every raw feature preprocessingFn could read, with its type. */
  rawFeatures: RawFeature[];
  nodes: GraphNode[];
  outputs: GraphOutput[];
  /** Number of train examples the analyzers saw. */
  analyzedExamples?: number;
}

export const GRAPH_FORMAT = 'tfx-ts.transform_graph';
export const GRAPH_FILE = 'transform_graph.json';

const dtypeSchema = z.enum(['int', 'float', 'string']);
const graphSchema = z.object({
  format: z.literal(GRAPH_FORMAT),
  version: z.literal(1),
  rawFeatures: z.array(z.object({ name: z.string().min(1), dtype: dtypeSchema })),
  nodes: z.array(
    z.object({
      id: z.number().int().nonnegative(),
      op: z.string().min(1),
      args: z.array(z.number().int().nonnegative()),
      attrs: z.record(z.unknown()),
      dtype: dtypeSchema,
      analysis: z.record(z.unknown()).optional(),
    }),
  ),
  outputs: z.array(z.object({ name: z.string().min(1), node: z.number().int().nonnegative(), dtype: dtypeSchema, rawInputs: z.array(z.string()) })),
  analyzedExamples: z.number().optional(),
});

/** Validates a graph read from a file or a bundle (the edge), including node order and references. */
export function parseTransformGraph(json: unknown, source = 'transform graph', knownOps?: ReadonlySet<string>): TransformGraph {
  const parsed = graphSchema.safeParse(json);
  if (!parsed.success) {
    throw new UserError(
      `${source} is not a valid tfx-ts transform graph: ${formatZodError(parsed.error)}.`,
      'use the transform_graph.json written by the Transform component.',
    );
  }
  const graph = parsed.data as TransformGraph;
  graph.nodes.forEach((node, index) => {
    if (knownOps && !knownOps.has(node.op))
      throw new UserError(
        `${source}: node ${index} uses op "${node.op}", which this tfx-ts does not know.`,
        'the graph was written by a newer tfx-ts; re-run Transform with this version.',
      );
    if (node.id !== index) throw new UserError(`${source}: node ${index} has id ${node.id}; nodes must be listed in id order.`);
    for (const arg of node.args) {
      if (arg >= index) throw new UserError(`${source}: node ${index} (${node.op}) refers to node ${arg}, which does not come before it.`);
    }
  });
  for (const output of graph.outputs) {
    if (output.node >= graph.nodes.length) throw new UserError(`${source}: output ${output.name} refers to missing node ${output.node}.`);
  }
  return graph;
}

/** Ids of the nodes an output needs, in topological order. */
export function nodesNeededFor(graph: TransformGraph, outputNames: readonly string[]): number[] {
  const needed = new Set<number>();
  const stack = outputNames.map((name) => outputByName(graph, name).node);
  while (stack.length) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    stack.push(...graph.nodes[id].args);
  }
  return [...needed].sort((a, b) => a - b);
}

export function outputByName(graph: TransformGraph, name: string): GraphOutput {
  const output = graph.outputs.find((o) => o.name === name);
  if (!output) {
    throw new UserError(`The transform graph has no output "${name}".`, `its outputs are: ${graph.outputs.map((o) => o.name).join(', ')}.`);
  }
  return output;
}

/** Raw features reachable from a node (its `input` leaves). */
export function rawInputsOf(nodes: readonly GraphNode[], id: number): string[] {
  const seen = new Set<number>();
  const names = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const current = stack.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    const node = nodes[current];
    if (node.op === 'input') names.add(node.attrs.name as string);
    stack.push(...node.args);
  }
  return [...names].sort();
}
