import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import type { ChartMeta } from '../protocol/mime';

/**
 * Vega-Lite → SVG on the server, for the static HTML fallback (notebooks read in nbconvert or on
 * GitHub have no JavaScript). The same specs travel in the MIME payload for live renderers.
 */

/** Colors per dataset (split or run), legible on light and dark backgrounds (Tableau 10). */
export const DATASET_COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d'];

export function datasetColor(index: number): string {
  return DATASET_COLORS[index % DATASET_COLORS.length];
}

/**
 * Shared chart styling. Text and rule colors are mid-tones here; the stylesheet re-colors SVG text
 * and axes with the notebook theme's variables, so charts follow light and dark themes.
 */
export const CHART_CONFIG = {
  background: 'transparent',
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  view: { stroke: null },
  axis: {
    labelFontSize: 10,
    titleFontSize: 10,
    titleFontWeight: 'normal',
    labelColor: '#666',
    titleColor: '#666',
    domainColor: '#999',
    tickColor: '#999',
    gridColor: '#ddd',
    labelOverlap: true,
    tickCount: 4,
  },
  legend: { disable: true },
  // The HTML around each chart already says what it shows; aria labels would double the SVG size.
  aria: false,
} as const;

export type ChartSpec = TopLevelSpec & { usermeta: { tfxTs: ChartMeta } };

/** A Vega-Lite spec with the shared config and the chart's identity in `usermeta`. */
export function chartSpec(meta: ChartMeta, spec: Record<string, unknown>): ChartSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: CHART_CONFIG,
    ...spec,
    usermeta: { tfxTs: meta },
  } as unknown as ChartSpec;
}

/** Views embed their data inline; a spec that tries to load anything is a bug, and must not touch the network. */
const noLoader = {
  load: async (uri: string) => {
    throw new Error(`Chart specs must carry their data inline; refusing to load ${uri}.`);
  },
  sanitize: async (uri: string) => {
    throw new Error(`Chart specs must carry their data inline; refusing to load ${uri}.`);
  },
  http: async () => {
    throw new Error('no network in chart rendering');
  },
  file: async () => {
    throw new Error('no file access in chart rendering');
  },
};

/** Compiles a Vega-Lite spec and renders it headless to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: noLoader as unknown as vega.Loader });
  try {
    const svg = await view.toSVG();
    return trimGeometryPrecision(svg);
  } finally {
    view.finalize();
  }
}

/** vega writes full float precision into geometry; two decimals are exact at screen scale and halve the SVG. */
function trimGeometryPrecision(svg: string): string {
  return svg.replace(
    / (d|transform|x|y|x1|y1|x2|y2|width|height|points)="([^"]*)"/g,
    (_all, name: string, value: string) => ` ${name}="${value.replace(/(\d+\.\d{2})\d+/g, '$1')}"`,
  );
}

/** Renders every spec (sequentially: vega views are cheap, and this keeps memory flat) keyed by chart and feature. */
export async function renderChartSvgs(specs: ChartSpec[]): Promise<Map<string, string>> {
  const svgs = new Map<string, string>();
  for (const spec of specs) {
    const meta = spec.usermeta.tfxTs;
    svgs.set(`${meta.chart}:${meta.feature ?? ''}`, await renderSvg(spec));
  }
  return svgs;
}
