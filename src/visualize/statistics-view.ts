import type { Artifact } from '../dsl/artifact';
import { loadStatistics } from '../stats/io';
import { withInlineStyles } from './css';
import { formatCount } from './html';
import type { StatisticsViewModel } from '../protocol/view-models';
import type { ArtifactView, MimeBundle } from './registry';
import { statisticsChartSpecs } from './statistics-charts';
import { statisticsHtml } from './statistics-html';
import { LabeledStatistics, statisticsViewModel } from './statistics-model';
import { ChartSpec, renderChartSvgs } from './vega';

/**
 * StatisticsGen's view: Facets-Overview-like tables of ExampleStatistics (every split side by
 * side), optionally against another run's statistics (`compareWith`).
 */
export interface StatisticsViewOptions {
  title?: string;
  /** Element id of the view (default: random, unique per output). */
  id?: string;
  /** Sort and search controls (an inline script); the report, whose CSP forbids scripts, turns them off. */
  tools?: boolean;
}

/** The static HTML (without styles) and the chart specs of the statistics view. */
export async function statisticsFragment(
  inputs: LabeledStatistics[],
  options: StatisticsViewOptions = {},
): Promise<{ html: string; specs: ChartSpec[]; model: StatisticsViewModel }> {
  const model = statisticsViewModel(inputs);
  const specs = statisticsChartSpecs(model);
  const svgs = await renderChartSvgs(specs);
  return { html: statisticsHtml(model, svgs, options), specs, model };
}

/** The MIME bundle for one or more statistics lists (each list's datasets become columns of colour). */
export async function statisticsBundle(inputs: LabeledStatistics[], options: StatisticsViewOptions = {}): Promise<MimeBundle> {
  const { html, model } = await statisticsFragment(inputs, options);
  const features = model.numeric.length + model.categorical.length + model.other.length;
  const text =
    `Statistics of ${model.datasets.map((d) => `${d.name} (${formatCount(d.numExamples)} examples)`).join(', ') || 'no dataset'}: ` +
    `${features} features (${model.numeric.length} numeric, ${model.categorical.length} categorical).`;
  return { 'text/html': withInlineStyles(html), 'text/plain': text };
}

function artifactLabel(artifact: Artifact, fallback: string): string {
  return artifact.id !== undefined ? `#${artifact.id}` : fallback;
}

/**
 * The registered view of ExampleStatistics: every split of each artifact, and of the artifacts in
 * `compareWith` (another run, e.g. last span or serving data); `compareLabel` names that run.
 */
export const statisticsView: ArtifactView = async (artifacts, options) => {
  const compareWith = options.compareWith ?? [];
  const inputs: LabeledStatistics[] = [
    ...artifacts.map((a, i) => ({
      statistics: loadStatistics(a),
      label: typeof options.label === 'string' ? options.label : artifactLabel(a, `run ${i + 1}`),
    })),
    ...compareWith.map((a, i) => ({
      statistics: loadStatistics(a),
      label: typeof options.compareLabel === 'string' ? options.compareLabel : artifactLabel(a, `compared ${i + 1}`),
    })),
  ];
  return statisticsBundle(inputs, { title: options.title });
};
