import {
  BUCKET_FEATURES,
  BUCKET_FEATURE_BUCKET_COUNT,
  CATEGORICAL_FEATURES,
  CATEGORICAL_FEATURE_MAX_VALUES,
  LABEL_KEY,
  NUMERICAL_FEATURES,
  VOCAB_FEATURES,
  transformedName,
  transformedNames,
} from './features';

describe('features', () => {
  it('names transformed features with the _xf suffix', () => {
    expect(transformedName('fare')).toBe('fare_xf');
    expect(transformedNames(['a', 'b'])).toEqual(['a_xf', 'b_xf']);
  });

  it('gives every bucketized and categorical feature its size', () => {
    expect(BUCKET_FEATURE_BUCKET_COUNT).toHaveLength(BUCKET_FEATURES.length);
    expect(CATEGORICAL_FEATURE_MAX_VALUES).toHaveLength(CATEGORICAL_FEATURES.length);
  });

  it('uses each raw column once, and never the label as a feature', () => {
    const all = [...NUMERICAL_FEATURES, ...BUCKET_FEATURES, ...CATEGORICAL_FEATURES, ...VOCAB_FEATURES];
    expect(new Set(all).size).toBe(all.length);
    expect(all).not.toContain(LABEL_KEY);
  });
});
