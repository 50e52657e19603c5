import type { CategoricalSummary, FeatureView, NumericSummary, StatisticsViewModel } from '../protocol/view-models';
import { categoricalScores, numericScores, singleValue, type FeatureScores } from './statistics-charts';
import { datasetChip, escapeHtml, formatCount, formatNumber, formatPercent, newViewId, viewElement } from './html';

/**
 * Static HTML of the statistics view (Facets Overview's layout): a numeric and a categorical
 * table, one row per feature and dataset, the chart of each feature beside its rows. The switch
 * between STANDARD, LOG (standard buckets, log heights) and QUANTILES histograms is three radio buttons and CSS sibling selectors, so it
 * works with no JavaScript (nbconvert output, GitHub previews, sanitizing front ends).
 */

/** Missing shares at or above this are highlighted (a hint to look, not a validation result). */
export const MISSING_HIGHLIGHT = 0.05;

/** Rendered SVG of each chart, keyed by chartKey(chart, feature). */
export type ChartSvgs = Map<string, string>;

export function chartKey(chart: string, feature: string): string {
  return `${chart}:${feature}`;
}

export interface StatisticsHtmlOptions {
  title?: string;
  id?: string;
  /** Sort and search (a small inline script); off where scripts cannot run (the report's CSP forbids them). */
  tools?: boolean;
}

export function statisticsHtml(model: StatisticsViewModel, svgs: ChartSvgs, options: StatisticsHtmlOptions = {}): string {
  const id = options.id ?? newViewId('statistics');
  const compare = model.datasets.length > 1;
  const legend = `<div class="tfx-ts-legend">${model.datasets
    .map(
      (d) =>
        `<span class="tfx-ts-legend-item" data-dataset="${escapeHtml(d.name)}">${datasetChip(d.name, d.color)} <span class="tfx-ts-muted">${formatCount(d.numExamples)} examples</span></span>`,
    )
    .join('')}</div>`;
  const toggle =
    model.numeric.length > 0
      ? `<span class="tfx-ts-toggle-label">Histograms:</span>` +
        `<input type="radio" class="tfx-ts-toggle tfx-ts-show-standard" name="${id}-histogram" id="${id}-standard" value="STANDARD" checked>` +
        `<label for="${id}-standard" title="Equal-width buckets shared by every split">Standard</label>` +
        `<input type="radio" class="tfx-ts-toggle tfx-ts-show-log" name="${id}-histogram" id="${id}-log" value="LOG">` +
        `<label for="${id}-log" title="The same buckets, heights on a log scale (heavy tails)">Log</label>` +
        `<input type="radio" class="tfx-ts-toggle tfx-ts-show-quantiles" name="${id}-histogram" id="${id}-quantiles" value="QUANTILES">` +
        `<label for="${id}-quantiles" title="Quantile boundaries (min, deciles, max)">Quantiles</label>` +
        `<span class="tfx-ts-hint tfx-ts-muted">Hover a bar or point for its range and counts.</span>`
      : '';
  const tools =
    options.tools !== false && model.numeric.length + model.categorical.length > 1
      ? `<div class="tfx-ts-stats-tools" data-role="tools" hidden>` +
        `<label>Sort by <select data-role="sort"><option value="order">feature order</option><option value="name">name</option><option value="missing">missing</option>` +
        (compare ? `<option value="drift">${escapeHtml(model.datasets[0].name)}–${escapeHtml(model.datasets[1].name)} distance</option>` : '') +
        `<option value="nonuniformity">non-uniformity</option></select></label> ` +
        `<input type="search" data-role="search" placeholder="Search features" aria-label="Search features"></div>` +
        `<p class="tfx-ts-muted" data-role="no-js">Sorting and search need JavaScript (a trusted notebook in JupyterLab, or nbconvert's HTML).</p>` +
        `<script>${toolsScript(id)}</script>`
      : '';
  const sections = [
    model.numeric.length > 0 ? numericTable(model, svgs, compare) : '',
    model.categorical.length > 0 ? categoricalTable(model, svgs, compare) : '',
    model.other.length > 0
      ? `<h4 class="tfx-ts-section">Other features (${model.other.length})</h4><p class="tfx-ts-muted">${model.other.map((f) => `${escapeHtml(f.name)} (${escapeHtml(f.type)})`).join(', ')}: no numeric or string statistics to show.</p>`
      : '',
  ];
  if (model.datasets.length === 0 || model.numeric.length + model.categorical.length + model.other.length === 0) {
    sections.push('<p class="tfx-ts-muted">These statistics hold no features.</p>');
  }
  // Hover texts are SVG <title>s (native tooltips, no JavaScript needed); where scripts run, this shows them at once, styled.
  const tooltips = options.tools !== false ? `<script>${tooltipScript(id)}</script>` : '';
  // Last in the view: the script runs as the parser reaches it, when the charts above exist.
  return viewElement('statistics', options.title, `${legend}${tools}${toggle}<div class="tfx-ts-stats-body">${sections.join('')}</div>${tooltips}`, id);
}

/**
 * Sorting and search, as a progressive enhancement of the static view: the rows carry their scores
 * (data-missing, data-drift, data-nonuniformity); this script, where a front end runs it, shows
 * the tools and reorders or hides rows. Without JavaScript the view stays as it is and says so.
 */
function toolsScript(id: string): string {
  return (
    `(function(){var v=document.getElementById(${JSON.stringify(id)});if(!v||v.dataset.tools)return;v.dataset.tools='1';` +
    `var t=v.querySelector('[data-role=tools]'),s=t.querySelector('[data-role=sort]'),q=t.querySelector('[data-role=search]');` +
    `t.hidden=false;var n=v.querySelector('[data-role=no-js]');if(n)n.remove();` +
    `function apply(){var k=s.value,f=q.value.trim().toLowerCase();v.querySelectorAll('tbody').forEach(function(b){` +
    `var r=Array.prototype.slice.call(b.children).filter(function(x){return x.classList.contains('tfx-ts-feature')});` +
    `r.sort(function(a,c){if(k==='name')return a.dataset.feature.localeCompare(c.dataset.feature);` +
    `var d=k==='order'?0:(+c.dataset[k]||0)-(+a.dataset[k]||0);return d||(+a.dataset.order)-(+c.dataset.order)});` +
    `r.forEach(function(x){b.appendChild(x);x.hidden=!!f&&x.dataset.feature.toLowerCase().indexOf(f)<0})})}` +
    `s.addEventListener('change',apply);q.addEventListener('input',apply)})();`
  );
}

/**
 * Tooltips without the browser's delay: each mark's SVG <title> moves to data-tip (so the native
 * tooltip does not show twice) and a positioned box shows it under the pointer.
 */
function tooltipScript(id: string): string {
  return (
    `(function(){var v=document.getElementById(${JSON.stringify(id)});if(!v||v.dataset.tips)return;v.dataset.tips='1';` +
    `var t=document.createElement('div');t.className='tfx-ts-tooltip';t.setAttribute('role','tooltip');t.hidden=true;v.appendChild(t);` +
    `v.querySelectorAll('svg title').forEach(function(x){var p=x.parentNode;p.setAttribute('data-tip',x.textContent);p.setAttribute('aria-label',x.textContent);p.removeChild(x)});` +
    `function hide(){t.hidden=true}` +
    `v.addEventListener('mousemove',function(e){var m=e.target&&e.target.closest?e.target.closest('[data-tip]'):null;if(!m){hide();return}` +
    `t.textContent=m.getAttribute('data-tip');t.hidden=false;var r=v.getBoundingClientRect(),x=e.clientX-r.left+14,y=e.clientY-r.top+14;` +
    `if(x+t.offsetWidth>v.clientWidth)x=Math.max(0,e.clientX-r.left-t.offsetWidth-14);t.style.left=x+'px';t.style.top=y+'px'});` +
    `v.addEventListener('mouseleave',hide)})();`
  );
}

function scoreAttributes(scores: FeatureScores, order: number): string {
  const f = (x: number) => String(Math.round(x * 1e6) / 1e6);
  return ` data-order="${order}" data-missing="${f(scores.missing)}" data-drift="${f(scores.drift)}" data-nonuniformity="${f(scores.nonUniformity)}"`;
}

/** Underscores and dots are where long feature names may wrap. */
function wrappableName(name: string): string {
  return escapeHtml(name).replace(/([_.])/g, '$1<wbr>');
}

function featureHeader(feature: FeatureView<unknown>): string {
  return `<th scope="row" class="tfx-ts-feature-name">${wrappableName(feature.name)}<div class="tfx-ts-type">${escapeHtml(feature.type)}</div></th>`;
}

/**
 * One row per feature; each statistic cell stacks one line per dataset (as Facets Overview), so
 * the lines of every column stay aligned however tall the feature's chart is.
 */
interface Column<S> {
  stat: string;
  header: string;
  numeric: boolean;
  value: (s: S) => { text: string; raw?: number | string; className?: string };
}

function stackedCell<S>(model: StatisticsViewModel, feature: FeatureView<S>, column: Column<S>): string {
  const lines = model.datasets.map((d, i) => {
    const s = feature.perDataset[i];
    if (!s)
      return `<div class="tfx-ts-line tfx-ts-muted" data-dataset="${escapeHtml(d.name)}" title="${escapeHtml(d.name)} has no ${escapeHtml(feature.name)}">–</div>`;
    const { text, raw, className } = column.value(s);
    const title = raw === undefined ? '' : ` title="${escapeHtml(String(raw))}"`;
    return `<div class="tfx-ts-line${className ? ` ${className}` : ''}" data-dataset="${escapeHtml(d.name)}"${title}>${escapeHtml(text)}</div>`;
  });
  return `<td class="${column.numeric ? 'tfx-ts-num' : 'tfx-ts-text'}" data-stat="${column.stat}">${lines.join('')}</td>`;
}

function datasetCell(model: StatisticsViewModel): string {
  return `<td class="tfx-ts-dataset">${model.datasets.map((d) => `<div class="tfx-ts-line" data-dataset="${escapeHtml(d.name)}">${datasetChip(d.name, d.color)}</div>`).join('')}</td>`;
}

function missingValue(fraction: number) {
  return { text: formatPercent(fraction), raw: fraction, className: fraction >= MISSING_HIGHLIGHT ? 'tfx-ts-alert' : undefined };
}

/** A statistic of no values (a split where the feature is 100 % missing) is "–", not the 0 the proto stores. */
const NO_VALUES = { text: '–', raw: 'no values in this dataset', className: 'tfx-ts-muted' };

function ofValues<S extends { count: number }>(read: (s: S) => { text: string; raw?: number | string; className?: string }) {
  return (s: S) => (s.count > 0 ? read(s) : NO_VALUES);
}

const numericColumns: Column<NumericSummary>[] = [
  { stat: 'count', header: 'count', numeric: true, value: (s) => ({ text: formatCount(s.count), raw: s.count }) },
  { stat: 'missing', header: 'missing', numeric: true, value: (s) => missingValue(s.missingFraction) },
  { stat: 'mean', header: 'mean', numeric: true, value: ofValues((s) => ({ text: formatNumber(s.mean), raw: s.mean })) },
  { stat: 'stdDev', header: 'std dev', numeric: true, value: ofValues((s) => ({ text: formatNumber(s.stdDev), raw: s.stdDev })) },
  { stat: 'zeros', header: 'zeros', numeric: true, value: ofValues((s) => ({ text: formatPercent(s.zerosFraction), raw: s.zerosFraction })) },
  { stat: 'min', header: 'min', numeric: true, value: ofValues((s) => ({ text: formatNumber(s.min), raw: s.min })) },
  { stat: 'median', header: 'median', numeric: true, value: ofValues((s) => ({ text: formatNumber(s.median), raw: s.median })) },
  { stat: 'max', header: 'max', numeric: true, value: ofValues((s) => ({ text: formatNumber(s.max), raw: s.max })) },
];

const categoricalColumns: Column<CategoricalSummary>[] = [
  { stat: 'count', header: 'count', numeric: true, value: (s) => ({ text: formatCount(s.count), raw: s.count }) },
  { stat: 'missing', header: 'missing', numeric: true, value: (s) => missingValue(s.missingFraction) },
  { stat: 'unique', header: 'unique', numeric: true, value: ofValues((s) => ({ text: formatCount(s.unique), raw: s.unique })) },
  {
    stat: 'top',
    header: 'top',
    numeric: false,
    value: (s) => ({ text: s.topValues[0]?.value ?? '–', raw: s.topValues[0]?.value, className: 'tfx-ts-top-value' }),
  },
  {
    stat: 'freqTop',
    header: 'freq top',
    numeric: true,
    value: (s) => ({ text: s.topValues[0] ? formatCount(s.topValues[0].frequency) : '–', raw: s.topValues[0]?.frequency }),
  },
  { stat: 'avgLength', header: 'avg length', numeric: true, value: ofValues((s) => ({ text: formatNumber(s.avgLength), raw: s.avgLength })) },
];

function headRow<S>(columns: Column<S>[], compare: boolean, chartHead: string): string {
  return (
    `<thead><tr><th scope="col" class="tfx-ts-feature-head">Feature</th>${compare ? '<th scope="col">Dataset</th>' : ''}` +
    columns.map((c) => `<th scope="col"${c.numeric ? ' class="tfx-ts-num"' : ''}>${c.header}</th>`).join('') +
    `<th scope="col" class="tfx-ts-chart-head">${chartHead}</th></tr></thead>`
  );
}

function featureRow<S>(model: StatisticsViewModel, feature: FeatureView<S>, columns: Column<S>[], compare: boolean, charts: string, scores = ''): string {
  const cells = columns.map((c) => stackedCell(model, feature, c)).join('');
  return `<tr class="tfx-ts-feature" data-feature="${escapeHtml(feature.name)}"${scores}>${featureHeader(feature)}${compare ? datasetCell(model) : ''}${cells}<td class="tfx-ts-chart-cell">${charts}</td></tr>`;
}

/** A feature with one value (in every split that has values) is said in words: a histogram of it would be one full-width block. */
function singleValueNote(model: StatisticsViewModel, feature: FeatureView<NumericSummary>, value: number): string {
  const withValues = model.datasets.filter((_, i) => (feature.perDataset[i]?.count ?? 0) > 0);
  const where = model.datasets.length > 1 ? ` in ${withValues.map((d) => escapeHtml(d.name)).join(' and ')}` : '';
  return (
    `<div class="tfx-ts-single-value" data-chart="single">One value${where}: <strong title="${escapeHtml(String(value))}">${escapeHtml(formatNumber(value))}</strong>` +
    `<span class="tfx-ts-muted"> (no histogram: every value is the same)</span></div>` +
    noValuesNote(model, feature)
  );
}

/** Splits where the feature has no values (all missing, or not in that split at all) are named under the chart, which cannot show them. */
function noValuesNote<S extends { count: number }>(model: StatisticsViewModel, feature: FeatureView<S>): string {
  const notes = model.datasets.flatMap((d, i) => {
    const s = feature.perDataset[i];
    if (!s) return [`${escapeHtml(d.name)}: no such feature`];
    return s.count > 0 ? [] : [`${escapeHtml(d.name)}: no values (all missing)`];
  });
  if (notes.length === 0) return '';
  const text = notes.length > 1 && feature.perDataset.every((s) => s && s.count === 0) ? 'No values in any split (all missing)' : notes.join('; ');
  return `<div class="tfx-ts-chart-note tfx-ts-muted" data-role="no-values">${text}</div>`;
}

function numericTable(model: StatisticsViewModel, svgs: ChartSvgs, compare: boolean): string {
  const head = headRow(
    numericColumns,
    compare,
    '<span class="tfx-ts-when-standard">Histogram</span><span class="tfx-ts-when-log">Histogram (log scale)</span><span class="tfx-ts-when-quantiles">Quantiles</span>',
  );
  const rows = model.numeric.map((feature, order) => {
    const single = singleValue(feature);
    const charts =
      single !== undefined
        ? singleValueNote(model, feature, single)
        : `<div class="tfx-ts-chart tfx-ts-chart-standard" data-chart="standard">${svgs.get(chartKey('standard', feature.name)) ?? ''}</div>` +
          `<div class="tfx-ts-chart tfx-ts-chart-log" data-chart="log">${svgs.get(chartKey('log', feature.name)) ?? ''}</div>` +
          `<div class="tfx-ts-chart tfx-ts-chart-quantiles" data-chart="quantiles">${svgs.get(chartKey('quantiles', feature.name)) ?? ''}</div>` +
          noValuesNote(model, feature);
    return featureRow(model, feature, numericColumns, compare, charts, scoreAttributes(numericScores(feature, model.datasets), order));
  });
  return `<h4 class="tfx-ts-section">Numeric features (${model.numeric.length})</h4><div class="tfx-ts-scroll"><table class="tfx-ts-table tfx-ts-stats-table tfx-ts-numeric" style="--tfx-ts-columns:${numericColumns.length + (compare ? 1 : 0)}">${head}<tbody>${rows.join('')}</tbody></table></div>`;
}

function categoricalTable(model: StatisticsViewModel, svgs: ChartSvgs, compare: boolean): string {
  const head = headRow(categoricalColumns, compare, 'Top values');
  const rows = model.categorical.map((feature, order) => {
    const svg = svgs.get(chartKey('topValues', feature.name));
    return featureRow(
      model,
      feature,
      categoricalColumns,
      compare,
      (svg ? `<div class="tfx-ts-chart" data-chart="topValues">${svg}</div>` : '') + noValuesNote(model, feature),
      scoreAttributes(categoricalScores(feature, model.datasets), order),
    );
  });
  return `<h4 class="tfx-ts-section">Categorical features (${model.categorical.length})</h4><div class="tfx-ts-scroll"><table class="tfx-ts-table tfx-ts-stats-table tfx-ts-categorical" style="--tfx-ts-columns:${categoricalColumns.length + (compare ? 1 : 0)}">${head}<tbody>${rows.join('')}</tbody></table></div>`;
}
