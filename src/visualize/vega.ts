import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { formatNumber, formatPercent } from './html';

/**
 * Vega-Lite → SVG on the server: the views are HTML only (the same in JupyterLab, nbconvert and
 * on GitHub, none of which needs JavaScript for them), so charts are drawn here.
 */

/**
 * The views' number format on chart axes: Vega-Lite's custom format types, registered as Vega
 * expression functions, so an axis says "17.03B" where the table says "17.03B" (d3's "~s" would say
 * "17G"). Use as `axis: { formatType: NUMBER_FORMAT, format: String(digits) }` (digits optional) or
 * `formatType: PERCENT_FORMAT`.
 */
export const NUMBER_FORMAT = 'tfxNumber';
export const PERCENT_FORMAT = 'tfxPercent';
vega.expressionFunction(NUMBER_FORMAT, (value: number, digits?: string) => formatNumber(value, digits ? Number(digits) : undefined));
vega.expressionFunction(PERCENT_FORMAT, (value: number) => formatPercent(value));

/** Which chart a spec is (e.g. the histogram of feature "fare", kind "quantiles"), kept in `usermeta.tfxTs`: the HTML places each SVG by it. */
export interface ChartMeta {
  chart: 'standard' | 'log' | 'quantiles' | 'topValues' | 'lineage';
  /** Feature path joined by "." (statistics charts). */
  feature?: string;
}

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
  // Axes may use the views' number format (NUMBER_FORMAT / PERCENT_FORMAT below).
  customFormatTypes: true,
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
    return compactSvg(marksWithTitles(trimGeometryPrecision(svg)));
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

/**
 * Hover text without JavaScript: a mark drawn with `aria: true` and a `description` channel carries
 * its text as aria-label; it becomes the mark's SVG <title>, which browsers show as a tooltip on
 * hover in any front end (nbconvert HTML, a report file, an untrusted notebook) and which screen
 * readers read. (Vega's own tooltips need its runtime in the page; these charts are static SVG.)
 */
export function marksWithTitles(svg: string): string {
  return svg.replace(
    /<(path|rect|circle|line|text)([^>]*?) aria-label="([^"]*)"([^>]*?)\/>/g,
    (_all, tag: string, before: string, label: string, after: string) => {
      const attributes = `${before}${after}`.replace(/ role="[^"]*"| aria-roledescription="[^"]*"/g, '');
      return `<${tag}${attributes}><title>${label}</title></${tag}>`;
    },
  );
}

/**
 * Attributes vega writes that change nothing (default opacity, aria markup the charts switch off,
 * empty frame paths) and one font-family per text element instead of one per chart: about a third
 * of a chart's bytes, which every saved notebook stores.
 */
export function compactSvg(svg: string): string {
  const font = svg.match(/ font-family="([^"]*)"/)?.[1];
  let out = svg
    .replace(/ opacity="1"| stroke-width="1"| transform="translate\(0,0\)"/g, '')
    .replace(/ aria-hidden="true"/g, '')
    .replace(/ role="graphics-object"| aria-roledescription="group mark container"/g, '')
    .replace(/<path class="foreground" d=""[^>]*\/>/g, '')
    .replace(/<path class="background" d="M0,0h0v0h0Z"[^>]*\/>/g, '');
  // Inline SVG in HTML needs neither the version nor the xlink namespace (vega writes no xlink: attribute).
  if (!out.includes('xlink:')) out = out.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', '').replace(' version="1.1"', '');
  if (font) {
    out = out
      .split(` font-family="${font}"`)
      .join('')
      .replace(/^<svg /, `<svg font-family="${font}" `);
  }
  return out;
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
