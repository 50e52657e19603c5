import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../cli/main';
import { DuckSession } from '../data/duckdb';
import { repoRoot, tempDir, writeFile } from '../testing/fixtures';
import { writeTaxiExamples } from '../testing/modeling-fixtures';
import { applyTransformGraph } from '../transform/apply';
import { describeExamples, readExampleColumns, splitFiles } from '../transform/example-io';
import { runTransform } from '../transform/run';
import { TransformOutput } from '../transform/transform-output';
import { dataAccessor } from '../trainer/dataset';
import { ModelBundle } from '../model/bundle';
import { runTrainer } from '../trainer/run';
import { ModelServer, startModelServer } from './server';

const TAXI = path.join(repoRoot, 'notebooks', 'taxi');

describe('serving a trained taxi model', () => {
  const dir = tempDir('tfx-ts-serving-');
  const base = path.join(dir, 'serving_model');
  let bundleDir: string;
  let examplesUri: string;
  let server: ModelServer;
  let rows: Record<string, unknown>[];

  beforeAll(async () => {
    examplesUri = (await writeTaxiExamples(path.join(dir, 'examples'), { limit: 3000 })).uri;
    await runTransform({
      moduleFile: path.join(TAXI, 'preprocessing.ts'),
      preprocessingFn: 'preprocessingFn',
      examplesUri,
      analyzeSplits: ['train'],
      transformSplits: [],
      graphDir: path.join(dir, 'graph'),
    });
    bundleDir = path.join(dir, 'model', 'Format-Serving');
    await runTrainer({
      moduleFile: path.join(TAXI, 'model.ts'),
      runFn: 'runFn',
      examplesUri,
      trainSplits: ['train'],
      evalSplits: ['eval'],
      trainSteps: 60,
      evalSteps: 10,
      transformGraphDir: path.join(dir, 'graph'),
      hyperparameters: { hiddenUnits: [8] },
      customConfig: {},
      seed: 1,
      servingModelDir: bundleDir,
      modelRunDir: path.join(dir, 'run'),
    });
    fs.cpSync(bundleDir, path.join(base, 'taxi', '1'), { recursive: true });
    server = await startModelServer({ modelBasePath: base, modelName: 'taxi', port: 0, pollIntervalMs: 50, maxBodyBytes: 20_000 });
    const columns = await DuckSession.with(async (db) => {
      const files = splitFiles(examplesUri, 'eval');
      return readExampleColumns(db, files, await describeExamples(db, files));
    });
    const signature = server.repository.current!.bundle.signature;
    rows = Array.from({ length: 20 }, (_, i) =>
      Object.fromEntries(
        signature.inputs.map((f) => {
          const v = columns.columns[f.name][i];
          return [f.name, typeof v === 'number' && Number.isNaN(v) ? null : v];
        }),
      ),
    );
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  const call = async (method: string, urlPath: string, body?: unknown) => {
    const response = await fetch(`${server.url}${urlPath}`, {
      method,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  it('reports version status and metadata like TF Serving', async () => {
    const status = await call('GET', '/v1/models/taxi');
    expect(status).toEqual({
      status: 200,
      json: { model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] },
    });
    const metadata = await call('GET', '/v1/models/taxi/metadata');
    const def = (metadata.json.metadata as { signature_def: { signature_def: Record<string, { inputs: Record<string, { dtype: string }> }> } }).signature_def
      .signature_def.serving_default;
    expect(def.inputs.fare.dtype).toBe('DT_FLOAT');
    expect(def.inputs.payment_type.dtype).toBe('DT_STRING');
    expect(def.inputs.trip_start_hour.dtype).toBe('DT_INT64');
    expect(def.inputs.tips).toBeUndefined();
  });

  it("gives the same features on the Trainer, Evaluator and serving paths, and the Evaluator's scores", async () => {
    const bundle = await ModelBundle.load(bundleDir);
    const graph = TransformOutput.load(path.join(dir, 'graph')).graph;
    const inputs = bundle.signature.modelInputs;
    // Trainer: the data accessor over the raw eval Parquet.
    const trainerView = await dataAccessor.tfDatasetFactory(splitFiles(examplesUri, 'eval'), { featureKeys: inputs }, path.join(dir, 'graph'));
    // Evaluator: raw columns from Parquet through the bundle.
    const raw = await DuckSession.with(async (db) => {
      const files = splitFiles(examplesUri, 'eval');
      return readExampleColumns(db, files, await describeExamples(db, files));
    });
    const evaluatorView = bundle.transformedInputs(raw);
    // Serving: JSON rows as a client sends them.
    const servingView = bundle.transformedInputs(rows);
    inputs.forEach((name, i) => {
      const trainer = Array.from(trainerView.features[name].subarray(0, 20));
      expect(Array.from(evaluatorView.inputs[i].subarray(0, 20))).toEqual(trainer);
      expect(Array.from(servingView.inputs[i])).toEqual(trainer);
      expect(trainer).toEqual(Array.from(Float32Array.from(applyTransformGraph(graph, rows, { outputs: [name] }).features[name] as Float64Array)));
    });
    const evaluatorScores = Array.from(bundle.predict(raw).values.subarray(0, 20));
    const served = await call('POST', '/v1/models/taxi:predict', { instances: rows });
    expect(served.status).toBe(200);
    expect((served.json.predictions as number[][]).map((p) => p[0])).toEqual(evaluatorScores);
    const columnar = await call('POST', '/v1/models/taxi/versions/1:predict', {
      inputs: Object.fromEntries(Object.keys(rows[0]).map((k) => [k, rows.map((r) => r[k])])),
    });
    expect((columnar.json.outputs as number[][]).map((p) => p[0])).toEqual(evaluatorScores);
    bundle.dispose();
  });

  it("answers concurrent requests (batched together) with each request's own scores", async () => {
    const single = await Promise.all(rows.map((row) => call('POST', '/v1/models/taxi:predict', { instances: [row] })));
    const together = await call('POST', '/v1/models/taxi:predict', { instances: rows });
    expect(single.map((r) => (r.json.predictions as number[][])[0][0])).toEqual((together.json.predictions as number[][]).map((p) => p[0]));
  });

  it('rejects malformed requests with TF Serving-style error JSON', async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/v1/models/taxi:predict', '{"instances": [', 400, /JSON Parse error/],
      ['POST', '/v1/models/taxi:predict', {}, 400, /Missing 'inputs' or 'instances' key/],
      ['POST', '/v1/models/taxi:predict', { instances: [] }, 400, /non-empty list/],
      ['POST', '/v1/models/taxi:predict', { instances: [{ ...rows[0], tip_percent: 3 }] }, 400, /instances\[0\] has unknown feature\(s\): tip_percent/],
      ['POST', '/v1/models/taxi:predict', { instances: [{ ...rows[0], fare: undefined }] }, 400, /instances\[0\] is missing feature\(s\): fare/],
      ['POST', '/v1/models/taxi:predict', { instances: [{ ...rows[0], fare: 'twelve' }] }, 400, /feature "fare" must be a number, got string "twelve"/],
      ['POST', '/v1/models/taxi:predict', { instances: [rows[0]], signature_name: 'predict_v2' }, 400, /"predict_v2" not found/],
      ['POST', '/v1/models/taxi:predict', { inputs: { fare: [1, 2] } }, 400, /missing feature/],
      ['POST', '/v1/models/taxi:predict', { instances: Array(400).fill(rows[0]) }, 413, /Request body too large/],
      ['POST', '/v1/models/other:predict', { instances: [rows[0]] }, 404, /Servable not found for request: Latest\(other\)/],
      ['GET', '/v1/models/taxi/versions/7', undefined, 404, /Could not find version 7 of model taxi/],
      ['GET', '/v1/models/..%2F..%2Fetc', undefined, 400, /Invalid model name "..\/..\/etc"/],
      ['GET', '/v1/models/taxi/versions/latest', undefined, 400, /versions are integers/],
      ['GET', '/v1/models/taxi:predict', undefined, 405, /use POST/],
      ['GET', '/v2/anything', undefined, 404, /Malformed request/],
    ];
    for (const [method, url, body, status, message] of cases) {
      const response = await call(method, url, body);
      expect({ url, status: response.status }).toEqual({ url, status });
      expect(Object.keys(response.json)).toEqual(['error']);
      expect(String(response.json.error)).toMatch(message);
    }
  });

  it('picks up a newly pushed version without a restart', async () => {
    fs.mkdirSync(path.join(base, 'taxi', '.tmp-2'), { recursive: true });
    fs.cpSync(bundleDir, path.join(base, 'taxi', '2'), { recursive: true });
    let version = '1';
    for (let i = 0; i < 200 && version !== '2'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      version = ((await call('GET', '/v1/models/taxi')).json.model_version_status as { version: string }[])[0].version;
    }
    expect(version).toBe('2');
    expect((await call('POST', '/v1/models/taxi/versions/2:predict', { instances: [rows[0]] })).status).toBe(200);
    expect((await call('POST', '/v1/models/taxi/versions/1:predict', { instances: [rows[0]] })).status).toBe(404);
  });

  it('predicts from a JSON file on the command line, and refuses a bad one', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    const error = jest.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
    try {
      const request = writeFile(dir, 'request.json', JSON.stringify(rows.slice(0, 3)));
      expect(await main(['node', 'tfx-ts', 'predict', '--model', path.join(base, 'taxi'), '--json', request])).toBe(0);
      expect((JSON.parse(out.join('')).predictions as number[][]).length).toBe(3);
      const bad = writeFile(dir, 'bad.json', JSON.stringify({ instances: [{ fare: 1 }] }));
      expect(await main(['node', 'tfx-ts', 'predict', '--model', bundleDir, '--json', bad])).toBe(2);
      expect(err.join('\n')).toMatch(/Invalid request: instances\[0\] is missing feature\(s\)/);
      expect(await main(['node', 'tfx-ts', 'predict', '--model', dir, '--json', bad])).toBe(2);
      expect(err.join('\n')).toMatch(/is neither a model bundle nor a directory of pushed versions/);
      expect(await main(['node', 'tfx-ts', 'serve', '--model-base-path', base, '--model-name', 'taxi', '--port', 'eighty'])).toBe(2);
      expect(err.join('\n')).toMatch(/--port must be an integer from 0 to 65535, got "eighty"/);
      expect(await main(['node', 'tfx-ts', 'serve', '--model-base-path', base, '--model-name', '../taxi'])).toBe(2);
      expect(err.join('\n')).toMatch(/Model name "..\/taxi" is not allowed/);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });
});
