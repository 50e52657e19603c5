import type { Anomalies } from '../validation/types';
import type { Schema } from '../schema/types';
import type { DatasetFeatureStatisticsList } from '../stats/types';
import type { StatisticsViewModel } from './view-models';

/**
 * The custom MIME types of tfx-ts views. JupyterLab's tfx-ts extension renders them interactively;
 * every bundle also carries `text/html` (static, self-contained) for nbconvert, GitHub and other
 * front ends. Each payload is the artifact's JSON plus `vegaLite`: the Vega-Lite specs the static
 * fallback was rendered from, so a live renderer draws the same charts, and an optional `title`.
 *
 * - statistics: a DatasetFeatureStatisticsList, datasets named as shown (splits; `name (label)` when
 *   two runs share split names). Specs: per numeric feature `standard` then `quantiles`, per
 *   categorical feature `topValues` (see ChartMeta in each spec's `usermeta.tfxTs`).
 * - schema: the Schema JSON; no specs.
 * - anomalies: the first split's Anomalies JSON at the top level (`anomalyInfo`, `driftSkewInfo`,
 *   ...), plus `split` and `splits: [{name, anomalies}]` with every split; no specs.
 * - lineage: `{artifacts, executions, events}` of a LineageGraph; one `lineage` spec.
 */
export const MimeTypes = {
  statistics: 'application/vnd.tfx-ts.statistics+json',
  schema: 'application/vnd.tfx-ts.schema+json',
  anomalies: 'application/vnd.tfx-ts.anomalies+json',
  evaluation: 'application/vnd.tfx-ts.evaluation+json',
  lineage: 'application/vnd.tfx-ts.lineage+json',
  training: 'application/vnd.tfx-ts.training+json',
} as const;

export type ViewMimeType = (typeof MimeTypes)[keyof typeof MimeTypes];

/**
 * Which chart a Vega-Lite spec is, carried in the spec's `usermeta.tfxTs`, so a live renderer can
 * place it (e.g. the histogram of feature "fare", kind "quantiles") without guessing from order.
 */
export interface ChartMeta {
  chart: 'standard' | 'quantiles' | 'topValues' | 'lineage';
  /** Feature path joined by "." (statistics charts). */
  feature?: string;
}

/** What every payload carries besides the artifact's JSON. */
export interface PayloadBase {
  /** The Vega-Lite specs the static fallback was drawn from (each with `usermeta.tfxTs: ChartMeta` where it is a statistics or lineage chart). */
  vegaLite: unknown[];
  title?: string;
}

/** `MimeTypes.statistics`: a DatasetFeatureStatisticsList (datasets named as shown) and the view model built from it. */
export interface StatisticsPayload extends DatasetFeatureStatisticsList, PayloadBase {
  model: StatisticsViewModel;
}

/** `MimeTypes.schema`: TFDV's Schema JSON. */
export type SchemaPayload = Schema & PayloadBase;

/** `MimeTypes.anomalies`: the first split's Anomalies at the top level, every split in `splits`. */
export type AnomaliesPayload = Anomalies & PayloadBase & { split?: string; splits: { name: string; anomalies: Anomalies }[] };
