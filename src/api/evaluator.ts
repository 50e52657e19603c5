/** `tfx-ts/evaluator`: TensorFlow Model Analysis as Evaluator runs it — metrics per slice, thresholds, blessing. */
export { evaluateModels } from '../evaluator/evaluate';
export type { EvaluationResult, SliceMetrics } from '../evaluator/evaluate';
export { evalConfigSchema } from '../evaluator/eval-config';
export type { EvalConfig, MetricThreshold, SlicingSpec } from '../evaluator/eval-config';
export type { ValidationResult, ThresholdCheck } from '../evaluator/validate';
export { evaluationBundle } from '../visualize/evaluation-view';
export { latestBlessedModel } from '../components/resolver/strategy';
