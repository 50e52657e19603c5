import { mergeFeatureAccumulators, mergeNumeric, NumericAccumulator, finalizeFeature, FeatureAccumulator } from './accumulators';
import { equiWidthHistogramBuckets, findMedian, quantilesHistogramBuckets, rebinQuantiles, WeightedQuantilesSummary } from './quantiles';

function valueCounts(values: number[]): { v: number[]; n: number[] } {
  const counts = new Map<number, number>();
  for (const x of values) counts.set(x, (counts.get(x) ?? 0) + 1);
  const v = [...counts.keys()].sort((a, b) => a - b);
  return { v, n: v.map((x) => counts.get(x)!) };
}

function exactSummary(values: number[]): WeightedQuantilesSummary {
  const { v, n } = valueCounts(values);
  return WeightedQuantilesSummary.fromValueCounts(v, n);
}

/** A fixed pseudo-random sample with many ties. */
const sample = Array.from({ length: 5003 }, (_, i) => (Math.round(Math.sin(i * 12.9898) * 43758.5453) % 97) + 0); // + 0 turns -0 into 0

describe('weighted quantiles summary (TFDV semantics)', () => {
  it('exact summary: boundary k is the value at sorted position floor(k·n/q), weight = count of values ≤ it', () => {
    const sorted = [...sample].sort((a, b) => a - b);
    const { quantiles, cumulativeWeights } = exactSummary(sample).quantilesAndCumulativeWeights(1000);
    expect(quantiles).toHaveLength(1001);
    quantiles.forEach((q, k) => {
      expect(q).toBe(sorted[Math.min(Math.floor((k * sorted.length) / 1000), sorted.length - 1)]);
      expect(cumulativeWeights[k]).toBe(sorted.filter((x) => x <= q).length);
    });
    expect(findMedian(quantiles)).toBe(sorted[Math.floor(sorted.length / 2)]);
  });

  it('merging the summaries of two shards equals the summary of all the data', () => {
    const a = exactSummary(sample.slice(0, 2000));
    const b = exactSummary(sample.slice(2000));
    const merged = a.merge(b);
    expect(merged.quantilesAndCumulativeWeights(1000)).toEqual(exactSummary(sample).quantilesAndCumulativeWeights(1000));
    expect(merged.totalWeight).toBe(sample.length);
  });

  it('compress keeps size bounded, first and last entries, and the rank error within 1/size', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => i);
    const compressed = exactSummary(values).compress(100);
    expect(compressed.size).toBeLessThanOrEqual(102);
    expect(compressed.values[0]).toBe(0);
    expect(compressed.values[compressed.size - 1]).toBe(19_999);
    const { quantiles } = compressed.quantilesAndCumulativeWeights(10);
    quantiles.forEach((q, k) => expect(Math.abs(q - k * 2000)).toBeLessThanOrEqual(2 * 200 + 1));
  });

  it('histograms: counts add up to n; QUANTILES buckets of distinct values hold n/10 (the min counted in the first, as TFDV)', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i / 10);
    const { quantiles, cumulativeWeights } = exactSummary(values).quantilesAndCumulativeWeights(1000);
    const rebinned = rebinQuantiles(quantiles, cumulativeWeights, 100);
    const q = quantilesHistogramBuckets(rebinned.quantiles, rebinned.cumulativeWeights);
    expect(q).toHaveLength(10);
    expect(q.reduce((s, b) => s + b.sampleCount, 0)).toBe(1000);
    expect(q.map((b) => b.sampleCount)).toEqual([101, 100, 100, 100, 100, 100, 100, 100, 100, 99]);
    const standard = equiWidthHistogramBuckets(quantiles, cumulativeWeights, 0, 99.9, 10, 0);
    expect(standard).toHaveLength(10);
    expect(standard.reduce((s, b) => s + b.sampleCount, 0)).toBeCloseTo(1000, 9);
    for (const b of standard) expect(b.sampleCount).toBeGreaterThan(95);
  });

  it('a single repeated value gives one point bucket holding everything', () => {
    const { quantiles, cumulativeWeights } = exactSummary([5, 5, 5, 5]).quantilesAndCumulativeWeights(1000);
    const buckets = equiWidthHistogramBuckets(quantiles, cumulativeWeights, 5, 5, 10, 0);
    expect(buckets).toHaveLength(1);
    expect(buckets[0]).toMatchObject({ lowValue: 5, highValue: 5 });
    expect(buckets[0].sampleCount).toBeCloseTo(4, 9);
  });
});

describe('accumulators merge like TFDV combiners', () => {
  function numericOf(values: number[]): NumericAccumulator {
    const count = values.length;
    const mean = values.reduce((s, x) => s + x, 0) / count;
    return {
      count,
      mean,
      m2: values.reduce((s, x) => s + (x - mean) ** 2, 0),
      numZeros: values.filter((x) => x === 0).length,
      numNan: 0,
      min: Math.min(...values),
      max: Math.max(...values),
      finiteMin: Math.min(...values),
      finiteMax: Math.max(...values),
      numPosInf: 0,
      summary: exactSummary(values),
    };
  }

  it('numeric shards merge to the statistics of the whole', () => {
    const whole = finalizeFeature(
      { name: 'x', type: 'INT', presence: { numNonMissing: sample.length, numValuesCounts: new Map([[1, sample.length]]) }, numeric: numericOf(sample) },
      sample.length,
    );
    const shard = (values: number[]): FeatureAccumulator => ({
      name: 'x',
      type: 'INT',
      presence: { numNonMissing: values.length, numValuesCounts: new Map([[1, values.length]]) },
      numeric: numericOf(values),
    });
    const merged = finalizeFeature(mergeFeatureAccumulators(shard(sample.slice(0, 1234)), shard(sample.slice(1234))), sample.length);
    expect(merged.numStats!.mean).toBeCloseTo(whole.numStats!.mean, 12);
    expect(merged.numStats!.stdDev).toBeCloseTo(whole.numStats!.stdDev, 12);
    expect({ ...merged.numStats!, mean: 0, stdDev: 0 }).toEqual({ ...whole.numStats!, mean: 0, stdDev: 0 });
    expect(mergeNumeric(numericOf([1, 2]), numericOf([3])).count).toBe(3);
  });

  it('string shards merge exactly (counts added, TFDV order), and refuse features of different types', () => {
    const strings = (pairs: [string, number][]): FeatureAccumulator => ({
      name: 's',
      type: 'STRING',
      presence: { numNonMissing: 1, numValuesCounts: new Map([[1, 1]]) },
      strings: {
        totalValues: 1,
        totalBytes: 1,
        unique: pairs.length,
        complete: true,
        valueCounts: pairs.map(([value, count]) => ({ value, count, sortKey: value })),
      },
    });
    const merged = mergeFeatureAccumulators(
      strings([
        ['a', 2],
        ['b', 1],
      ]),
      strings([
        ['b', 2],
        ['c', 3],
      ]),
    );
    expect(merged.strings!.valueCounts.map((e) => [e.value, e.count])).toEqual([
      ['c', 3],
      ['b', 3],
      ['a', 2],
    ]);
    expect(merged.strings!.unique).toBe(3);
    expect(() => mergeFeatureAccumulators(strings([]), { ...strings([]), type: 'INT' })).toThrow(/Found values of types STRING and INT/);
  });
});
