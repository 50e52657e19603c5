import { execFileSync, spawnSync } from 'node:child_process';
import { runCli } from '../../testing/cli';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, sharedData, tempDir, writeFile } from '../../testing/fixtures';

const tutorial = path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial');

const cli = runCli;

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('tfx-ts stats / schema infer / validate (in process)', () => {
  jest.setTimeout(120_000);
  const dir = tempDir();
  const file = (name: string) => path.join(dir, name);

  it('stats → DatasetFeatureStatisticsList JSON named after the file', async () => {
    const r = await cli('stats', path.join(tutorial, 'train.csv'), '-o', file('train.json'));
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('train.csv: 10000 examples, 18 features');
    const stats = readJson(file('train.json'));
    expect(stats.datasets[0]).toMatchObject({ name: 'train.csv', numExamples: 10000 });
    expect(stats.datasets[0].features.find((f: any) => f.path.step[0] === 'fare').numStats.histograms.map((h: any) => h.type)).toEqual([
      'STANDARD',
      'QUANTILES',
    ]);
    expect((await cli('stats', path.join(tutorial, 'eval.csv'), '-o', file('eval.json'))).code).toBe(0);
    expect((await cli('stats', path.join(tutorial, 'serving.csv'), '-o', file('serving.json'))).code).toBe(0);
  });

  it('schema infer → schema.pbtxt or JSON by extension', async () => {
    const r = await cli('schema', 'infer', file('train.json'), '-o', file('schema.pbtxt'));
    expect(r.code).toBe(0);
    const text = fs.readFileSync(file('schema.pbtxt'), 'utf8');
    expect(text).toMatch(/^feature \{\n  name: "pickup_community_area"/);
    expect(text).toContain('string_domain {\n  name: "payment_type"');
    expect(text).toContain(
      'name: "fare"\n  type: FLOAT\n  presence {\n    min_fraction: 1.0\n    min_count: 1\n  }\n  shape {\n    dim {\n      size: 1\n    }\n  }',
    );
    expect((await cli('schema', 'infer', file('train.json'), '-o', file('schema.json'), '--no-infer-feature-shape')).code).toBe(0);
    const json = readJson(file('schema.json'));
    expect(json.feature.find((f: any) => f.name === 'fare').valueCount).toEqual({ min: 1, max: 1 });
  });

  it('validate → Anomalies JSON, a line per anomaly, exit 0 either way', async () => {
    const r = await cli('validate', file('eval.json'), '--schema', file('schema.pbtxt'), '-o', file('anomalies.json'));
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines.filter((l) => /^(company|payment_type): ENUM_TYPE_UNEXPECTED_STRING_VALUES: Unexpected string values: /.test(l))).toHaveLength(2);
    expect(lines[lines.length - 1]).toMatch(/^2 anomalies; wrote /);
    const anomalies = readJson(file('anomalies.json'));
    expect(anomalies.anomalyInfo.payment_type.reason[0].type).toBe('ENUM_TYPE_UNEXPECTED_STRING_VALUES');
    expect(anomalies.baseline.feature).toHaveLength(18);

    const clean = await cli('validate', file('train.json'), '--schema', file('schema.pbtxt'), '-o', file('none.json'));
    expect(clean.code).toBe(0);
    expect(clean.out).toMatch(/^No anomalies found; wrote /);
    expect(readJson(file('none.json')).anomalyInfo).toEqual({});
  });

  it('validate with --environment SERVING, --previous (drift) and --serving (skew)', async () => {
    const schemaText = fs
      .readFileSync(file('schema.pbtxt'), 'utf8')
      .replace('name: "tips"', 'name: "tips"\n  not_in_environment: "SERVING"')
      .replace('name: "payment_type"\n', 'name: "payment_type"\n  drift_comparator { infinity_norm { threshold: 0.001 } }\n')
      .concat('default_environment: "TRAINING"\ndefault_environment: "SERVING"\n');
    const schema = writeFile(dir, 'curated.pbtxt', schemaText);
    const missing = await cli('validate', file('serving.json'), '--schema', file('schema.pbtxt'), '-o', file('s1.json'));
    expect(missing.out).toContain('tips: SCHEMA_MISSING_COLUMN: Column dropped: Column is completely missing');
    const serving = await cli('validate', file('serving.json'), '--schema', schema, '--environment', 'SERVING', '-o', file('s2.json'));
    expect(serving.out).not.toContain('tips:');
    const drift = await cli(
      'validate',
      file('eval.json'),
      '--schema',
      schema,
      '--previous',
      file('train.json'),
      '--serving',
      file('serving.json'),
      '-o',
      file('d.json'),
    );
    expect(drift.code).toBe(0);
    expect(drift.out).toMatch(/payment_type: ENUM_TYPE_UNEXPECTED_STRING_VALUES, COMPARATOR_L_INFTY_HIGH: Multiple errors: /);
    expect(readJson(file('d.json')).driftSkewInfo[0]).toMatchObject({
      path: { step: ['payment_type'] },
      driftMeasurements: [{ type: 'L_INFTY', threshold: 0.001 }],
    });
  });

  it('bad input: one clear error and exit code 2', async () => {
    const wrongShape = writeFile(dir, 'wrong.json', JSON.stringify({ datasets: [{ name: 'x', numExamples: 'many' }] }));
    const r1 = await cli('validate', wrongShape, '--schema', file('schema.pbtxt'), '-o', file('x.json'));
    expect(r1.code).toBe(2);
    expect(r1.err).toMatch(/wrong\.json is not a TFDV DatasetFeatureStatisticsList: datasets\.0\.numExamples/);
    const badSchema = writeFile(dir, 'bad.pbtxt', 'feature {\n  name: "fare"\n  type: DOUBLE\n}\n');
    const r2 = await cli('validate', file('eval.json'), '--schema', badSchema, '-o', file('x.json'));
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/bad\.pbtxt:3:9: invalid value "DOUBLE" for enum field "type"/);
    const r3 = await cli('stats', path.join(dir, 'nope.csv'), '-o', file('x.json'));
    expect(r3).toMatchObject({ code: 2 });
    expect(r3.err).toMatch(/does not exist/);
    const r4 = await cli('validate', file('eval.json'), '--schema', file('schema.pbtxt'), '--environment', 'SERVING', '-o', file('x.json'));
    expect(r4.err).toMatch(/Environment SERVING not found in the schema/);
    const r5 = await cli('stats', path.join(tutorial, 'train.csv'));
    expect(r5.code).not.toBe(0);
    expect(r5.err).toMatch(/required option '-o, --output <stats.json\|stats.pb>'/);
  });
});

describe('tfx-ts stats (spawned, built CLI)', () => {
  jest.setTimeout(240_000);

  it('runs from bin/tfx-ts.js after npm run build', () => {
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'pipe' });
    const dir = tempDir();
    const output = path.join(dir, 'stats.json');
    const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'tfx-ts.js'), 'stats', path.join(tutorial, 'serving.csv'), '-o', output], {
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(output, 'utf8')).datasets[0]).toMatchObject({ name: 'serving.csv', numExamples: 100 });
  });
});
