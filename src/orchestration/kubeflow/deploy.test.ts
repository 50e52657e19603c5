import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { defineComponent } from '../../dsl/component';
import { CsvExampleGen } from '../../components/example_gen/component';
import { StatisticsGen } from '../../components/statistics_gen/component';
import { SchemaGen } from '../../components/schema_gen/component';
import { InteractiveContext } from '../../notebook/interactive-context';
import { startKfpTestServer, KfpTestServer } from '../../testing/kfp-test-server';
import { sharedData, tempDir, writeFile } from '../../testing/fixtures';
import { createGcsBucket, objectStoreServers, ObjectStoreServers } from '../../testing/object-stores';
import { storeFor } from '../../io/storage';
import { deploy, versionName } from './deploy';
import { InlineComponentError } from './compiler';
import { KfpApiError } from './client';

const TOKEN = 'deploy-SECRET-token-31337';
const COOKIE = 'authservice_session=deploy-SECRET-cookie-4242';

const Counter = defineComponent({
  type: 'DeployTestCounter',
  version: '1',
  inputs: { statistics: { type: standardArtifacts.ExampleStatistics } },
  outputs: { model: { type: standardArtifacts.Model } },
  parameters: z.object({ moduleFile: z.string().optional(), countFn: z.function().optional() }).strict(),
  fileParameters: ['moduleFile'],
  executor: async () => async () => undefined,
});

describe('exportPipeline + deploy() from a notebook', () => {
  let server: KfpTestServer;
  let project: string;
  let context: InteractiveContext;
  let stores: ObjectStoreServers;
  const env = { ...process.env };
  const progress: string[] = [];
  const quiet = <T>(work: () => Promise<T>): Promise<T> => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    return work().finally(() => log.mockRestore());
  };

  beforeAll(async () => {
    // deploy() uploads the code package under the gs:// pipeline root: a GCS emulator (fake-gcs-server) here.
    stores = await objectStoreServers({ gcs: true });
    await createGcsBucket(stores.gcsEndpoint, 'bucket');
    server = await startKfpTestServer({ requireAuth: { bearer: TOKEN, cookie: COOKIE } });
    project = tempDir();
    fs.mkdirSync(path.join(project, 'data'));
    fs.copyFileSync(path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial', 'eval.csv'), path.join(project, 'data', 'eval.csv'));
    writeFile(project, 'counting.ts', 'export function countFn() { return 0; }\n');
    context = new InteractiveContext({ pipelineName: 'taxi_notebook', pipelineRoot: path.join(project, 'out'), baseDir: project });
  });
  afterAll(async () => {
    await server.close();
    await stores?.close();
    process.env = { ...env };
  });

  it('refuses to export before anything ran', () => {
    expect(() => context.exportPipeline()).toThrow(/has not run any component yet[\s\S]*await context\.run\(exampleGen\)/);
  });

  it('exports exactly the components that ran, with their parameters and module files', async () => {
    const exampleGen = new CsvExampleGen({ inputBase: path.join(project, 'data') });
    const statisticsGen = new StatisticsGen({ examples: exampleGen.outputs.examples });
    const unused = new SchemaGen({ statistics: statisticsGen.outputs.statistics });
    await quiet(async () => {
      await context.run(exampleGen);
      await context.run(statisticsGen);
      await context.run(new Counter({ statistics: statisticsGen.outputs.statistics, moduleFile: 'counting.ts' }));
    });
    const pipeline = context.exportPipeline({ pipelineName: 'taxi-deploy', pipelineRoot: 'gs://bucket/taxi', image: 'gcr.io/p/taxi:2' });
    expect(pipeline.components.map((c) => c.id)).toEqual(['CsvExampleGen', 'StatisticsGen', 'DeployTestCounter']);
    expect(pipeline.components).not.toContain(unused);
    expect(pipeline.components[0].parameters).toBe(exampleGen.parameters);
    expect(pipeline).toMatchObject({ pipelineName: 'taxi-deploy', pipelineRoot: 'gs://bucket/taxi' });
    expect(context.toPipeline().pipelineName).toBe('taxi_notebook');
    expect(context.toPipeline().runnerConfigs).toEqual({});
  });

  it('deploy() compiles, uploads, starts a run; a second deploy adds a version', async () => {
    const pipeline = context.exportPipeline({ pipelineName: 'taxi-deploy', pipelineRoot: 'gs://bucket/taxi', image: 'gcr.io/p/taxi:2' });
    const first = await deploy(pipeline, {
      endpoint: server.url,
      token: TOKEN,
      experimentName: 'notebook',
      parameters: {},
      onProgress: (m) => progress.push(m),
    });
    expect(first).toMatchObject({ created: true, runId: expect.any(String), runUrl: `${server.url}/#/runs/details/${first.runId}` });
    const stored = server.pipelines.find((p) => p.pipeline_id === first.pipelineId)!;
    expect(stored.name).toBe('taxi-deploy');
    const spec = stored.versions[0].spec;
    expect(spec.defaultPipelineRoot).toBe('gs://bucket/taxi');
    expect(Object.values(spec.deploymentSpec.executors).map((e) => e.container.image)).toEqual(['gcr.io/p/taxi:2', 'gcr.io/p/taxi:2', 'gcr.io/p/taxi:2']);
    // Module files and data are paths inside the code package (the notebook folder is its root).
    expect(spec.root.dag!.tasks['deploy-test-counter'].inputs!.parameters!.moduleFile).toEqual({ runtimeValue: { constant: 'counting.ts' } });
    expect(spec.root.dag!.tasks['csv-example-gen'].inputs!.parameters!.inputBase).toEqual({ runtimeValue: { constant: 'data' } });
    expect(server.runs.find((r) => r.run_id === first.runId)!.pipeline_version_reference).toEqual({
      pipeline_id: first.pipelineId,
      pipeline_version_id: first.pipelineVersionId,
    });
    // The module file and the data went to the bucket in the code package every task fetches.
    const packageArgs = spec.deploymentSpec.executors['exec-csv-example-gen'].container.args!;
    expect(packageArgs.slice(0, 2)).toEqual(['run-executor', '--code-package']);
    expect(packageArgs[2]).toMatch(/^gs:\/\/bucket\/taxi\/_tfx_ts_code\/[0-9a-f]{64}\.tar\.gz$/);
    expect(await storeFor(packageArgs[2]).exists(packageArgs[2])).toBe(true);
    expect(progress).toEqual([
      expect.stringMatching(/^Uploading code package: 2 files, \d+ KiB to gs:\/\/bucket\/taxi\/_tfx_ts_code\//),
      expect.stringMatching(/^Compiled taxi-deploy: 3 tasks, image gcr\.io\/p\/taxi:2$/),
      expect.stringMatching(/^Uploaded pipeline taxi-deploy \(id /),
      expect.stringMatching(/^Started run .* in experiment notebook: http/),
    ]);

    const second = await deploy(pipeline, {
      endpoint: server.url,
      authMode: 'cookie',
      cookie: COOKIE,
      experimentName: 'notebook',
      components: { StatisticsGen: { cpu: '500m', memory: '1Gi' } },
      runPipelineRoot: 'gs://bucket/elsewhere',
    });
    expect(second).toMatchObject({ created: false, pipelineId: first.pipelineId });
    expect(second.pipelineVersionId).not.toBe(first.pipelineVersionId);
    expect(stored.versions).toHaveLength(2);
    expect(stored.versions[1].spec.deploymentSpec.executors['exec-statistics-gen'].container.resources).toMatchObject({
      resourceCpuLimit: '500m',
      cpuLimit: 0.5,
      resourceMemoryRequest: '1Gi',
    });
    expect(server.runs.find((r) => r.run_id === second.runId)!.runtime_config).toEqual({ parameters: {}, pipeline_root: 'gs://bucket/elsewhere' });
    expect(server.experiments.filter((e) => e.display_name === 'notebook')).toHaveLength(1);

    const uploadOnly = await deploy(pipeline, { endpoint: server.url, token: TOKEN, run: false });
    expect(uploadOnly.runId).toBeUndefined();
    expect(server.runs).toHaveLength(2);
  });

  it('refuses inline functions, and reports KFP errors with their codes', async () => {
    const statisticsGen = context.components.find((c) => c.type === 'StatisticsGen')!;
    await quiet(() => context.run(new Counter({ statistics: statisticsGen.outputs.statistics, countFn: () => 1 }).withId('InlineCounter')));
    expect(() => context.exportPipeline()).toThrow(InlineComponentError);
    expect(() => context.exportPipeline()).toThrow(/InlineCounter was built from an inline function \(parameter "countFn"\)[\s\S]*countFn\.ts/);

    const gen = new CsvExampleGen({ inputBase: path.join(project, 'data') });
    const { Pipeline } = await import('../../dsl/pipeline');
    const pipeline = new Pipeline({ pipelineName: 'plain', pipelineRoot: '/tmp/x', components: [gen] });
    const error = await deploy(pipeline, { endpoint: server.url, image: 'img', projectRoot: project }).catch((e) => e);
    expect(error).toBeInstanceOf(KfpApiError);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(error.message).not.toContain('SECRET');
    await expect(deploy({} as never, { endpoint: server.url })).rejects.toThrow(/deploy\(\) needs a Pipeline/);
  });

  it('version names sort by time', () => {
    expect(versionName('taxi', new Date('2025-03-04T05:06:07.089Z'))).toBe('taxi-20250304-050607-089');
  });
});
