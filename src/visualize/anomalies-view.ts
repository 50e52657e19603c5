import { loadAnomalies } from '../validation/io';
import type { Anomalies } from '../validation/types';
import { anomaliesHtml, anomaliesViewModel } from './anomalies-html';
import { withInlineStyles } from './css';
import { AnomaliesPayload, MimeTypes } from '../protocol/mime';
import type { ArtifactView, MimeBundle } from './registry';

/** Anomalies of one split (ExampleValidator writes one per split; `tfx-ts validate` one without a split). */
export interface SplitAnomalies {
  split?: string;
  anomalies: Anomalies;
}

/**
 * ExampleValidator's view. The payload is the first split's Anomalies JSON (what a reader of
 * TFDV's format expects at the top level) plus `splits`, every split's Anomalies by name.
 */
export function anomaliesBundle(splits: SplitAnomalies[], options: { title?: string; id?: string } = {}): MimeBundle {
  const models = splits.map((s) => anomaliesViewModel(s.anomalies, s.split));
  const first = splits[0]?.anomalies ?? { anomalyNameFormat: 'KEY_IS_FEATURE_NAME', anomalyInfo: {} };
  const payload: AnomaliesPayload = {
    ...first,
    ...(splits[0]?.split ? { split: splits[0].split } : {}),
    splits: splits.map((s) => ({ name: s.split ?? '', anomalies: s.anomalies })),
    vegaLite: [],
    ...(options.title ? { title: options.title } : {}),
  };
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
  return { [MimeTypes.anomalies]: payload, 'text/html': withInlineStyles(anomaliesHtml(models, options)), 'text/plain': text || 'No anomalies found.' };
}

/** The registered view of ExampleAnomalies: every split of the latest artifact. */
export const anomaliesView: ArtifactView = async (artifacts, options) => {
  const bySplit = loadAnomalies(artifacts[artifacts.length - 1]);
  return anomaliesBundle(
    Object.entries(bySplit).map(([split, anomalies]) => ({ split, anomalies })),
    { title: options.title },
  );
};
