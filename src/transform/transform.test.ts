import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckSession, sqlIdent } from '../data/duckdb';
import { repoRoot, tempDir, writeFile } from '../testing/fixtures';
import { writeTaxiExamples } from '../testing/modeling-fixtures';
import { applyTransformGraph, RawInputError } from './apply';
import { analyzeTransformGraph, outputSql } from './analyze';
import { describeExamples, parquetSource, readExampleColumns, splitFiles } from './example-io';
import { GRAPH_FILE, parseTransformGraph, TransformGraph } from './graph';
import { hashBucket } from './hash';
import { runTransform } from './run';
import { tft, tracePreprocessingFn, PreprocessingInputs } from './tft';
import { TransformOutput } from './transform-output';

const PREPROCESSING = path.join(repoRoot, 'notebooks', 'taxi', 'preprocessing.ts');

describe('Transform on the taxi sample', () => {
  const dir = tempDir('tfx-ts-transform-');
  let graph: TransformGraph;
  let examplesUri: string;

  beforeAll(async () => {
    examplesUri = (await writeTaxiExamples(path.join(dir, 'examples'))).uri;
    ({ graph } = await runTransform({
      moduleFile: PREPROCESSING,
      preprocessingFn: 'preprocessingFn',
      examplesUri,
      analyzeSplits: ['train'],
      transformSplits: ['train', 'eval'],
      graphDir: path.join(dir, 'graph'),
      transformedExamplesUri: path.join(dir, 'transformed'),
    }));
  }, 60_000);

  it('computes z-score moments equal to a plain JS pass over the filled train column', async () => {
    const raw = await DuckSession.with((db) => readExampleColumns(db, splitFiles(examplesUri, 'train'), [{ name: 'trip_miles', dtype: 'float' }]));
    const values = Array.from(raw.columns.trip_miles as Float64Array, (v) => (Number.isNaN(v) ? 0 : v));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    const node = graph.nodes[graph.outputs.find((o) => o.name === 'trip_miles_xf')!.node];
    expect(node.op).toBe('scale_to_z_score');
    expect(node.analysis!.mean as number).toBeCloseTo(mean, 9);
    expect(node.analysis!.variance as number).toBeCloseTo(variance, 6);
    expect(graph.analyzedExamples).toBe(values.length);
  });

  it('orders the vocabulary by frequency as counted in JS, without the empty string (as TFT)', async () => {
    const raw = await DuckSession.with((db) => readExampleColumns(db, splitFiles(examplesUri, 'train'), [{ name: 'payment_type', dtype: 'string' }]));
    const counts = new Map<string, number>();
    // As TFT: the empty string never enters a vocabulary.
    for (const v of raw.columns.payment_type as (string | null)[]) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    const expected = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1)).map(([v]) => v);
    const output = new TransformOutput(graph);
    expect(output.vocabulary('payment_type_xf')).toEqual(expected);
    expect(output.numBucketsForTransformedFeature('payment_type_xf')).toBe(expected.length + 10);
    expect(output.numBucketsForTransformedFeature('pickup_latitude_xf')).toBeLessThanOrEqual(10);
  });

  it('materializes every split with the big_tipper label (3,374 of the 15,002 rows, as the TFX data says)', async () => {
    let positives = 0;
    let rows = 0;
    await DuckSession.with(async (db) => {
      for (const split of ['train', 'eval']) {
        const file = path.join(dir, 'transformed', `Split-${split}`, 'data.parquet');
        const [{ n, p }] = await db.all<{ n: number; p: number }>(`SELECT count(*) AS n, sum(tips_xf) AS p FROM read_parquet('${file}')`);
        rows += n;
        positives += p;
      }
    });
    expect(rows).toBe(15002);
    expect(positives).toBe(3374);
  });

  it('writes a graph file that validates and gives the same features from rows and from columns', async () => {
    const loaded = TransformOutput.load(path.join(dir, 'graph'));
    expect(loaded.graph.outputs.map((o) => o.name)).toEqual(graph.outputs.map((o) => o.name));
    const features = await DuckSession.with((db) => describeExamples(db, splitFiles(examplesUri, 'eval')));
    const columns = await DuckSession.with((db) => readExampleColumns(db, splitFiles(examplesUri, 'eval'), features));
    const rows = Array.from({ length: 50 }, (_, i) =>
      Object.fromEntries(
        features.map((f) => {
          const v = columns.columns[f.name][i];
          return [f.name, typeof v === 'number' && Number.isNaN(v) ? null : v];
        }),
      ),
    );
    const fromRows = applyTransformGraph(loaded.graph, rows);
    const fromColumns = applyTransformGraph(loaded.graph, columns);
    for (const name of Object.keys(fromRows.features)) {
      expect(Array.from(fromRows.features[name] as ArrayLike<unknown>)).toEqual(Array.from(fromColumns.features[name] as ArrayLike<unknown>).slice(0, 50));
    }
  });

  it('serves without the label: outputs that do not need `tips` are computed from rows lacking it', () => {
    const modelInputs = graph.outputs.filter((o) => o.name !== 'tips_xf').map((o) => o.name);
    expect(graph.outputs.find((o) => o.name === 'tips_xf')!.rawInputs).toEqual(['fare', 'tips']);
    const row: Record<string, unknown> = {
      trip_miles: 1.2,
      fare: 7.5,
      trip_seconds: 420,
      payment_type: 'Cash',
      company: null,
      pickup_latitude: 41.88,
      pickup_longitude: -87.63,
      dropoff_latitude: null,
      dropoff_longitude: null,
      trip_start_hour: 9,
      trip_start_day: 3,
      trip_start_month: 5,
      pickup_census_tract: null,
      dropoff_census_tract: 17031081500,
      pickup_community_area: 8,
      dropoff_community_area: null,
    };
    const batch = applyTransformGraph(graph, [row], { outputs: modelInputs });
    expect(Object.keys(batch.features)).toEqual(modelInputs);
    expect(batch.features.dropoff_census_tract_xf[0]).toBe(0);
    expect(batch.features.trip_start_hour_xf[0]).toBe(9);
    expect(() => applyTransformGraph(graph, [row])).toThrow(/missing feature "tips"/);
  });

  it('rejects raw rows with wrong types, naming the example and the feature', () => {
    const outputs = ['fare_xf', 'payment_type_xf'];
    expect(() => applyTransformGraph(graph, [{ fare: 'cheap', payment_type: 'Cash' }], { outputs })).toThrow(RawInputError);
    expect(() =>
      applyTransformGraph(
        graph,
        [
          { fare: 3, payment_type: 'Cash' },
          { fare: 3, payment_type: 7 },
        ],
        { outputs },
      ),
    ).toThrow(/Example 1: feature "payment_type" must be a string/);
    expect(() => applyTransformGraph(graph, [{ fare: 3, payment_type: 'Cash', trip_start_hour: 2.5 }], { outputs: ['trip_start_hour_xf'] })).toThrow(
      /must be an integer/,
    );
  });
});

describe('mappers: the JS and SQL faces agree', () => {
  it('on every op over taxi columns', async () => {
    const dir = tempDir('tfx-ts-ops-');
    const examples = await writeTaxiExamples(path.join(dir, 'examples'), { limit: 3000 });
    const files = splitFiles(examples.uri, 'train');
    await DuckSession.with(async (db) => {
      const rawFeatures = await describeExamples(db, files);
      const traced = await tracePreprocessingFn((i: PreprocessingInputs, t) => {
        const miles = i.trip_miles;
        const company = i.company;
        return {
          add: miles.add(i.fare),
          sub: i.fare.sub(miles.mul(2)),
          div: i.tips.div(i.fare),
          filled: i.dropoff_latitude.fillMissing(41.9),
          missing: i.company.isMissing(),
          gt: i.tips.gt(i.fare.mul(0.2)),
          le: miles.le(1),
          eq: i.payment_type.eq('Cash'),
          ne: i.trip_start_hour.ne(3),
          and: miles.gt(1).and(i.fare.lt(10)),
          or: miles.gt(5).or(i.payment_type.eq('Cash')),
          not: miles.gt(1).not(),
          neg: i.fare.neg(),
          abs: i.fare.sub(10).abs(),
          log1p: miles.log1p(),
          log: i.fare.log(),
          sqrt: i.fare.sub(5).sqrt(),
          exp: miles.clip(0, 5).exp(),
          sigmoid: miles.sub(3).sigmoid(),
          floor: miles.floor(),
          clip: i.fare.clip(2, 30),
          whereNum: t.where(miles.gt(2), miles, i.fare),
          whereStr: t.where(company.isMissing(), 'none', company.fillMissing()),
          castInt: miles.cast('int'),
          castStr: i.trip_start_day.cast('string'),
          castBack: i.trip_start_day.cast('string').cast('float'),
          hash: t.hashStrings(i.payment_type, 7),
          buckets: t.applyBuckets(i.fare, [5, 10, 20]),
          vocabFixed: t.applyVocabulary(company, ['Flash Cab', 'Taxi Affiliation Services'], { numOovBuckets: 3 }),
          z: t.scaleToZScore(miles.fillMissing()),
          s01: t.scaleTo01(i.fare),
          vocab: t.computeAndApplyVocabulary(company.fillMissing(), { topK: 5, numOovBuckets: 2 }),
          bucketized: t.bucketize(i.trip_seconds, 4),
          centred: i.fare.sub(t.mean(i.fare)).div(t.max(i.fare)),
          minimum: t.minimum(miles, 3),
          maximum: t.maximum(i.fare, miles),
          nested: t.scaleToZScore(i.fare.sub(t.mean(i.fare))),
        };
      }, rawFeatures);
      const graph = await analyzeTransformGraph(traced, db, files);
      const raw = await readExampleColumns(db, files, rawFeatures);
      const js = applyTransformGraph(graph, raw);
      const casts = rawFeatures.map((f) => `CAST(${sqlIdent(f.name)} AS ${f.dtype === 'string' ? 'VARCHAR' : 'DOUBLE'}) AS ${sqlIdent(f.name)}`).join(', ');
      for (const output of graph.outputs) {
        const reader = await db.connection.runAndReadAll(`SELECT ${outputSql(graph, output.name)} AS v FROM (SELECT ${casts} FROM ${parquetSource(files)})`);
        const sqlValues = (reader.getColumnsObjectJS().v as unknown[]).map((v) =>
          v === null || (typeof v === 'number' && Number.isNaN(v)) ? null : typeof v === 'bigint' ? Number(v) : v,
        );
        const jsValues = Array.from(js.features[output.name] as ArrayLike<unknown>, (v) => (typeof v === 'number' && Number.isNaN(v) ? null : v));
        expect({ output: output.name, values: sqlValues.map((v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)) }).toEqual({
          output: output.name,
          values: jsValues.map((v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)),
        });
      }
    });
  }, 60_000);

  it('hashes with md5 (first 64 bits, big-endian) as documented', () => {
    // md5("Cash") = 069b30db06d047a3...; 0x069b30db06d047a3 mod 10 = 1
    expect(hashBucket('Cash', 10)).toBe(Number(BigInt('0x069b30db06d047a3') % 10n));
  });
});

describe('bad preprocessing modules and data', () => {
  const dir = tempDir('tfx-ts-transform-bad-');
  let examplesUri: string;
  beforeAll(async () => {
    examplesUri = (await writeTaxiExamples(path.join(dir, 'examples'), { limit: 300 })).uri;
  });
  const run = (moduleFile: string, extra: Partial<Parameters<typeof runTransform>[0]> = {}) =>
    runTransform({
      moduleFile,
      preprocessingFn: 'preprocessingFn',
      examplesUri,
      analyzeSplits: ['train'],
      transformSplits: ['train'],
      graphDir: path.join(dir, 'g'),
      ...extra,
    });

  it('names a missing module file', async () => {
    await expect(run(path.join(dir, 'nope.ts'))).rejects.toThrow(/Module file not found: .*nope\.ts/);
  });

  it('names the missing export', async () => {
    const file = writeFile(dir, 'wrong_export.ts', 'export function preprocess() { return {}; }\n');
    await expect(run(file)).rejects.toThrow(/does not export a function named "preprocessingFn" \(it exports: preprocess\)/);
  });

  it('points the stack of a throwing preprocessingFn into the user file', async () => {
    const file = writeFile(
      dir,
      'throws.ts',
      'export function preprocessingFn(inputs: any) {\n  const x = inputs.fare;\n  throw new Error("boom in user code " + String(Boolean(x)));\n}\n',
    );
    const error = (await run(file).catch((e) => e)) as Error;
    expect(error.message).toMatch(/preprocessingFn in throws\.ts threw: boom in user code/);
    expect(error.stack).toContain(file);
  });

  it('names an input that is not a feature', async () => {
    const file = writeFile(
      dir,
      'unknown_input.ts',
      'export function preprocessingFn(inputs: any, tft: any) { return { x: tft.scaleToZScore(inputs.fares) }; }\n',
    );
    await expect(run(file)).rejects.toThrow(/read inputs\.fares, which is not a feature of the examples/);
  });

  it('refuses outputs that are not columns and type errors in ops', async () => {
    const notColumn = writeFile(dir, 'not_column.ts', 'export function preprocessingFn(inputs: any) { return { x: 3 }; }\n');
    await expect(run(notColumn)).rejects.toThrow(/output "x" is number 3, not a column/);
    const typeError = writeFile(
      dir,
      'type_error.ts',
      'export function preprocessingFn(inputs: any, tft: any) { return { x: tft.scaleToZScore(inputs.company) }; }\n',
    );
    await expect(run(typeError)).rejects.toThrow(/scaleToZScore: argument 1 is a string column/);
  });

  it('refuses an empty train split and an analyzer that sees no values', async () => {
    const emptyDir = path.join(dir, 'empty');
    await DuckSession.with(async (db) => {
      fs.mkdirSync(path.join(emptyDir, 'Split-train'), { recursive: true });
      await db.run(
        `COPY (SELECT * FROM read_parquet('${splitFiles(examplesUri, 'train')[0]}') LIMIT 0) TO '${path.join(emptyDir, 'Split-train', 'data.parquet')}' (FORMAT parquet)`,
      );
    });
    await expect(run(PREPROCESSING, { examplesUri: emptyDir })).rejects.toThrow(/The train split is empty/);
    const allMissing = writeFile(
      dir,
      'all_missing.ts',
      'export function preprocessingFn(inputs: any, tft: any) { return { x: tft.scaleToZScore(inputs.pickup_census_tract.mul(1).add(inputs.pickup_census_tract)) }; }\n',
    );
    await expect(run(allMissing)).rejects.toThrow(/saw no values in the train split/);
  });

  it('validates a graph file at the edge', () => {
    expect(() => parseTransformGraph({ format: 'x' }, 'g.json')).toThrow(/g\.json is not a valid tfx-ts transform graph/);
    expect(() => TransformOutput.load(path.join(dir, 'missing-dir'))).toThrow(/No transform graph at/);
    const file = writeFile(dir, GRAPH_FILE, '{not json');
    expect(() => TransformOutput.load(file)).toThrow(/is not valid JSON/);
  });

  it('rejects bad analyzer options when the graph is built', async () => {
    const bad = writeFile(dir, 'bad_options.ts', 'export function preprocessingFn(inputs: any, tft: any) { return { x: tft.bucketize(inputs.fare, 0) }; }\n');
    await expect(run(bad)).rejects.toThrow(/bucketize: numBuckets must be a positive integer, got 0/);
    expect(tft).toBeDefined();
  });
});
