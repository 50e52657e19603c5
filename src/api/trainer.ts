/**
 * `tfx-ts/trainer`: what a Trainer module file's runFn uses — fit() on transformed examples,
 * datasets, FnArgs, saving the model bundle — and `tf`, the TensorFlow.js instance tfx-ts trains
 * and serves with (build models on it). Importing this entry point loads tfjs.
 */
export * as tf from '@tensorflow/tfjs';
export { fit, evaluateDataset } from '../trainer/fit';
export type { FitOptions, FitHistory, EpochLog } from '../trainer/fit';
export { dataAccessor, ExampleDataset } from '../trainer/dataset';
export type { DataAccessor, DatasetOptions } from '../trainer/dataset';
export type { FnArgs } from '../trainer/fn-args';
export { saveServingModel } from '../model/bundle';
export type { ModelSignature, SaveOptions } from '../model/bundle';
export { selectBackend } from '../model/backend';
export { EventFileWriter } from '../trainer/tensorboard';
export { TransformOutput } from '../transform/transform-output';
