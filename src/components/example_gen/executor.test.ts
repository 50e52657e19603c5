import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckSession, sqlString } from '../../data/duckdb';
import { Pipeline } from '../../dsl/pipeline';
import { MetadataStore } from '../../metadata/store';
import { LocalDagRunner } from '../../orchestration/local/runner';
import { sharedData, tempDir, writeFile } from '../../testing/fixtures';
import { CsvExampleGen, QueryExampleGen } from './component';
import { penguinsQuery } from '../../datasets/bundled';
import { bucketOf } from '../../data/fingerprint';
import { generateStatistics } from '../../stats/generate';

const penguinsCsv = path.join(sharedData, 'penguins', 'labelled', 'penguins_processed.csv');
const taxiCsv = path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv');

async function runExampleGen(component: InstanceType<typeof CsvExampleGen> | InstanceType<typeof QueryExampleGen>, root = tempDir()) {
  const { results } = await new LocalDagRunner().run(new Pipeline({ pipelineName: 'examplegen-test', pipelineRoot: root, components: [component] }));
  return { root, examples: results[0].outputs.examples[0] };
}

/** Runs `fn` with these environment variables set, then restores them. */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A split's Parquet files in name order (the order readers take them in). */
function parquetFiles(uri: string, split: string): string[] {
  const dir = path.join(uri, `Split-${split}`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.parquet'))
    .sort()
    .map((f) => path.join(dir, f));
}

async function query<T>(sql: string): Promise<T[]> {
  return DuckSession.with((db) => db.all<T>(sql));
}

describe('CsvExampleGen', () => {
  jest.setTimeout(60_000);

  it('splits the taxi CSV 2:1 into Parquet per split, keeping every row once and TFX column types', async () => {
    const { examples } = await runExampleGen(new CsvExampleGen({ inputBase: taxiCsv }));
    expect(examples.splitNames).toEqual(['train', 'eval']);
    const train = path.join(examples.uri, 'Split-train', 'data.parquet');
    const evalFile = path.join(examples.uri, 'Split-eval', 'data.parquet');
    const [{ n: total }] = await query<{ n: number }>(`SELECT count(*) AS n FROM read_csv(${sqlString(taxiCsv)})`);
    const [{ n: nTrain }] = await query<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(train)})`);
    const [{ n: nEval }] = await query<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(evalFile)})`);
    expect(nTrain + nEval).toBe(total);
    expect(nTrain / total).toBeGreaterThan(0.63);
    expect(nTrain / total).toBeLessThan(0.7);
    const types = await query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlString(train)})`);
    expect(new Set(types.map((t) => t.column_type))).toEqual(new Set(['BIGINT', 'DOUBLE', 'VARCHAR']));
    expect(types.find((t) => t.column_name === 'company')!.column_type).toBe('VARCHAR');
  });

  it('is deterministic: the same input gives the same rows in each split on every run', async () => {
    const a = await runExampleGen(new CsvExampleGen({ inputBase: penguinsCsv }));
    const b = await runExampleGen(new CsvExampleGen({ inputBase: penguinsCsv }));
    for (const split of ['train', 'eval']) {
      const sql = (uri: string) => `SELECT * FROM read_parquet(${sqlString(path.join(uri, `Split-${split}`, 'data.parquet'))})`;
      const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM ((${sql(a.examples.uri)}) EXCEPT ALL (${sql(b.examples.uri)}))`);
      expect(n).toBe(0);
    }
  });

  it("splits by the documented fingerprint of each record's bytes: bucket = fingerprint64(line) mod 3, buckets 0-1 train, 2 eval", async () => {
    const { examples } = await runExampleGen(new CsvExampleGen({ inputBase: taxiCsv }));
    // An independent reading of the rule: the file's lines (the taxi sample has no quoted line breaks), header skipped.
    const bytes = fs.readFileSync(taxiCsv);
    const expected: Record<string, string[]> = { train: [], eval: [] };
    let start = bytes.indexOf(10) + 1;
    while (start < bytes.length) {
      let end = bytes.indexOf(10, start);
      if (end < 0) end = bytes.length;
      const stop = bytes[end - 1] === 13 ? end - 1 : end;
      if (stop > start) expected[bucketOf(bytes, start, stop, 3) < 2 ? 'train' : 'eval'].push(bytes.subarray(start, stop).toString('utf8'));
      start = end + 1;
    }
    for (const split of ['train', 'eval']) {
      const file = path.join(examples.uri, `Split-${split}`, 'data.parquet');
      const rows = await query<{ trip_start_timestamp: number }>(`SELECT trip_start_timestamp FROM read_parquet(${sqlString(file)})`);
      expect(rows.length).toBe(expected[split].length);
      // Rows keep the input order inside a split: check every row's timestamp field against its line.
      const column = expected[split].map((line) => line.split(',')[5]);
      expect(rows.map((r) => String(r.trip_start_timestamp))).toEqual(column);
    }
  });

  it('writes byte-identical splits on every run and with 1 or 3 ranges in hand at once', async () => {
    const outputs: Buffer[][] = [];
    for (const slots of ['1', '3', '3']) {
      const { examples } = await withEnv({ TFX_TS_EXAMPLEGEN_SLOTS: slots }, () => runExampleGen(new CsvExampleGen({ inputBase: taxiCsv })));
      outputs.push(['train', 'eval'].map((s) => fs.readFileSync(path.join(examples.uri, `Split-${s}`, 'data.parquet'))));
    }
    expect(outputs[1][0].equals(outputs[0][0]) && outputs[1][1].equals(outputs[0][1])).toBe(true);
    expect(outputs[2][0].equals(outputs[0][0]) && outputs[2][1].equals(outputs[0][1])).toBe(true);
  });

  it('types each column from every row in the same pass (a late decimal makes the column float instead of being rounded)', async () => {
    const dir = tempDir();
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i},${i},${i % 5},${i < 29_000 ? '' : 'x'}`);
    rows.push('30000,1.5,7,y');
    const file = writeFile(dir, 'late.csv', `id,late_float,small,late_text\n${rows.join('\n')}\n`);
    const { examples } = await runExampleGen(
      new CsvExampleGen({ inputBase: file, outputConfig: { splitConfig: { splits: [{ name: 'train', hashBuckets: 1 }] } } }),
    );
    const parquet = sqlString(path.join(examples.uri, 'Split-train', 'data.parquet'));
    const types = await query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${parquet})`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toEqual({
      id: 'BIGINT',
      late_float: 'DOUBLE',
      small: 'BIGINT',
      late_text: 'VARCHAR',
    });
    const [{ v, n }] = await query<{ v: number; n: number }>(`SELECT max(late_float) AS v, count(late_text) AS n FROM read_parquet(${parquet})`);
    expect([v, n]).toEqual([29_999, 1_001]);
    const [{ last }] = await query<{ last: number }>(`SELECT late_float AS last FROM read_parquet(${parquet}) WHERE id = 30000`);
    expect(last).toBe(1.5);
  });

  it('reads RFC 4180 details: quoted delimiters and line breaks, doubled quotes, CRLF, a byte order mark, blank lines, no final newline', async () => {
    const dir = tempDir();
    const file = writeFile(dir, 'quoted.csv', '\uFEFFname,n,note\r\n"Smith, J",1,"two\nlines"\r\n\r\n"say ""hi""",2,\r\nplain,3,""');
    const { examples } = await runExampleGen(
      new CsvExampleGen({ inputBase: file, outputConfig: { splitConfig: { splits: [{ name: 'train', hashBuckets: 1 }] } } }),
    );
    const rows = await query<{ name: string; n: number; note: string | null }>(
      `SELECT * FROM read_parquet(${sqlString(path.join(examples.uri, 'Split-train', 'data.parquet'))})`,
    );
    expect(rows).toEqual([
      { name: 'Smith, J', n: 1, note: 'two\nlines' },
      { name: 'say "hi"', n: 2, note: null },
      { name: 'plain', n: 3, note: null },
    ]);
  });

  it('skips blank lines in a one-column file as TFDV does (3 examples), and so do the statistics of the same file', async () => {
    const dir = tempDir();
    const file = writeFile(dir, 'one.csv', 'a\n1\n\n2\n\n3\n');
    const { examples } = await runExampleGen(
      new CsvExampleGen({ inputBase: file, outputConfig: { splitConfig: { splits: [{ name: 'train', hashBuckets: 1 }] } } }),
    );
    const rows = await query<{ a: number }>(`SELECT a FROM read_parquet(${sqlString(path.join(examples.uri, 'Split-train', 'data.parquet'))}) ORDER BY a`);
    expect(rows).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
    const [dataset] = (await generateStatistics(file)).datasets;
    expect(dataset.numExamples).toBe(3);
  });

  it('keeps all rows of one partition feature value in one split and honours named splits', async () => {
    const { examples } = await runExampleGen(
      new CsvExampleGen({
        inputBase: taxiCsv,
        outputConfig: {
          splitConfig: {
            splits: [
              { name: 'train', hashBuckets: 8 },
              { name: 'eval', hashBuckets: 1 },
              { name: 'test', hashBuckets: 1 },
            ],
            partitionFeatureName: 'company',
          },
        },
      }),
    );
    expect(examples.splitNames).toEqual(['train', 'eval', 'test']);
    const rows = await query<{ company: string | null; splits: number }>(
      `SELECT company, count(DISTINCT split) AS splits FROM (${['train', 'eval', 'test'].map((s) => `SELECT company, '${s}' AS split FROM read_parquet(${sqlString(path.join(examples.uri, `Split-${s}`, 'data.parquet'))})`).join(' UNION ALL ')}) GROUP BY company`,
    );
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.every((r) => r.splits === 1)).toBe(true);
  });

  it('guesses the delimiter of each input split on its own (inputConfig)', async () => {
    const dir = tempDir();
    writeFile(dir, 'train/a.csv', 'x,y\n1,a\n2,b\n');
    writeFile(dir, 'eval/a.tsv', 'x\ty\n3\tc\n');
    const { examples } = await runExampleGen(
      new CsvExampleGen({
        inputBase: dir,
        inputConfig: {
          splits: [
            { name: 'train', pattern: 'train/*' },
            { name: 'eval', pattern: 'eval/*' },
          ],
        },
      }),
    );
    expect(await query(`SELECT * FROM read_parquet(${sqlString(parquetFiles(examples.uri, 'eval')[0])})`)).toEqual([{ x: 3, y: 'c' }]);
  });

  it('reads pre-split input with inputConfig', async () => {
    const { examples } = await runExampleGen(
      new CsvExampleGen({
        inputBase: path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial'),
        inputConfig: {
          splits: [
            { name: 'train', pattern: 'train.csv' },
            { name: 'eval', pattern: 'eval.csv' },
          ],
        },
      }),
    );
    const [{ n }] = await query<{ n: number }>(`SELECT count(*) AS n FROM read_parquet(${sqlString(path.join(examples.uri, 'Split-eval', 'data.parquet'))})`);
    const [{ m }] = await query<{ m: number }>(
      `SELECT count(*) AS m FROM read_csv(${sqlString(path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial', 'eval.csv'))})`,
    );
    expect(n).toBe(m);
  });

  describe('in ranges (a large input is cut at record boundaries and converted range by range)', () => {
    const small = { TFX_TS_EXAMPLEGEN_RANGE_BYTES: String(200_000) };
    const rowsOf = async (uri: string, split: string) =>
      query<Record<string, unknown>>(`SELECT * FROM read_parquet([${parquetFiles(uri, split).map(sqlString).join(', ')}])`);

    it('gives the same rows, order and types as one range, in byte-identical files with 1 or 3 ranges in hand', async () => {
      const whole = await runExampleGen(new CsvExampleGen({ inputBase: taxiCsv }));
      const cut = await withEnv({ ...small, TFX_TS_EXAMPLEGEN_SLOTS: '1' }, () => runExampleGen(new CsvExampleGen({ inputBase: taxiCsv })));
      const again = await withEnv({ ...small, TFX_TS_EXAMPLEGEN_SLOTS: '3' }, () => runExampleGen(new CsvExampleGen({ inputBase: taxiCsv })));
      for (const split of ['train', 'eval']) {
        const files = parquetFiles(cut.examples.uri, split);
        expect(files.length).toBe(10); // 1.9 MB in ranges of 200 kB
        expect(path.basename(files[0])).toBe('data-00000-of-00010.parquet');
        expect(files.map((f) => fs.readFileSync(f).equals(fs.readFileSync(f.replace(cut.examples.uri, again.examples.uri))))).toEqual(files.map(() => true));
        expect(await rowsOf(cut.examples.uri, split)).toEqual(await rowsOf(whole.examples.uri, split));
        const describe = (uri: string) => query(`DESCRIBE SELECT * FROM read_parquet([${parquetFiles(uri, split).map(sqlString).join(', ')}])`);
        expect(await describe(cut.examples.uri)).toEqual(await describe(whole.examples.uri));
      }
    });

    it('packs small files together up to a range: 40 files give one Parquet file per split, or one per 200 kB pack', async () => {
      const dir = tempDir();
      const lines = fs.readFileSync(taxiCsv, 'utf8').trimEnd().split('\n');
      const [header, rows] = [lines[0], lines.slice(1)];
      const per = Math.ceil(rows.length / 40);
      for (let f = 0; f < 40; f++) writeFile(dir, `part-${String(f).padStart(2, '0')}.csv`, `${header}\n${rows.slice(f * per, (f + 1) * per).join('\n')}\n`);
      const whole = await runExampleGen(new CsvExampleGen({ inputBase: taxiCsv }));
      const packed = await runExampleGen(new CsvExampleGen({ inputBase: dir }));
      const cut = await withEnv(small, () => runExampleGen(new CsvExampleGen({ inputBase: dir })));
      for (const split of ['train', 'eval']) {
        expect(parquetFiles(packed.examples.uri, split).map((f) => path.basename(f))).toEqual(['data.parquet']);
        expect(parquetFiles(cut.examples.uri, split).length).toBe(10);
        const expected = await rowsOf(whole.examples.uri, split);
        expect(await rowsOf(packed.examples.uri, split)).toEqual(expected);
        expect(await rowsOf(cut.examples.uri, split)).toEqual(expected);
      }
    });

    it('settles a type in a later range and writes the earlier ranges again: a late decimal is not rounded', async () => {
      const dir = tempDir();
      // 30,000 integers then one decimal: past the 20,000-record sample and in the last range.
      const rows = Array.from({ length: 30_000 }, (_, i) => `${i},${i * 3}`);
      rows.push('30000,1.5');
      const file = writeFile(dir, 'late.csv', `id,v\n${rows.join('\n')}\n`);
      const { examples } = await withEnv({ TFX_TS_EXAMPLEGEN_RANGE_BYTES: '32768' }, () =>
        runExampleGen(new CsvExampleGen({ inputBase: file, outputConfig: { splitConfig: { splits: [{ name: 'train', hashBuckets: 1 }] } } })),
      );
      const files = parquetFiles(examples.uri, 'train');
      expect(files.length).toBeGreaterThan(5);
      for (const f of files) {
        const types = await query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlString(f)})`);
        expect(types.map((t) => t.column_type)).toEqual(['BIGINT', 'DOUBLE']);
      }
      const all = await rowsOf(examples.uri, 'train');
      expect(all.length).toBe(30_001);
      expect(all[12_345]).toEqual({ id: 12_345, v: 37_035 });
      expect(all[30_000]).toEqual({ id: 30_000, v: 1.5 });
    });

    it("names the input's own line of a ragged record found in a later range", async () => {
      const dir = tempDir();
      const rows = Array.from({ length: 30_000 }, (_, i) => (i === 24_998 ? `${i},1,2` : `${i},1`));
      const file = writeFile(dir, 'ragged.csv', `id,v\n${rows.join('\n')}\n`);
      const run = withEnv({ TFX_TS_EXAMPLEGEN_RANGE_BYTES: '32768' }, () => runExampleGen(new CsvExampleGen({ inputBase: file })));
      await expect(run).rejects.toThrow(/line 25000 has 3 fields but the header has 2/);
    });

    it('cuts only outside quotes: quoted line breaks and delimiters near every cut', async () => {
      const dir = tempDir();
      const rows = Array.from({ length: 3_000 }, (_, i) => `${i},"multi\nline, ""quoted""\n${i}",${i % 7}`);
      const file = writeFile(dir, 'quoted.csv', `id,text,k\n${rows.join('\r\n')}\r\n`);
      const whole = await runExampleGen(new CsvExampleGen({ inputBase: file }));
      const cut = await withEnv({ TFX_TS_EXAMPLEGEN_RANGE_BYTES: '1000' }, () => runExampleGen(new CsvExampleGen({ inputBase: file })));
      for (const split of ['train', 'eval']) {
        expect(parquetFiles(cut.examples.uri, split).length).toBeGreaterThan(50);
        expect(await rowsOf(cut.examples.uri, split)).toEqual(await rowsOf(whole.examples.uri, split));
      }
      const eval0 = (await rowsOf(cut.examples.uri, 'eval'))[0] as { id: number; text: string };
      expect(eval0.text).toBe(`multi\nline, "quoted"\n${eval0.id}`);
    });
  });

  describe('bad input: one clear error, nothing registered', () => {
    async function expectRefused(make: () => InstanceType<typeof CsvExampleGen> | InstanceType<typeof QueryExampleGen>, message: RegExp) {
      const root = tempDir();
      await expect(runExampleGen(make(), root)).rejects.toThrow(message);
      const store = new MetadataStore(path.join(root, 'metadata.sqlite'));
      expect(store.artifacts()).toEqual([]);
      expect(store.executions().map((e) => e.state)).toEqual(['FAILED']);
      store.close();
    }

    it('a range setting that is not a positive integer', async () => {
      for (const [name, value] of [
        ['TFX_TS_EXAMPLEGEN_RANGE_BYTES', '16MB'],
        ['TFX_TS_EXAMPLEGEN_SLOTS', '0'],
      ]) {
        await withEnv({ [name]: value }, () =>
          expectRefused(() => new CsvExampleGen({ inputBase: taxiCsv }), new RegExp(`${name}="${value}" is not a positive integer`)),
        );
      }
    });
    it('missing path', () =>
      expectRefused(() => new CsvExampleGen({ inputBase: '/nonexistent/data.csv' }), /Input path \/nonexistent\/data.csv does not exist/));
    it('empty CSV', () => {
      const file = writeFile(tempDir(), 'empty.csv', '');
      return expectRefused(() => new CsvExampleGen({ inputBase: file }), /CSV file .*empty.csv is empty/);
    });
    it('header-only CSV', () => {
      const file = writeFile(tempDir(), 'header.csv', 'a,b,c\n');
      return expectRefused(() => new CsvExampleGen({ inputBase: file }), /has a header but no rows/);
    });
    it('ragged rows', () => {
      const file = writeFile(tempDir(), 'ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n');
      return expectRefused(
        () => new CsvExampleGen({ inputBase: file }),
        /Cannot read CSV .*ragged.csv: line 3 has 2 fields but the header has 3.*Fix: every row needs as many fields as the header/s,
      );
    });
    it('an unclosed quote names its line', () => {
      const file = writeFile(tempDir(), 'open.csv', 'a,b\n1,x\n2,"y\n3,z\n');
      return expectRefused(() => new CsvExampleGen({ inputBase: file }), /Cannot read CSV .*open.csv: the quoted field starting on line 3 is never closed/);
    });
    it('a column numeric in one file and text in another', () => {
      const dir = tempDir();
      writeFile(dir, 'part-1.csv', 'a,b\n1,x\n2,y\n');
      writeFile(dir, 'part-2.csv', 'a,b\nthree,z\nfour,w\n');
      return expectRefused(
        () => new CsvExampleGen({ inputBase: dir }),
        /Column "a" cannot be given one type: it is number in .*part-1.csv but text in .*part-2.csv/,
      );
    });
    it('a directory without CSV files', () => expectRefused(() => new CsvExampleGen({ inputBase: tempDir() }), /holds no .csv files/));
    it('duplicate split names', () =>
      expectRefused(
        () =>
          new CsvExampleGen({
            inputBase: penguinsCsv,
            outputConfig: {
              splitConfig: {
                splits: [
                  { name: 'train', hashBuckets: 1 },
                  { name: 'train', hashBuckets: 1 },
                ],
              },
            },
          }),
        /split "train" is listed twice/,
      ));
    it('unknown partition feature', () =>
      expectRefused(
        () =>
          new CsvExampleGen({
            inputBase: penguinsCsv,
            outputConfig: { splitConfig: { splits: [{ name: 'train', hashBuckets: 1 }], partitionFeatureName: 'nope' } },
          }),
        /partitionFeatureName "nope" is not a column/,
      ));
    it("SQL error in QueryExampleGen shows DuckDB's message", () =>
      expectRefused(() => new QueryExampleGen({ query: 'SELECT nope FROM range(3)' }), /the query failed in DuckDB: .*nope/));

    it('bucket counts <= 0 and invalid split names are refused at construction', () => {
      expect(() => new CsvExampleGen({ inputBase: penguinsCsv, outputConfig: { splitConfig: { splits: [{ name: 'train', hashBuckets: 0 }] } } })).toThrow(
        /hashBuckets must be a positive integer/,
      );
      expect(() => new CsvExampleGen({ inputBase: penguinsCsv, outputConfig: { splitConfig: { splits: [{ name: 'tr ain', hashBuckets: 1 }] } } })).toThrow(
        /split names may use letters/,
      );
      expect(() => new CsvExampleGen({ inputBase: '' })).toThrow(/inputBase must name a CSV file/);
    });
  });
});

describe('QueryExampleGen', () => {
  it('turns the bundled penguins JSON into examples with TFX types', async () => {
    const { examples } = await runExampleGen(new QueryExampleGen({ query: penguinsQuery() }));
    const rows = await query<{ n: number; species: number }>(
      `SELECT count(*) AS n, count(DISTINCT species) AS species FROM read_parquet(${sqlString(path.join(examples.uri, 'Split-*', '*.parquet'))})`,
    );
    expect(rows[0]).toEqual({ n: 344, species: 3 });
    expect(fs.existsSync(path.join(examples.uri, 'Split-eval', 'data.parquet'))).toBe(true);
  });
});
