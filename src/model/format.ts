/**
 * File names of a model bundle (kept free of tfjs so views and components can name them without
 * loading TensorFlow.js). See model-bundle.ts for the layout.
 */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const SIGNATURE_FILE = 'signature.json';
export const SIGNATURE_FORMAT = 'tfx-ts.signature';
/** TFX's Model artifact layout: the bundle lives in `<model uri>/Format-Serving`. */
export const SERVING_MODEL_SUBDIR = 'Format-Serving';
/** Training curves the Trainer keeps in its ModelRun artifact. */
export const CURVES_FILE = 'training_curves.json';
