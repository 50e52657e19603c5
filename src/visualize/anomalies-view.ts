import { loadAnomalies } from '../validation/io';
import type { Anomalies } from '../validation/types';
import { anomaliesHtml, anomaliesViewModel } from './anomalies-html';
import { withInlineStyles } from './css';
import type { ArtifactView, MimeBundle } from './registry';

/** Anomalies of one split (ExampleValidator writes one per split; `tfx-ts validate` one without a split). */
export interface SplitAnomalies {
  split?: string;
  anomalies: Anomalies;
}

/** ExampleValidator's view: one table of anomalies per split. */
export function anomaliesBundle(splits: SplitAnomalies[], options: { title?: string; id?: string } = {}): MimeBundle {
  const models = splits.map((s) => anomaliesViewModel(s.anomalies, s.split));
  const text = models
    .map((m) => {
      const where = m.split ? ` in split ${m.split}` : '';
      if (m.anomalies.length === 0) return `No anomalies found${where}.`;
      return [
        `${m.anomalies.length} anomalies${where}:`,
        ...m.anomalies.map((a) => `  ${a.feature} [${a.severity}] ${a.shortDescription}: ${a.description}`),
      ].join('\n');
    })
    .join('\n');
  return { 'text/html': withInlineStyles(anomaliesHtml(models, options)), 'text/plain': text || 'No anomalies found.' };
}

/** The registered view of ExampleAnomalies: every split of the latest artifact. */
export const anomaliesView: ArtifactView = async (artifacts, options) => {
  const bySplit = loadAnomalies(artifacts[artifacts.length - 1]);
  return anomaliesBundle(
    Object.entries(bySplit).map(([split, anomalies]) => ({ split, anomalies })),
    { title: options.title },
  );
};
