import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { z } from 'zod';
import { standardArtifacts } from '../dsl/artifact';
import { defineComponent } from '../dsl/component';
import { CsvExampleGen } from '../components/example_gen/component';
import { StatisticsGen } from '../components/statistics_gen/component';
import { InteractiveContext } from './interactive-context';
import { startKfpTestServer, KfpTestServer } from '../testing/kfp-test-server';
import { sharedData, tempDir, writeFile } from '../testing/fixtures';
import { labBridge } from './lab-bridge';
import { BRIDGE_MARKER } from '../protocol/bridge';
import { validatePipelineSpec } from '../orchestration/kubeflow/validate';

const TOKEN = 'bridge-SECRET-token-9931';
const COOKIE = 'authservice_session=bridge-SECRET-cookie-2208';

/** A component a notebook user might write with an inline function. */
const Scorer = defineComponent({
  type: 'BridgeTestScorer',
  version: '1',
  inputs: { statistics: { type: standardArtifacts.ExampleStatistics } },
  outputs: { model: { type: standardArtifacts.Model } },
  parameters: z.object({ moduleFile: z.string().optional(), scoreFn: z.function().optional() }).strict(),
  fileParameters: ['moduleFile'],
  executor: async () => async () => undefined,
});

type Answer = { ok: true; result: any } | { ok: false; error: { code: string; message: string; hint?: string } };

describe('labBridge (docs/lab-bridge.md) against the KFP test server', () => {
  let server: KfpTestServer;
  let printed: string[];
  const everything: string[] = [];

  async function call(method: keyof typeof labBridge, options?: unknown): Promise<Answer> {
    printed = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((...args) => {
      printed.push(args.join(' '));
    });
    try {
      const returned = await (labBridge[method] as (o?: unknown) => Promise<unknown>)(options);
      expect(returned).toBeUndefined(); // tslab would print a returned value as extra output
    } finally {
      spy.mockRestore();
    }
    everything.push(...printed);
    const markers = printed.filter((line) => line.startsWith(BRIDGE_MARKER));
    expect(markers).toHaveLength(1);
    return JSON.parse(markers[0].slice(BRIDGE_MARKER.length));
  }
  const connection = () => ({ endpoint: server.url, namespace: 'team-a', authMode: 'bearer', token: TOKEN });

  beforeAll(async () => {
    server = await startKfpTestServer({ pathPrefix: '/pipeline', requireAuth: { bearer: TOKEN, cookie: COOKIE, namespaces: ['team-a'] } });
  });
  afterAll(async () => {
    await server.close();
    // Secrets went to the server as headers and nowhere else: not into any bridge output.
    const all = everything.join('\n');
    expect(all).not.toContain('SECRET');
    expect(server.received.some((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(server.received.some((r) => (r.headers.cookie ?? '').includes(COOKIE))).toBe(true);
  });

  it('NO_INTERACTIVE_CONTEXT before the notebook made one', async () => {
    const answer = await call('describe');
    expect(answer).toMatchObject({
      ok: false,
      error: { code: 'NO_INTERACTIVE_CONTEXT', message: expect.stringMatching(/no InteractiveContext/), hint: expect.stringMatching(/new InteractiveContext/) },
    });
  });

  describe('with components run in a notebook', () => {
    let project: string;
    let context: InteractiveContext;

    beforeAll(async () => {
      project = tempDir();
      fs.mkdirSync(path.join(project, 'data'));
      fs.copyFileSync(path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial', 'eval.csv'), path.join(project, 'data', 'data.csv'));
      writeFile(project, 'scoring.ts', 'export function scoreFn() { return 1; }\n');
      context = new InteractiveContext({ pipelineName: 'taxi_notebook', pipelineRoot: path.join(project, 'out'), baseDir: project });
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        const exampleGen = new CsvExampleGen({ inputBase: path.join(project, 'data') });
        await context.run(exampleGen);
        const statisticsGen = new StatisticsGen({ examples: exampleGen.outputs.examples });
        await context.run(statisticsGen);
        await context.run(new Scorer({ statistics: statisticsGen.outputs.statistics, moduleFile: 'scoring.ts' }));
      } finally {
        log.mockRestore();
      }
    }, 60_000);

    it('describe() lists what ran', async () => {
      const answer = await call('describe');
      expect(answer).toEqual({
        ok: true,
        result: {
          pipelineName: 'taxi_notebook',
          pipelineRoot: path.join(project, 'out'),
          components: [
            { id: 'CsvExampleGen', type: 'CsvExampleGen', inline: false },
            { id: 'StatisticsGen', type: 'StatisticsGen', inline: false },
            { id: 'BridgeTestScorer', type: 'BridgeTestScorer', moduleFile: 'scoring.ts', inline: false },
          ],
          // No component here takes a RuntimeParameter, so the panel offers no run parameters.
          parameters: [],
        },
      });
    });

    it('compile() returns valid IR YAML with the per-step resources and no secret', async () => {
      const answer = await call('compile', {
        ...connection(),
        pipelineName: 'taxi-from-lab',
        image: 'gcr.io/p/taxi:1',
        components: { StatisticsGen: { cpu: '2', memory: '4Gi', gpu: 1, enableCache: false } },
      });
      expect(answer.ok).toBe(true);
      if (!answer.ok) return;
      expect(answer.result.pipelineName).toBe('taxi-from-lab');
      expect(answer.result.yaml).not.toContain('SECRET');
      const spec = validatePipelineSpec(YAML.parse(answer.result.yaml));
      expect(spec.pipelineInfo.name).toBe('taxi-from-lab');
      expect(spec.deploymentSpec.executors['exec-statistics-gen'].container).toMatchObject({
        image: 'gcr.io/p/taxi:1',
        resources: {
          resourceCpuLimit: '2',
          resourceCpuRequest: '2',
          resourceMemoryLimit: '4Gi',
          resourceMemoryRequest: '4Gi',
          accelerator: { type: 'nvidia.com/gpu', count: '1' },
        },
      });
      expect(spec.root.dag!.tasks['statistics-gen'].cachingOptions).toEqual({});
      expect(spec.root.dag!.tasks['bridge-test-scorer'].inputs!.parameters!.moduleFile).toEqual({ runtimeValue: { constant: 'scoring.ts' } });
      // The notebook's data directory is inside the project: the image ships it.
      expect(spec.root.dag!.tasks['csv-example-gen'].inputs!.parameters!.inputBase).toEqual({ runtimeValue: { constant: 'data' } });
      expect(answer.result.yaml).not.toMatch(/# Warning/);
    });

    it('listExperiments() with every auth mode', async () => {
      const tokenFile = writeFile(tempDir(), 'token', TOKEN);
      for (const auth of [
        { authMode: 'bearer', token: TOKEN },
        { authMode: 'cookie', cookie: COOKIE },
        { authMode: 'serviceAccount', tokenPath: tokenFile },
      ]) {
        const answer = await call('listExperiments', { endpoint: server.url, namespace: 'team-a', ...auth });
        expect(answer).toEqual({ ok: true, result: { experiments: expect.any(Array) } });
      }
      const none = await call('listExperiments', { endpoint: server.url, namespace: 'team-a', authMode: 'none' });
      expect(none).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', message: expect.stringMatching(/401\) with no credentials/) } });
      const wrong = await call('listExperiments', { endpoint: server.url, namespace: 'team-a', authMode: 'bearer', token: 'bridge-SECRET-wrong' });
      expect(wrong).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', message: expect.stringMatching(/with a bearer token given as an option/) } });
    });

    it('upload() creates the pipeline, then adds versions; run() starts a run; runStatus() follows it', async () => {
      const first = await call('upload', { ...connection(), pipelineName: 'taxi-lab' });
      expect(first).toEqual({ ok: true, result: { pipelineId: expect.any(String), pipelineVersionId: expect.any(String), created: true } });
      const second = await call('upload', { ...connection(), pipelineName: 'taxi-lab' });
      expect(second).toMatchObject({ ok: true, result: { created: false } });
      if (!first.ok || !second.ok) return;
      expect(second.result.pipelineId).toBe(first.result.pipelineId);
      expect(second.result.pipelineVersionId).not.toBe(first.result.pipelineVersionId);

      const run = await call('run', { ...connection(), pipelineName: 'taxi-lab', experimentName: 'lab-experiments' });
      expect(run).toMatchObject({ ok: true, result: { pipelineId: first.result.pipelineId } });
      if (!run.ok) return;
      expect(run.result.runUrl).toBe(`${server.url}/#/runs/details/${run.result.runId}`);
      const stored = server.runs.find((r) => r.run_id === run.result.runId)!;
      expect(stored.pipeline_version_reference.pipeline_version_id).toBe(run.result.pipelineVersionId);
      expect(server.experiments.find((e) => e.experiment_id === stored.experiment_id)).toMatchObject({ display_name: 'lab-experiments', namespace: 'team-a' });

      expect(await call('runStatus', { ...connection(), runId: run.result.runId })).toEqual({
        ok: true,
        result: { runId: run.result.runId, state: 'PENDING', tasks: [], runUrl: run.result.runUrl },
      });
      server.setRunState(run.result.runId, 'RUNNING', [
        { name: 'CsvExampleGen', state: 'SUCCEEDED' },
        { name: 'StatisticsGen', state: 'RUNNING' },
      ]);
      expect(await call('runStatus', { ...connection(), runId: run.result.runId })).toMatchObject({
        ok: true,
        result: {
          state: 'RUNNING',
          tasks: [
            { name: 'CsvExampleGen', state: 'SUCCEEDED' },
            { name: 'StatisticsGen', state: 'RUNNING' },
          ],
        },
      });
      server.setRunState(run.result.runId, 'FAILED');
      expect(await call('runStatus', { ...connection(), runId: run.result.runId })).toMatchObject({ ok: true, result: { state: 'FAILED' } });
      expect(await call('runStatus', { ...connection(), runId: 'nope' })).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND', message: expect.stringMatching(/no run nope/) },
      });
    });

    it.each([
      ['no endpoint', { authMode: 'none' }, /endpoint: endpoint is required/],
      ['a bad auth mode', { endpoint: 'http://x', authMode: 'kerberos' }, /authMode must be one of none, bearer, cookie, serviceAccount/],
      ['bearer without a token', { endpoint: 'http://x', authMode: 'bearer' }, /Bearer auth needs a token/],
      ['an unknown option', { endpoint: 'http://x', authMode: 'none', password: 'x' }, /Unrecognized key\(s\) in object: 'password'/],
      [
        'a bad cpu',
        { endpoint: 'http://x', authMode: 'none', components: { StatisticsGen: { cpu: 'two' } } },
        /components\.StatisticsGen\.cpu: cpu must be a Kubernetes CPU quantity/,
      ],
      [
        'an unknown component',
        { endpoint: 'http://x', authMode: 'none', components: { Trainer: { cpu: '1' } } },
        /component "Trainer", which has not run in this notebook/,
      ],
      ['an endpoint that is no URL', { endpoint: 'kubeflow', authMode: 'none' }, /is not a URL/],
    ])('INVALID_OPTIONS for %s', async (_what, options, message) => {
      const answer = await call('upload', options);
      expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_OPTIONS', message: expect.stringMatching(message) } });
    });

    it('UNREACHABLE, NOT_FOUND (path prefix), FORBIDDEN, INVALID_SPEC and KFP_ERROR', async () => {
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
      await new Promise((resolve) => closed.close(resolve));
      expect(await call('listExperiments', { endpoint: closedUrl, authMode: 'none' })).toMatchObject({
        ok: false,
        error: { code: 'UNREACHABLE', hint: expect.stringMatching(/port-forward/) },
      });

      expect(await call('upload', { ...connection(), endpoint: server.url.replace(/\/pipeline$/, '') })).toMatchObject({
        ok: false,
        error: { code: 'NOT_FOUND', hint: expect.stringMatching(/under \/pipeline/) },
      });
      expect(await call('listExperiments', { ...connection(), namespace: 'team-b' })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN', message: expect.stringMatching(/namespace "team-b"/) },
      });

      const proxy = http.createServer((req, res) => {
        if (req.url!.includes('/pipelines/upload'))
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 3, message: 'unknown field "platforms"' }));
        else if (req.url!.includes('/experiments'))
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 13, message: 'database is locked' }));
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      try {
        expect(await call('upload', { endpoint: proxyUrl, authMode: 'none' })).toMatchObject({
          ok: false,
          error: { code: 'INVALID_SPEC', message: expect.stringMatching(/refused the pipeline spec.*unknown field "platforms"/) },
        });
        expect(await call('listExperiments', { endpoint: proxyUrl, authMode: 'none' })).toMatchObject({
          ok: false,
          error: { code: 'KFP_ERROR', message: expect.stringMatching(/answered 500 .*database is locked/) },
        });
      } finally {
        await new Promise((resolve) => proxy.close(resolve));
      }
    });

    it('INLINE_COMPONENT when a component was built from an inline function', async () => {
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        const statistics = context.components.find((c) => c.type === 'StatisticsGen')!;
        await context.run(new Scorer({ statistics: statistics.outputs.statistics, scoreFn: () => 2 }).withId('InlineScorer'));
      } finally {
        log.mockRestore();
      }
      const described = await call('describe');
      expect(described.ok && described.result.components.at(-1)).toEqual({ id: 'InlineScorer', type: 'BridgeTestScorer', inline: true });
      const answer = await call('compile', { ...connection(), image: 'img' });
      expect(answer).toMatchObject({
        ok: false,
        error: {
          code: 'INLINE_COMPONENT',
          message: expect.stringMatching(/InlineScorer was built from an inline function \(parameter "scoreFn"\)/),
          hint: expect.stringMatching(/scoreFn\.ts/),
        },
      });
      expect(await call('run', { ...connection(), experimentName: 'e' })).toMatchObject({ ok: false, error: { code: 'INLINE_COMPONENT' } });
    });

    // Last: it makes another InteractiveContext the current one.
    it('compile() refuses data the cluster cannot read, naming component and parameter', async () => {
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        const elsewhere = tempDir();
        fs.copyFileSync(path.join(project, 'data', 'data.csv'), path.join(elsewhere, 'data.csv'));
        const outside = new InteractiveContext({ pipelineName: 'outside_data', pipelineRoot: path.join(tempDir(), 'out'), baseDir: tempDir() });
        await outside.run(new CsvExampleGen({ inputBase: elsewhere }));
        const answer = await call('compile', { image: 'img' });
        expect(answer).toMatchObject({
          ok: false,
          error: {
            code: 'INVALID_OPTIONS',
            message: expect.stringMatching(/CsvExampleGen\.inputBase is the local path \/.*, which a Kubeflow task cannot read: it is outside the project/),
          },
        });
      } finally {
        log.mockRestore();
      }
    });
  });
});
