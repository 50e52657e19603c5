import * as path from 'node:path';
import { generateStatistics } from '../stats/generate';
import { parseStatisticsList } from '../stats/io';
import type { DatasetFeatureStatisticsList, FeatureNameStatistics } from '../stats/types';
import { sharedData } from '../testing/fixtures';
import { featureNameOf, statisticsViewModel } from './statistics-model';

const tutorial = path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial');

let train: DatasetFeatureStatisticsList;
let evalStats: DatasetFeatureStatisticsList;
let serving: DatasetFeatureStatisticsList;

beforeAll(async () => {
  train = await generateStatistics({ path: path.join(tutorial, 'train.csv'), name: 'train' });
  evalStats = await generateStatistics({ path: path.join(tutorial, 'eval.csv'), name: 'eval' });
  serving = await generateStatistics({ path: path.join(tutorial, 'serving.csv'), name: 'serving' });
}, 60_000);

function features(list: DatasetFeatureStatisticsList): FeatureNameStatistics[] {
  return list.datasets[0].features;
}

/** What protobuf's JSON printer writes: int64 as strings, zero values and enum defaults omitted. */
function toProto3Json(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => toProto3Json(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const converted = toProto3Json(v, k);
      if (converted !== undefined) out[k] = converted;
    }
    return out;
  }
  if (value === 0 || value === '' || (key === 'type' && (value === 'INT' || value === 'STANDARD'))) return undefined;
  const int64 = ['numExamples', 'numNonMissing', 'numMissing', 'minNumValues', 'maxNumValues', 'totNumValues', 'numZeros', 'unique'];
  if (typeof value === 'number' && int64.includes(key)) return String(value);
  return value;
}

describe('statisticsViewModel on the taxi tutorial splits', () => {
  test('every feature lands in the numeric or categorical section, in input order', () => {
    const model = statisticsViewModel([{ statistics: { datasets: [...train.datasets, ...evalStats.datasets] } }]);
    const numeric = features(train)
      .filter((f) => f.numStats)
      .map(featureNameOf);
    const categorical = features(train)
      .filter((f) => !f.numStats && (f.stringStats || f.bytesStats))
      .map(featureNameOf);
    expect(model.numeric.map((f) => f.name)).toEqual(numeric);
    expect(model.categorical.map((f) => f.name)).toEqual(categorical);
    expect(numeric.length).toBeGreaterThan(5);
    expect(categorical).toContain('payment_type');
    expect(model.datasets.map((d) => [d.name, d.numExamples])).toEqual([
      ['train', train.datasets[0].numExamples],
      ['eval', evalStats.datasets[0].numExamples],
    ]);
    expect(new Set(model.datasets.map((d) => d.color)).size).toBe(2);
  });

  test('numeric summaries are the stored statistics; shares are counts over the dataset size', () => {
    const model = statisticsViewModel([{ statistics: { datasets: [...train.datasets, ...evalStats.datasets] } }]);
    for (const [datasetIndex, list] of [train, evalStats].entries()) {
      const numExamples = list.datasets[0].numExamples;
      for (const feature of features(list).filter((f) => f.numStats)) {
        const view = model.numeric.find((f) => f.name === featureNameOf(feature))!;
        const s = view.perDataset[datasetIndex]!;
        const stats = feature.numStats!;
        expect(s.count).toBe(stats.commonStats.numNonMissing);
        expect(s.missingFraction).toBeCloseTo(stats.commonStats.numMissing / numExamples, 12);
        expect([s.mean, s.stdDev, s.min, s.median, s.max]).toEqual([stats.mean, stats.stdDev, stats.min, stats.median, stats.max]);
        expect(s.zerosFraction).toBeCloseTo(stats.numZeros / stats.commonStats.totNumValues, 12);
        expect(s.standard).toEqual(stats.histograms.find((h) => h.type === 'STANDARD')!.buckets);
        expect(s.quantiles).toEqual(stats.histograms.find((h) => h.type === 'QUANTILES')!.buckets);
      }
    }
    // The taxi data has missing values (dropoff coordinates, company): the view must show them.
    expect(model.numeric.some((f) => f.perDataset.some((s) => s!.missingFraction > 0))).toBe(true);
  });

  test('categorical summaries carry unique, top values and average length', () => {
    const model = statisticsViewModel([{ statistics: train }]);
    for (const feature of features(train).filter((f) => f.stringStats)) {
      const s = model.categorical.find((f) => f.name === featureNameOf(feature))!.perDataset[0]!;
      const stats = feature.stringStats!;
      expect(s.unique).toBe(stats.unique);
      expect(s.topValues).toEqual(stats.topValues.map((t) => ({ value: t.value, frequency: t.frequency })));
      expect(s.avgLength).toBe(stats.avgLength);
      expect(s.totalValues).toBe(stats.commonStats.totNumValues);
    }
  });

  test('a feature missing from one dataset (tips in serving) is undefined there, not dropped', () => {
    const model = statisticsViewModel([{ statistics: train }, { statistics: serving, label: 'serving' }]);
    const servingNames = new Set(features(serving).map(featureNameOf));
    const absent = features(train)
      .map(featureNameOf)
      .filter((n) => !servingNames.has(n));
    expect(absent).toContain('tips');
    for (const name of absent) {
      const view = [...model.numeric, ...model.categorical].find((f) => f.name === name)!;
      expect(view.perDataset[0]).toBeDefined();
      expect(view.perDataset[1]).toBeUndefined();
    }
  });

  test('proto3-JSON as TFDV prints it (int64 strings, defaults omitted) gives the same model', () => {
    const printed = toProto3Json(train) as DatasetFeatureStatisticsList;
    expect(typeof (printed.datasets[0] as unknown as { numExamples: unknown }).numExamples).toBe('string');
    expect(statisticsViewModel([{ statistics: printed }])).toEqual(statisticsViewModel([{ statistics: train }]));
    // and through the edge parser as the report command reads files
    expect(statisticsViewModel([{ statistics: parseStatisticsList(printed) }])).toEqual(statisticsViewModel([{ statistics: train }]));
  });

  test('two runs with the same split names are told apart by their labels', () => {
    const model = statisticsViewModel([
      { statistics: train, label: 'span 1' },
      { statistics: train, label: 'span 2' },
    ]);
    expect(model.datasets.map((d) => d.name)).toEqual(['train (span 1)', 'train (span 2)']);
  });
});
