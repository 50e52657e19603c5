/**
 * tf.Transform parity: the taxi preprocessing (plus tft.mean / var / scale_to_0_1 / scale_to_z_score /
 * vocabulary with top_k and frequency_threshold / bucketize) analyzed on the same train split and
 * applied to train and eval by tft_beam (real tf.Transform 1.16, DirectRunner) and by our
 * Transform; every output compared row by row. Tolerances and deviations: docs/tfx-parity.md.
 */
import * as path from 'node:path';
import { DuckSession } from '../../src/data/duckdb';
import { sharedData, tempDir, repoRoot } from '../../src/testing/fixtures';
import { writeTaxiExamples } from '../../src/testing/modeling-fixtures';
import { readExampleColumns, describeExamples, splitFiles } from '../../src/transform/example-io';
import { runTransform } from '../../src/transform/run';
import { TransformOutput } from '../../src/transform/transform-output';
import { runOracle } from './oracle';

const MODULE = path.join(repoRoot, 'tests', 'parity', 'modules', 'taxi_preprocessing_parity.ts');

/**
 * tf.Transform computes in float32 (tf.Example floats); we compute in float64. A float output may
 * differ by float32 rounding of its inputs and of the analyzer results: relative 2^-20 of the
 * output's magnitude scale (a few float32 ulps through mean, variance and one subtraction/division).
 */
const FLOAT32_REL = 2 ** -20;

describe('tf.Transform parity on the taxi preprocessing (real tft_beam)', () => {
  jest.setTimeout(300_000);
  const dir = tempDir('tfx-ts-parity-tft-');
  const ours: Record<string, Record<string, ArrayLike<unknown>>> = {};
  let graph: TransformOutput;
  let oracle: { rows: Record<string, Record<string, unknown[]>>; vocabularies: Record<string, string[]>; seconds: number };

  beforeAll(async () => {
    const examples = await writeTaxiExamples(path.join(dir, 'examples'), { csv: path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv') });
    await runTransform({
      moduleFile: MODULE,
      preprocessingFn: 'preprocessingFn',
      examplesUri: examples.uri,
      analyzeSplits: ['train'],
      transformSplits: ['train', 'eval'],
      graphDir: path.join(dir, 'graph'),
      transformedExamplesUri: path.join(dir, 'transformed'),
    });
    graph = TransformOutput.load(path.join(dir, 'graph'));
    await DuckSession.with(async (db) => {
      for (const split of ['train', 'eval']) {
        const files = splitFiles(path.join(dir, 'transformed'), split);
        ours[split] = (await readExampleColumns(db, files, await describeExamples(db, files))).columns;
      }
    });
    oracle = await runOracle('tft_oracle', {
      train: splitFiles(examples.uri, 'train')[0],
      eval: splitFiles(examples.uri, 'eval')[0],
      temp: dir,
    });
  }, 50 * 60_000);

  it('transforms the same rows', () => {
    for (const split of ['train', 'eval']) {
      expect(oracle.rows[split].row_id).toEqual(Array.from({ length: oracle.rows[split].row_id.length }, (_, i) => i));
      expect(ours[split].fare_xf.length).toBe(oracle.rows[split].row_id.length);
    }
  });

  it('computes the same vocabularies (order included)', () => {
    expect(graph.vocabulary('payment_type_xf')).toEqual(oracle.vocabularies.payment_type);
    expect(graph.vocabulary('company_xf')).toEqual(oracle.vocabularies.company);
    expect(graph.vocabulary('company_frequent')).toEqual(oracle.vocabularies.company_frequent);
    expect(graph.vocabulary('payment_top3')).toEqual(oracle.vocabularies.payment_top3);
  });

  /** Vocabulary outputs and their vocabulary sizes: an index past the vocabulary is an OOV bucket. */
  const VOCABULARY_OUTPUTS = ['payment_type_xf', 'company_xf', 'company_frequent', 'payment_top3'];
  const INTEGER_OUTPUTS = [
    'pickup_latitude_xf',
    'pickup_longitude_xf',
    'dropoff_latitude_xf',
    'dropoff_longitude_xf',
    'trip_seconds_bucket',
    'fare_bucket',
    'trip_start_hour_xf',
    'trip_start_day_xf',
    'trip_start_month_xf',
    'pickup_census_tract_xf',
    'dropoff_census_tract_xf',
    'pickup_community_area_xf',
    'dropoff_community_area_xf',
  ];
  const FLOAT_OUTPUTS = ['trip_miles_xf', 'fare_xf', 'trip_seconds_xf', 'fare_mean', 'fare_var', 'fare_centered', 'trip_seconds_01', 'trip_miles_z'];

  describe.each(['train', 'eval'])('%s split, row by row', (split) => {
    it.each(VOCABULARY_OUTPUTS)('%s: the same index for every value in the vocabulary; an OOV bucket (or the default) for the others', (name) => {
      // OOV bucket numbers differ on purpose: TFT hashes with FarmHash, we with md5 (src/transform/hash.ts).
      const size = graph.vocabulary(name).length;
      const mine = Array.from(ours[split][name], Number);
      const theirs = oracle.rows[split][name] as number[];
      const differing = mine.flatMap((v, i) =>
        v === theirs[i] || (v >= size && theirs[i] >= size) ? [] : [`row ${i}: ${v} vs TFT ${theirs[i]} (vocabulary size ${size})`],
      );
      expect(differing.slice(0, 10)).toEqual([]);
      expect(mine.filter((v) => v >= size).length).toBe(theirs.filter((v) => v >= size).length);
    });
    it('tips_xf: the same label on every row, except where float32 rounding decides a tip of exactly 20%', () => {
      const mine = Array.from(ours[split].tips_xf, Number);
      const theirs = oracle.rows[split].tips_xf as number[];
      const fare = oracle.rows[split].fare_f32 as number[];
      const tips = oracle.rows[split].tips_f32 as number[];
      // TFT compares tips > 0.2 * fare in float32, we in float64: they can disagree only when the two
      // sides are equal to within a few float32 ulps.
      const differing = mine.flatMap((v, i) => {
        if (v === theirs[i]) return [];
        const tie = Math.abs(tips[i] - 0.2 * fare[i]) <= 4 * 2 ** -24 * Math.max(Math.abs(tips[i]), Math.abs(0.2 * fare[i]));
        return tie ? [] : [`row ${i}: ${v} vs TFT ${theirs[i]} (tips ${tips[i]}, fare ${fare[i]})`];
      });
      expect(differing).toEqual([]);
      expect(mine.filter((v, i) => v !== theirs[i]).length).toBeLessThan(10);
    });
    it.each(INTEGER_OUTPUTS)('%s: equal on every row', (name) => {
      const mine = Array.from(ours[split][name], Number);
      const theirs = oracle.rows[split][name] as number[];
      const differing = mine.flatMap((v, i) => (v === theirs[i] ? [] : [`row ${i}: ${v} vs TFT ${theirs[i]}`]));
      expect(differing.slice(0, 10)).toEqual([]);
    });
    it.each(FLOAT_OUTPUTS)('%s: equal within float32 rounding on every row', (name) => {
      const mine = Array.from(ours[split][name], Number);
      const theirs = oracle.rows[split][name] as number[];
      const scale = Math.max(...theirs.map(Math.abs), 1);
      const differing = mine.flatMap((v, i) => (Math.abs(v - theirs[i]) <= FLOAT32_REL * scale ? [] : [`row ${i}: ${v} vs TFT ${theirs[i]}`]));
      expect(differing.slice(0, 10)).toEqual([]);
    });
  });
});
