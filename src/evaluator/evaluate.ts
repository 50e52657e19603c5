import { DuckSession } from '../data/duckdb';
import { NotSupportedError, UserError } from '../util/errors';
import { applyTransformGraph, RawColumns } from '../transform/apply';
import { describeExamples, readExampleColumns, splitFiles } from '../transform/example-io';
import type { ColumnValues } from '../transform/ops';
import type { RawFeature } from '../transform/graph';
import { ModelBundle, Predictions } from '../model/bundle';
import { METRIC_NAMES, NormalizedEvalConfig } from './eval-config';
import { binaryIntervals, BoundedValue, ConfidenceIntervalInfo, INTERVAL_METRICS } from './confidence';
import {
  binaryMetricNotes,
  binaryMetrics,
  binaryPlots,
  BinaryPlots,
  checkBinaryLabels,
  MetricRequest,
  MetricValue,
  multiclassMetrics,
  regressionMetrics,
} from './metrics';
import { computeSlices, requireSliceFeatures, SliceKey } from './slicing';
import { validateMetrics, ValidationResult } from './validate';

export const EVALUATION_FORMAT = 'tfx-ts.model_evaluation';

export interface ModelRef {
  uri: string;
  modelId?: number;
  /** On Kubeflow there are no metadata ids: a baseline read back from a push destination names its version. */
  pushedVersion?: string;
}

export interface SliceMetrics {
  key: SliceKey;
  name: string;
  exampleCount: number;
  metrics: Record<string, MetricValue>;
  baselineMetrics?: Record<string, MetricValue>;
  /** The candidate's bootstrap intervals (evalConfig.options.computeConfidenceIntervals), by metric. */
  confidenceIntervals?: Record<string, BoundedValue>;
  /** Why a metric or its interval has no value on this slice, by metric (shown as the "–" cell's tooltip). */
  notes?: Record<string, string>;
}

/** The ModelEvaluation artifact's JSON (TFMA's metrics, plots and validation result in one file). */
export interface EvaluationResult {
  format: typeof EVALUATION_FORMAT;
  version: 1;
  evalConfig: NormalizedEvalConfig;
  splits: string[];
  numExamples: number;
  problem: string;
  labelKey: string;
  candidate: ModelRef;
  baseline?: ModelRef;
  metricNames: string[];
  slices: SliceMetrics[];
  /** Overall-slice plots of binary classifiers. */
  plots?: { candidate: BinaryPlots; baseline?: BinaryPlots };
  /** How the slices' confidence intervals were computed; absent when they were not asked for. */
  confidenceIntervals?: ConfidenceIntervalInfo;
  validation: ValidationResult;
}

export interface EvaluateArgs {
  config: NormalizedEvalConfig;
  examplesUri: string;
  splits: string[];
  candidate: ModelRef & { bundleDir: string };
  baseline?: ModelRef & { bundleDir: string };
  progress?: (fraction: number, message: string) => void;
}

/** Metric requests of an EvalConfig, in order, without duplicates. */
export function metricRequests(config: NormalizedEvalConfig): MetricRequest[] {
  const requests = new Map<string, MetricRequest>();
  for (const spec of config.metricsSpecs) {
    for (const metric of spec.metrics) {
      const name = METRIC_NAMES[metric.className as keyof typeof METRIC_NAMES];
      if (!requests.has(name)) requests.set(name, { name, config: metric.config });
    }
  }
  if (!requests.has('example_count')) requests.set('example_count', { name: 'example_count' });
  return [...requests.values()];
}

export async function evaluateModels(args: EvaluateArgs): Promise<EvaluationResult> {
  const progress = args.progress ?? (() => undefined);
  progress(0.05, 'loading models');
  const candidate = await ModelBundle.load(args.candidate.bundleDir);
  const baseline = args.baseline ? await ModelBundle.load(args.baseline.bundleDir) : undefined;
  try {
    const labelKey = args.config.modelSpecs[0]?.labelKey ?? candidate.signature.labelKey;
    if (!labelKey)
      throw new UserError(
        'The Evaluator does not know the label.',
        'set evalConfig.modelSpecs[0].labelKey (e.g. "tips_xf"), or pass labelKey to saveServingModel in the module file.',
      );
    const files = args.splits.flatMap((s) => splitFiles(args.examplesUri, s));
    progress(0.15, `reading ${args.splits.join('+')} examples`);
    const raw = await DuckSession.with(async (db) => {
      const available = await describeExamples(db, files);
      const names = new Set<string>();
      const need = (feature: string, why: string) => {
        if (!available.some((f) => f.name === feature))
          throw new UserError(
            `The eval examples lack "${feature}", which ${why} needs.`,
            'evaluate on examples with the same raw features the model was trained on.',
          );
        names.add(feature);
      };
      for (const bundle of [candidate, baseline]) for (const f of bundle?.signature.inputs ?? []) need(f.name, 'the model');
      const labelOutput = candidate.graph.outputs.find((o) => o.name === labelKey);
      if (labelOutput) labelOutput.rawInputs.forEach((f) => need(f, `the label "${labelKey}"`));
      else if (available.some((f) => f.name === labelKey)) names.add(labelKey);
      else
        throw new UserError(
          `Label "${labelKey}" is neither a transformed feature of the model nor a column of the eval examples.`,
          `set evalConfig.modelSpecs[0].labelKey to one of: ${[...candidate.graph.outputs.map((o) => o.name), ...available.map((f) => f.name)].join(', ')}.`,
        );
      const sliceable = [...available.map((f) => f.name), ...candidate.graph.outputs.map((o) => o.name)];
      requireSliceFeatures(args.config.slicingSpecs, sliceable);
      for (const spec of args.config.slicingSpecs) {
        for (const key of [...(spec.featureKeys ?? []), ...Object.keys(spec.featureValues ?? {})]) {
          if (available.some((f) => f.name === key)) names.add(key);
          else candidate.graph.outputs.find((o) => o.name === key)!.rawInputs.forEach((f) => need(f, `slicing feature "${key}"`));
        }
      }
      return readExampleColumns(
        db,
        files,
        available.filter((f: RawFeature) => names.has(f.name)),
      );
    });
    if (raw.numRows === 0)
      throw new UserError(
        `The eval split (${args.splits.join(', ')}) has no examples.`,
        'the Evaluator needs examples; check the split names and ExampleGen output.',
      );

    const transformed = (name: string): ColumnValues => applyTransformGraph(candidate.graph, raw, { outputs: [name] }).features[name];
    const labelColumn = raw.columns[labelKey] ?? transformed(labelKey);
    if (Array.isArray(labelColumn))
      throw new UserError(
        `Label "${labelKey}" holds strings; the Evaluator needs numeric labels.`,
        'encode the label in preprocessingFn (e.g. a 0/1 comparison or a vocabulary index).',
      );
    const labels = labelColumn as Float64Array;
    const problem = candidate.signature.problem;
    if (problem === 'binary_classification') checkBinaryLabels(labels, labelKey);
    const options = args.config.options;
    const intervals = options?.computeConfidenceIntervals ? options.confidenceIntervals : undefined;
    if (intervals && problem !== 'binary_classification')
      throw new NotSupportedError(
        `Confidence intervals for a ${problem.replace('_', ' ')} model`,
        `they are computed for binary classifiers' ${INTERVAL_METRICS.join(' and ')}; set evalConfig.options.computeConfidenceIntervals to false.`,
      );

    progress(0.4, 'predicting');
    const predictions = candidate.predict(raw);
    const baselinePredictions = baseline?.predict(raw);
    const requests = metricRequests(args.config);
    const compute = (p: Predictions, rows: Uint32Array) => metricsFor(problem, labels, p, rows, requests);
    const columnCache = new Map<string, ColumnValues>();
    const column = (feature: string): ColumnValues => {
      if (!columnCache.has(feature)) columnCache.set(feature, raw.columns[feature] ?? transformed(feature));
      return columnCache.get(feature)!;
    };
    progress(0.6, intervals ? `computing metrics and ${intervals.numBootstrapSamples}-sample bootstrap intervals per slice` : 'computing metrics per slice');
    const slices = computeSlices(args.config.slicingSpecs, raw.numRows, column).map((slice): SliceMetrics => {
      const metrics = compute(predictions, slice.rows);
      const bootstrap = intervals ? binaryIntervals(labels, predictions.values, slice.rows, slice.name, requests, intervals) : undefined;
      // Why a value is undefined says more than why its interval is (the interval's note is then implied).
      const notes = { ...bootstrap?.notes, ...(problem === 'binary_classification' ? binaryMetricNotes(labels, slice.rows, metrics) : {}) };
      return {
        key: slice.key,
        name: slice.name,
        exampleCount: slice.rows.length,
        metrics,
        ...(baselinePredictions ? { baselineMetrics: compute(baselinePredictions, slice.rows) } : {}),
        ...(bootstrap && Object.keys(bootstrap.intervals).length > 0 ? { confidenceIntervals: bootstrap.intervals } : {}),
        ...(Object.keys(notes).length > 0 ? { notes } : {}),
      };
    });
    const everything = Uint32Array.from({ length: raw.numRows }, (_, i) => i);
    const overall = slices.find((s) => s.key.length === 0) ?? {
      metrics: compute(predictions, everything),
      baselineMetrics: baselinePredictions ? compute(baselinePredictions, everything) : undefined,
    };
    const plots =
      problem === 'binary_classification'
        ? {
            candidate: binaryPlots(labels, predictions.values, everything),
            ...(baselinePredictions ? { baseline: binaryPlots(labels, baselinePredictions.values, everything) } : {}),
          }
        : undefined;
    const validation = validateMetrics(args.config, overall.metrics, overall.baselineMetrics);
    progress(1, validation.ok ? 'validation passed' : `validation failed: ${validation.failures.length} threshold(s)`);
    return {
      format: EVALUATION_FORMAT,
      version: 1,
      evalConfig: args.config,
      splits: args.splits,
      numExamples: raw.numRows,
      problem,
      labelKey,
      candidate: { uri: args.candidate.uri, modelId: args.candidate.modelId },
      ...(args.baseline
        ? {
            baseline: {
              uri: args.baseline.uri,
              modelId: args.baseline.modelId,
              ...(args.baseline.pushedVersion ? { pushedVersion: args.baseline.pushedVersion } : {}),
            },
          }
        : {}),
      metricNames: requests.map((r) => r.name).filter((n) => n !== 'calibration_plot' && n !== 'confusion_matrix_plot'),
      slices,
      ...(plots ? { plots } : {}),
      ...(intervals
        ? { confidenceIntervals: { ...intervals, metrics: requests.map((r) => r.name).filter((n) => (INTERVAL_METRICS as readonly string[]).includes(n)) } }
        : {}),
      validation,
    };
  } finally {
    candidate.dispose();
    baseline?.dispose();
  }
}

function metricsFor(problem: string, labels: Float64Array, p: Predictions, rows: Uint32Array, requests: MetricRequest[]): Record<string, MetricValue> {
  if (problem === 'binary_classification') return binaryMetrics(labels, p.values, rows, requests);
  if (problem === 'multiclass_classification') return multiclassMetrics(labels, p.values, p.width, rows, requests);
  return regressionMetrics(labels, p.values, rows, requests);
}

export type { RawColumns };
