import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { withInlineStyles } from './css';
import { escapeHtml, formatCount, formatNumber, viewElement } from './html';
import type { ArtifactView, MimeBundle } from './registry';
import { CHART_CONFIG, renderSvg } from './vega';
import { FeatureSelectionResult, SELECTION_FILE } from '../feature_selection/scores';

/** The FeatureSelection view: scores as a bar chart (selected features highlighted) and a table. */
export async function featureSelectionBundle(result: FeatureSelectionResult, options: { title?: string } = {}): Promise<MimeBundle> {
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: CHART_CONFIG,
    data: {
      values: result.features
        .filter((f) => Number.isFinite(f.score))
        .map((f) => ({ feature: f.name, score: f.score, selected: f.selected ? 'selected' : 'dropped' })),
    },
    width: 320,
    height: { step: 14 },
    mark: 'bar',
    encoding: {
      y: { field: 'feature', type: 'nominal', sort: '-x', title: null },
      x: { field: 'score', type: 'quantitative', title: result.scoreFunction },
      color: { field: 'selected', type: 'nominal', scale: { domain: ['selected', 'dropped'], range: ['#4c78a8', '#bbbbbb'] }, legend: null },
    },
  } as unknown as TopLevelSpec;
  const svg = await renderSvg(spec);
  const rows = result.features.map(
    (f) =>
      `<tr data-feature="${escapeHtml(f.name)}" data-selected="${f.selected}"><td class="tfx-ts-num">${f.rank}</td><th scope="row">${escapeHtml(f.name)}<div class="tfx-ts-type">${f.dtype}, ${f.treatedAs}</div></th><td class="tfx-ts-num" title="${f.score}">${escapeHtml(formatNumber(f.score))}</td><td>${f.selected ? '✓' : ''}</td></tr>`,
  );
  const body =
    `<p class="tfx-ts-muted">${result.selected.length} of ${result.features.length} features selected (${escapeHtml(result.rule)}) by ${escapeHtml(result.scoreFunction)} against <b>${escapeHtml(result.labelKey)}</b> on ${formatCount(result.numExamples)} ${escapeHtml(result.split)} examples.</p>` +
    `<div style="display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start"><div class="tfx-ts-chart">${svg}</div>` +
    `<table class="tfx-ts-table"><thead><tr><th>rank</th><th>feature</th><th>score</th><th>selected</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
  return {
    'text/html': withInlineStyles(viewElement('feature-selection', options.title, body)),
    'text/plain': `FeatureSelection (${result.scoreFunction} vs ${result.labelKey}, ${result.rule}): ${result.selected.join(', ')}`,
  };
}

export const featureSelectionView: ArtifactView = async (artifacts, options) => {
  const artifact = artifacts[artifacts.length - 1];
  const result = JSON.parse(fs.readFileSync(path.join(artifact.uri, SELECTION_FILE), 'utf8')) as FeatureSelectionResult;
  return featureSelectionBundle(result, { title: options.title });
};
