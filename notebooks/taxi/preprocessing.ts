/**
 * The taxi preprocessing (TFX taxi template's preprocessing.py): Transform traces
 * `preprocessingFn`, runs its analyzers over the train split and applies the result in training,
 * evaluation and serving alike.
 */
import type { Column, PreprocessingInputs, Tft } from 'tfx-ts';
import {
  BUCKET_FEATURES,
  BUCKET_FEATURE_BUCKET_COUNT,
  CATEGORICAL_FEATURES,
  CATEGORICAL_FEATURE_MAX_VALUES,
  FARE_KEY,
  LABEL_KEY,
  NUMERICAL_FEATURES,
  OOV_SIZE,
  VOCAB_FEATURES,
  VOCAB_SIZE,
  transformedName,
} from './features';

export function preprocessingFn(inputs: PreprocessingInputs, tft: Tft): Record<string, Column> {
  const outputs: Record<string, Column> = {};
  for (const key of NUMERICAL_FEATURES) {
    // Missing values become 0 first, as TFX's _fill_in_missing does.
    outputs[transformedName(key)] = tft.scaleToZScore(inputs[key].fillMissing());
  }
  for (const key of VOCAB_FEATURES) {
    outputs[transformedName(key)] = tft.computeAndApplyVocabulary(inputs[key].fillMissing(), { topK: VOCAB_SIZE, numOovBuckets: OOV_SIZE });
  }
  BUCKET_FEATURES.forEach((key, i) => {
    outputs[transformedName(key)] = tft.bucketize(inputs[key].fillMissing(), BUCKET_FEATURE_BUCKET_COUNT[i]);
  });
  CATEGORICAL_FEATURES.forEach((key, i) => {
    // Out-of-range ids (e.g. census tracts) become 0, like TFX's identity column with default_value=0.
    const value = inputs[key].fillMissing();
    outputs[transformedName(key)] = tft.where(value.ge(0).and(value.lt(CATEGORICAL_FEATURE_MAX_VALUES[i])), value, 0);
  });
  // The label: did the rider tip more than 20% of the fare?
  const fare = inputs[FARE_KEY];
  const tips = inputs[LABEL_KEY].fillMissing();
  outputs[transformedName(LABEL_KEY)] = tft.where(fare.isMissing(), 0, tips.gt(fare.fillMissing().mul(0.2)));
  return outputs;
}
