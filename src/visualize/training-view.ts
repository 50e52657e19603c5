import type { TopLevelSpec } from 'vega-lite';
import { withInlineStyles } from './css';
import { escapeHtml, formatNumber, viewElement } from './html';
import { MimeTypes } from '../protocol/mime';
import type { MimeBundle } from './registry';
import { CHART_CONFIG, renderSvg } from './vega';
import type { TrainingCurves } from '../protocol/view-models';

/** Loss (and metric) against step, train and validation as two colors, one chart per metric. */
export function trainingSpec(curves: TrainingCurves): TopLevelSpec {
  const metrics = [...new Set(curves.points.map((p) => p.metric))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    config: { ...CHART_CONFIG, legend: { disable: false, orient: 'bottom', labelColor: '#666', titleColor: '#666' } },
    data: { values: curves.points },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: metrics } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 260,
      height: 160,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: {
            x: { field: 'step', type: 'quantitative', title: 'step', scale: { domain: [0, Math.max(1, curves.status.totalSteps)] } },
            y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
            color: { field: 'split', type: 'nominal', title: null, scale: { domain: ['train', 'validation'], range: ['#4c78a8', '#f58518'] } },
          },
        },
        {
          transform: [{ filter: "datum.split === 'validation'" }],
          mark: { type: 'point', filled: true, size: 30 },
          encoding: {
            x: { field: 'step', type: 'quantitative' },
            y: { field: 'value', type: 'quantitative' },
            color: { field: 'split', type: 'nominal', scale: { domain: ['train', 'validation'], range: ['#4c78a8', '#f58518'] } },
          },
        },
      ],
    },
  } as unknown as TopLevelSpec;
}

export function statusLine(curves: TrainingCurves): string {
  const s = curves.status;
  const last = (split: string, metric: string) => [...curves.points].reverse().find((p) => p.split === split && p.metric === metric)?.value;
  const parts = [
    s.done ? `trained ${s.step} steps` : `step ${s.step} / ${s.totalSteps}`,
    last('train', 'loss') !== undefined ? `loss ${formatNumber(last('train', 'loss'))}` : '',
    last('validation', 'loss') !== undefined ? `val loss ${formatNumber(last('validation', 'loss'))}` : '',
    last('validation', 'binary_accuracy') !== undefined ? `val accuracy ${formatNumber(last('validation', 'binary_accuracy'))}` : '',
    s.examplesPerSecond ? `${formatNumber(Math.round(s.examplesPerSecond))} examples/s` : '',
    s.backend ? `tfjs ${s.backend}` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

/** The live view of training (and the ModelRun view): Vega-Lite spec in the tfx-ts MIME type, an SVG in text/html. */
export async function trainingBundle(curves: TrainingCurves, options: { title?: string } = {}): Promise<MimeBundle> {
  const spec = trainingSpec(curves);
  const svg = curves.points.length > 0 ? await renderSvg(spec) : '';
  const status = statusLine(curves);
  const html = viewElement(
    'training',
    options.title,
    `<div class="tfx-ts-muted" data-role="status">${escapeHtml(status)}</div><div class="tfx-ts-chart">${svg}</div>`,
  );
  return {
    [MimeTypes.training]: { ...curves, ...(options.title ? { title: options.title } : {}), vegaLite: [spec] },
    'text/html': withInlineStyles(html),
    'text/plain': status,
  };
}
