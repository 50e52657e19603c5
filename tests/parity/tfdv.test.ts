/**
 * TFDV parity: the same CSV files through TensorFlow Data Validation (generate_statistics_from_csv,
 * infer_schema, validate_statistics) and through tfx-ts (`tfx-ts stats`, `tfx-ts schema infer`,
 * validateStatistics), compared field by field. Tolerances and known deviations: docs/tfx-parity.md.
 * The Python side runs once for the whole file (tests/parity/py/tfdv_oracle.py).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSchema, writeSchema } from '../../src/schema/io';
import type { Schema } from '../../src/schema/types';
import { parseStatisticsList, readStatistics } from '../../src/stats/io';
import type { DatasetFeatureStatistics } from '../../src/stats/types';
import { runCli } from '../../src/testing/cli';
import { sharedData, tempDir } from '../../src/testing/fixtures';
import type { Anomalies } from '../../src/validation/types';
import { validateStatistics } from '../../src/validation/validate';
import { DuckSession, sqlIdent, sqlString } from '../../src/data/duckdb';
import { compareDatasets, TFDV_EPSILON } from './compare';
import { runOracle } from './oracle';

const taxi = path.join(sharedData, 'chicago_taxi');
const penguins = path.join(sharedData, 'penguins');
const SOURCE_CSV: Record<string, string> = {
  taxi: path.join(taxi, 'simple', 'data.csv'),
  tutorial_train: path.join(taxi, 'tfdv_tutorial', 'train.csv'),
  tutorial_eval: path.join(taxi, 'tfdv_tutorial', 'eval.csv'),
  tutorial_serving: path.join(taxi, 'tfdv_tutorial', 'serving.csv'),
  penguins_labelled: path.join(penguins, 'labelled', 'penguins_processed.csv'),
  penguins_skewed: path.join(penguins, 'skewed', 'penguins_processed.csv'),
  penguins_unlabelled: path.join(penguins, 'unlabelled', 'penguins_unlabelled.csv'),
};

/**
 * TFDV decodes CSV floats to float32 (tf.Example's float_list); tfx-ts keeps float64. Both sides read a
 * copy whose FLOAT columns hold the float32 values (written at full precision), so they see identical
 * numbers: TFDV decodes the copy to the same float32 values as the original. What float64 changes
 * for the original file is documented in docs/tfx-parity.md.
 */
async function float32Copy(source: string, target: string): Promise<void> {
  await DuckSession.with(async (db) => {
    const relation = `read_csv(${sqlString(source)}, header=true, auto_type_candidates=['BIGINT','DOUBLE','VARCHAR'], sample_size=-1)`;
    const columns = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${relation}`);
    const select = columns.map((c) =>
      c.column_type === 'DOUBLE' ? `CAST(CAST(${sqlIdent(c.column_name)} AS FLOAT) AS DOUBLE) AS ${sqlIdent(c.column_name)}` : sqlIdent(c.column_name),
    );
    await db.run(`COPY (SELECT ${select.join(', ')} FROM ${relation}) TO ${sqlString(target)} (HEADER)`);
  });
}

/** Exact rank interval [values < v, values <= v] of `v` in a numeric column of a CSV. */
async function ranks(csv: string, column: string, values: number[]): Promise<{ lt: number; le: number }[]> {
  return DuckSession.with(async (db) => {
    const relation = `read_csv(${sqlString(csv)}, header=true, auto_type_candidates=['BIGINT','DOUBLE','VARCHAR'], sample_size=-1)`;
    const out: { lt: number; le: number }[] = [];
    for (const v of values) {
      const [r] = await db.all<{ lt: number; le: number }>(
        `SELECT count(*) FILTER (WHERE ${sqlIdent(column)} < ${v}) AS lt, count(*) FILTER (WHERE ${sqlIdent(column)} <= ${v}) AS le FROM ${relation}`,
      );
      out.push({ lt: Number(r.lt), le: Number(r.le) });
    }
    return out;
  });
}

/** Schema edits as data, applied identically on both sides (the TFDV tutorial's curation steps). */
interface Curation {
  defaultEnvironment?: string[];
  notInEnvironment?: Record<string, string[]>;
  skew?: Record<string, { infinityNorm?: number; jensenShannonDivergence?: number }>;
  drift?: Record<string, { infinityNorm?: number; jensenShannonDivergence?: number }>;
}

interface Validation {
  id: string;
  /** Dataset whose inferred schema (then curated) is the baseline. */
  schema: string;
  stats: string;
  previous?: string;
  serving?: string;
  environment?: string;
  curation?: Curation;
}

const servingEnvironment = (label: string): Curation => ({ defaultEnvironment: ['TRAINING', 'SERVING'], notInEnvironment: { [label]: ['SERVING'] } });

const VALIDATIONS: Validation[] = [
  { id: 'tutorial eval against the train schema', schema: 'tutorial_train', stats: 'tutorial_eval' },
  { id: 'taxi sample schema against the tutorial eval split', schema: 'taxi', stats: 'tutorial_eval' },
  { id: 'tutorial serving without environments', schema: 'tutorial_train', stats: 'tutorial_serving' },
  {
    id: 'tutorial serving in the SERVING environment',
    schema: 'tutorial_train',
    stats: 'tutorial_serving',
    environment: 'SERVING',
    curation: servingEnvironment('tips'),
  },
  {
    id: 'tutorial drift (L-infinity, Jensen-Shannon) and skew',
    schema: 'tutorial_train',
    stats: 'tutorial_train',
    previous: 'tutorial_eval',
    serving: 'tutorial_serving',
    curation: {
      ...servingEnvironment('tips'),
      skew: { payment_type: { infinityNorm: 0.01 }, fare: { jensenShannonDivergence: 0.01 } },
      drift: { company: { infinityNorm: 0.001 }, trip_miles: { jensenShannonDivergence: 0.01 }, trip_start_hour: { jensenShannonDivergence: 0.001 } },
    },
  },
  {
    id: 'penguins skewed against the labelled schema, with drift',
    schema: 'penguins_labelled',
    stats: 'penguins_skewed',
    previous: 'penguins_labelled',
    curation: {
      drift: { culmen_length_mm: { jensenShannonDivergence: 0.01 }, body_mass_g: { jensenShannonDivergence: 0.01 }, species: { infinityNorm: 0.01 } },
    },
  },
  {
    id: 'penguins unlabelled in the SERVING environment',
    schema: 'penguins_labelled',
    stats: 'penguins_unlabelled',
    environment: 'SERVING',
    curation: servingEnvironment('species'),
  },
];

function curate(schema: Schema, curation: Curation = {}): Schema {
  const copy: Schema = JSON.parse(JSON.stringify(schema));
  const feature = (name: string) => {
    const f = copy.feature.find((x) => x.name === name);
    if (!f) throw new Error(`curation names ${name}, which the schema does not have`);
    return f;
  };
  if (curation.defaultEnvironment) copy.defaultEnvironment = [...(copy.defaultEnvironment ?? []), ...curation.defaultEnvironment];
  for (const [name, envs] of Object.entries(curation.notInEnvironment ?? {})) feature(name).notInEnvironment = envs;
  for (const kind of ['skew', 'drift'] as const) {
    for (const [name, c] of Object.entries(curation[kind] ?? {})) {
      const comparator = {
        ...(c.infinityNorm !== undefined ? { infinityNorm: { threshold: c.infinityNorm } } : {}),
        ...(c.jensenShannonDivergence !== undefined ? { jensenShannonDivergence: { threshold: c.jensenShannonDivergence } } : {}),
      };
      if (kind === 'skew') feature(name).skewComparator = comparator;
      else feature(name).driftComparator = comparator;
    }
  }
  return copy;
}

/** The parts of an Anomalies message both sides produce, in a comparable order. */
function normalizeAnomalies(anomalies: Anomalies) {
  const info = Object.fromEntries(
    Object.entries(anomalies.anomalyInfo ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, a]) => [
        name,
        {
          severity: a.severity,
          shortDescription: a.shortDescription,
          description: a.description,
          reason: a.reason.map((r) => ({ type: r.type, shortDescription: r.shortDescription, description: r.description })),
        },
      ]),
  );
  const dataset = anomalies.datasetAnomalyInfo?.reason?.map((r) => ({ type: r.type, description: r.description })) ?? [];
  const driftSkew = (anomalies.driftSkewInfo ?? [])
    .map((d) => ({
      path: d.path.step.join('.'),
      drift: (d.driftMeasurements ?? []).map((m) => ({ type: m.type, threshold: m.threshold, value: m.value })),
      skew: (d.skewMeasurements ?? []).map((m) => ({ type: m.type, threshold: m.threshold, value: m.value })),
    }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  return { info, dataset, driftSkew };
}

describe('TFDV parity (real TFDV 1.16 in the tfx venv)', () => {
  jest.setTimeout(300_000);
  const dir = tempDir('tfx-ts-parity-tfdv-');
  const ourStatsFile = (name: string) => path.join(dir, `${name}.stats.json`);
  const ourSchemaFile = (name: string) => path.join(dir, `${name}.schema.pbtxt`);
  const ours: Record<string, DatasetFeatureStatistics> = {};
  const CSV: Record<string, string> = Object.fromEntries(Object.keys(SOURCE_CSV).map((name) => [name, path.join(dir, `${name}.f32.csv`)]));
  /** Per dataset, numeric features whose quantiles TFDV's sketch approximated (within its rank error). */
  const approximated: Record<string, Set<string>> = {};
  const sketchErrors: Record<string, string[]> = {};
  const distinctValues: Record<string, Record<string, number>> = {};
  const ourAnomalies: Record<string, Anomalies> = {};
  let oracle: {
    stats: Record<string, unknown>;
    schemas: Record<string, { tfdv: unknown; ours: unknown; equal: boolean }>;
    validations: Record<string, { tfdv: Anomalies; tfdvOnOurs: Anomalies; curatedSchemaEqual: boolean }>;
    binary: Record<string, { equalsJson: boolean; numExamples: number; htmlLength: number; htmlHasFacets: boolean }>;
    seconds: Record<string, number>;
  };

  beforeAll(async () => {
    for (const [name, source] of Object.entries(SOURCE_CSV)) await float32Copy(source, CSV[name]);
    // Our side through the CLI users run.
    for (const [name, csv] of Object.entries(CSV)) {
      const stats = await runCli('stats', csv, '-o', ourStatsFile(name), '--name', name);
      if (stats.code !== 0) throw new Error(`tfx-ts stats ${csv}: ${stats.err}`);
      ours[name] = readStatistics(ourStatsFile(name)).datasets[0];
      const binary = await runCli('stats', csv, '-o', path.join(dir, `${name}.stats.pb`), '--name', name);
      if (binary.code !== 0) throw new Error(`tfx-ts stats ${csv} -o .pb: ${binary.err}`);
      const schema = await runCli('schema', 'infer', ourStatsFile(name), '-o', ourSchemaFile(name));
      if (schema.code !== 0) throw new Error(`tfx-ts schema infer ${name}: ${schema.err}`);
    }
    const requests = VALIDATIONS.map((v, i) => {
      const curated = path.join(dir, `curated-${i}.pbtxt`);
      writeSchema(curate(readSchema(ourSchemaFile(v.schema)), v.curation), curated);
      ourAnomalies[v.id] = validateStatistics(ours[v.stats], readSchema(curated), {
        environment: v.environment,
        previousStatistics: v.previous ? ours[v.previous] : undefined,
        servingStatistics: v.serving ? ours[v.serving] : undefined,
      });
      return {
        ...v,
        ours: {
          schema: curated,
          stats: ourStatsFile(v.stats),
          previous: v.previous && ourStatsFile(v.previous),
          serving: v.serving && ourStatsFile(v.serving),
        },
      };
    });
    oracle = await runOracle('tfdv_oracle', {
      stats: CSV,
      schemas: Object.fromEntries(Object.keys(CSV).map((name) => [name, { stats: name, ours: ourSchemaFile(name) }])),
      validations: requests,
      binary: Object.fromEntries(Object.keys(CSV).map((name) => [name, { pb: path.join(dir, `${name}.stats.pb`), json: ourStatsFile(name) }])),
    });
    // Where TFDV's quantiles differ from the exact ones, its sketch was approximate: check each of
    // its boundaries against the exact ranks in the data, within the sketch's guaranteed error.
    for (const name of Object.keys(CSV)) {
      approximated[name] = new Set();
      sketchErrors[name] = [];
      distinctValues[name] = {};
      const theirs = parseStatisticsList(oracle.stats[name], name).datasets[0];
      for (const t of theirs.features) {
        const o = ours[name].features.find((f) => f.path.step.join('.') === t.path.step.join('.'));
        if (!t.numStats || !o?.numStats) continue;
        const q = (f: typeof t) => f.numStats!.histograms.find((h) => h.type === 'QUANTILES')!;
        const exact = o.numStats.median === t.numStats.median && JSON.stringify(q(o)) === JSON.stringify(q(t));
        if (exact) continue;
        const feature = t.path.step.join('.');
        approximated[name].add(feature);
        distinctValues[name][feature] = await DuckSession.with(async (db) =>
          Number((await db.all<{ d: number }>(`SELECT count(DISTINCT ${sqlIdent(feature)}) AS d FROM read_csv(${sqlString(CSV[name])}, header=true)`))[0].d),
        );
        const n = t.numStats.commonStats.totNumValues;
        const buckets = q(t).buckets;
        const targets = [
          ...buckets.slice(0, -1).map((b, k) => ({ value: b.highValue, rank: ((k + 1) * n) / buckets.length, what: `QUANTILES boundary ${k + 1}` })),
          { value: t.numStats.median, rank: n / 2, what: 'median' },
        ];
        const exactRanks = await ranks(
          CSV[name],
          feature,
          targets.map((x) => x.value),
        );
        targets.forEach((x, i) => {
          const { lt, le } = exactRanks[i];
          if (x.rank < lt - TFDV_EPSILON * n || x.rank > le + TFDV_EPSILON * n)
            sketchErrors[name].push(`${feature}: TFDV's ${x.what} ${x.value} has exact rank [${lt}, ${le}], target ${x.rank} ± ${TFDV_EPSILON * n}`);
        });
        buckets.forEach((b, k) => {
          if (Math.abs(b.sampleCount - n / buckets.length) > 2 * TFDV_EPSILON * n)
            sketchErrors[name].push(`${feature}: TFDV's QUANTILES bucket ${k} holds ${b.sampleCount}, not ${n / buckets.length} ± ${2 * TFDV_EPSILON * n}`);
        });
      }
    }
  }, 50 * 60_000);

  describe('generate_statistics_from_csv vs tfx-ts stats, field by field', () => {
    it.each(Object.keys(SOURCE_CSV))('%s', (name) => {
      const theirs = parseStatisticsList(oracle.stats[name], `TFDV statistics of ${name}`).datasets[0];
      expect(compareDatasets(ours[name], theirs, { features: approximated[name] })).toEqual([]);
      // TFDV's approximate quantiles are within its sketch's rank error of the exact ones ...
      expect(sketchErrors[name]).toEqual([]);
      // ... and only where the sketch can have compressed: more than 1/epsilon distinct values.
      for (const feature of approximated[name]) {
        const f = ours[name].features.find((x) => x.path.step.join('.') === feature)!;
        expect([feature, f.numStats!.histograms.length, distinctValues[name][feature] > 1 / TFDV_EPSILON]).toEqual([feature, 2, true]);
      }
    });
  });

  describe('infer_schema vs SchemaGen (our schema.pbtxt parsed by protobuf, compared as protos)', () => {
    it.each(Object.keys(SOURCE_CSV))('%s', (name) => {
      const { tfdv, ours: ourProto, equal } = oracle.schemas[name];
      expect(ourProto).toEqual(tfdv);
      expect(equal).toBe(true);
    });
  });

  describe('validate_statistics vs ExampleValidator: anomaly types, features, descriptions, drift/skew values', () => {
    it.each(VALIDATIONS.map((v) => v.id))('%s', (id) => {
      const result = oracle.validations[id];
      expect(result.curatedSchemaEqual).toBe(true);
      const mine = normalizeAnomalies(ourAnomalies[id]);
      // TFDV on exactly our statistics and schema: same anomalies, same texts, same measurements.
      expect(mine).toEqual(normalizeAnomalies(result.tfdvOnOurs));
      // And TFDV end to end on its own statistics: the same again.
      expect(mine).toEqual(normalizeAnomalies(result.tfdv));
    });
  });

  describe('FeatureStats.pb: tfdv.load_stats_binary reads our binary statistics', () => {
    it.each(Object.keys(SOURCE_CSV))('%s: equal to our JSON as protos, rendered by visualize_statistics', (name) => {
      expect(oracle.binary[name]).toEqual({ equalsJson: true, numExamples: ours[name].numExamples, htmlLength: expect.any(Number), htmlHasFacets: true });
    });
  });

  afterAll(() => {
    if (oracle) fs.writeFileSync(path.join(dir, 'tfdv-seconds.json'), JSON.stringify(oracle.seconds, null, 1));
  });
});
