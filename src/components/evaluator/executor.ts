import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Executor } from '../../dsl/component';
import type { NormalizedEvalConfig } from '../../evaluator/eval-config';
import { EVALUATION_FILE } from '../../evaluator/eval-config';
import { evaluateModels } from '../../evaluator/evaluate';
import { SERVING_MODEL_SUBDIR } from '../../model/format';
import { baselineIsCandidate } from './baseline';

interface EvaluatorParameters {
  evalConfig: NormalizedEvalConfig;
  exampleSplits: string[];
}

/** TFX writes an empty marker file named after the decision into the blessing artifact. */
export const BLESSED_FILE = 'BLESSED';
export const NOT_BLESSED_FILE = 'NOT_BLESSED';
export const VALIDATION_FILE = 'validation.json';

export const evaluatorExecutor: Executor<EvaluatorParameters> = async (context) => {
  const model = context.inputs.model[0];
  const resolved = context.inputs.baselineModel?.[0];
  const baseline = baselineIsCandidate(resolved, model) ? undefined : resolved;
  const examples = context.inputs.examples[0];
  if (resolved && !baseline) context.log(`the baseline is the candidate model #${model.id} itself: evaluated without a baseline`);
  // A baseline read back from a push destination (Kubeflow) says where it was pushed.
  const pushed = baseline?.customProperties.pushed_destination;
  if (baseline) context.log(`baseline: model ${baseline.id !== undefined ? `#${baseline.id} ` : ''}(${pushed ? `pushed to ${pushed}` : baseline.uri})`);
  else context.log('no baseline model: change thresholds are skipped');
  const result = await evaluateModels({
    config: context.parameters.evalConfig,
    examplesUri: examples.uri,
    splits: context.parameters.exampleSplits,
    candidate: { uri: model.uri, modelId: model.id, bundleDir: path.join(model.uri, SERVING_MODEL_SUBDIR) },
    baseline: baseline
      ? {
          uri: baseline.uri,
          modelId: baseline.id,
          ...(pushed ? { pushedVersion: String(baseline.customProperties.pushed_version ?? '') } : {}),
          bundleDir: path.join(baseline.uri, SERVING_MODEL_SUBDIR),
        }
      : undefined,
    progress: (fraction, message) => context.progress(fraction, message),
  });
  const evaluation = context.outputs.evaluation[0];
  fs.writeFileSync(path.join(evaluation.uri, EVALUATION_FILE), JSON.stringify(result));
  const overall = result.slices.find((s) => s.key.length === 0);
  for (const [name, value] of Object.entries(overall?.metrics ?? {})) {
    if (typeof value === 'number' && Number.isFinite(value)) evaluation.customProperties[name] = value;
  }
  const blessing = context.outputs.blessing[0];
  fs.writeFileSync(path.join(blessing.uri, result.validation.ok ? BLESSED_FILE : NOT_BLESSED_FILE), '');
  fs.writeFileSync(path.join(blessing.uri, VALIDATION_FILE), JSON.stringify(result.validation, null, 1));
  Object.assign(blessing.customProperties, {
    blessed: result.validation.ok ? 1 : 0,
    current_model: model.uri,
    ...(model.id !== undefined ? { current_model_id: model.id } : {}),
    ...(baseline ? { baseline_model: baseline.uri, ...(baseline.id !== undefined ? { baseline_model_id: baseline.id } : {}) } : {}),
  });
  context.log(result.validation.ok ? 'blessed' : `not blessed: ${result.validation.failures.map((f) => f.message).join('; ')}`);
};
