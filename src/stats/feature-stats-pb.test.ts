import * as path from 'node:path';
import { sharedData } from '../testing/fixtures';
import { decodeStatisticsBinary, encodeStatisticsBinary } from './feature-stats-pb';
import { generateStatistics } from './generate';

describe('FeatureStats.pb (TFDV binary DatasetFeatureStatisticsList)', () => {
  jest.setTimeout(120_000);

  it('round-trips our statistics: doubles exactly, proto `float` fields as float32', async () => {
    const stats = await generateStatistics(path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial', 'eval.csv'));
    const back = decodeStatisticsBinary(encodeStatisticsBinary(stats)).datasets[0];
    const ours = stats.datasets[0];
    expect(back.numExamples).toBe(ours.numExamples);
    expect(back.features.map((f) => [f.path.step, f.type])).toEqual(ours.features.map((f) => [f.path.step, f.type]));
    const fare = (d: typeof ours) => d.features.find((f) => f.path.step[0] === 'fare')!.numStats!;
    expect(fare(back).histograms.map(({ name: _name, ...h }) => h)).toEqual(fare(ours).histograms);
    expect([fare(back).mean, fare(back).stdDev, fare(back).median]).toEqual([fare(ours).mean, fare(ours).stdDev, fare(ours).median]);
    const company = (d: typeof ours) => d.features.find((f) => f.path.step[0] === 'company')!.stringStats!;
    expect(company(back).topValues).toEqual(company(ours).topValues);
    expect(company(back).rankHistogram.buckets).toEqual(company(ours).rankHistogram.buckets);
    expect(company(back).avgLength).toBe(Math.fround(company(ours).avgLength));
    expect(company(back).commonStats.avgNumValues).toBe(Math.fround(company(ours).commonStats.avgNumValues));
  });
});
