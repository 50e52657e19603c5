import { withInlineStyles } from './css';
import { escapeHtml, formatCount, formatNumber, viewElement } from './html';
import type { ArtifactView, MimeBundle } from './registry';
import type { GraphNode, TransformGraph } from '../transform/graph';
import { TransformOutput } from '../transform/transform-output';

/** TFT names of the graph ops, for people reading the view. */
const OP_NAMES: Record<string, string> = {
  fill_missing: 'fillMissing',
  is_missing: 'isMissing',
  scale_to_z_score: 'scaleToZScore',
  scale_to_0_1: 'scaleTo01',
  compute_and_apply_vocabulary: 'computeAndApplyVocabulary',
  bucketize: 'bucketize',
  apply_buckets: 'applyBuckets',
  apply_vocabulary: 'applyVocabulary',
  hash_strings: 'hashStrings',
  analyzer_mean: 'tft.mean',
  analyzer_var: 'tft.var',
  analyzer_min: 'tft.min',
  analyzer_max: 'tft.max',
  analyzer_sum: 'tft.sum',
  analyzer_size: 'tft.size',
};

/** The expression behind a node, e.g. `scaleToZScore(fillMissing(trip_miles, 0))`. */
export function describeNode(graph: TransformGraph, id: number, depth = 0): string {
  const node = graph.nodes[id];
  if (node.op === 'input') return String(node.attrs.name);
  if (node.op === 'constant') return JSON.stringify(node.attrs.value);
  if (depth > 6) return '…';
  const args = node.args.map((a) => describeNode(graph, a, depth + 1));
  const attrs = Object.entries(node.attrs)
    .filter(([key, value]) => value !== null && value !== undefined && !['vocabulary', 'boundaries', 'value'].includes(key))
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  if (node.op === 'fill_missing') attrs.unshift(JSON.stringify(node.attrs.value));
  return `${OP_NAMES[node.op] ?? node.op}(${[...args, ...attrs].join(', ')})`;
}

/** The analyzer result of an output's own node, in words. */
export function describeAnalysis(node: GraphNode): string {
  const a = node.analysis;
  switch (node.op) {
    case 'scale_to_z_score':
      return a ? `mean ${formatNumber(a.mean as number)}, std ${formatNumber(Math.sqrt(a.variance as number))}` : '';
    case 'scale_to_0_1':
      return a ? `min ${formatNumber(a.min as number)}, max ${formatNumber(a.max as number)}` : '';
    case 'compute_and_apply_vocabulary': {
      const vocabulary = (a?.vocabulary as string[]) ?? [];
      const counts = (a?.counts as number[]) ?? [];
      const top = vocabulary
        .slice(0, 5)
        .map((v, i) => `${JSON.stringify(v)} (${formatCount(counts[i])})`)
        .join(', ');
      return `${formatCount(vocabulary.length)} values + ${node.attrs.numOovBuckets} OOV; top: ${top}${vocabulary.length > 5 ? ', …' : ''}`;
    }
    case 'bucketize':
      return a ? `${(a.boundaries as number[]).length + 1} buckets; boundaries ${(a.boundaries as number[]).map((b) => formatNumber(b)).join(', ')}` : '';
    case 'apply_buckets':
      return `${(node.attrs.boundaries as number[]).length + 1} buckets`;
    case 'hash_strings':
      return `${node.attrs.hashBuckets} buckets`;
    default:
      return '';
  }
}

export function transformGraphBundle(graph: TransformGraph, options: { title?: string } = {}): MimeBundle {
  const rows = graph.outputs.map((output) => {
    const node = graph.nodes[output.node];
    return (
      `<tr><th scope="row" class="tfx-ts-feature-name">${escapeHtml(output.name)}<div class="tfx-ts-type">${output.dtype}</div></th>` +
      `<td><code>${escapeHtml(describeNode(graph, output.node))}</code></td>` +
      `<td>${escapeHtml(describeAnalysis(node))}</td>` +
      `<td>${escapeHtml(output.rawInputs.join(', '))}</td></tr>`
    );
  });
  const body =
    `<p class="tfx-ts-muted">${graph.outputs.length} transformed features from ${graph.rawFeatures.length} raw features; analyzers saw ${formatCount(graph.analyzedExamples ?? 0)} train examples.</p>` +
    `<div class="tfx-ts-scroll"><table class="tfx-ts-table"><thead><tr><th>feature</th><th>expression</th><th>analyzer result</th><th>raw inputs</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
  const text = [
    `TransformGraph: ${graph.outputs.length} outputs (analyzed ${graph.analyzedExamples ?? 0} examples)`,
    ...graph.outputs.map(
      (o) =>
        `  ${o.name} (${o.dtype}) = ${describeNode(graph, o.node)}${describeAnalysis(graph.nodes[o.node]) ? `  [${describeAnalysis(graph.nodes[o.node])}]` : ''}`,
    ),
  ].join('\n');
  return { 'text/html': withInlineStyles(viewElement('transform', options.title, body)), 'text/plain': text };
}

/** The registered view of TransformGraph artifacts: the latest graph's features and analyzer results. */
export const transformGraphView: ArtifactView = async (artifacts, options) => {
  const artifact = artifacts[artifacts.length - 1];
  return transformGraphBundle(TransformOutput.load(artifact.uri).graph, { title: options.title });
};
