import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBConnection } from '@duckdb/node-api';
import { DuckSession, sqlString } from '../data/duckdb';
import { sharedData, tempDir, writeFile } from '../testing/fixtures';
import { generateStatistics, statisticsOfRelation } from './generate';
import type { FeatureNameStatistics } from './types';

const trainCsv = path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial', 'train.csv');

/**
 * An independent computation with Debian's pandas: counts, moments (population std), min/max,
 * zeros, and TFDV's definitions of the median (the middle of 1000 quantile boundaries, i.e. the
 * value at sorted position floor(n/2)) and of the QUANTILES histogram boundaries (sorted position
 * floor(k·n/10)); for strings: distinct count, top 20 by (count, value) descending, UTF-8 length.
 */
const PANDAS_SCRIPT = String.raw`
import json, sys
import pandas as pd
df = pd.read_csv(sys.argv[1], float_precision='round_trip', keep_default_na=False, na_values=[''])
out = {}
for col in df.columns:
    s = df[col].dropna()
    if pd.api.types.is_numeric_dtype(df[col]):
        v = s.sort_values().to_numpy(dtype='float64')
        n = len(v)
        q = [float(v[min((k * n) // 10, n - 1)]) for k in range(11)] if n else []
        out[col] = dict(kind='numeric', count=int(n), missing=int(df[col].isna().sum()),
            mean=float(v.mean()) if n else None, std=float(v.std(ddof=0)) if n else None,
            min=float(v.min()) if n else None, max=float(v.max()) if n else None,
            zeros=int((v == 0).sum()), median=float(v[n // 2]) if n else None, quantiles=q)
    else:
        s = s.astype(str)
        counts = s.value_counts()
        pairs = sorted(((int(c), val) for val, c in counts.items()), key=lambda p: (p[0], p[1].encode('utf-8')), reverse=True)
        out[col] = dict(kind='string', count=int(len(s)), missing=int(df[col].isna().sum()), unique=int(len(counts)),
            top=[[val, c] for c, val in pairs[:20]],
            avg_length=float(s.map(lambda x: len(x.encode('utf-8'))).mean()) if len(s) else 0.0)
print(json.dumps(out))
`;

function pandasStats(csv: string): Record<string, any> {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', PANDAS_SCRIPT, csv], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

function byName(features: FeatureNameStatistics[]): Map<string, FeatureNameStatistics> {
  return new Map(features.map((f) => [f.path.step[0], f]));
}

describe('generateStatistics on the TFDV tutorial taxi train split', () => {
  jest.setTimeout(120_000);
  let features: Map<string, FeatureNameStatistics>;
  let expected: Record<string, any>;
  let numExamples: number;

  beforeAll(async () => {
    const list = await generateStatistics(trainCsv);
    expect(list.datasets).toHaveLength(1);
    expect(list.datasets[0].name).toBe('train.csv');
    numExamples = list.datasets[0].numExamples;
    features = byName(list.datasets[0].features);
    expected = pandasStats(trainCsv);
  });

  it('has one feature per column and the row count', () => {
    expect(numExamples).toBe(10000);
    expect([...features.keys()].sort()).toEqual(Object.keys(expected).sort());
  });

  it('agrees with pandas on every count, mean, std, min, max, zeros and median of numeric features', () => {
    const numeric = Object.entries(expected).filter(([, e]) => e.kind === 'numeric' && e.count > 0);
    expect(numeric.length).toBeGreaterThanOrEqual(12);
    for (const [name, e] of numeric) {
      const f = features.get(name)!;
      expect({ name, type: ['INT', 'FLOAT'].includes(f.type) }).toEqual({ name, type: true });
      const s = f.numStats!;
      expect({ name, n: s.commonStats.numNonMissing, missing: s.commonStats.numMissing }).toEqual({ name, n: e.count, missing: e.missing });
      expect(s.mean).toBeCloseTo(e.mean, 9);
      expect(Math.abs(s.stdDev - e.std) / Math.max(1, e.std)).toBeLessThan(1e-9);
      expect({ name, min: s.min, max: s.max, zeros: s.numZeros, median: s.median }).toEqual({ name, min: e.min, max: e.max, zeros: e.zeros, median: e.median });
      const quantiles = s.histograms.find((h) => h.type === 'QUANTILES')!;
      expect(quantiles.buckets).toHaveLength(10);
      const bounds = [quantiles.buckets[0].lowValue, ...quantiles.buckets.map((b) => b.highValue)];
      expect({ name, bounds }).toEqual({ name, bounds: e.quantiles });
      const total = quantiles.buckets.reduce((sum, b) => sum + b.sampleCount, 0);
      expect(total).toBeCloseTo(e.count, 6);
      const standard = s.histograms.find((h) => h.type === 'STANDARD')!;
      expect(standard.buckets.reduce((sum, b) => sum + b.sampleCount, 0)).toBeCloseTo(e.count, 6);
      if (e.min !== e.max) {
        expect(standard.buckets).toHaveLength(10);
        expect(standard.buckets[0].lowValue).toBe(e.min);
        expect(standard.buckets[9].highValue).toBe(e.max);
      }
    }
  });

  it('agrees with pandas on unique, top values (TFDV tie order) and average length of string features', () => {
    const strings = Object.entries(expected).filter(([, e]) => e.kind === 'string' && e.count > 0);
    expect(strings.map(([n]) => n).sort()).toEqual(['company', 'payment_type']);
    for (const [name, e] of strings) {
      const s = features.get(name)!.stringStats!;
      expect({ name, n: s.commonStats.numNonMissing, missing: s.commonStats.numMissing, unique: s.unique }).toEqual({
        name,
        n: e.count,
        missing: e.missing,
        unique: e.unique,
      });
      expect(s.topValues.map((t) => [t.value, t.frequency])).toEqual(e.top);
      expect(s.avgLength).toBeCloseTo(e.avg_length, 9);
      expect(s.rankHistogram.buckets.length).toBe(Math.min(e.unique, 1000));
      expect(s.rankHistogram.buckets[0]).toEqual({ lowRank: 0, highRank: 0, label: e.top[0][0], sampleCount: e.top[0][1] });
    }
  });

  it('fills common stats as TFDV: one value per present example, num_values quantiles histogram', () => {
    const fare = features.get('fare')!.numStats!.commonStats;
    expect(fare).toMatchObject({ minNumValues: 1, maxNumValues: 1, avgNumValues: 1, totNumValues: fare.numNonMissing });
    expect(fare.numValuesHistogram!.buckets).toHaveLength(10);
    for (const b of fare.numValuesHistogram!.buckets) expect(b).toEqual({ lowValue: 1, highValue: 1, sampleCount: fare.numNonMissing / 10 });
  });
});

describe('statisticsOfRelation', () => {
  jest.setTimeout(60_000);

  it('handles list columns (valency), NaN and infinities, and categorical INT features as TFDV', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'lists.parquet');
    await DuckSession.with(async (db) => {
      await db.run(`COPY (SELECT * FROM (VALUES
        ([1, 2, 3], 1.5, 7), ([4], 'nan'::DOUBLE, 7), (NULL, 'inf'::DOUBLE, 3), ([]::BIGINT[], 0.0, NULL), ([5, 5], -2.0, 3)
      ) t(tags, x, code)) TO ${sqlString(file)} (FORMAT parquet)`);
      const stats = await statisticsOfRelation(db, `read_parquet(${sqlString(file)})`, 'lists', {
        schema: { feature: [{ name: 'code', type: 'INT', intDomain: { isCategorical: true } }] },
      });
      const f = byName(stats.features);
      const tags = f.get('tags')!.numStats!;
      expect(tags.commonStats).toMatchObject({ numNonMissing: 4, numMissing: 1, minNumValues: 0, maxNumValues: 3, totNumValues: 6, avgNumValues: 1.5 });
      expect(tags.mean).toBeCloseTo(20 / 6, 12);
      expect([tags.min, tags.max]).toEqual([1, 5]);
      const x = f.get('x')!.numStats!;
      expect(x.histograms[0].numNan).toBe(1);
      expect(x.mean).toBe(Infinity);
      expect([x.min, x.max, x.numZeros]).toEqual([-2, Infinity, 1]);
      const standard = x.histograms[0].buckets;
      expect(standard[standard.length - 1]).toEqual({ lowValue: Infinity, highValue: Infinity, sampleCount: 1 });
      const code = f.get('code')!;
      expect(code.type).toBe('INT');
      expect(code.numStats).toBeUndefined();
      // Ties are broken by the larger value first; for categorical ints that is numeric order.
      expect(code.stringStats!.topValues).toEqual([
        { value: '7', frequency: 2 },
        { value: '3', frequency: 2 },
      ]);
      expect(code.stringStats!.avgLength).toBe(1);
    });
  });

  it('breaks top-value ties by the larger value first, comparing UTF-8 bytes', async () => {
    const dir = tempDir();
    const csv = writeFile(dir, 'ties.csv', 'v\nw\nb\na\nÄ\nz\nb\na\nÄ\nz\n');
    const list = await generateStatistics(csv);
    const s = list.datasets[0].features[0].stringStats!;
    expect(s.topValues.map((t) => t.value)).toEqual(['Ä', 'z', 'b', 'a', 'w']);
    expect(s.avgLength).toBeCloseTo(11 / 9, 12); // "Ä" is two UTF-8 bytes
  });

  it.each([
    ['our own pass', undefined],
    ["DuckDB's sniffer on a sample, checked", 0],
  ])('types a CSV column from every row (%s): a column empty in the first rows is still INT', async (_how, ownTypingMaxBytes) => {
    const dir = tempDir();
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i},${i < 25_000 ? '' : i % 7},${i === 29_999 ? 'x' : i}`);
    const csv = writeFile(dir, 'late.csv', `id,late,mixed\n${rows.join('\n')}\n`);
    const features = byName((await generateStatistics(csv, { ownTypingMaxBytes })).datasets[0].features);
    const late = features.get('late')!;
    expect(late.type).toBe('INT');
    expect(late.numStats!.commonStats.numNonMissing).toBe(5_000);
    const v = features.get('mixed')!;
    expect(v.type).toBe('STRING');
    expect(v.stringStats!.unique).toBe(30_000);
  });

  it('gives the same statistics whichever way a CSV is typed', async () => {
    const taxi = path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv');
    const own = await generateStatistics(taxi);
    const sniffed = await generateStatistics(taxi, { ownTypingMaxBytes: 0 });
    expect(sniffed).toEqual(own);
  });

  it('skips blank lines as TFDV and CsvExampleGen do, also in a one-column file (TFDV 1.16: 3 examples, none missing)', async () => {
    const dir = tempDir();
    for (const [file, text] of [
      ['one.csv', 'a\n1\n\n2\n\n3\n'],
      ['two.csv', 'a,b\n1,x\n\n2,y\n\n3,z\n'],
      ['crlf.csv', 'a\r\n1\r\n\r\n\r\n2\r\n3\r\n\r\n'],
    ]) {
      const [dataset] = (await generateStatistics(writeFile(dir, file, text))).datasets;
      expect([file, dataset.numExamples]).toEqual([file, 3]);
      for (const f of dataset.features) expect(f.numStats?.commonStats ?? f.stringStats?.commonStats).toMatchObject({ numNonMissing: 3, numMissing: 0 });
    }
    // A quoted empty field is a record with a missing value (Python's csv reads [''], TFDV counts the example).
    const [quoted] = (await generateStatistics(writeFile(dir, 'quoted.csv', 'a\n1\n""\n\n2\n'))).datasets;
    expect(quoted.numExamples).toBe(3);
    expect(quoted.features[0].numStats!.commonStats).toMatchObject({ numNonMissing: 2, numMissing: 1 });
  });

  it('handles data wider than one scan (more columns than a grouping mask holds)', async () => {
    const dir = tempDir();
    const header = Array.from({ length: 130 }, (_, i) => `c${i}`).join(',');
    const rows = Array.from({ length: 5 }, (_, r) => Array.from({ length: 130 }, (_, i) => (i === 129 && r === 0 ? '' : String(r * i))).join(','));
    const list = await generateStatistics(writeFile(dir, 'wide.csv', `${header}\n${rows.join('\n')}\n`));
    const features = list.datasets[0].features;
    expect(features).toHaveLength(130);
    expect(features[129].numStats!).toMatchObject({ min: 129, max: 516, commonStats: { numNonMissing: 4, numMissing: 1 } });
    expect(features[2].numStats!.mean).toBe(4);
  });

  it('reads wide data once and issues the same queries whatever the number of columns (linear in columns)', async () => {
    const dir = tempDir();
    const wideCsv = (columns: number) => {
      const header = Array.from({ length: columns }, (_, i) => `c${i}`).join(',');
      const rows = Array.from({ length: 20 }, (_, r) => Array.from({ length: columns }, (_, i) => String((r * 31 + i * 17) % 1000)).join(','));
      return writeFile(dir, `wide${columns}.csv`, `${header}\n${rows.join('\n')}\n`);
    };
    const queriesOf = async (csv: string) => {
      const sql: string[] = [];
      const spies = (['run', 'runAndReadAll', 'stream'] as const).map((method) => {
        const original = DuckDBConnection.prototype[method] as (...args: unknown[]) => unknown;
        return jest.spyOn(DuckDBConnection.prototype, method).mockImplementation(function (this: DuckDBConnection, ...args: unknown[]) {
          sql.push(String(args[0]));
          return original.apply(this, args) as never;
        });
      });
      try {
        return { list: await generateStatistics(csv), sql };
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    };
    const narrow = await queriesOf(wideCsv(100));
    const wide = await queriesOf(wideCsv(3000));
    // Before: one GROUPING SETS query over read_csv per 60 columns (each sniffing and parsing the whole file again).
    expect(wide.sql.length).toBe(narrow.sql.length);
    expect(wide.sql.filter((q) => q.includes('read_csv')).length).toBe(1);
    const features = wide.list.datasets[0].features;
    expect(features).toHaveLength(3000);
    const values = Array.from({ length: 20 }, (_, r) => (r * 31 + 2999 * 17) % 1000);
    expect(features[2999].numStats!).toMatchObject({ min: Math.min(...values), max: Math.max(...values), commonStats: { numNonMissing: 20 } });
    expect(features[2999].numStats!.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / 20, 9);
    // The same numbers as the narrow path for the columns both files share.
    expect(features.slice(0, 100)).toEqual(narrow.list.datasets[0].features);
  });

  it('reads a directory of Split-<name> folders as one dataset per split', async () => {
    const dir = tempDir();
    writeFile(dir, 'Split-train/a.csv', 'v\n1\n2\n');
    writeFile(dir, 'Split-eval/a.csv', 'v\n3\n');
    const list = await generateStatistics(dir);
    expect(list.datasets.map((d) => [d.name, d.numExamples])).toEqual([
      ['eval', 1],
      ['train', 2],
    ]);
  });

  it('refuses empty input and unknown formats with a clear error', async () => {
    const dir = tempDir();
    const empty = writeFile(dir, 'empty.csv', 'a,b\n');
    await expect(generateStatistics(empty)).rejects.toThrow(/has no examples/);
    const json = writeFile(dir, 'x.json', '{}');
    await expect(generateStatistics(json)).rejects.toThrow(/neither \.csv nor \.parquet/);
    await expect(generateStatistics(path.join(dir, 'missing.csv'))).rejects.toThrow(/does not exist/);
    fs.mkdirSync(path.join(dir, 'nothing'));
    await expect(generateStatistics(path.join(dir, 'nothing'))).rejects.toThrow(/holds no \.csv or \.parquet files/);
  });
});
