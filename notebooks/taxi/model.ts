/**
 * The taxi model (TFX taxi template's model.py, in tfjs): a wide & deep binary classifier on the
 * transformed features. Deep: the z-scored numeric features through dense layers. Wide: one
 * weight per category of every categorical feature (an Embedding of width 1 is exactly a linear
 * layer over its one-hot encoding). The two logits add up; a sigmoid gives P(big tipper).
 */
import * as tf from '@tensorflow/tfjs';
import { fit, saveServingModel, TransformOutput } from 'tfx-ts/trainer';
import type { FnArgs } from 'tfx-ts';
import {
  BUCKET_FEATURES,
  CATEGORICAL_FEATURES,
  CATEGORICAL_FEATURE_MAX_VALUES,
  LABEL_KEY,
  NUMERICAL_FEATURES,
  VOCAB_FEATURES,
  transformedName,
} from './features';

const TRAIN_BATCH_SIZE = 40;
const EVAL_BATCH_SIZE = 40;

export function buildKerasModel(transformOutput: TransformOutput, hiddenUnits: number[], learningRate: number): tf.LayersModel {
  const deepInputs = NUMERICAL_FEATURES.map((key) => tf.input({ shape: [1], name: transformedName(key) }));
  const categorical: { key: string; size: number }[] = [
    ...VOCAB_FEATURES.map((key) => ({ key, size: transformOutput.numBucketsForTransformedFeature(transformedName(key)) })),
    ...BUCKET_FEATURES.map((key) => ({ key, size: transformOutput.numBucketsForTransformedFeature(transformedName(key)) })),
    ...CATEGORICAL_FEATURES.map((key, i) => ({ key, size: CATEGORICAL_FEATURE_MAX_VALUES[i] })),
  ];
  const wideInputs = categorical.map(({ key }) => tf.input({ shape: [1], name: transformedName(key) }));

  let deep = tf.layers.concatenate().apply(deepInputs) as tf.SymbolicTensor;
  for (const units of hiddenUnits) deep = tf.layers.dense({ units, activation: 'relu' }).apply(deep) as tf.SymbolicTensor;
  const deepLogit = tf.layers.dense({ units: 1 }).apply(deep) as tf.SymbolicTensor;

  const wideLogits = wideInputs.map((input, i) => {
    const weights = tf.layers.embedding({ inputDim: categorical[i].size, outputDim: 1, embeddingsInitializer: 'zeros' }).apply(input) as tf.SymbolicTensor;
    return tf.layers.flatten().apply(weights) as tf.SymbolicTensor;
  });
  const logit = tf.layers.add().apply([deepLogit, ...wideLogits]) as tf.SymbolicTensor;
  const output = tf.layers.activation({ activation: 'sigmoid', name: 'big_tipper' }).apply(logit) as tf.SymbolicTensor;

  const model = tf.model({ inputs: [...deepInputs, ...wideInputs], outputs: output });
  model.compile({ optimizer: tf.train.adam(learningRate), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** TFX's run_fn: train on the transformed taxi features and save a servable bundle. */
export async function runFn(fnArgs: FnArgs): Promise<void> {
  const transformOutput = TransformOutput.load(fnArgs.transformOutput!);
  const labelKey = transformedName(LABEL_KEY);
  const train = await fnArgs.dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { batchSize: TRAIN_BATCH_SIZE, labelKey }, transformOutput);
  const evaluation = await fnArgs.dataAccessor.tfDatasetFactory(fnArgs.evalFiles, { batchSize: EVAL_BATCH_SIZE, labelKey }, transformOutput);

  const hiddenUnits = (fnArgs.hyperparameters.hiddenUnits as number[] | undefined) ?? [100, 70, 50, 25];
  const learningRate = (fnArgs.hyperparameters.learningRate as number | undefined) ?? 0.005;
  const model = buildKerasModel(transformOutput, hiddenUnits, learningRate);

  await fit(model, train, { steps: fnArgs.trainSteps, validationData: evaluation, validationSteps: fnArgs.evalSteps });
  await saveServingModel(model, fnArgs.servingModelDir, { transformOutput, labelKey });
}
