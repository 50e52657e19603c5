import * as path from 'node:path';
import { inferSchema } from '../schema/infer';
import { readSchema } from '../schema/io';
import type { Schema } from '../schema/types';
import { generateStatistics } from '../stats/generate';
import type { DatasetFeatureStatistics, FeatureNameStatistics } from '../stats/types';
import { sharedData } from '../testing/fixtures';
import { jensenShannonDivergence, lInftyDistance, sixDigits } from './comparators';
import { updateSchema, validateStatistics } from './validate';

const tutorial = path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial');
const taxiSchemaFile = path.join(sharedData, 'chicago_taxi', 'user_provided_schema', 'schema.pbtxt');

async function stats(file: string): Promise<DatasetFeatureStatistics> {
  return (await generateStatistics(file)).datasets[0];
}

function feature(dataset: DatasetFeatureStatistics, name: string): FeatureNameStatistics {
  return dataset.features.find((f) => f.path.step[0] === name)!;
}

describe('TFDV tutorial flow: infer from train, validate eval and serving', () => {
  jest.setTimeout(120_000);
  let train: DatasetFeatureStatistics;
  let evalStats: DatasetFeatureStatistics;
  let serving: DatasetFeatureStatistics;
  let schema: Schema;

  beforeAll(async () => {
    [train, evalStats, serving] = await Promise.all(['train.csv', 'eval.csv', 'serving.csv'].map((f) => stats(path.join(tutorial, f))));
    schema = inferSchema(train);
  });

  it('infers types, presence, valency and string domains as TFDV', () => {
    const byName = new Map(schema.feature.map((f) => [f.name, f]));
    expect(byName.get('fare')).toEqual({ name: 'fare', type: 'FLOAT', presence: { minCount: 1, minFraction: 1 }, shape: { dim: [{ size: 1 }] } });
    // Sometimes missing: no shape, value_count instead.
    expect(byName.get('dropoff_latitude')).toEqual({ name: 'dropoff_latitude', type: 'FLOAT', presence: { minCount: 1 }, valueCount: { min: 1, max: 1 } });
    expect(byName.get('company')).toMatchObject({ type: 'BYTES', domain: 'company', presence: { minCount: 1 } });
    expect(byName.get('company')!.presence!.minFraction).toBeUndefined();
    expect(byName.get('pickup_census_tract')).toEqual({ name: 'pickup_census_tract', type: 'BYTES', presence: { minCount: 0 } });
    const payment = schema.stringDomain!.find((d) => d.name === 'payment_type')!;
    expect(payment.value).toEqual([...feature(train, 'payment_type').stringStats!.rankHistogram.buckets.map((b) => b.label)].sort());
    const unshaped = inferSchema(train, { inferFeatureShape: false }).feature.find((f) => f.name === 'fare')!;
    expect(unshaped.valueCount).toEqual({ min: 1, max: 1 });
    expect(unshaped.shape).toBeUndefined();
  });

  it('finds the unexpected string values of the eval split, with TFDV texts', () => {
    const anomalies = validateStatistics(evalStats, schema);
    expect(Object.keys(anomalies.anomalyInfo).sort()).toEqual(['company', 'payment_type']);
    const payment = anomalies.anomalyInfo.payment_type;
    expect(payment).toMatchObject({
      path: { step: ['payment_type'] },
      severity: 'ERROR',
      shortDescription: 'Unexpected string values',
      description: 'Examples contain values missing from the schema: Prcard (<1%). ',
      reason: [{ type: 'ENUM_TYPE_UNEXPECTED_STRING_VALUES', shortDescription: 'Unexpected string values' }],
    });
    expect(anomalies.anomalyInfo.company.description).toMatch(/^Examples contain values missing from the schema: .+ \((<1|~\d+)%\)/);
    expect(anomalies.baseline).toBe(schema);
  });

  it('reports the label missing from serving data, and nothing once SERVING excludes it', () => {
    const plain = validateStatistics(serving, schema);
    expect(plain.anomalyInfo.tips).toMatchObject({
      shortDescription: 'Column dropped',
      description: 'Column is completely missing',
      reason: [{ type: 'SCHEMA_MISSING_COLUMN' }],
    });
    const withEnvironments: Schema = structuredClone(schema);
    withEnvironments.defaultEnvironment = ['TRAINING', 'SERVING'];
    withEnvironments.feature.find((f) => f.name === 'tips')!.notInEnvironment = ['SERVING'];
    const anomalies = validateStatistics(serving, withEnvironments, { environment: 'SERVING' });
    expect(anomalies.anomalyInfo.tips).toBeUndefined();
    expect(() => validateStatistics(serving, schema, { environment: 'SERVING' })).toThrow(/Environment SERVING not found in the schema/);
  });

  it('measures drift (L-infinity) and skew (Jensen-Shannon) against the thresholds in the schema', () => {
    const withComparators: Schema = structuredClone(schema);
    withComparators.feature.find((f) => f.name === 'payment_type')!.driftComparator = { infinityNorm: { threshold: 0.001 } };
    withComparators.feature.find((f) => f.name === 'company')!.driftComparator = { infinityNorm: { threshold: 0.9 } };
    withComparators.feature.find((f) => f.name === 'trip_miles')!.skewComparator = { jensenShannonDivergence: { threshold: 1e-9 } };
    const anomalies = validateStatistics(train, withComparators, { previousStatistics: evalStats, servingStatistics: serving });
    const linf = lInftyDistance(feature(train, 'payment_type'), feature(evalStats, 'payment_type'));
    expect(anomalies.anomalyInfo.payment_type.reason).toEqual([
      {
        type: 'COMPARATOR_L_INFTY_HIGH',
        shortDescription: 'High Linfty distance between current and previous',
        description: `The Linfty distance between current and previous is ${sixDigits(linf.distance)} (up to six significant digits), above the threshold 0.001. The feature value with maximum difference is: ${linf.value}`,
      },
    ]);
    expect(anomalies.anomalyInfo.company).toBeUndefined();
    expect(anomalies.anomalyInfo.trip_miles.reason[0].type).toBe('COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH');
    expect(anomalies.anomalyInfo.trip_miles.shortDescription).toBe('High approximate Jensen-Shannon divergence between training and serving');
    const infos = new Map(anomalies.driftSkewInfo!.map((i) => [i.path.step[0], i]));
    expect(infos.get('company')!.driftMeasurements![0]).toMatchObject({ type: 'L_INFTY', threshold: 0.9 });
    expect(infos.get('trip_miles')!.skewMeasurements![0].value).toBeGreaterThan(0);
  });

  it('update_schema relaxes the schema until the eval split validates', () => {
    const updated = updateSchema(schema, evalStats);
    expect(validateStatistics(evalStats, updated).anomalyInfo).toEqual({});
    expect(updated.stringDomain!.find((d) => d.name === 'payment_type')!.value).toContain('Prcard');
  });
});

describe("TFX's curated taxi schema", () => {
  jest.setTimeout(60_000);
  it('imports and validates the taxi data', async () => {
    const schema = readSchema(taxiSchemaFile);
    const data = await stats(path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv'));
    const anomalies = validateStatistics(data, schema);
    // The sample has 2 rows without pickup location (the curated schema wants them always present)
    // and company names the curated domain lacks.
    expect(Object.keys(anomalies.anomalyInfo).sort()).toEqual(['company', 'pickup_community_area', 'pickup_latitude', 'pickup_longitude']);
    expect(anomalies.anomalyInfo.pickup_latitude.reason).toEqual([
      {
        type: 'FEATURE_TYPE_LOW_FRACTION_PRESENT',
        shortDescription: 'Column dropped',
        description: 'The feature was present in fewer examples than expected: minimum fraction = 1.000000, actual = 0.999867',
      },
    ]);
  });
});

describe('anomaly checks on hand-made statistics', () => {
  function numericFeature(
    name: string,
    type: 'INT' | 'FLOAT',
    patch: Partial<{ numNonMissing: number; numMissing: number; min: number; max: number; minNumValues: number; maxNumValues: number; numNan: number }> = {},
  ): FeatureNameStatistics {
    const p = { numNonMissing: 10, numMissing: 0, min: 0, max: 5, minNumValues: 1, maxNumValues: 1, numNan: 0, ...patch };
    return {
      path: { step: [name] },
      type,
      numStats: {
        commonStats: {
          numNonMissing: p.numNonMissing,
          numMissing: p.numMissing,
          minNumValues: p.minNumValues,
          maxNumValues: p.maxNumValues,
          avgNumValues: 1,
          totNumValues: p.numNonMissing,
        },
        mean: 1,
        stdDev: 1,
        numZeros: 0,
        min: p.min,
        median: 1,
        max: p.max,
        histograms: [{ type: 'STANDARD', numNan: p.numNan, numUndefined: 0, buckets: [{ lowValue: p.min, highValue: p.max, sampleCount: p.numNonMissing }] }],
      },
    };
  }
  const dataset = (features: FeatureNameStatistics[], numExamples = 10): DatasetFeatureStatistics => ({ name: 'd', numExamples, features });

  it('new column, unexpected data type, value counts, NaN, dataset size', () => {
    const schema: Schema = {
      feature: [
        { name: 'a', type: 'INT', valueCount: { min: 2, max: 2 } },
        { name: 'b', type: 'INT' },
        { name: 'c', type: 'FLOAT', floatDomain: { disallowNan: true } },
        { name: 'e', type: 'FLOAT', presence: { minFraction: 1, minCount: 1 } },
      ],
      datasetConstraints: { minExamplesCount: 100 },
    };
    const anomalies = validateStatistics(
      dataset([
        numericFeature('a', 'INT', { minNumValues: 1, maxNumValues: 3 }),
        numericFeature('b', 'FLOAT'),
        numericFeature('c', 'FLOAT', { numNan: 2 }),
        numericFeature('d', 'INT'),
        numericFeature('e', 'FLOAT', { numNonMissing: 0, numMissing: 10 }),
      ]),
      schema,
    );
    expect(anomalies.anomalyInfo.a).toMatchObject({
      shortDescription: 'Multiple errors',
      description: 'Some examples have fewer values than expected. Some examples have more values than expected.',
      reason: [
        { type: 'FEATURE_TYPE_LOW_NUMBER_VALUES', shortDescription: 'Missing values' },
        { type: 'FEATURE_TYPE_HIGH_NUMBER_VALUES', shortDescription: 'Superfluous values' },
      ],
    });
    expect(anomalies.anomalyInfo.b.reason).toEqual([
      { type: 'UNEXPECTED_DATA_TYPE', shortDescription: 'Unexpected data type', description: 'Expected data of type: INT but got FLOAT' },
    ]);
    expect(anomalies.anomalyInfo.c.reason).toEqual([
      { type: 'FLOAT_TYPE_HAS_NAN', shortDescription: 'Invalid values', description: 'Float feature has NaN values.' },
    ]);
    expect(anomalies.anomalyInfo.d.reason).toEqual([
      { type: 'SCHEMA_NEW_COLUMN', shortDescription: 'New column', description: 'New column (column in data but not in schema)' },
    ]);
    expect(anomalies.anomalyInfo.e.reason).toEqual([
      { type: 'FEATURE_TYPE_NOT_PRESENT', shortDescription: 'Column dropped', description: 'The feature was not present in any examples.' },
    ]);
    expect(anomalies.datasetAnomalyInfo).toMatchObject({
      reason: [
        {
          type: 'DATASET_LOW_NUM_EXAMPLES',
          shortDescription: 'Low num examples in dataset.',
          description: 'The dataset has 10 examples, which is fewer than expected.',
        },
      ],
    });
  });

  it('low presence by count and by fraction', () => {
    const schema: Schema = { feature: [{ name: 'a', type: 'INT', presence: { minCount: 8, minFraction: 0.9 } }] };
    const anomalies = validateStatistics(dataset([numericFeature('a', 'INT', { numNonMissing: 5, numMissing: 5 })]), schema);
    expect(anomalies.anomalyInfo.a.reason.map((r) => [r.type, r.description])).toEqual([
      ['FEATURE_TYPE_LOW_NUMBER_PRESENT', 'The feature was present in fewer examples than expected: minimum count = 8, actual = 5'],
      ['FEATURE_TYPE_LOW_FRACTION_PRESENT', 'The feature was present in fewer examples than expected: minimum fraction = 0.900000, actual = 0.500000'],
    ]);
  });

  it('unique-value constraints of string features', () => {
    const strings: FeatureNameStatistics = {
      path: { step: ['s'] },
      type: 'STRING',
      stringStats: {
        commonStats: { numNonMissing: 10, numMissing: 0, minNumValues: 1, maxNumValues: 1, avgNumValues: 1, totNumValues: 10 },
        unique: 3,
        topValues: [],
        avgLength: 1,
        rankHistogram: { buckets: [] },
      },
    };
    const schema: Schema = {
      feature: [
        { name: 's', type: 'BYTES', uniqueConstraints: { min: 4, max: 5 } },
        { name: 'n', type: 'INT', uniqueConstraints: { min: 1, max: 2 } },
      ],
    };
    const anomalies = validateStatistics(dataset([strings, numericFeature('n', 'INT')]), schema);
    expect(anomalies.anomalyInfo.s.reason).toEqual([
      { type: 'FEATURE_TYPE_LOW_UNIQUE', shortDescription: 'Low number of unique values', description: 'Expected at least 4 unique values but found only 3.' },
    ]);
    expect(anomalies.anomalyInfo.n.reason[0].type).toBe('FEATURE_TYPE_NO_UNIQUE');
  });

  it('Jensen-Shannon divergence: 0 for identical histograms, 1 for disjoint ones, rebucketing otherwise', () => {
    const a = numericFeature('x', 'FLOAT', { min: 0, max: 1 });
    const b = numericFeature('x', 'FLOAT', { min: 2, max: 3 });
    expect(jensenShannonDivergence(a, a)).toBe(0);
    expect(jensenShannonDivergence(a, b)).toBeCloseTo(1, 12);
    const c = numericFeature('x', 'FLOAT', { min: 0, max: 2 });
    // Half of c's mass overlaps a: P = (1, 0), Q = (1/2, 1/2).
    const expected = 0.5 * (1 * Math.log2(1 / 0.75)) + 0.5 * (0.5 * Math.log2(0.5 / 0.75) + 0.5 * Math.log2(0.5 / 0.25));
    expect(jensenShannonDivergence(a, c)).toBeCloseTo(expected, 12);
  });

  it('prints numbers as absl::SixDigits', () => {
    expect([0.0342543123, 0.01, 1e-5, 123456789, 2, 0.5].map(sixDigits)).toEqual(['0.0342543', '0.01', '1e-05', '1.23457e+08', '2', '0.5']);
  });
});
