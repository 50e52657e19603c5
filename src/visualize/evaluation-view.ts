import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { viewStylesheet, withInlineStyles } from './css';
import { escapeHtml, formatCount, formatNumber, newViewId, viewElement } from './html';
import type { ArtifactView, MimeBundle } from './registry';
import { CHART_CONFIG, renderSvg } from './vega';
import { EVALUATION_FILE } from '../evaluator/eval-config';
import type { BoundedValue } from '../evaluator/confidence';
import type { EvaluationResult, ModelRef, SliceMetrics } from '../evaluator/evaluate';
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

function num(value: MetricValue | undefined | null): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Interval bounds: two decimals ("[0.89, 0.93]"), enough to compare slices, narrow enough to fit a column (exact bounds on hover). */
const boundFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function intervalText(ci: BoundedValue): string {
  return `[${boundFormat.format(ci.lowerBound)}, ${boundFormat.format(ci.upperBound)}]`;
}

/** Metric names wrap after their underscores (long names would otherwise set the column widths). */
function wrappable(name: string): string {
  return escapeHtml(name).replace(/([_:])/g, '$1<wbr>');
}

/** Metrics that are shares or probabilities: their chart axis is [0, 1]. */
const UNIT_METRICS = new Set([
  'auc',
  'auc_precision_recall',
  'binary_accuracy',
  'sparse_categorical_accuracy',
  'precision',
  'recall',
  'mean_label',
  'mean_prediction',
]);

/**
 * One metric cell: the value (exact value on hover), its confidence interval when the Evaluator
 * computed one, and the change vs a real baseline; "–" with the reason on hover when the metric
 * is undefined on the slice (e.g. AUC of a one-class slice).
 */
function metricCell(metric: string, slice: SliceMetrics, compared: boolean, level: string): string {
  const value = slice.metrics[metric];
  const note = slice.notes?.[metric];
  const cls = 'tfx-ts-num';
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const why = note ?? `${metric} is undefined on this slice`;
    return `<td class="${cls} tfx-ts-undefined" title="${escapeHtml(why)}">–</td>`;
  }
  const ci = slice.confidenceIntervals?.[metric];
  const baseline = compared ? slice.baselineMetrics?.[metric] : undefined;
  // The exact value on hover (the cell shows 4 significant digits), with what the extra lines are.
  const titles = [String(value)];
  let extra = '';
  if (ci) {
    titles.push(`${level} interval [${ci.lowerBound}, ${ci.upperBound}]`);
    // "0.89–0.93" under the value: the bracketed form is ~10 px wider, which the table cannot spare.
    extra += `<div class="tfx-ts-ci">${boundFormat.format(ci.lowerBound)}–${boundFormat.format(ci.upperBound)}</div>`;
  } else if (note) {
    titles.push(note);
    extra += `<div class="tfx-ts-ci tfx-ts-undefined" title="${escapeHtml(note)}">no interval</div>`;
  }
  if (typeof baseline === 'number') {
    const diff = value - baseline;
    const sign = diff > 0 ? '+' : diff < 0 ? '−' : '±';
    titles.push(`baseline ${baseline}`);
    extra += `<div class="tfx-ts-muted tfx-ts-change">${sign}${escapeHtml(formatNumber(Math.abs(diff)))}</div>`;
  }
  return `<td class="${cls}" title="${escapeHtml(titles.join('\n'))}">${escapeHtml(formatNumber(value))}${extra}</td>`;
}

/** The axis of one metric's bars: [0, 1] for shares, else 0 (or the lowest value) to the highest value or bound. */
function metricDomain(metric: string, slices: SliceMetrics[], compared: boolean): [number, number] {
  const values = slices.flatMap((s) => [
    num(s.metrics[metric]),
    s.confidenceIntervals?.[metric]?.lowerBound ?? null,
    s.confidenceIntervals?.[metric]?.upperBound ?? null,
    compared ? num(s.baselineMetrics?.[metric]) : null,
  ]);
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const lo = Math.min(0, ...finite);
  const hi = UNIT_METRICS.has(metric) ? Math.max(1, ...finite) : Math.max(lo + 1e-12, ...finite);
  return [lo, hi];
}

/** A position on a metric's axis as a fraction of the track, rounded (it only places a bar). */
function position(value: number, [lo, hi]: [number, number]): string {
  return String(Math.round(((value - lo) / (hi - lo)) * 1e4) / 1e4);
}

/**
 * The chart of the selected metric by slice (TFMA's metrics chart beside its table): one row per
 * slice with a bar, the interval's whisker and the baseline's tick. It is HTML, not a Vega-Lite
 * SVG, because it must switch metric without JavaScript (radio buttons + CSS: every metric's
 * positions are custom properties of the row, the checked radio picks which ones the bar reads),
 * hide rows with the minimum-example filter and follow the table's sort order; one SVG per metric
 * would not sort and would multiply the notebook's size.
 */
function sliceChart(
  result: EvaluationResult,
  metrics: string[],
  domains: [number, number][],
  compared: boolean,
  hiddenBy: (s: SliceMetrics) => string,
  level: string,
): string {
  const axis = metrics
    .map(
      (m, i) =>
        `<span class="tfx-ts-for-m${i}"><span>${escapeHtml(formatNumber(domains[i][0]))}</span><b>${escapeHtml(m)}</b><span>${escapeHtml(formatNumber(domains[i][1]))}</span></span>`,
    )
    .join('');
  const legend = ['bar: candidate', result.confidenceIntervals ? `whisker: ${level} interval` : '', compared ? 'tick: baseline' : ''].filter(Boolean);
  const rows = result.slices.map((s, order) => {
    const vars: string[] = [];
    metrics.forEach((m, i) => {
      const value = num(s.metrics[m]);
      const ci = s.confidenceIntervals?.[m];
      const baseline = compared ? num(s.baselineMetrics?.[m]) : null;
      if (value !== null) vars.push(`--v${i}:${position(value, domains[i])}`);
      if (ci) vars.push(`--l${i}:${position(ci.lowerBound, domains[i])};--h${i}:${position(ci.upperBound, domains[i])}`);
      if (baseline !== null) vars.push(`--b${i}:${position(baseline, domains[i])}`);
      // The value as text for the stylesheet's `content` (a CSS string: numbers and brackets only).
      if (value !== null) vars.push(`--t${i}:'${formatNumber(value)}${ci ? ` ${intervalText(ci)}` : ''}'`);
    });
    return (
      `<div class="tfx-ts-bar-row${hiddenBy(s)}" data-slice="${escapeHtml(s.name)}" data-order="${order}" style="${vars.join(';')}">` +
      `<span class="tfx-ts-bar-name" title="${escapeHtml(`${s.name} (${formatCount(s.exampleCount)} examples)`)}">${escapeHtml(s.name)}</span>` +
      `<span class="tfx-ts-bar-track"><span class="tfx-ts-bar"></span><span class="tfx-ts-bar-ci"></span>${compared ? '<span class="tfx-ts-bar-base"></span>' : ''}</span>` +
      `<span class="tfx-ts-bar-value"></span></div>`
    );
  });
  return (
    `<div class="tfx-ts-eval-chart" data-role="chart">` +
    `<div class="tfx-ts-bar-row tfx-ts-bar-axis"><span class="tfx-ts-bar-name tfx-ts-muted">${escapeHtml(legend.join(' · '))}</span><span class="tfx-ts-bar-track">${axis}</span><span class="tfx-ts-bar-value"></span></div>` +
    `<div data-role="chart-rows">${rows.join('')}</div></div>`
  );
}

/**
 * Which metric is selected, without JavaScript: per metric index, the checked radio highlights its
 * column and points the chart's bars at its positions. Scoped to the view's id (a notebook can show
 * many evaluations); the shared stylesheet has the rules that do not depend on the metric count.
 */
function metricSelectionCss(id: string, count: number): string {
  const rules: string[] = [];
  for (let i = 0; i < count; i++) {
    const on = `#${id} .tfx-ts-pick-m${i}:checked`;
    rules.push(
      // Columns: slice, examples, then the metrics.
      `${on}~.tfx-ts-slices tr>:nth-child(${i + 3}){background:var(--tfx-highlight)}` +
        `${on}~.tfx-ts-eval-chart .tfx-ts-for-m${i}{display:inline-flex}` +
        `${on}~.tfx-ts-eval-chart .tfx-ts-bar-row{--v:var(--v${i});--l:var(--l${i});--h:var(--h${i});--b:var(--b${i});--t:var(--t${i})}`,
    );
  }
  return rules.join('');
}

/**
 * Sorting, as a progressive enhancement (the statistics view does the same): rows carry their
 * values (data-value per metric cell, data-examples, data-order); this script, where a front end
 * runs it (a trusted notebook in JupyterLab, nbconvert's HTML), shows the sort controls and
 * reorders the table and the chart together, the overall slice first and undefined values last.
 * Without JavaScript the view keeps the slice order and says that sorting needs it.
 */
function sortScript(id: string): string {
  return (
    `(function(){var v=document.getElementById(${JSON.stringify(id)});if(!v||v.dataset.sort)return;v.dataset.sort='1';` +
    `var t=v.querySelector('[data-role=sort-tools]'),s=t.querySelector('[data-role=sort]'),d=t.querySelector('[data-role=direction]');` +
    `t.hidden=false;var n=v.querySelector('[data-role=no-js]');if(n)n.remove();` +
    `var b=v.querySelector('.tfx-ts-slices tbody'),c=v.querySelector('[data-role=chart-rows]'),h=Array.prototype.slice.call(v.querySelectorAll('.tfx-ts-slices thead th'));` +
    `function val(r,k){if(k==='order')return +r.dataset.order;if(k==='examples')return +r.dataset.examples;` +
    `var i=h.findIndex(function(x){return x.dataset.metric===k}),x=r.children[i];return x?parseFloat(x.title):NaN}` +
    `function apply(){var k=s.value,g=d.value==='ascending'?1:-1,r=Array.prototype.slice.call(b.children);` +
    `r.sort(function(p,q){if(p.dataset.overall)return -1;if(q.dataset.overall)return 1;var x=val(p,k),y=val(q,k);` +
    `if(isNaN(x)||isNaN(y))return isNaN(x)&&isNaN(y)?p.dataset.order-q.dataset.order:isNaN(x)?1:-1;return (x-y)*g||p.dataset.order-q.dataset.order});` +
    `r.forEach(function(x){b.appendChild(x);var e=c&&c.querySelector('[data-order="'+x.dataset.order+'"]');if(e)c.appendChild(e)})}` +
    `s.addEventListener('change',apply);d.addEventListener('change',apply)})();`
  );
}

function validationHtml(validation: ValidationResult): string {
  if (validation.checks.length === 0) return '<p class="tfx-ts-muted">No thresholds configured: the model is blessed.</p>';
  const rows = validation.checks.map((c) => {
    const state = c.skipped ? 'skipped' : c.ok ? 'passed' : 'failed';
    return `<tr data-check="${state}"><td>${escapeHtml(c.metric)}</td><td>${c.kind}</td><td><span class="tfx-ts-badge tfx-ts-state-${c.skipped ? 'CACHED' : c.ok ? 'COMPLETE' : 'FAILED'}">${state}</span></td><td>${escapeHtml(c.message)}</td></tr>`;
  });
  return `<table class="tfx-ts-table"><thead><tr><th>metric</th><th>threshold</th><th>result</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * Minimum example counts the slices can be filtered to (radio buttons + CSS: no JavaScript).
 */
export const MIN_EXAMPLE_FILTERS = [10, 100];

/**
 * The candidate and the baseline are the same model (e.g. a cached Trainer gave the Resolver's
 * latest blessed model back): there is no change to show, so the view says so once instead of a
 * "±0" line under every cell.
 */
/** "model #7" locally; on Kubeflow (no metadata ids) a baseline read back from the push destination names its version. */
function modelName(model: ModelRef): string {
  if (model.modelId !== undefined) return `model #${model.modelId}`;
  return model.pushedVersion ? `model pushed as version ${model.pushedVersion}` : 'model';
}

export function candidateIsBaseline(result: EvaluationResult): boolean {
  const { candidate, baseline } = result;
  if (!baseline) return false;
  return candidate.modelId !== undefined ? candidate.modelId === baseline.modelId : candidate.uri === baseline.uri;
}

/** The metrics the table shows (the confusion matrix has a table of its own in TFMA; the count is its own column). */
export function tableMetrics(result: EvaluationResult): string[] {
  return result.metricNames.filter((m) => m !== 'confusion_matrix_at_thresholds' && m !== 'example_count');
}

/**
 * The evaluation view's HTML and text. The signature is what every caller renders with (the
 * notebook's show(), the Kubeflow task's HTML output, `tfx-ts report`): keep it.
 */
export async function evaluationBundle(result: EvaluationResult, options: { title?: string } = {}): Promise<MimeBundle> {
  const specs = evaluationSpecs(result);
  const svgs = new Map<string, string>();
  for (const s of specs) svgs.set(s.name, await renderSvg(s.spec));
  const id = newViewId('evaluation');
  const same = candidateIsBaseline(result);
  const compared = !!result.baseline && !same;
  const metrics = tableMetrics(result);
  const info = result.confidenceIntervals;
  const level = info ? `${Math.round(info.confidenceLevel * 1000) / 10}%` : '';
  const selected = Math.max(0, metrics.indexOf(headlineMetric(result) ?? ''));
  const sliced = result.slices.filter((s) => s.key.length > 0);
  const explore = sliced.length > 0 && metrics.length > 0;

  const header =
    `<tr><th scope="col">slice</th><th scope="col" class="tfx-ts-num">examples</th>` +
    metrics.map((m) => `<th scope="col" class="tfx-ts-num" data-metric="${escapeHtml(m)}">${wrappable(m)}</th>`).join('') +
    '</tr>';
  // Each row says which minimum-example filters hide it (the overall slice is never hidden).
  const hiddenBy = (s: SliceMetrics) =>
    s.key.length === 0
      ? ''
      : MIN_EXAMPLE_FILTERS.filter((n) => s.exampleCount < n)
          .map((n) => ` tfx-ts-under-${n}`)
          .join('');
  const rows = result.slices.map(
    (s, order) =>
      `<tr data-slice="${escapeHtml(s.name)}" data-examples="${s.exampleCount}" data-order="${order}"${s.key.length === 0 ? ' data-overall="1"' : ''} class="tfx-ts-slice${hiddenBy(s)}">` +
      `<th scope="row">${wrappable(s.name)}</th><td class="tfx-ts-num">${formatCount(s.exampleCount)}</td>` +
      metrics.map((m) => metricCell(m, s, compared, level)).join('') +
      '</tr>',
  );
  const table = `<div class="tfx-ts-scroll tfx-ts-slices"><table class="tfx-ts-table tfx-ts-eval-table"><thead>${header}</thead><tbody>${rows.join('')}</tbody></table></div>`;

  let explorer = `<style>${viewStylesheet('evaluation')}</style>${table}`;
  if (explore) {
    const domains = metrics.map((m) => metricDomain(m, result.slices, compared));
    const pick =
      `<span class="tfx-ts-toggle-label">Metric:</span>` +
      metrics
        .map(
          (m, i) =>
            `<input type="radio" class="tfx-ts-toggle tfx-ts-pick tfx-ts-pick-m${i}" name="${id}-metric" id="${id}-m${i}" value="${escapeHtml(m)}"${i === selected ? ' checked' : ''}>` +
            `<label for="${id}-m${i}" title="Chart and highlight ${escapeHtml(m)}">${escapeHtml(m)}</label>`,
        )
        .join('');
    const filter =
      `<span class="tfx-ts-toggle-label">Slices:</span>` +
      `<input type="radio" class="tfx-ts-toggle tfx-ts-min-0" name="${id}-min" id="${id}-all" checked><label for="${id}-all">all</label>` +
      MIN_EXAMPLE_FILTERS.map(
        (n) =>
          `<input type="radio" class="tfx-ts-toggle tfx-ts-min-${n}" name="${id}-min" id="${id}-${n}"><label for="${id}-${n}" title="Hide slices with fewer than ${n} examples (${sliced.filter((s) => s.exampleCount < n).length} of ${sliced.length})">≥ ${n} examples</label>`,
      ).join('');
    const sortOptions = [
      `<option value="order">slice order</option>`,
      `<option value="examples">examples</option>`,
      ...metrics.map((m) => `<option value="${escapeHtml(m)}">${escapeHtml(m)}</option>`),
    ].join('');
    const sort =
      `<span class="tfx-ts-eval-sort" data-role="sort-tools" hidden><label>Sort by <select data-role="sort">${sortOptions}</select></label> ` +
      `<select data-role="direction" aria-label="Sort direction"><option value="ascending">lowest first</option><option value="descending">highest first</option></select></span>` +
      `<span class="tfx-ts-muted" data-role="no-js">Sorting needs JavaScript (a trusted notebook in JupyterLab, or nbconvert's HTML); metric and slice filters work without it.</span>`;
    explorer =
      `<style>${viewStylesheet('evaluation')}${metricSelectionCss(id, metrics.length)}</style>` +
      `<div class="tfx-ts-eval-explorer">${pick}<div class="tfx-ts-eval-line"></div>${filter}${sort}` +
      sliceChart(result, metrics, domains, compared, hiddenBy, level) +
      table +
      `</div><script>${sortScript(id)}</script>`;
  }

  const status = result.validation.ok
    ? '<b style="color:#2e7d32">validation passed</b>'
    : `<b style="color:#c62828">validation failed</b> (${result.validation.failures.length} threshold${result.validation.failures.length === 1 ? '' : 's'})`;
  const baseline = result.baseline ? `baseline ${modelName(result.baseline)}` : 'no baseline (first blessed model)';
  const chart = (name: string) => (svgs.has(name) ? `<div class="tfx-ts-chart" data-chart="${name}">${svgs.get(name)}</div>` : '');
  const notes = [
    info ? `low–high under a value: its ${level} confidence interval (Poisson bootstrap, ${info.numBootstrapSamples} samples, seed ${info.seed})` : '',
    compared ? 'last line: change vs baseline' : '',
  ].filter(Boolean);
  const body = [
    `<p class="tfx-ts-muted">Candidate ${escapeHtml(modelName(result.candidate))} vs ${escapeHtml(baseline)} · ${escapeHtml(result.problem.replace('_', ' '))} · label ${escapeHtml(result.labelKey)} · ${formatCount(result.numExamples)} examples of ${escapeHtml(result.splits.join(', '))} · ${status}</p>`,
    same
      ? `<p class="tfx-ts-note" data-role="same-model">The candidate is the baseline: ${escapeHtml(modelName(result.candidate))} (its Trainer run was cached, so the Resolver's latest blessed model is this one). There is no change to show.</p>`
      : '',
    `<h4 class="tfx-ts-section">Metrics by slice</h4>${notes.length > 0 ? `<p class="tfx-ts-muted" data-role="table-notes">${escapeHtml(notes.join(' · '))}</p>` : ''}${explorer}`,
    svgs.has('roc')
      ? `<h4 class="tfx-ts-section">Plots (Overall)</h4><div style="display:flex;flex-wrap:wrap;gap:12px">${chart('roc')}${chart('pr')}${chart('calibration')}</div>`
      : '',
    `<h4 class="tfx-ts-section">Thresholds${result.baseline ? ' and baseline comparison' : ''}</h4>${validationHtml(result.validation)}`,
  ].join('');
  const overall = result.slices.find((s) => s.key.length === 0);
  const text = [
    `ModelEvaluation: ${result.slices.length} slice(s), ${result.validation.ok ? 'validation passed' : 'validation FAILED'}`,
    ...(overall
      ? metrics.map((m) => {
          const value = num(overall.metrics[m]);
          const ci = overall.confidenceIntervals?.[m];
          const base = num(overall.baselineMetrics?.[m]);
          return `  ${m}: ${value === null ? '–' : formatNumber(value)}${ci ? ` ${intervalText(ci)}` : ''}${base !== null && compared ? ` (baseline ${formatNumber(base)})` : ''}`;
        })
      : []),
    ...result.validation.checks.map((c) => `  ${c.skipped ? 'skipped' : c.ok ? 'ok' : 'FAILED'}: ${c.message}`),
  ].join('\n');
  return {
    'text/html': withInlineStyles(viewElement('evaluation', options.title, body, id)),
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
