/**
 * The seed's Kubeflow walkthrough through the CLI, in-process: template copy → data → compile →
 * pipeline create --build-image → update → run create → status, against the KFP test server with
 * every auth mode; the compiled taxi tasks then run end to end through the container entrypoint.
 * No secret may appear in any output or file.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { main } from '../../src/cli/main';
import { sharedData, tempDir, writeFile } from '../../src/testing/fixtures';
import { startKfpTestServer, KfpTestServer } from '../../src/testing/kfp-test-server';
import { outputFileOf, resolvedCommandLine, SimulatedRun, taskOrder } from '../../src/testing/kfp-driver';
import { validatePipelineSpec } from '../../src/orchestration/kubeflow/validate';
import { createS3Bucket, objectStoreServers, ObjectStoreServers } from '../../src/testing/object-stores';
import { storeFor } from '../../src/io/storage';
import { runtimeImage } from '../../src/orchestration/kubeflow/runtime-image';

const BUCKET = 'my-gcp-project-kubeflowpipelines-default';

const TOKEN = 'cli-SECRET-token-5150';
const COOKIE = 'authservice_session=cli-SECRET-cookie-7777';
const taxiCsv = path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv');

const transcript: string[] = [];

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const capture = (...parts: unknown[]) => {
    lines.push(parts.map(String).join(' '));
  };
  const log = jest.spyOn(console, 'log').mockImplementation(capture);
  const error = jest.spyOn(console, 'error').mockImplementation(capture);
  const warn = jest.spyOn(console, 'warn').mockImplementation(capture);
  try {
    const code = await main(['node', 'tfx-ts', ...args]);
    // The command line is the user's input (it may hold --token); only what tfx-ts prints is checked for leaks.
    transcript.push(`$ tfx-ts ${args.join(' ')}`, ...lines);
    return { code, out: lines.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    warn.mockRestore();
  }
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.name === 'node_modules') return [];
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

describe('taxi template → Kubeflow through the CLI', () => {
  let server: KfpTestServer;
  let project: string;
  let stores: ObjectStoreServers;
  const env = { ...process.env };

  beforeAll(async () => {
    // The pipeline root, code package and pushed models live in the bucket: a real S3 server (SeaweedFS) here.
    stores = await objectStoreServers({ s3: true });
    await createS3Bucket(stores.s3Endpoint, BUCKET);
    server = await startKfpTestServer({ pathPrefix: '/pipeline', requireAuth: { bearer: TOKEN, cookie: COOKIE } });
    project = path.join(tempDir(), 'my-taxi');
  });
  afterAll(async () => {
    await server.close();
    await stores?.close();
    process.env = { ...env };
  });

  it('template copy writes a TFX-template-like project', async () => {
    const { code, out } = await cli('template', 'copy', '--model', 'taxi', '--pipeline-name', 'my_taxi', '--destination-path', project);
    expect(code).toBe(0);
    for (const file of [
      'pipeline/configs.ts',
      'pipeline/pipeline.ts',
      'models/features.ts',
      'models/preprocessing.ts',
      'models/model.ts',
      'local_runner.ts',
      'kubeflow_runner.ts',
      'models/features.test.ts',
      'package.json',
      '.gitignore',
    ]) {
      expect(fs.existsSync(path.join(project, file))).toBe(true);
      expect(out).toContain(`  ${file}`);
    }
    // The module files are the taxi notebook's own (one copy in the repository, templates/taxi/template.json).
    for (const file of ['features.ts', 'preprocessing.ts', 'model.ts']) {
      expect(fs.readFileSync(path.join(project, 'models', file), 'utf8')).toBe(
        fs.readFileSync(path.join(__dirname, '..', '..', 'notebooks', 'taxi', file), 'utf8'),
      );
    }
    expect(fs.existsSync(path.join(project, 'template.json'))).toBe(false);
    expect(fs.readFileSync(path.join(project, 'pipeline', 'configs.ts'), 'utf8')).toContain("export const PIPELINE_NAME = 'my_taxi';");
    expect(JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'))).toMatchObject({
      name: 'my-taxi',
      dependencies: { 'tfx-ts': expect.stringMatching(/^\^\d+\.\d+\.\d+/) },
    });
    expect(out).toMatch(/tfx-ts datasets download taxi --destination data/);
    expect(filesUnder(project).every((f) => !fs.readFileSync(f, 'utf8').includes('{{'))).toBe(true);

    // As a user would for a quick first run: fewer training steps. Models are pushed to the pipeline root's bucket.
    const configs = path.join(project, 'pipeline', 'configs.ts');
    const edited = fs
      .readFileSync(configs, 'utf8')
      .replace('export const TRAIN_NUM_STEPS = 1000;', 'export const TRAIN_NUM_STEPS = 20;')
      .replace('export const EVAL_NUM_STEPS = 150;', 'export const EVAL_NUM_STEPS = 5;');
    expect(edited.match(/= 20;|= 5;/g)).toHaveLength(2);
    expect(edited).toContain('export const KUBEFLOW_SERVING_MODEL_DIR = `gs://${GCS_BUCKET_NAME}/serving_model`;');
    // The cluster's bucket is on S3 here (as on AWS or KFP's own object store): the same edit a user makes.
    fs.writeFileSync(configs, edited.replace('`gs://${GCS_BUCKET_NAME}/serving_model`', '`s3://${GCS_BUCKET_NAME}/serving_model`'));
    const runnerFile = path.join(project, 'kubeflow_runner.ts');
    fs.writeFileSync(runnerFile, fs.readFileSync(runnerFile, 'utf8').replace('`gs://${configs.GCS_BUCKET_NAME}', '`s3://${configs.GCS_BUCKET_NAME}'));

    const again = await cli('template', 'copy', '--model', 'taxi', '--pipeline-name', 'my_taxi', '--destination-path', project);
    expect([again.code, again.out]).toEqual([2, expect.stringMatching(/Destination .* is not empty/)]);
    expect((await cli('template', 'copy', '--model', 'penguin', '--pipeline-name', 'x', '--destination-path', tempDir())).out).toMatch(
      /There is no "penguin" template[\s\S]*--model taxi/,
    );
    expect((await cli('template', 'copy', '--model', 'taxi', '--pipeline-name', 'bad name!', '--destination-path', path.join(tempDir(), 'x'))).out).toMatch(
      /Invalid pipeline name "bad name!"/,
    );
  });

  it('datasets download taxi: from a mirror URL or a local copy, refusing what is not the taxi data', async () => {
    const mirror = http.createServer((req, res) => {
      if (req.url === '/taxi.csv') res.writeHead(200, { 'content-type': 'text/csv' }).end(fs.readFileSync(taxiCsv));
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not data</html>\n');
    });
    await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`;
    try {
      const downloaded = await cli('datasets', 'download', 'taxi', '--url', `${base}/taxi.csv`, '--destination', path.join(tempDir(), 'data'));
      expect(downloaded).toEqual({ code: 0, out: expect.stringMatching(/Wrote .*data\.csv: 15002 rows, 1\.9 MB[\s\S]*City of Chicago/) });
      const html = await cli('datasets', 'download', 'taxi', '--url', `${base}/page`, '--destination', tempDir());
      expect([html.code, html.out]).toEqual([2, expect.stringMatching(/is not the taxi data set: its first line is "<html>not data<\/html>"/)]);
    } finally {
      await new Promise((resolve) => mirror.close(resolve));
    }
    const unreachable = await cli('datasets', 'download', 'taxi', '--url', 'http://127.0.0.1:9/taxi.csv', '--destination', tempDir());
    expect([unreachable.code, unreachable.out]).toEqual([2, expect.stringMatching(/Cannot download the taxi data set[\s\S]*--from <file>/)]);
    expect((await cli('datasets', 'download', 'iris', '--destination', tempDir())).out).toMatch(/Unknown data set "iris"/);

    // The project gets the data the way an offline user would: a copy of the file.
    const copied = await cli('datasets', 'download', 'taxi', '--from', taxiCsv, '--destination', path.join(project, 'data'));
    expect(copied.code).toBe(0);
    expect(fs.statSync(path.join(project, 'data', 'data.csv')).size).toBe(fs.statSync(taxiCsv).size);
  });

  it("the template's own tests pass (`npm test` in the new project)", () => {
    // As after `npm install` in the project: its node_modules has tfx-ts (here: these sources) and tfjs.
    const repo = path.resolve(__dirname, '..', '..');
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(project, 'node_modules'), 'dir');
    const config = {
      rootDir: project,
      testEnvironment: 'node',
      transform: {
        '^.+\\.ts$': [
          require.resolve('ts-jest'),
          { diagnostics: false, tsconfig: { module: 'commonjs', target: 'ES2022', esModuleInterop: true, isolatedModules: true } },
        ],
      },
      // The package's subpath exports (tfx-ts/trainer, ...) are src/api/<name>.ts.
      moduleNameMapper: { '^tfx-ts$': path.join(repo, 'src', 'index.ts'), '^tfx-ts/(.*)$': path.join(repo, 'src', 'api', '$1.ts') },
      testMatch: ['<rootDir>/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/tfx_pipeline_output/'],
    };
    const result = spawnSync(process.execPath, [path.join(repo, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', JSON.stringify(config), '--ci'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 240_000,
    });
    const report = `${result.stdout}\n${result.stderr}`;
    expect([result.status, report]).toEqual([0, expect.stringMatching(/Tests:\s+4 passed, 4 total/)]);
    fs.unlinkSync(path.join(project, 'node_modules'));
  }, 300_000);

  it('pipeline compile: the taxi template compiles to valid IR shaped like the KFP SDK golden files', async () => {
    const output = path.join(tempDir(), 'taxi.yaml');
    const { code, out } = await cli('pipeline', 'compile', '--pipeline-path', path.join(project, 'kubeflow_runner.ts'), '-o', output);
    expect([code, out]).toEqual([0, expect.stringMatching(/Wrote the validated KFP v2 spec \(\d+ tasks\)/)]);
    const spec = validatePipelineSpec(YAML.parse(fs.readFileSync(output, 'utf8')));
    const golden = YAML.parse(fs.readFileSync(path.join(sharedData, 'kfp_golden', 'pipeline_with_resource_spec.yaml'), 'utf8'));
    expect(
      Object.keys(spec)
        .filter((k) => k !== 'defaultPipelineRoot')
        .sort(),
    ).toEqual(Object.keys(golden).sort());
    expect(spec.pipelineInfo).toMatchObject({ name: 'my-taxi', displayName: 'my_taxi' });
    expect(spec.defaultPipelineRoot).toBe('s3://my-gcp-project-kubeflowpipelines-default/tfx_pipeline_output/my_taxi');
    const tasks = spec.root.dag!.tasks;
    expect(Object.keys(tasks).sort()).toEqual([
      'csv-example-gen',
      'evaluator',
      'example-validator',
      'latest-blessed-model-resolver',
      'pusher',
      'schema-gen',
      'statistics-gen',
      'trainer',
      'transform',
    ]);
    expect(tasks.trainer).toMatchObject({
      dependentTasks: ['schema-gen', 'transform'],
      inputs: {
        artifacts: { examples: { taskOutputArtifact: { producerTask: 'transform', outputArtifactKey: 'transformedExamples' } } },
        parameters: {
          moduleFile: { runtimeValue: { constant: 'models/model.ts' } },
          trainArgs: { runtimeValue: { constant: { numSteps: "{{$.inputs.parameters['pipelinechannel--train_steps']}}", splits: ['train'] } } },
          'pipelinechannel--train_steps': { componentInputParameter: 'train_steps' },
        },
      },
    });
    expect(tasks.pusher.dependentTasks).toEqual(['evaluator', 'trainer']);
    expect(spec.root.inputDefinitions!.parameters!.train_steps).toEqual({
      parameterType: 'NUMBER_INTEGER',
      defaultValue: 20,
      isOptional: true,
      description: 'Trainer steps',
    });
    expect(tasks.pusher.inputs!.parameters!.pushDestination).toEqual({
      runtimeValue: { constant: { filesystem: { baseDirectory: `s3://${BUCKET}/serving_model` } } },
    });
    // No host path: module files and data are paths inside the code package.
    expect(fs.readFileSync(output, 'utf8')).not.toContain(project);
    // The one warning: the Resolver becomes a lookup of the latest pushed model (KFP has no metadata store of ours).
    expect(out.match(/warning: .*/g)).toEqual([
      expect.stringMatching(
        /^warning: latest_blessed_model_resolver \(Resolver\) runs on Kubeflow as a lookup of the latest model Pusher pushed .* under s3:\/\/my-gcp-project-kubeflowpipelines-default\/serving_model\/my_taxi\)/,
      ),
    ]);
    expect(tasks.transform).toMatchObject({
      dependentTasks: ['csv-example-gen', 'schema-gen'],
      inputs: { parameters: { moduleFile: { runtimeValue: { constant: 'models/preprocessing.ts' } } } },
    });
    expect(tasks['csv-example-gen'].inputs!.parameters!.inputBase).toEqual({ runtimeValue: { constant: 'data' } });
    expect(spec.components['comp-transform'].outputDefinitions!.artifacts).toEqual({
      transformGraph: { artifactType: { schemaTitle: 'tfx.TransformGraph', schemaVersion: '0.0.1' } },
      transformedExamples: { artifactType: { schemaTitle: 'tfx.Examples', schemaVersion: '0.0.1' } },
      // The notebook's view of the transform graph, as a page the KFP UI shows.
      html_view: { artifactType: { schemaTitle: 'system.HTML', schemaVersion: '0.0.1' } },
    });
    const packageArgs = spec.deploymentSpec.executors['exec-trainer'].container.args!.slice(0, 5);
    expect(packageArgs).toEqual([
      'run-executor',
      '--code-package',
      expect.stringMatching(new RegExp(`^s3://${BUCKET}/tfx_pipeline_output/my_taxi/_tfx_ts_code/[0-9a-f]{64}\\.tar\\.gz$`)),
      '--code-sha256',
      expect.stringMatching(/^[0-9a-f]{64}$/),
    ]);
    for (const executor of Object.values(spec.deploymentSpec.executors)) {
      expect(executor.container.image).toBe(runtimeImage());
      expect(executor.container.args!.slice(0, 7)).toEqual([...packageArgs, '--executor-input', '{{$}}']);
    }
  });

  it('the compiled taxi tasks run end to end with the code package from the bucket; a run parameter sets the training steps', async () => {
    // `pipeline create` packs and uploads the code; `run create --parameter` chooses the steps.
    const kfp = await startKfpTestServer();
    let run: SimulatedRun;
    try {
      expect((await cli('pipeline', 'create', '--pipeline-path', path.join(project, 'kubeflow_runner.ts'), '--endpoint', kfp.url)).code).toBe(0);
      const started = await cli('run', 'create', '--pipeline-name', 'my_taxi', '--endpoint', kfp.url, '--parameter', 'train_steps=7');
      expect(started.code).toBe(0);
      const stored = kfp.runs[0] as unknown as { runtime_config?: { parameters?: Record<string, unknown> } };
      expect(stored.runtime_config?.parameters).toEqual({ train_steps: 7 });
      const spec = validatePipelineSpec(YAML.parse(fs.readFileSync(path.join(project, 'my-taxi.yaml'), 'utf8')));
      run = { spec, pipelineRoot: spec.defaultPipelineRoot!, runId: 'taxi-run-1', workDir: tempDir(), parameters: stored.runtime_config!.parameters };
    } finally {
      await kfp.close();
    }
    const packageUri = run.spec.deploymentSpec.executors['exec-trainer'].container.args![2];
    expect(await storeFor(packageUri).exists(packageUri)).toBe(true);
    // Tasks start in an empty directory, as in a pod of the stock image: everything comes from the package.
    const pod = tempDir();
    const mountRoot = tempDir();
    const cwd = process.cwd();
    process.env.TFX_TS_KFP_MOUNT_ROOT = mountRoot;
    process.env.TFX_TS_CODE_CACHE = path.join(tempDir(), 'code');
    try {
      for (const task of taskOrder(run.spec)) {
        process.chdir(pod);
        const commandLine = resolvedCommandLine(run, task);
        expect(commandLine[0]).toBe('tfx-ts');
        const { code, out } = await cli(...commandLine.slice(1));
        if (code !== 0) throw new Error(`task ${task} failed:\n${out}`);
        expect(out).toMatch(/code package s3:\/\/.* ready in/);
      }
    } finally {
      process.chdir(cwd);
      delete process.env.TFX_TS_KFP_MOUNT_ROOT;
      delete process.env.TFX_TS_CODE_CACHE;
    }
    const bucket = path.join(mountRoot, 's3', BUCKET, 'tfx_pipeline_output', 'my_taxi', 'taxi-run-1');
    expect(fs.readFileSync(path.join(bucket, 'schema-gen', 'schema', 'schema.pbtxt'), 'utf8')).toMatch(/name: "fare"/);
    expect(fs.readdirSync(path.join(bucket, 'example-validator', 'anomalies')).sort()).toEqual(['Split-eval', 'Split-train']);
    const graph = JSON.parse(fs.readFileSync(path.join(bucket, 'transform', 'transformGraph', 'transform_graph.json'), 'utf8'));
    expect(graph.outputs.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['fare_xf', 'payment_type_xf', 'tips_xf']));
    // The run's parameter, not the compiled default (20), decided how long the Trainer trained.
    const curves = JSON.parse(fs.readFileSync(path.join(bucket, 'trainer', 'modelRun', 'training_curves.json'), 'utf8'));
    expect(curves.status).toMatchObject({ totalSteps: 7, step: 7 });
    const transformOutput = JSON.parse(fs.readFileSync(outputFileOf(run, 'transform'), 'utf8'));
    expect(transformOutput.artifacts.transformedExamples.artifacts[0].metadata.split_names).toBe('["train","eval"]');
    const evaluation = JSON.parse(fs.readFileSync(outputFileOf(run, 'evaluator'), 'utf8'));
    expect(evaluation.artifacts.blessing.artifacts[0].metadata).toHaveProperty('blessed');
    const pushed = JSON.parse(fs.readFileSync(outputFileOf(run, 'pusher'), 'utf8')).artifacts.pushedModel.artifacts[0].metadata;
    if (pushed.pushed === 1) {
      // Pushed to the bucket (not the pod's disk), where serving and the next run's baseline read it.
      expect(pushed.pushed_destination).toBe(`s3://${BUCKET}/serving_model/my_taxi/${pushed.pushed_version}`);
      const objects = await storeFor(pushed.pushed_destination).list(`${pushed.pushed_destination}/`);
      expect(objects).toEqual(expect.arrayContaining([`${pushed.pushed_destination}/_PUSHED`, `${pushed.pushed_destination}/model.json`]));
    } else expect(evaluation.artifacts.blessing.artifacts[0].metadata.blessed).toBe(0);
  }, 300_000);

  it('pipeline create --build-image, create again, update, run create, list and status with a bearer token', async () => {
    const runner = path.join(project, 'kubeflow_runner.ts');
    const connection = ['--endpoint', server.url, '--token', TOKEN];
    const created = await cli('pipeline', 'create', '--pipeline-path', runner, '--build-image', ...connection);
    expect(created.code).toBe(0);
    expect(created.out).toMatch(/\[1\/3\] Loading .*kubeflow_runner\.ts/);
    expect(created.out).toMatch(/Wrote .*Dockerfile; build and push the image with:\n\s+docker build -t my-taxi:latest .* && docker push my-taxi:latest/);
    expect(created.out).toMatch(/Pipeline my_taxi created: id [0-9a-f-]{36}\n\s+http:\/\/127\.0\.0\.1:\d+\/pipeline\/#\/pipelines\/details\/[0-9a-f-]{36}/);
    // Stored under a DNS-1123 name (a KFP with the Kubernetes pipeline store refuses "_"), shown as the user named it.
    expect(server.pipelines.map((p) => [p.name, p.display_name, p.versions.length])).toEqual([['my-taxi', 'my_taxi', 1]]);
    const uploaded = server.received.find((r) => r.path.endsWith('/pipelines/upload'))!;
    expect(uploaded.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect((uploaded.body as { files: { text: string }[] }).files[0].text).toBe(fs.readFileSync(path.join(project, 'my-taxi.yaml'), 'utf8'));

    const dockerfile = fs.readFileSync(path.join(project, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^WORKDIR \/pipeline$/m);
    expect(dockerfile).toMatch(/^COPY package\.json package-lock\.json \.\/\nRUN npm ci --omit=dev/m);
    expect(dockerfile).toMatch(/^COPY \. \.$/m);
    expect(dockerfile).toMatch(/^RUN test -f models\/model\.ts && test -f models\/preprocessing\.ts$/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["tfx-ts"\]$/m);
    expect(dockerfile.indexOf('RUN npm ci')).toBeLessThan(dockerfile.indexOf('COPY . .'));
    expect(fs.readFileSync(path.join(project, '.dockerignore'), 'utf8')).toMatch(/^node_modules$/m);
    expect(created.out).toMatch(/no package-lock\.json, which `npm ci` in the Dockerfile needs/);

    const again = await cli('pipeline', 'create', '--pipeline-path', runner, ...connection);
    expect([again.code, again.out]).toEqual([
      2,
      expect.stringMatching(/Pipeline my_taxi already exists .*\n\s+Fix: upload a new version with `tfx-ts pipeline update/),
    ]);

    const updated = await cli('pipeline', 'update', '--pipeline-path', runner, ...connection);
    expect([updated.code, updated.out]).toEqual([0, expect.stringMatching(/Pipeline my_taxi updated: version my_taxi-\d{8}-\d{6}-\d{3} \(id [0-9a-f-]{36}\)/)]);
    expect(server.pipelines[0].versions).toHaveLength(2);

    const runCreated = await cli('run', 'create', '--pipeline-name', 'my_taxi', '--parameter', 'unused=1', ...connection);
    expect([runCreated.code, runCreated.out]).toEqual([2, expect.stringMatching(/parameter "unused" is not an input of the pipeline/)]);
    const started = await cli('run', 'create', '--pipeline-name', 'my_taxi', '--run-name', 'first run', ...connection);
    expect(started.code).toBe(0);
    const runId = /Run ([0-9a-f-]{36}) created for my_taxi/.exec(started.out)![1];
    expect(started.out).toContain(`${server.url}/#/runs/details/${runId}`);
    const stored = server.runs.find((r) => r.run_id === runId)!;
    expect(stored.pipeline_version_reference.pipeline_version_id).toBe(server.pipelines[0].versions[1].pipeline_version_id);
    expect(server.experiments.find((e) => e.experiment_id === stored.experiment_id)!.display_name).toBe('my_taxi');

    server.setRunState(runId, 'RUNNING', [
      { name: 'CsvExampleGen', state: 'SUCCEEDED' },
      { name: 'StatisticsGen', state: 'RUNNING' },
    ]);
    const status = await cli('run', 'status', '--run-id', runId, ...connection);
    expect(status.out).toMatch(new RegExp(`Run ${runId} \\(first run\\): RUNNING\\n\\s+CsvExampleGen\\s+SUCCEEDED\\n\\s+StatisticsGen\\s+RUNNING`));
    server.setRunState(runId, 'SUCCEEDED');
    expect((await cli('run', 'status', '--pipeline-name', 'my_taxi', ...connection)).out).toMatch(new RegExp(`Run ${runId} \\(first run\\): SUCCEEDED`));
    expect((await cli('run', 'list', '--pipeline-name', 'my_taxi', ...connection)).out).toMatch(new RegExp(`${runId}  SUCCEEDED\\s+first run`));
    expect((await cli('pipeline', 'list', ...connection)).out).toMatch(/^my_taxi\s+[0-9a-f-]{36}/m);
    expect((await cli('run', 'status', '--run-id', 'no-such-run', ...connection)).out).toMatch(/KFP has no run no-such-run/);
  });

  it('run create --wait follows the run to its end', async () => {
    const following = await startKfpTestServer({ autoAdvanceRuns: true });
    try {
      const runner = path.join(project, 'kubeflow_runner.ts');
      expect((await cli('pipeline', 'create', '--pipeline-path', runner, '--endpoint', following.url)).code).toBe(0);
      const { code, out } = await cli('run', 'create', '--pipeline-name', 'my_taxi', '--endpoint', following.url, '--wait', '--poll-interval', '0');
      expect([code, out]).toEqual([0, expect.any(String)]);
      expect(out).toMatch(/run PENDING\n\s+run RUNNING\n\s+CsvExampleGen\s+RUNNING/);
      expect(out).toMatch(
        /CsvExampleGen\s+SUCCEEDED\n\s+latest_blessed_model_resolver\s+RUNNING\n\s+latest_blessed_model_resolver\s+SUCCEEDED\n\s+StatisticsGen\s+RUNNING\n\s+StatisticsGen\s+SUCCEEDED\n\s+SchemaGen\s+RUNNING/,
      );
      expect(out).toMatch(/Pusher\s+SUCCEEDED\n\s+run SUCCEEDED\nRun [0-9a-f-]{36} succeeded: http/);
    } finally {
      await following.close();
    }
    const failing = await startKfpTestServer({ autoAdvanceRuns: true, failTask: 'SchemaGen' });
    try {
      expect((await cli('pipeline', 'create', '--pipeline-path', path.join(project, 'kubeflow_runner.ts'), '--endpoint', failing.url)).code).toBe(0);
      const { code, out } = await cli('run', 'create', '--pipeline-name', 'my_taxi', '--endpoint', failing.url, '--wait', '--poll-interval', '0');
      expect(code).toBe(2);
      expect(out).toMatch(/SchemaGen\s+FAILED\n\s+run FAILED\nerror: Run [0-9a-f-]{36} ended FAILED\.\n\s+Fix: see its logs in the KFP UI: http/);
      expect(out).not.toMatch(/Transform\s+RUNNING/);
    } finally {
      await failing.close();
    }
  });

  it('every auth mode through the CLI: cookie, KFP_TOKEN, service-account token file; none is refused', async () => {
    const listWith = async (extra: string[]) => cli('pipeline', 'list', '--endpoint', server.url, ...extra);
    expect((await listWith(['--cookie', COOKIE])).code).toBe(0);
    expect(server.received.at(-1)!.headers.cookie).toBe(COOKIE);

    process.env.KFP_TOKEN = TOKEN;
    expect((await listWith([])).code).toBe(0);
    expect(server.received.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    delete process.env.KFP_TOKEN;

    process.env.KF_PIPELINES_SA_TOKEN_PATH = writeFile(tempDir(), 'token', TOKEN);
    expect((await listWith([])).code).toBe(0);
    expect(server.received.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    delete process.env.KF_PIPELINES_SA_TOKEN_PATH;
    expect((await listWith(['--auth-mode', 'serviceAccount', '--token-path', writeFile(tempDir(), 'token', TOKEN)])).code).toBe(0);

    const none = await listWith([]);
    expect([none.code, none.out]).toEqual([2, expect.stringMatching(/unauthenticated \(401\) with no credentials/)]);
    const wrong = await listWith(['--token', 'cli-SECRET-wrong']);
    expect(wrong.out).toMatch(/with a bearer token given as an option[\s\S]*may have expired/);
    const prefix = await cli('pipeline', 'list', '--endpoint', server.url.replace(/\/pipeline$/, ''), '--token', TOKEN);
    expect(prefix.out).toMatch(/No KFP API at[\s\S]*public URL\) the API lives under \/pipeline/);
  });

  it('refuses bad input with one clear message', async () => {
    const cases: [string[], RegExp][] = [
      [['pipeline', 'list'], /No KFP endpoint given[\s\S]*--endpoint/],
      [['pipeline', 'list', '--endpoint', server.url, '--auth-mode', 'ldap'], /Unknown --auth-mode "ldap"/],
      [['pipeline', 'list', '--endpoint', server.url, '--auth-mode', 'bearer'], /Bearer auth needs a token/],
      [
        ['pipeline', 'create', '--pipeline-path', path.join(project, 'nope.ts'), '--endpoint', server.url, '--token', TOKEN],
        /Pipeline file .*nope\.ts does not exist/,
      ],
      [['pipeline', 'compile'], /No pipeline file given/],
      [['run', 'create', '--pipeline-name', 'ghost', '--endpoint', server.url, '--token', TOKEN], /No pipeline named ghost/],
      [
        ['run', 'create', '--pipeline-name', 'my_taxi', '--endpoint', server.url, '--token', TOKEN, '--parameter', 'oops'],
        /--parameter "oops" is not key=value/,
      ],
      [['run', 'status', '--endpoint', server.url, '--token', TOKEN], /Which run\?/],
      [['pipeline', 'delete', '--endpoint', server.url, '--token', TOKEN], /Which pipeline\?/],
    ];
    for (const [args, message] of cases) {
      const { code, out } = await cli(...args);
      expect([args.join(' '), code]).toEqual([args.join(' '), 2]);
      expect(out).toMatch(message);
    }
    const orphan = path.join(tempDir(), 'orphan');
    expect((await cli('template', 'copy', '--model', 'taxi', '--pipeline-name', 'orphan', '--destination-path', orphan)).code).toBe(0);
    const update = await cli('pipeline', 'update', '--pipeline-path', path.join(orphan, 'kubeflow_runner.ts'), '--endpoint', server.url, '--token', TOKEN);
    expect(update.out).toMatch(/Pipeline orphan does not exist on .* yet[\s\S]*tfx-ts pipeline create/);
    const noImage = writeFile(orphan, 'bare_runner.ts', `export { createPipeline } from './local_runner';\n`);
    expect((await cli('pipeline', 'compile', noImage)).out).toMatch(/No container image for pipeline orphan[\s\S]*kubeflowRunnerConfig/);
  });

  it('run terminate and run delete (as `tfx run terminate|delete --run_id`)', async () => {
    const connection = ['--endpoint', server.url, '--token', TOKEN];
    const started = await cli('run', 'create', '--pipeline-name', 'my_taxi', '--run-name', 'to stop', ...connection);
    const runId = /Run ([0-9a-f-]{36}) created/.exec(started.out)![1];
    server.setRunState(runId, 'RUNNING', [{ name: 'CsvExampleGen', state: 'RUNNING' }]);
    const terminated = await cli('run', 'terminate', '--run-id', runId, ...connection);
    expect([terminated.code, terminated.out]).toEqual([0, expect.stringMatching(new RegExp(`Run ${runId} \\(to stop\\) is being stopped: CANCELING\\.`))]);
    expect(server.runs.find((r) => r.run_id === runId)!.tasks).toEqual([{ name: 'CsvExampleGen', state: 'CANCELED' }]);
    const deleted = await cli('run', 'delete', '--run-id', runId, ...connection);
    expect([deleted.code, deleted.out]).toEqual([0, `Deleted run ${runId}.`]);
    expect(server.runs.find((r) => r.run_id === runId)).toBeUndefined();
    const again = await cli('run', 'delete', '--run-id', runId, ...connection);
    expect([again.code, again.out]).toEqual([2, expect.stringMatching(new RegExp(`KFP has no run ${runId}: Failed to delete a run: ResourceNotFoundError`))]);
  });

  it('pipeline delete removes the pipeline and its versions', async () => {
    const { code, out } = await cli('pipeline', 'delete', '--pipeline-name', 'my_taxi', '--endpoint', server.url, '--token', TOKEN);
    expect([code, out]).toEqual([0, expect.stringMatching(/Deleted pipeline my_taxi \(id [0-9a-f-]{36}\) and its 2 version\(s\)/)]);
    expect(server.pipelines).toEqual([]);
  });

  it('no token or cookie reaches any output, compiled file, Dockerfile or project file', () => {
    expect(transcript.length).toBeGreaterThan(50);
    const leaks = transcript.filter((line) => !line.startsWith('$ ') && line.includes('SECRET'));
    expect(leaks).toEqual([]);
    for (const file of filesUnder(project)) expect([file, fs.readFileSync(file, 'utf8').includes('SECRET')]).toEqual([file, false]);
  });
});
