/** `tfx-ts/serving`: load a model bundle and predict, or serve pushed models with TF Serving's REST API. Loads tfjs. */
export { ModelBundle } from '../model/bundle';
export type { ModelSignature, Predictions } from '../model/bundle';
export { ModelServer, startModelServer } from '../serving/server';
export type { ModelServerOptions } from '../serving/server';
export { predictFromJson } from '../serving/predict';
