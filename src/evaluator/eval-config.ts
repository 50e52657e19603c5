import { z } from 'zod';

/**
 * TFMA's EvalConfig, in camelCase: which label to read, how to slice, which metrics to compute and
 * which thresholds decide the blessing. Validated once when the Evaluator is constructed.
 */
const bound = z.number().finite();

export const metricThresholdSchema = z
  .object({
    /** The metric must lie in [lowerBound, upperBound]. */
    valueThreshold: z.object({ lowerBound: bound.optional(), upperBound: bound.optional() }).strict().optional(),
    /** Candidate − baseline (absolute) or that difference / baseline (relative), in the given direction. */
    changeThreshold: z
      .object({
        direction: z.enum(['HIGHER_IS_BETTER', 'LOWER_IS_BETTER'], {
          errorMap: () => ({ message: 'direction must be "HIGHER_IS_BETTER" or "LOWER_IS_BETTER"' }),
        }),
        absolute: bound.optional(),
        relative: bound.optional(),
      })
      .strict()
      .refine((c) => c.absolute !== undefined || c.relative !== undefined, 'changeThreshold needs `absolute` or `relative`')
      .optional(),
  })
  .strict()
  .refine((t) => t.valueThreshold || t.changeThreshold, 'a threshold needs valueThreshold or changeThreshold');

export const METRIC_NAMES = {
  ExampleCount: 'example_count',
  BinaryAccuracy: 'binary_accuracy',
  AUC: 'auc',
  AUCPrecisionRecall: 'auc_precision_recall',
  Precision: 'precision',
  Recall: 'recall',
  MeanLabel: 'mean_label',
  MeanPrediction: 'mean_prediction',
  Calibration: 'calibration',
  BinaryCrossentropy: 'binary_crossentropy',
  ConfusionMatrixAtThresholds: 'confusion_matrix_at_thresholds',
  SparseCategoricalAccuracy: 'sparse_categorical_accuracy',
  MeanSquaredError: 'mean_squared_error',
  MeanAbsoluteError: 'mean_absolute_error',
  /** Plots: always computed for binary classifiers; listing them is accepted as in TFMA configs. */
  CalibrationPlot: 'calibration_plot',
  ConfusionMatrixPlot: 'confusion_matrix_plot',
} as const;

export type MetricClassName = keyof typeof METRIC_NAMES;

const metricConfigSchema = z
  .object({
    className: z.string().refine(
      (c) => c in METRIC_NAMES,
      (c) => ({ message: `unknown metric className "${c}"; known: ${Object.keys(METRIC_NAMES).join(', ')}` }),
    ),
    /** Per-metric options: { threshold } for BinaryAccuracy/Precision/Recall, { thresholds: [...] } for ConfusionMatrixAtThresholds. */
    config: z
      .object({ threshold: z.number().min(0).max(1).optional(), thresholds: z.array(z.number().min(0).max(1)).min(1).optional() })
      .strict()
      .optional(),
    threshold: metricThresholdSchema.optional(),
  })
  .strict();

const slicingSpecSchema = z
  .object({
    /** Slice by every value (combination) of these features; none = the overall slice. */
    featureKeys: z.array(z.string().min(1)).optional(),
    /** Only the slice with these values. */
    featureValues: z.record(z.union([z.string(), z.number()])).optional(),
  })
  .strict();

/**
 * TFMA's Options.confidence_intervals: how the intervals are computed when
 * `computeConfidenceIntervals` is on. TFMA draws 20 Poisson bootstrap samples and fits a
 * t-distribution to them; here the number of samples is a parameter (default 100) and the interval
 * is the samples' percentile interval, which stays inside a metric's range (an AUC near 1 gets no
 * upper bound above 1). The seed makes the intervals reproducible.
 */
const confidenceIntervalOptionsSchema = z
  .object({
    method: z
      .enum(['POISSON_BOOTSTRAP'], {
        errorMap: () => ({ message: 'confidenceIntervals.method must be "POISSON_BOOTSTRAP" (JACKKNIFE is not supported)' }),
      })
      .default('POISSON_BOOTSTRAP'),
    /** Bootstrap samples per slice: more give steadier bounds and cost one pass over the slice each. */
    numBootstrapSamples: z.number().int().min(20).max(10_000).default(100),
    /** Seed of the resampling: the same seed, data and model give the same intervals. */
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    /** Two-sided coverage of the interval. */
    confidenceLevel: z.number().gt(0.5).lt(1).default(0.95),
  })
  .strict();

export const evalOptionsSchema = z
  .object({
    /** TFMA's compute_confidence_intervals: bootstrap intervals for AUC and accuracy, per slice. */
    computeConfidenceIntervals: z.boolean().default(false),
    confidenceIntervals: confidenceIntervalOptionsSchema.default({}),
  })
  .strict();

export type ConfidenceIntervalOptions = z.output<typeof confidenceIntervalOptionsSchema>;

export const evalConfigSchema = z
  .object({
    modelSpecs: z
      .array(
        z
          .object({
            name: z.string().optional(),
            /** Label: a transformed feature (e.g. tips_xf) or a raw column; default the label the Trainer recorded. */
            labelKey: z.string().min(1).optional(),
            signatureName: z.string().optional(),
            /** TFMA's preprocessing_function_names: the transform graph is always applied, so this is accepted and ignored. */
            preprocessingFunctionNames: z.array(z.string()).optional(),
          })
          .strict(),
      )
      .default([{}]),
    slicingSpecs: z.array(slicingSpecSchema).default([{}]),
    metricsSpecs: z
      .array(
        z
          .object({
            metrics: z.array(metricConfigSchema).default([]),
            /** Thresholds by metric name (e.g. { binary_accuracy: {...} }), checked on the overall slice. */
            thresholds: z.record(metricThresholdSchema).optional(),
          })
          .strict(),
      )
      .default([{ metrics: [{ className: 'ExampleCount' }, { className: 'BinaryAccuracy' }, { className: 'AUC' }] }]),
    options: evalOptionsSchema.optional(),
  })
  .strict();

export type EvalConfig = z.input<typeof evalConfigSchema>;
export type NormalizedEvalConfig = z.output<typeof evalConfigSchema>;
export type MetricThreshold = z.output<typeof metricThresholdSchema>;
export type SlicingSpec = z.output<typeof slicingSpecSchema>;

/** The ModelEvaluation artifact's file (what the view reads); kept here, away from the model code, so reading it loads no tfjs. */
export const EVALUATION_FILE = 'evaluation.json';
