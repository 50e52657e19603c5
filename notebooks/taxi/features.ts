/**
 * Taxi features, as in TFX's taxi template (features.py): which raw columns are numeric,
 * bucketized, categorical or vocabulary-encoded, and the label. Shared by preprocessing.ts and
 * model.ts so the two cannot disagree.
 */

/** Numeric features scaled to z-scores. */
export const NUMERICAL_FEATURES = ['trip_miles', 'fare', 'trip_seconds'];

/** Numeric features bucketized by train-split quantiles, with their bucket counts. */
export const BUCKET_FEATURES = ['pickup_latitude', 'pickup_longitude', 'dropoff_latitude', 'dropoff_longitude'];
export const BUCKET_FEATURE_BUCKET_COUNT = [10, 10, 10, 10];

/** Integer features used as categories as they are, with the number of values each may take. */
export const CATEGORICAL_FEATURES = [
  'trip_start_hour',
  'trip_start_day',
  'trip_start_month',
  'pickup_census_tract',
  'dropoff_census_tract',
  'pickup_community_area',
  'dropoff_community_area',
];
export const CATEGORICAL_FEATURE_MAX_VALUES = [24, 31, 12, 2000, 2000, 80, 80];

/** String features mapped through a vocabulary computed over the train split. */
export const VOCAB_FEATURES = ['payment_type', 'company'];
export const VOCAB_SIZE = 1000;
/** Values outside the vocabulary hash into this many extra buckets. */
export const OOV_SIZE = 10;

/** The raw label column; the transformed label says whether the tip was more than 20% of the fare. */
export const LABEL_KEY = 'tips';
export const FARE_KEY = 'fare';

export function transformedName(key: string): string {
  return `${key}_xf`;
}

export function transformedNames(keys: string[]): string[] {
  return keys.map(transformedName);
}
