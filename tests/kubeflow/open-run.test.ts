/**
 * openRun (context.openRun): a finished Kubeflow run's statistics, schema and anomalies read back
 * from real object stores (SeaweedFS for s3://, fake-gcs-server for gs://). The run is deployed to
 * the KFP test server, its compiled tasks really run through `tfx-ts run-executor` with the output
 * URIs KFP's driver gives (`<root>/<pipeline>/<run id>/<task>/<uuid>/<output>`), and their outputs
 * are uploaded to the bucket as KFP's launcher does after each task.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { CsvExampleGen } from '../../src/components/example_gen/component';
import { ExampleValidator } from '../../src/components/example_validator/component';
import { SchemaGen } from '../../src/components/schema_gen/component';
import { StatisticsGen } from '../../src/components/statistics_gen/component';
import { Pipeline } from '../../src/dsl/pipeline';
import { storeFor, uploadDirectory } from '../../src/io/storage';
import { fetchRun, openRun, OpenRunError, runViews } from '../../src/notebook/open-run';
import { localPathForUri } from '../../src/orchestration/kubeflow/container-entrypoint';
import { deploy } from '../../src/orchestration/kubeflow/deploy';
import type { PipelineSpec } from '../../src/orchestration/kubeflow/ir';
import { executorInputFor, outputUri, resolvedCommandLine, SimulatedRun, taskOrder } from '../../src/testing/kfp-driver';
import { sharedData, tempDir } from '../../src/testing/fixtures';
import { executeNotebook, kernelAvailable, repoRoot } from '../notebooks';
import { startKfpTestServer, KfpTestServer } from '../../src/testing/kfp-test-server';
import { createGcsBucket, createS3Bucket, objectStoreServers, ObjectStoreServers } from '../../src/testing/object-stores';
import { loadStatistics } from '../../src/stats/io';
import { labBridge } from '../../src/notebook/lab-bridge';
import { BRIDGE_MARKER, openRunCellCode } from '../../src/protocol/bridge';

async function bridgeOpenRun(options: unknown): Promise<any> {
  const { out } = await quietly(() => labBridge.openRun(options));
  const line = out.split('\n').find((l) => l.startsWith(BRIDGE_MARKER))!;
  return JSON.parse(line.slice(BRIDGE_MARKER.length));
}

const taxiCsv = path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv');

async function quietly<T>(work: () => Promise<T>): Promise<{ value: T; out: string }> {
  const lines: string[] = [];
  const spies = (['log', 'error', 'warn'] as const).map((m) => jest.spyOn(console, m).mockImplementation((...a) => void lines.push(a.map(String).join(' '))));
  try {
    return { value: await work(), out: lines.join('\n') };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

async function errorOf(work: () => Promise<unknown>): Promise<OpenRunError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof OpenRunError) return error;
    throw error;
  }
  throw new Error('expected an OpenRunError');
}

describe('openRun: a finished KFP run read back from object storage', () => {
  let stores: ObjectStoreServers;
  let kfp: KfpTestServer;
  const cacheDir = tempDir();

  beforeAll(async () => {
    // The bridge call uses the default cache: the same directory here.
    process.env.TFX_TS_RUN_CACHE = cacheDir;
    stores = await objectStoreServers({ s3: true, gcs: true });
    await createS3Bucket(stores.s3Endpoint, 'open-run');
    await createGcsBucket(stores.gcsEndpoint, 'open-run-gcs');
    kfp = await startKfpTestServer();
  }, 240_000);
  afterAll(async () => {
    await kfp?.close();
    await stores?.close();
  });

  /** Deploys ExampleGen → StatisticsGen → SchemaGen → ExampleValidator, runs its tasks as KFP would, marks the run SUCCEEDED. */
  async function finishedRun(
    pipelineRoot: string,
    name: string,
    server: { url: string; setRunState: (runId: string, state: string, tasks: { name: string; state: string }[]) => void | Promise<void> } = kfp,
  ): Promise<{ runId: string; spec: PipelineSpec; simulated: SimulatedRun }> {
    const lines = fs.readFileSync(taxiCsv, 'utf8').split('\n').slice(0, 401);
    const dataUri = `${pipelineRoot}/data/data.csv`;
    await storeFor(dataUri).write(dataUri, `${lines.join('\n')}\n`);
    const gen = new CsvExampleGen({ inputBase: `${pipelineRoot}/data` });
    const stats = new StatisticsGen({ examples: gen.outputs.examples });
    const schema = new SchemaGen({ statistics: stats.outputs.statistics });
    const validator = new ExampleValidator({ statistics: stats.outputs.statistics, schema: schema.outputs.schema });
    const pipeline = new Pipeline({ pipelineName: name, pipelineRoot, components: [gen, stats, schema, validator] });
    const deployed = await quietly(() =>
      deploy(pipeline, {
        endpoint: server.url,
        authMode: 'none',
        image: 'tfx-ts-runtime:test',
        experimentName: 'open-run',
        projectRoot: tempDir(),
        codePackage: false,
      }),
    );
    const runId = deployed.value.runId!;
    const spec = deployed.value.spec;
    const simulated: SimulatedRun = { spec, pipelineRoot, runId, workDir: tempDir(), launcherLayout: true };
    const mountRoot = tempDir();
    process.env.TFX_TS_KFP_MOUNT_ROOT = mountRoot;
    process.env.TFX_TS_CODE_CACHE = path.join(tempDir(), 'code');
    try {
      for (const task of taskOrder(spec)) {
        const { value: code, out } = await quietly(() => main(['node', ...resolvedCommandLine(simulated, task)]));
        if (code !== 0) throw new Error(`task ${task} failed:\n${out}`);
        // KFP's launcher uploads each output from its local path to the output URI after the task.
        for (const key of Object.keys(executorInputFor(simulated, task).outputs.artifacts ?? {})) {
          const uri = outputUri(simulated, task, key);
          const local = localPathForUri(uri, mountRoot);
          if (fs.existsSync(local)) await uploadDirectory(local, uri);
        }
      }
    } finally {
      delete process.env.TFX_TS_KFP_MOUNT_ROOT;
      delete process.env.TFX_TS_CODE_CACHE;
    }
    await server.setRunState(
      runId,
      'SUCCEEDED',
      taskOrder(spec).map((t) => ({ name: t, state: 'SUCCEEDED' })),
    );
    return { runId, spec, simulated };
  }

  it('opens an s3:// run: downloads statistics, schema and anomalies from where KFP put them and shows the notebook views', async () => {
    const { runId, spec } = await finishedRun('s3://open-run/root', 'open-run-s3');
    // Where the outputs are: <root>/<pipelineInfo.name>/<run id>/<task>/<uuid>/<output>.
    const listed = await storeFor('s3://open-run/root').list(`s3://open-run/root/${spec.pipelineInfo.name}/${runId}/statistics-gen/`);
    expect(listed.some((o) => /\/statistics-gen\/[0-9a-f-]{36}\/statistics\/Split-train\/FeatureStats\.json$/.test(o))).toBe(true);

    const { value: opened, out } = await quietly(() => openRun(runId, { endpoint: kfp.url, authMode: 'none', cacheDir }));
    expect(opened.fromCache).toBe(false);
    expect(opened.state).toBe('SUCCEEDED');
    expect(opened.pipelineRoot).toBe('s3://open-run/root');
    expect(opened.artifacts.map((a) => `${a.task}.${a.output}:${a.type}`)).toEqual([
      'statistics-gen.statistics:ExampleStatistics',
      'schema-gen.schema:Schema',
      'example-validator.anomalies:ExampleAnomalies',
    ]);
    // Outside a notebook the views print their text; in one they are display_data (the kernel test).
    expect(out).toMatch(/Kubeflow run .* \(SUCCEEDED\): statistics-gen\.statistics, schema-gen\.schema, example-validator\.anomalies downloaded \d+ files/);

    // The local copy is byte for byte what the task wrote, and split names come from the Split-* folders.
    const statistics = opened.artifacts[0].artifact;
    expect(statistics.splitNames).toEqual(['train', 'eval']);
    const remote = await storeFor(opened.artifacts[0].remoteUri).read(`${opened.artifacts[0].remoteUri}/Split-train/FeatureStats.json`);
    expect(fs.readFileSync(path.join(statistics.uri, 'Split-train', 'FeatureStats.json')).equals(remote)).toBe(true);
    const numExamples = loadStatistics(statistics).datasets.map((d) => Number(d.numExamples));
    expect(numExamples.reduce((a, b) => a + b, 0)).toBe(400);

    const views = await runViews(opened);
    expect(views).toHaveLength(4);
    expect(String(views[0]['text/html'])).toContain(runId);
    expect(String(views[1]['text/html'])).toMatch(/trip_miles/);
    expect(String(views[2]['text/html'])).toMatch(/fare/);

    // Again without an endpoint: from the cache, no KFP or store call.
    const before = kfp.received.length;
    const { value: cached } = await quietly(() => openRun(runId, { cacheDir }));
    expect(cached.fromCache).toBe(true);
    expect(cached.artifacts.map((a) => a.artifact.uri)).toEqual(opened.artifacts.map((a) => a.artifact.uri));
    expect(kfp.received.length).toBe(before);
  }, 300_000);

  it('opens a gs:// run the same way', async () => {
    const { runId } = await finishedRun('gs://open-run-gcs/pipelines', 'open-run-gcs');
    const { value: opened } = await quietly(() => fetchRun(runId, { endpoint: kfp.url, authMode: 'none', cacheDir }));
    expect(opened.artifacts.map((a) => a.remoteUri)).toEqual([
      expect.stringMatching(new RegExp(`^gs://open-run-gcs/pipelines/open-run-gcs/${runId}/statistics-gen/[0-9a-f-]{36}/statistics$`)),
      expect.stringMatching(/\/schema-gen\/[0-9a-f-]{36}\/schema$/),
      expect.stringMatching(/\/example-validator\/[0-9a-f-]{36}\/anomalies$/),
    ]);
    expect(fs.readFileSync(path.join(opened.artifacts[1].artifact.uri, 'schema.pbtxt'), 'utf8')).toMatch(/name: "fare"/);

    // The panel's bridge call: downloads (here: finds in the cache) and answers with the cell to insert.
    const answer = await bridgeOpenRun({ endpoint: kfp.url, authMode: 'none', runId });
    expect(answer).toMatchObject({
      ok: true,
      result: { runId, state: 'SUCCEEDED', outputs: [{ task: 'statistics-gen', output: 'statistics', type: 'ExampleStatistics' }, {}, {}] },
    });
    expect(answer.result.cellCode).toBe(openRunCellCode(runId, kfp.url));
    expect(answer.result.cellCode).not.toMatch(/token|cookie/i);
  }, 300_000);

  it('clear errors: not finished, not found, artifact missing, store unreachable; nothing half-written is cached', async () => {
    const { runId, spec, simulated } = await finishedRun('s3://open-run/errors', 'open-run-errors');
    const connection = { endpoint: kfp.url, authMode: 'none' as const, cacheDir };
    const partials = () => fs.readdirSync(cacheDir).filter((f) => f.includes('partial'));

    kfp.setRunState(runId, 'RUNNING');
    const running = await errorOf(() => fetchRun(runId, connection));
    expect(running.code).toBe('RUN_NOT_FINISHED');
    expect(running.message).toMatch(/is RUNNING, not finished[\s\S]*Fix: wait until it has SUCCEEDED/);
    // The panel gets the same code, message and hint.
    expect(await bridgeOpenRun({ endpoint: kfp.url, authMode: 'none', runId })).toEqual({
      ok: false,
      error: { code: 'RUN_NOT_FINISHED', message: running.summary, hint: running.hint },
    });
    expect((await bridgeOpenRun({ endpoint: kfp.url, authMode: 'none', runId: '../etc' })).error.code).toBe('INVALID_OPTIONS');

    const unknown = await errorOf(() => fetchRun('0b6a5bd1-0000-4000-8000-000000000000', connection));
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toMatch(/Run 0b6a5bd1-.* was not found on http:\/\/127\.0\.0\.1:\d+/);

    const notCached = await errorOf(() => fetchRun(runId, { cacheDir }));
    expect(notCached.code).toBe('INVALID_OPTIONS');
    expect(notCached.message).toMatch(/not in the cache[\s\S]*Fix: pass the KFP endpoint/);

    kfp.setRunState(
      runId,
      'SUCCEEDED',
      taskOrder(spec).map((t) => ({ name: t, state: 'SUCCEEDED' })),
    );
    // The store is unreachable from the kernel (wrong endpoint in the environment).
    const saved = process.env.AWS_ENDPOINT_URL_S3;
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:9';
    try {
      const unreachable = await errorOf(() => fetchRun(runId, connection));
      expect(unreachable.code).toBe('STORE_UNREACHABLE');
      expect(unreachable.message).toMatch(/Could not list the run's outputs under s3:\/\/open-run\/errors\/open-run-errors\//);
      expect(unreachable.hint).toMatch(/AWS_ENDPOINT_URL/);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_S3;
      else process.env.AWS_ENDPOINT_URL_S3 = saved;
    }

    // The anomalies were deleted from the bucket: the error names the output and where it was looked for.
    const anomalies = outputUri(simulated, 'example-validator', 'anomalies');
    const s3 = await import('@aws-sdk/client-s3');
    const client = new s3.S3Client({ endpoint: stores.s3Endpoint, forcePathStyle: true, region: 'us-east-1' });
    const key = anomalies.replace('s3://open-run/', '');
    for (const object of await storeFor(anomalies).list(`${anomalies}/`)) {
      await client.send(new s3.DeleteObjectCommand({ Bucket: 'open-run', Key: object.replace('s3://open-run/', '') }));
    }
    expect(key).toMatch(/example-validator/);
    const missing = await errorOf(() => fetchRun(runId, connection));
    expect(missing.code).toBe('ARTIFACT_MISSING');
    expect(missing.message).toMatch(
      /example-validator\.anomalies \(ExampleAnomalies\) under s3:\/\/open-run\/errors\/open-run-errors\/.*\/example-validator\//,
    );
    expect(fs.existsSync(path.join(cacheDir, runId))).toBe(false);
    expect(partials()).toEqual([]);

    // A failed task's outputs are not opened; the others are, and the view says which were left out.
    kfp.setRunState(
      runId,
      'FAILED',
      taskOrder(spec).map((t) => ({ name: t, state: t === 'example-validator' ? 'FAILED' : 'SUCCEEDED' })),
    );
    const { value: failed } = await quietly(() => fetchRun(runId, connection));
    expect(failed.artifacts.map((a) => a.task)).toEqual(['statistics-gen', 'schema-gen']);
    expect(failed.skippedTasks).toEqual([{ task: 'example-validator', state: 'FAILED', reason: 'the task is FAILED' }]);
    expect(String((await runViews(failed))[0]['text/html'])).toMatch(/Not opened: example-validator \(the task is FAILED\)/);
  }, 300_000);

  (kernelAvailable() ? it : it.skip)(
    'from a notebook cell in a real tslab kernel: context.openRun shows the views; the bridge call answers from the cache',
    async () => {
      // The kernel runs while Jest waits (spawnSync): the KFP test server runs as its own process.
      const server = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(repoRoot, 'src', 'testing', 'kfp-test-server.ts'), '--port', '0'], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          readline.createInterface({ input: server.stdout! }).on('line', (line) => {
            const match = /^KFP_TEST_SERVER_URL=(.+)$/.exec(line);
            if (match) resolve(match[1]);
          });
          server.once('exit', (code) => reject(new Error(`test server exited with ${code}`)));
        });
        const setRunState = async (runId: string, state: string, tasks: { name: string; state: string }[]) => {
          const response = await fetch(`${new URL(url).origin}/__test__/runs/${runId}/state`, { method: 'POST', body: JSON.stringify({ state, tasks }) });
          expect(response.ok).toBe(true);
        };
        const { runId } = await finishedRun('s3://open-run/kernel', 'open-run-kernel', { url, setRunState });
        fs.mkdirSync(path.join(repoRoot, '.jupyter-test'), { recursive: true });
        const dir = fs.mkdtempSync(path.join(repoRoot, '.jupyter-test', 'open-run-'));
        const kernelCache = path.join(dir, 'cache');
        const code = (source: string) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source });
        const notebook = {
          nbformat: 4,
          nbformat_minor: 5,
          metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
          cells: [
            code(`import { InteractiveContext } from 'tfx-ts';\nconst context = new InteractiveContext({ pipelineName: 'look', pipelineRoot: 'out' });`),
            code(`await context.openRun(${JSON.stringify(runId)}, { endpoint: ${JSON.stringify(url)} })`),
            code(`await require("tfx-ts").labBridge.openRun(${JSON.stringify({ endpoint: url, authMode: 'none', runId })})`),
            code(openRunCellCode(runId, url)),
          ],
        };
        const file = path.join(dir, 'open-run.ipynb');
        fs.writeFileSync(file, JSON.stringify(notebook));
        let nb: ReturnType<typeof executeNotebook>;
        try {
          nb = executeNotebook(file, { timeoutSeconds: 300, env: { ...stores.env, TFX_TS_RUN_CACHE: kernelCache } });
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
        const join = (v: unknown) => (Array.isArray(v) ? v.join('') : typeof v === 'string' ? v : '');
        const outputs = (i: number) => nb.cells[i].outputs ?? [];
        const htmlOf = (i: number) =>
          outputs(i)
            .filter((o) => o.output_type === 'display_data')
            .map((o) => join(o.data?.['text/html']));
        const textOf = (i: number) =>
          outputs(i)
            .map((o) => join(o.text) + join(o.data?.['text/plain']))
            .join('');
        // The cell shows the run header, then statistics, schema and anomalies as display_data (the notebook's display path).
        const views = htmlOf(1);
        expect(views).toHaveLength(4);
        expect(views[0]).toContain(`run <code>${runId}</code>`);
        expect(views[0]).toMatch(/3 outputs downloaded \d+ files/);
        expect(views[1]).toMatch(/trip_miles/);
        expect(views[2]).toMatch(/fare/);
        expect(textOf(1)).toMatch(new RegExp(`Kubeflow run ${runId} SUCCEEDED: 3 outputs in `));
        // The panel's call finds the run in the kernel's cache and answers with the cell to insert; that cell shows the views again.
        const answer = JSON.parse(
          textOf(2)
            .split('\n')
            .find((l) => l.startsWith(BRIDGE_MARKER))!
            .slice(BRIDGE_MARKER.length),
        );
        expect(answer).toMatchObject({ ok: true, result: { runId, fromCache: true, cellCode: openRunCellCode(runId, url) } });
        expect(htmlOf(3)).toHaveLength(4);
        expect(htmlOf(3)[0]).toMatch(/from the local cache/);
      } finally {
        server.kill('SIGTERM');
      }
    },
    600_000,
  );
});
