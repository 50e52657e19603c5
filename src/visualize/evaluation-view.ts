import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { withInlineStyles } from './css';
import { escapeHtml, formatCount, formatNumber, viewElement } from './html';
import { MimeTypes } from '../protocol/mime';
import type { ArtifactView, MimeBundle } from './registry';
import { CHART_CONFIG, renderSvg } from './vega';
import { EVALUATION_FILE } from '../evaluator/eval-config';
import type { EvaluationResult } from '../evaluator/evaluate';
import type { MetricValue } from '../evaluator/metrics';
import type { ValidationResult } from '../evaluator/validate';

/**
 * The ModelEvaluation view (TFMA's slicing metrics browser, statically): a metrics table per
 * slice, a bar chart of one metric by slice, ROC and PR curves, a calibration plot and the
 * candidate-vs-baseline comparison with the threshold checks. It renders the artifact's JSON only.
 */
const CANDIDATE = '#4c78a8';
const BASELINE = '#f58518';

const config = { ...CHART_CONFIG, legend: { disable: false, orient: 'bottom', labelColor: '#666', titleColor: '#666' } };

function spec(body: Record<string, unknown>): TopLevelSpec {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', config, ...body } as unknown as TopLevelSpec;
}

/** The metric shown by slice: the first of AUC, accuracy, ... that was computed. */
export function headlineMetric(result: EvaluationResult): string | undefined {
  const preferred = ['auc', 'binary_accuracy', 'sparse_categorical_accuracy', 'mean_squared_error', 'auc_precision_recall'];
  return preferred.find((m) => result.metricNames.includes(m)) ?? result.metricNames.find((m) => m !== 'example_count');
}

export function evaluationSpecs(result: EvaluationResult): { name: string; spec: TopLevelSpec }[] {
  const specs: { name: string; spec: TopLevelSpec }[] = [];
  // Only models that are there get a legend entry.
  const models = result.baseline ? { domain: ['candidate', 'baseline'], range: [CANDIDATE, BASELINE] } : { domain: ['candidate'], range: [CANDIDATE] };
  const metric = headlineMetric(result);
  const sliced = result.slices.filter((s) => s.key.length > 0);
  if (metric && sliced.length > 0) {
    const values = sliced
      .flatMap((s) => [
        { slice: s.name, model: 'candidate', value: num(s.metrics[metric]), count: s.exampleCount },
        ...(s.baselineMetrics ? [{ slice: s.name, model: 'baseline', value: num(s.baselineMetrics[metric]), count: s.exampleCount }] : []),
      ])
      .filter((v) => v.value !== null);
    specs.push({
      name: 'metric_by_slice',
      spec: spec({
        title: { text: `${metric} by slice`, fontSize: 11, fontWeight: 'normal', color: '#666' },
        data: { values },
        width: 360,
        height: { step: result.baseline ? 9 : 12 },
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'slice', type: 'nominal', title: null, sort: null },
          ...(result.baseline ? { yOffset: { field: 'model', type: 'nominal', sort: ['candidate', 'baseline'] } } : {}),
          x: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false } },
          color: { field: 'model', type: 'nominal', title: null, scale: models },
          tooltip: [{ field: 'slice' }, { field: 'model' }, { field: 'value', format: '.4f' }, { field: 'count' }],
        },
      }),
    });
  }
  if (result.plots) {
    const curve = (kind: 'roc' | 'pr') => [
      ...result.plots!.candidate[kind].map((p) => ({ ...p, model: 'candidate' })),
      ...(result.plots!.baseline?.[kind].map((p) => ({ ...p, model: 'baseline' })) ?? []),
    ];
    const line = (name: string, title: string, x: string, y: string, kind: 'roc' | 'pr', diagonal: boolean) => ({
      name,
      spec: spec({
        title: { text: title, fontSize: 11, fontWeight: 'normal', color: '#666' },
        width: 220,
        height: 220,
        layer: [
          ...(diagonal
            ? [
                {
                  data: {
                    values: [
                      { x: 0, y: 0 },
                      { x: 1, y: 1 },
                    ],
                  },
                  mark: { type: 'line', strokeDash: [4, 4], color: '#999', strokeWidth: 1 },
                  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
                },
              ]
            : []),
          {
            data: { values: curve(kind) },
            mark: { type: 'line', strokeWidth: 1.5 },
            encoding: {
              x: { field: 'x', type: 'quantitative', title: x, scale: { domain: [0, 1] } },
              y: { field: 'y', type: 'quantitative', title: y, scale: { domain: [0, 1] } },
              color: { field: 'model', type: 'nominal', title: null, scale: models },
              order: { field: 'x', type: 'quantitative' },
            },
          },
        ],
      }),
    });
    specs.push(line('roc', 'ROC curve', 'false positive rate', 'true positive rate', 'roc', true));
    specs.push(line('pr', 'Precision-recall curve', 'recall', 'precision', 'pr', false));
    const calibration = [
      ...result.plots.candidate.calibration.filter((b) => b.count > 0).map((b) => ({ ...b, model: 'candidate' })),
      ...(result.plots.baseline?.calibration.filter((b) => b.count > 0).map((b) => ({ ...b, model: 'baseline' })) ?? []),
    ];
    specs.push({
      name: 'calibration',
      spec: spec({
        title: { text: 'Calibration (mean label by prediction bucket)', fontSize: 11, fontWeight: 'normal', color: '#666' },
        width: 220,
        height: 220,
        layer: [
          {
            data: {
              values: [
                { x: 0, y: 0 },
                { x: 1, y: 1 },
              ],
            },
            mark: { type: 'line', strokeDash: [4, 4], color: '#999', strokeWidth: 1 },
            encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
          },
          {
            data: { values: calibration },
            mark: { type: 'line', point: true, strokeWidth: 1.5 },
            encoding: {
              x: { field: 'meanPrediction', type: 'quantitative', title: 'mean prediction', scale: { domain: [0, 1] } },
              y: { field: 'meanLabel', type: 'quantitative', title: 'mean label', scale: { domain: [0, 1] } },
              color: { field: 'model', type: 'nominal', title: null, scale: models },
              size: { field: 'count', type: 'quantitative', legend: null },
              tooltip: [
                { field: 'lower' },
                { field: 'upper' },
                { field: 'count' },
                { field: 'meanPrediction', format: '.3f' },
                { field: 'meanLabel', format: '.3f' },
              ],
            },
          },
        ],
      }),
    });
  }
  return specs;
}

function num(value: MetricValue | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function metricCell(value: MetricValue | undefined, baseline?: MetricValue): string {
  if (typeof value !== 'number') return '<td class="tfx-ts-num">–</td>';
  const text = formatNumber(value);
  if (typeof baseline !== 'number') return `<td class="tfx-ts-num" title="${value}">${escapeHtml(text)}</td>`;
  const diff = value - baseline;
  const sign = diff > 0 ? '+' : diff < 0 ? '−' : '±';
  return `<td class="tfx-ts-num" title="candidate ${value} / baseline ${baseline}">${escapeHtml(text)}<div class="tfx-ts-muted">${sign}${escapeHtml(formatNumber(Math.abs(diff)))}</div></td>`;
}

function validationHtml(validation: ValidationResult): string {
  if (validation.checks.length === 0) return '<p class="tfx-ts-muted">No thresholds configured: the model is blessed.</p>';
  const rows = validation.checks.map((c) => {
    const state = c.skipped ? 'skipped' : c.ok ? 'passed' : 'failed';
    return `<tr data-check="${state}"><td>${escapeHtml(c.metric)}</td><td>${c.kind}</td><td><span class="tfx-ts-badge tfx-ts-state-${c.skipped ? 'CACHED' : c.ok ? 'COMPLETE' : 'FAILED'}">${state}</span></td><td>${escapeHtml(c.message)}</td></tr>`;
  });
  return `<table class="tfx-ts-table"><thead><tr><th>metric</th><th>threshold</th><th>result</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export async function evaluationBundle(result: EvaluationResult, options: { title?: string } = {}): Promise<MimeBundle> {
  const specs = evaluationSpecs(result);
  const svgs = new Map<string, string>();
  for (const s of specs) svgs.set(s.name, await renderSvg(s.spec));
  const metrics = result.metricNames.filter((m) => m !== 'confusion_matrix_at_thresholds');
  const header = `<tr><th>slice</th>${metrics.map((m) => `<th>${escapeHtml(m)}</th>`).join('')}</tr>`;
  const rows = result.slices.map(
    (s) =>
      `<tr data-slice="${escapeHtml(s.name)}"><th scope="row">${escapeHtml(s.name)}</th>${metrics.map((m) => metricCell(s.metrics[m], s.baselineMetrics?.[m])).join('')}</tr>`,
  );
  const status = result.validation.ok
    ? '<b style="color:#2e7d32">validation passed</b>'
    : `<b style="color:#c62828">validation failed</b> (${result.validation.failures.length} threshold${result.validation.failures.length === 1 ? '' : 's'})`;
  const baseline = result.baseline ? `baseline model #${result.baseline.modelId ?? '?'}` : 'no baseline (first blessed model)';
  const chart = (name: string) => (svgs.has(name) ? `<div class="tfx-ts-chart" data-chart="${name}">${svgs.get(name)}</div>` : '');
  const body = [
    `<p class="tfx-ts-muted">Candidate model #${result.candidate.modelId ?? '?'} vs ${escapeHtml(baseline)} · ${escapeHtml(result.problem.replace('_', ' '))} · label ${escapeHtml(result.labelKey)} · ${formatCount(result.numExamples)} examples of ${escapeHtml(result.splits.join(', '))} · ${status}</p>`,
    `<h4 class="tfx-ts-section">Metrics by slice${result.baseline ? ' (second line: change vs baseline)' : ''}</h4><div class="tfx-ts-scroll"><table class="tfx-ts-table">${`<thead>${header}</thead>`}<tbody>${rows.join('')}</tbody></table></div>`,
    chart('metric_by_slice'),
    svgs.has('roc')
      ? `<h4 class="tfx-ts-section">Plots (Overall)</h4><div style="display:flex;flex-wrap:wrap;gap:12px">${chart('roc')}${chart('pr')}${chart('calibration')}</div>`
      : '',
    `<h4 class="tfx-ts-section">Thresholds${result.baseline ? ' and baseline comparison' : ''}</h4>${validationHtml(result.validation)}`,
  ].join('');
  const overall = result.slices.find((s) => s.key.length === 0);
  const text = [
    `ModelEvaluation: ${result.slices.length} slice(s), ${result.validation.ok ? 'validation passed' : 'validation FAILED'}`,
    ...(overall
      ? metrics.map(
          (m) =>
            `  ${m}: ${typeof overall.metrics[m] === 'number' ? formatNumber(overall.metrics[m] as number) : '–'}${typeof overall.baselineMetrics?.[m] === 'number' ? ` (baseline ${formatNumber(overall.baselineMetrics[m] as number)})` : ''}`,
        )
      : []),
    ...result.validation.checks.map((c) => `  ${c.skipped ? 'skipped' : c.ok ? 'ok' : 'FAILED'}: ${c.message}`),
  ].join('\n');
  return {
    [MimeTypes.evaluation]: {
      ...result,
      ...(options.title ? { title: options.title } : {}),
      vegaLite: specs.map((s) => ({ ...s.spec, usermeta: { tfxTs: { chart: s.name } } })),
    },
    'text/html': withInlineStyles(viewElement('evaluation', options.title, body)),
    'text/plain': text,
  };
}

export function readEvaluation(uri: string): EvaluationResult {
  return JSON.parse(fs.readFileSync(path.join(uri, EVALUATION_FILE), 'utf8')) as EvaluationResult;
}

export const evaluationView: ArtifactView = async (artifacts, options) =>
  evaluationBundle(readEvaluation(artifacts[artifacts.length - 1].uri), { title: options.title });

/** The ModelBlessing view: blessed or not, and why. */
export const blessingView: ArtifactView = async (artifacts, options) => {
  const artifact = artifacts[artifacts.length - 1];
  const blessed = Number(artifact.customProperties.blessed) === 1;
  const file = path.join(artifact.uri, 'validation.json');
  const validation = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ValidationResult) : undefined;
  const body = `<p><b style="color:${blessed ? '#2e7d32' : '#c62828'}">${blessed ? 'BLESSED' : 'NOT BLESSED'}</b> <span class="tfx-ts-muted">model ${escapeHtml(String(artifact.customProperties.current_model_id ?? ''))}${artifact.customProperties.baseline_model_id !== undefined ? ` vs baseline ${escapeHtml(String(artifact.customProperties.baseline_model_id))}` : ''}</span></p>${validation ? validationHtml(validation) : ''}`;
  return {
    'text/html': withInlineStyles(viewElement('blessing', options.title, body)),
    'text/plain': `${blessed ? 'BLESSED' : 'NOT BLESSED'}${validation ? `\n${validation.checks.map((c) => `  ${c.skipped ? 'skipped' : c.ok ? 'ok' : 'FAILED'}: ${c.message}`).join('\n')}` : ''}`,
  };
};
