/**
 * The taxi benchmark's Trainer module: the taxi notebook's own model (notebooks/taxi/model.ts,
 * buildKerasModel: 3 z-scored numeric features → 100-70-50-25 → 1, plus 13 width-1 embeddings on
 * the vocabulary, bucket and categorical features, added, sigmoid) and its runFn's settings
 * (batch 40, Adam 0.005, trainArgs.numSteps steps, validation on evalArgs.numSteps batches), with
 * the training path chosen by customConfig so the benchmark can run the compiled step and tfjs'
 * generic path side by side.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fit, saveServingModel, TransformOutput } from 'tfx-ts/trainer';
import type { FnArgs } from 'tfx-ts';
import { buildKerasModel } from '../../notebooks/taxi/model';
import { LABEL_KEY, transformedName } from '../../notebooks/taxi/features';

export async function runFn(fnArgs: FnArgs): Promise<void> {
  const transformOutput = TransformOutput.load(fnArgs.transformOutput!);
  const labelKey = transformedName(LABEL_KEY);
  const train = await fnArgs.dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { batchSize: 40, labelKey }, transformOutput);
  const evaluation = await fnArgs.dataAccessor.tfDatasetFactory(fnArgs.evalFiles, { batchSize: 40, labelKey }, transformOutput);
  const model = buildKerasModel(transformOutput, [100, 70, 50, 25], 0.005);
  const history = await fit(model, train, {
    steps: fnArgs.trainSteps,
    validationData: evaluation,
    validationSteps: fnArgs.evalSteps,
    compiledStep: fnArgs.customConfig.compiledStep !== false,
  });
  // The benchmark reads the fit figures back from the model run.
  fs.writeFileSync(path.join(fnArgs.modelRunDir, 'fit.json'), JSON.stringify(history));
  await saveServingModel(model, fnArgs.servingModelDir, { transformOutput, labelKey });
}
