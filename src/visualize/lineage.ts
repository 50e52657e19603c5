import type { LineageGraph } from '../metadata/store';
import { withInlineStyles } from './css';
import { escapeHtml, viewElement } from './html';
import { MimeTypes } from '../protocol/mime';
import type { MimeBundle } from './registry';
import { chartSpec, ChartSpec, renderSvg } from './vega';

/**
 * The lineage view: executions and artifacts of a LineageGraph (MetadataStore.lineage) as a
 * graph (artifact → execution → artifact, one level per depth) and as two tables.
 */

export interface LineageNode {
  id: string;
  kind: 'artifact' | 'execution';
  label: string;
  detail: string;
  state?: string;
  level: number;
  slot: number;
}

export interface LineageEdge {
  from: string;
  to: string;
  key: string;
}

export interface LineageViewModel {
  nodes: LineageNode[];
  edges: LineageEdge[];
  levels: number;
  slots: number;
}

const artifactNode = (id: number) => `a${id}`;
const executionNode = (id: number) => `e${id}`;

/** Levels by longest path from a source: an execution sits below its inputs, an artifact below its producer. */
export function lineageViewModel(graph: LineageGraph): LineageViewModel {
  const inputsOf = new Map<number, number[]>();
  const producerOf = new Map<number, number>();
  for (const e of graph.events) {
    if (e.type === 'INPUT') inputsOf.set(e.executionId, [...(inputsOf.get(e.executionId) ?? []), e.artifactId]);
    else if (!producerOf.has(e.artifactId)) producerOf.set(e.artifactId, e.executionId);
  }
  const levelCache = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (node: string): number => {
    const cached = levelCache.get(node);
    if (cached !== undefined) return cached;
    if (visiting.has(node)) return 0; // a cycle cannot come from MLMD events; stay finite if one does
    visiting.add(node);
    const id = Number(node.slice(1));
    let level = 0;
    if (node.startsWith('e')) level = Math.max(-1, ...(inputsOf.get(id) ?? []).map((a) => levelOf(artifactNode(a)))) + 1;
    else if (producerOf.has(id)) level = levelOf(executionNode(producerOf.get(id)!)) + 1;
    visiting.delete(node);
    levelCache.set(node, level);
    return level;
  };

  const nodes: LineageNode[] = [
    ...graph.executions.map((x) => ({
      id: executionNode(x.id),
      kind: 'execution' as const,
      label: x.componentId,
      detail: `execution ${x.id} · ${x.type} · ${x.state}`,
      state: x.state,
      level: 0,
      slot: 0,
    })),
    ...graph.artifacts.map((a) => ({
      id: artifactNode(a.id!),
      kind: 'artifact' as const,
      label: `#${a.id} ${a.type.name}`,
      detail: a.uri,
      level: 0,
      slot: 0,
    })),
  ];
  const slotsPerLevel = new Map<number, number>();
  for (const node of nodes.sort((a, b) => levelOf(a.id) - levelOf(b.id) || Number(a.id.slice(1)) - Number(b.id.slice(1)))) {
    node.level = levelOf(node.id);
    node.slot = slotsPerLevel.get(node.level) ?? 0;
    slotsPerLevel.set(node.level, node.slot + 1);
  }
  const known = new Set(nodes.map((n) => n.id));
  const edges = graph.events
    .map((e) =>
      e.type === 'INPUT'
        ? { from: artifactNode(e.artifactId), to: executionNode(e.executionId), key: e.key }
        : { from: executionNode(e.executionId), to: artifactNode(e.artifactId), key: e.key },
    )
    .filter((e) => known.has(e.from) && known.has(e.to));
  return {
    nodes,
    edges,
    levels: Math.max(0, ...nodes.map((n) => n.level + 1)),
    slots: Math.max(0, ...slotsPerLevel.values()),
  };
}

const LEVEL_HEIGHT = 38;
const SLOT_WIDTH = 240;

/**
 * Top to bottom, one level per depth, labels right of the nodes (pipelines are long chains, so
 * the graph grows downwards and labels keep their full width). An edge that skips levels bends
 * out to the right so it does not hide behind the chain.
 */
export function lineageSpec(model: LineageViewModel): ChartSpec {
  const position = new Map(model.nodes.map((n) => [n.id, n]));
  const edgePoints = model.edges.flatMap((e, index) => {
    const from = position.get(e.from)!;
    const to = position.get(e.to)!;
    const points = [{ x: from.slot, y: from.level }];
    if (to.level - from.level > 1) {
      const bend = 0.35 + 0.12 * (index % 3);
      points.push({ x: Math.max(from.slot, to.slot) + bend, y: (from.level + to.level) / 2 });
    }
    points.push({ x: to.slot, y: to.level });
    return points.map((p, order) => ({ ...p, edge: index, order, key: e.key }));
  });
  const nodeData = model.nodes.map((n) => ({ x: n.slot, y: n.level, kind: n.kind, label: n.label, detail: n.detail, state: n.state ?? 'artifact' }));
  const levels = Math.max(model.levels, 1);
  const slots = Math.max(model.slots, 1);
  const x = { type: 'quantitative', scale: { domain: [-0.2, slots - 0.2] }, axis: null };
  const y = { type: 'quantitative', scale: { domain: [-0.5, levels - 0.5], reverse: true }, axis: null };
  return chartSpec(
    { chart: 'lineage' },
    {
      description: 'Lineage: artifacts and the executions that consumed and produced them, top to bottom',
      width: slots * SLOT_WIDTH,
      height: levels * LEVEL_HEIGHT,
      layer: [
        {
          data: { values: edgePoints },
          mark: { type: 'line', color: '#9e9e9e', strokeWidth: 1.2, interpolate: 'basis' },
          encoding: {
            x: { field: 'x', ...x },
            y: { field: 'y', ...y },
            detail: { field: 'edge', type: 'nominal' },
            order: { field: 'order', type: 'quantitative' },
          },
        },
        {
          data: { values: nodeData },
          mark: { type: 'point', filled: true, size: 150, strokeWidth: 0, opacity: 1 },
          encoding: {
            x: { field: 'x', ...x },
            y: { field: 'y', ...y },
            shape: { field: 'kind', type: 'nominal', scale: { domain: ['execution', 'artifact'], range: ['square', 'circle'] }, legend: null },
            color: {
              field: 'state',
              type: 'nominal',
              scale: { domain: ['COMPLETE', 'CACHED', 'RUNNING', 'FAILED', 'artifact'], range: ['#43a047', '#1e88e5', '#fb8c00', '#e53935', '#8d8d8d'] },
              legend: null,
            },
            tooltip: [{ field: 'label' }, { field: 'detail' }],
          },
        },
        {
          data: { values: nodeData },
          mark: { type: 'text', dx: 12, fontSize: 11, align: 'left', baseline: 'middle', limit: SLOT_WIDTH - 24 },
          encoding: { x: { field: 'x', ...x }, y: { field: 'y', ...y }, text: { field: 'label' } },
        },
      ],
    },
  );
}

function lineageHtml(model: LineageViewModel, graph: LineageGraph, svg: string, options: { title?: string; id?: string }): string {
  const inputs = (executionId: number, type: 'INPUT' | 'OUTPUT') =>
    graph.events
      .filter((e) => e.executionId === executionId && e.type === type)
      .map((e) => `${escapeHtml(e.key)}=#${e.artifactId}`)
      .join(', ') || '–';
  const executions = graph.executions
    .map(
      (x) =>
        `<tr data-execution="${x.id}"><td class="tfx-ts-num">${x.id}</td><td class="tfx-ts-feature-cell">${escapeHtml(x.componentId)}</td><td>${escapeHtml(x.type)}</td>` +
        `<td><span class="tfx-ts-state tfx-ts-state-${escapeHtml(x.state)}">${escapeHtml(x.state)}</span></td><td>${inputs(x.id, 'INPUT')}</td><td>${inputs(x.id, 'OUTPUT')}</td></tr>`,
    )
    .join('');
  const artifacts = graph.artifacts
    .map(
      (a) =>
        `<tr data-artifact="${a.id}"><td class="tfx-ts-num">#${a.id}</td><td class="tfx-ts-feature-cell">${escapeHtml(a.type.name)}</td><td><code>${escapeHtml(a.uri)}</code></td></tr>`,
    )
    .join('');
  const body =
    (model.nodes.length
      ? `<div class="tfx-ts-scroll"><div class="tfx-ts-chart" data-chart="lineage">${svg}</div></div>`
      : '<p class="tfx-ts-muted">No executions or artifacts.</p>') +
    (graph.executions.length
      ? `<h4 class="tfx-ts-section">Executions (${graph.executions.length})</h4><div class="tfx-ts-scroll"><table class="tfx-ts-table tfx-ts-lineage-executions"><thead><tr><th class="tfx-ts-num">id</th><th>component</th><th>type</th><th>state</th><th>inputs</th><th>outputs</th></tr></thead><tbody>${executions}</tbody></table></div>`
      : '') +
    (graph.artifacts.length
      ? `<h4 class="tfx-ts-section">Artifacts (${graph.artifacts.length})</h4><div class="tfx-ts-scroll"><table class="tfx-ts-table tfx-ts-lineage-artifacts"><thead><tr><th class="tfx-ts-num">id</th><th>type</th><th>uri</th></tr></thead><tbody>${artifacts}</tbody></table></div>`
      : '');
  return viewElement('lineage', options.title, body, options.id);
}

/** The lineage MIME bundle: the graph's JSON and its chart, static HTML as fallback. */
export async function lineageBundle(graph: LineageGraph, options: { title?: string; id?: string } = {}): Promise<MimeBundle> {
  const model = lineageViewModel(graph);
  const spec = lineageSpec(model);
  const svg = model.nodes.length ? await renderSvg(spec) : '';
  const payload = {
    artifacts: graph.artifacts.map((a) => a.toJSON()),
    executions: graph.executions,
    events: graph.events,
    vegaLite: model.nodes.length ? [spec] : [],
    ...(options.title ? { title: options.title } : {}),
  };
  const text =
    `Lineage: ${graph.executions.length} executions, ${graph.artifacts.length} artifacts\n` +
    graph.executions.map((x) => `  execution ${x.id} ${x.componentId} ${x.state}`).join('\n');
  return { [MimeTypes.lineage]: payload, 'text/html': withInlineStyles(lineageHtml(model, graph, svg, options)), 'text/plain': text };
}
