import * as path from 'node:path';
import type { Executor } from '../../dsl/component';
import { SCHEMA_FILE_NAME } from '../../schema/io';
import { SERVING_MODEL_SUBDIR } from '../../model/format';
import { runTrainer } from '../../trainer/run';

interface TrainerParameters {
  moduleFile: string;
  runFn: string;
  trainArgs: { numSteps: number; splits: string[] };
  evalArgs: { numSteps?: number; splits: string[] };
  hyperparameters: Record<string, unknown>;
  customConfig: Record<string, unknown>;
  seed: number;
}

export const trainerExecutor: Executor<TrainerParameters> = async (context) => {
  const p = context.parameters;
  const examples = context.inputs.examples[0];
  const model = context.outputs.model[0];
  const modelRun = context.outputs.modelRun[0];
  const transformGraph = context.inputs.transformGraph?.[0];
  const schema = context.inputs.schema?.[0];
  const result = await runTrainer({
    moduleFile: p.moduleFile,
    runFn: p.runFn,
    examplesUri: examples.uri,
    trainSplits: p.trainArgs.splits,
    evalSplits: p.evalArgs.splits,
    trainSteps: p.trainArgs.numSteps,
    evalSteps: p.evalArgs.numSteps,
    transformGraphDir: transformGraph?.uri,
    schemaFile: schema ? path.join(schema.uri, SCHEMA_FILE_NAME) : undefined,
    hyperparameters: p.hyperparameters,
    customConfig: p.customConfig,
    seed: p.seed,
    servingModelDir: path.join(model.uri, SERVING_MODEL_SUBDIR),
    modelRunDir: modelRun.uri,
    liveView:
      context.liveViewsShown === false
        ? undefined
        : async (curves) =>
            context.liveView({
              mimeBundle: await (await import('../../visualize/training-view')).trainingBundle(curves, { title: `${context.componentId} training` }),
            }),
    progress: (fraction, message) => context.progress(fraction, message),
    log: (message) => context.log(message),
  });
  model.customProperties.problem = result.signature.problem;
  model.customProperties.tfjs_backend = result.backend;
  if (result.signature.labelKey) model.customProperties.label_key = result.signature.labelKey;
  const last = result.curves.points.filter((pt) => pt.split === 'validation');
  for (const metric of ['loss', 'binary_accuracy']) {
    const point = [...last].reverse().find((pt) => pt.metric === metric);
    if (point) modelRun.customProperties[`val_${metric}`] = point.value;
  }
  if (result.curves.status.examplesPerSecond) modelRun.customProperties.examples_per_second = Math.round(result.curves.status.examplesPerSecond);
};
