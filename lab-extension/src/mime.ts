/**
 * The rendermime extension: one renderer per tfx-ts MIME type. Each renderer lives in its own
 * module under renderers/ so it can grow on its own.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';


import { AnomaliesRenderer } from './renderers/anomalies';
import { SchemaRenderer } from './renderers/schema';
import { StatisticsRenderer } from './renderers/statistics';
import { SummaryRenderer } from './renderers/summary';
import { EXTENSION_ID, MimeTypes } from './tokens';

function extension(
  name: string,
  mimeType: string,
  create: (options: IRenderMime.IRendererOptions) => IRenderMime.IRenderer
): IRenderMime.IExtension {
  return {
    id: `${EXTENSION_ID}:${name}`,
    description: `Renders ${mimeType} outputs of tfx-ts notebooks.`,
    rendererFactory: { safe: true, mimeTypes: [mimeType], defaultRank: 50, createRenderer: create },
    rank: 50,
    dataType: 'json'
  };
}

const extensions: IRenderMime.IExtension[] = [
  extension('statistics', MimeTypes.statistics, o => new StatisticsRenderer(o)),
  extension('schema', MimeTypes.schema, o => new SchemaRenderer(o)),
  extension('anomalies', MimeTypes.anomalies, o => new AnomaliesRenderer(o)),
  extension('evaluation', MimeTypes.evaluation, o => new SummaryRenderer(o, 'Evaluation')),
  extension('lineage', MimeTypes.lineage, o => new SummaryRenderer(o, 'Lineage')),
  extension('training', MimeTypes.training, o => new SummaryRenderer(o, 'Training'))
];

export default extensions;
