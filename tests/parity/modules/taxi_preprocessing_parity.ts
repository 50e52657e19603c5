/**
 * The taxi preprocessing (notebooks/taxi/preprocessing.ts, TFX's taxi template) plus one output per
 * tf.Transform analyzer the parity suite checks. tests/parity/py/tft_oracle.py is the same function
 * written with tf.Transform; the two must stay in step.
 */
import type { Column, PreprocessingInputs, Tft } from '../../../src/transform/tft';
import { preprocessingFn as taxiPreprocessingFn } from '../../../notebooks/taxi/preprocessing';

export function preprocessingFn(inputs: PreprocessingInputs, tft: Tft): Record<string, Column> {
  const outputs = taxiPreprocessingFn(inputs, tft);
  const fare = inputs.fare.fillMissing();
  const seconds = inputs.trip_seconds.fillMissing();
  outputs.fare_mean = tft.mean(fare);
  outputs.fare_var = tft.var(fare);
  outputs.fare_centered = fare.sub(tft.mean(fare));
  outputs.trip_seconds_01 = tft.scaleTo01(seconds);
  outputs.trip_miles_z = tft.scaleToZScore(inputs.trip_miles.fillMissing());
  outputs.company_frequent = tft.computeAndApplyVocabulary(inputs.company.fillMissing(), { frequencyThreshold: 50 });
  outputs.payment_top3 = tft.computeAndApplyVocabulary(inputs.payment_type.fillMissing(), { topK: 3, numOovBuckets: 2 });
  outputs.trip_seconds_bucket = tft.bucketize(seconds, 4);
  outputs.fare_bucket = tft.bucketize(fare, 7);
  return outputs;
}
