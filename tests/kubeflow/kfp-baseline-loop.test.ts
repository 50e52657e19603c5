/**
 * The loop closes on Kubeflow: the taxi template's compiled tasks run twice, as KFP's launcher
 * would run them (executor input through `{{$}}`, code package and pushed models on a real S3
 * server, SeaweedFS). The first run has no baseline and pushes its model; the second run's
 * Resolver task (a lookup of the latest pushed model on KFP) finds that version, and its
 * Evaluator compares the new model with it. Each task with a view also writes the notebook's
 * view as its system.HTML output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { main } from '../../src/cli/main';
import type { EvaluationResult } from '../../src/evaluator/evaluate';
import { storeFor } from '../../src/io/storage';
import { validatePipelineSpec } from '../../src/orchestration/kubeflow/validate';
import { ABSENT_ARTIFACT } from '../../src/orchestration/kubeflow/container-entrypoint';
import { outputFileOf, outputUri, resolvedCommandLine, SimulatedRun, taskOrder } from '../../src/testing/kfp-driver';
import { sharedData, tempDir } from '../../src/testing/fixtures';
import { startKfpTestServer } from '../../src/testing/kfp-test-server';
import { createS3Bucket, objectStoreServers, ObjectStoreServers } from '../../src/testing/object-stores';
import { checkIrWithKfp } from '../../src/testing/kfp-check';

const BUCKET = 'baseline-loop';
const RESOLVER = 'latest-blessed-model-resolver';

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const capture = (...parts: unknown[]) => {
    lines.push(parts.map(String).join(' '));
  };
  const spies = [
    jest.spyOn(console, 'log').mockImplementation(capture),
    jest.spyOn(console, 'error').mockImplementation(capture),
    jest.spyOn(console, 'warn').mockImplementation(capture),
  ];
  try {
    return { code: await main(['node', 'tfx-ts', ...args]), out: lines.join('\n') };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

type Metadata = Record<string, unknown>;
const outputOf = (run: SimulatedRun, task: string, key: string): { uri: string; metadata: Metadata } =>
  JSON.parse(fs.readFileSync(outputFileOf(run, task), 'utf8')).artifacts[key].artifacts[0];

describe('the loop closes on Kubeflow: a second run is evaluated against the model the first pushed', () => {
  let stores: ObjectStoreServers;
  let spec: SimulatedRun['spec'];
  let compileOutput: string;
  const mountRoot = tempDir();
  const logs: Record<string, Record<string, string>> = {};

  beforeAll(async () => {
    stores = await objectStoreServers({ s3: true });
    await createS3Bucket(stores.s3Endpoint, BUCKET);
    const project = path.join(tempDir(), 'loop-taxi');
    expect((await cli('template', 'copy', '--model', 'taxi', '--pipeline-name', 'loop_taxi', '--destination-path', project)).code).toBe(0);
    fs.copyFileSync(path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv'), path.join(project, 'data', 'data.csv'));
    // The user's edits: the cluster's bucket is on S3 here, a quick model, a threshold any model passes.
    const configs = path.join(project, 'pipeline', 'configs.ts');
    fs.writeFileSync(
      configs,
      fs
        .readFileSync(configs, 'utf8')
        .replace("GCS_BUCKET_NAME = 'my-gcp-project-kubeflowpipelines-default'", `GCS_BUCKET_NAME = '${BUCKET}'`)
        .replace('`gs://${GCS_BUCKET_NAME}/serving_model`', '`s3://${GCS_BUCKET_NAME}/serving_model`')
        .replace('TRAIN_NUM_STEPS = 1000;', 'TRAIN_NUM_STEPS = 10;')
        .replace('EVAL_NUM_STEPS = 150;', 'EVAL_NUM_STEPS = 5;')
        .replace('EVAL_ACCURACY_THRESHOLD = 0.6;', 'EVAL_ACCURACY_THRESHOLD = 0.1;'),
    );
    const runner = path.join(project, 'kubeflow_runner.ts');
    fs.writeFileSync(runner, fs.readFileSync(runner, 'utf8').replace('`gs://${configs.GCS_BUCKET_NAME}', '`s3://${configs.GCS_BUCKET_NAME}'));
    // `pipeline create` packs the code and uploads the package to the bucket, as a user deploys.
    const kfp = await startKfpTestServer();
    try {
      const created = await cli('pipeline', 'create', '--pipeline-path', runner, '--endpoint', kfp.url);
      compileOutput = created.out;
      expect([created.code, created.out]).toEqual([0, expect.any(String)]);
    } finally {
      await kfp.close();
    }
    spec = validatePipelineSpec(YAML.parse(fs.readFileSync(path.join(project, 'loop-taxi.yaml'), 'utf8')));
  }, 300_000);
  afterAll(async () => {
    await stores?.close();
  });

  /** Every task of one run, in order, each from an empty directory as in a pod; returns the run. */
  async function runPipeline(runId: string, parameters: Record<string, unknown>): Promise<SimulatedRun> {
    const run: SimulatedRun = { spec, pipelineRoot: spec.defaultPipelineRoot!, runId, workDir: tempDir(), parameters };
    const cwd = process.cwd();
    process.env.TFX_TS_KFP_MOUNT_ROOT = mountRoot;
    process.env.TFX_TS_CODE_CACHE = path.join(tempDir(), 'code');
    logs[runId] = {};
    try {
      for (const task of taskOrder(spec)) {
        process.chdir(tempDir());
        const { code, out } = await cli(...resolvedCommandLine(run, task).slice(1));
        logs[runId][task] = out;
        if (code !== 0) throw new Error(`${runId}: task ${task} failed:\n${out}`);
      }
    } finally {
      process.chdir(cwd);
      delete process.env.TFX_TS_KFP_MOUNT_ROOT;
      delete process.env.TFX_TS_CODE_CACHE;
    }
    return run;
  }
  const local = (uri: string) => path.join(mountRoot, 's3', uri.replace(/^s3:\/\//, ''));
  const evaluationOf = (run: SimulatedRun): EvaluationResult =>
    JSON.parse(fs.readFileSync(path.join(local(outputOf(run, 'evaluator', 'evaluation').uri), 'evaluation.json'), 'utf8'));
  const overall = (result: EvaluationResult) => result.slices.find((s) => s.key.length === 0)!;

  let first: SimulatedRun;
  let firstPush: Metadata;
  let second: SimulatedRun;

  it('compiles the Resolver into a lookup of the Pusher destination, says so, and KFP compiles the IR', () => {
    expect(compileOutput).toContain(
      `warning: latest_blessed_model_resolver (Resolver) runs on Kubeflow as a lookup of the latest model Pusher pushed (the newest complete, checksum-verified version under s3://${BUCKET}/serving_model/loop_taxi)`,
    );
    const task = spec.root.dag!.tasks[RESOLVER];
    expect(task.inputs!.parameters).toEqual({
      baseDirectory: { runtimeValue: { constant: `s3://${BUCKET}/serving_model` } },
      modelName: { runtimeValue: { constant: 'loop_taxi' } },
    });
    expect(task.cachingOptions).toEqual({});
    expect(spec.root.dag!.tasks.evaluator.inputs!.artifacts!.baselineModel).toEqual({
      taskOutputArtifact: { producerTask: RESOLVER, outputArtifactKey: 'model' },
    });
    for (const task of ['statistics-gen', 'schema-gen', 'example-validator', 'evaluator'])
      expect([task, spec.components[`comp-${task}`].outputDefinitions!.artifacts!.html_view]).toEqual([
        task,
        { artifactType: { schemaTitle: 'system.HTML', schemaVersion: '0.0.1' } },
      ]);
    const file = path.join(tempDir(), 'loop.yaml');
    fs.writeFileSync(file, YAML.stringify(spec));
    if (process.env.KFP_CHECK_BIN) expect(checkIrWithKfp(file).kind).toBe('Workflow');
  });

  it('first run: nothing pushed yet, so no baseline; the blessed model is pushed with its checksums and marker', async () => {
    first = await runPipeline('loop-run-1', { train_steps: 10 });
    expect(logs['loop-run-1'][RESOLVER]).toMatch(new RegExp(`no complete pushed model under s3://${BUCKET}/serving_model/loop_taxi yet: no baseline`));
    expect(outputOf(first, RESOLVER, 'model').metadata).toEqual({ [ABSENT_ARTIFACT]: 1 });
    expect(logs['loop-run-1'].evaluator).toMatch(/no baseline model: change thresholds are skipped/);
    const evaluation = evaluationOf(first);
    expect(evaluation.baseline).toBeUndefined();
    expect(overall(evaluation).baselineMetrics).toBeUndefined();
    expect(outputOf(first, 'evaluator', 'blessing').metadata.blessed).toBe(1);
    firstPush = outputOf(first, 'pusher', 'pushedModel').metadata;
    expect(firstPush).toMatchObject({ pushed: 1, pushed_destination: `s3://${BUCKET}/serving_model/loop_taxi/${firstPush.pushed_version}` });
    const objects = await storeFor(String(firstPush.pushed_destination)).list(`${firstPush.pushed_destination}/`);
    expect(objects).toEqual(
      expect.arrayContaining(['_PUSHED', 'checksums.json', 'model.json', 'signature.json'].map((f) => `${firstPush.pushed_destination}/${f}`)),
    );
  }, 600_000);

  it('second run: the baseline is the first run’s pushed model, and the blessing compares against it', async () => {
    second = await runPipeline('loop-run-2', { train_steps: 30 });
    const baseline = outputOf(second, RESOLVER, 'model');
    expect(baseline.metadata).toMatchObject({ pushed_destination: firstPush.pushed_destination, pushed_version: firstPush.pushed_version });
    expect(logs['loop-run-2'][RESOLVER]).toContain(
      `latest pushed model: version ${firstPush.pushed_version} (${firstPush.pushed_destination}), checksums verified`,
    );
    expect(logs['loop-run-2'].evaluator).toContain(`baseline: model (pushed to ${firstPush.pushed_destination})`);

    // The baseline's metrics on the same eval split are the first run's candidate metrics: the same model.
    const before = overall(evaluationOf(first)).metrics;
    const now = overall(evaluationOf(second));
    expect(now.baselineMetrics).toBeDefined();
    for (const metric of ['auc', 'binary_accuracy', 'example_count']) expect([metric, now.baselineMetrics![metric]]).toEqual([metric, before[metric]]);
    // The change threshold (not worse than the baseline) was judged, not skipped, and decided the blessing.
    const result = evaluationOf(second);
    expect(result.validation.skipped ?? []).toEqual([]);
    const accuracy = Number(now.metrics.binary_accuracy);
    const wasAccuracy = Number(before.binary_accuracy);
    const blessed = outputOf(second, 'evaluator', 'blessing').metadata;
    expect(blessed).toMatchObject({ blessed: accuracy >= wasAccuracy - 1e-10 ? 1 : 0, baseline_model: local(baseline.uri) });
    if (blessed.blessed === 1)
      expect(Number(outputOf(second, 'pusher', 'pushedModel').metadata.pushed_version)).toBeGreaterThan(Number(firstPush.pushed_version));
  }, 600_000);

  it('a version without its _PUSHED marker, or whose files do not match its checksums, is not a baseline', async () => {
    const modelDir = `s3://${BUCKET}/serving_model/loop_taxi`;
    const store = storeFor(modelDir);
    const objects = (await store.list(`${modelDir}/`)).filter((o) => o.startsWith(`${firstPush.pushed_destination}/`));
    const newest = Math.max(...(await store.list(`${modelDir}/`)).map((o) => Number(o.slice(modelDir.length + 1).split('/')[0])));
    // newest+1: a copy whose weights were replaced (same marker, checksums no longer match); newest+2: an upload cut short.
    for (const object of objects) {
      const name = object.slice(String(firstPush.pushed_destination).length + 1);
      const bytes = await store.read(object);
      await store.write(`${modelDir}/${newest + 1}/${name}`, name === 'weights.bin' ? Buffer.alloc(bytes.length, 7) : bytes);
      if (name === 'model.json') await store.write(`${modelDir}/${newest + 2}/${name}`, bytes);
    }
    const third: SimulatedRun = { spec, pipelineRoot: spec.defaultPipelineRoot!, runId: 'loop-run-3', workDir: tempDir() };
    process.env.TFX_TS_KFP_MOUNT_ROOT = mountRoot;
    process.env.TFX_TS_CODE_CACHE = path.join(tempDir(), 'code');
    const cwd = process.cwd();
    let out: string;
    try {
      process.chdir(tempDir());
      const result = await cli(...resolvedCommandLine(third, RESOLVER).slice(1));
      out = result.out;
      expect([result.code, out]).toEqual([0, expect.any(String)]);
    } finally {
      process.chdir(cwd);
      delete process.env.TFX_TS_KFP_MOUNT_ROOT;
      delete process.env.TFX_TS_CODE_CACHE;
    }
    expect(out).toContain(`version ${newest + 2} at ${modelDir}/${newest + 2} has no _PUSHED marker (incomplete push): skipped`);
    expect(out).toMatch(new RegExp(`version ${newest + 1} at .* is not usable \\(corrupt: checksum mismatch for weights\\.bin`));
    expect(outputOf(third, RESOLVER, 'model').metadata).toMatchObject({ pushed_version: String(newest) });
    expect(fs.existsSync(path.join(local(outputUri(third, RESOLVER, 'model')), 'Format-Serving', 'model.json'))).toBe(true);
  }, 300_000);

  it('StatisticsGen, SchemaGen, ExampleValidator and Evaluator wrote the notebook views as system.HTML pages', () => {
    const kinds: Record<string, string> = { 'statistics-gen': 'statistics', 'schema-gen': 'schema', 'example-validator': 'anomalies', evaluator: 'evaluation' };
    for (const [task, kind] of Object.entries(kinds)) {
      const view = outputOf(first, task, 'html_view');
      expect(view.uri).toBe(outputUri(first, task, 'html_view'));
      const page = fs.readFileSync(local(view.uri), 'utf8');
      expect([task, page.startsWith('<!DOCTYPE html>'), page.includes(`tfx-ts-view tfx-ts-${kind}`), /could not be rendered/.test(page)]).toEqual([
        task,
        true,
        true,
        false,
      ]);
      // Self-contained: nothing fetched from anywhere (the KFP UI shows the page in a frame).
      expect([task, /\s(src|href)="(https?:)?\/\//i.test(page)]).toEqual([task, false]);
    }
    // The second run's evaluation page compares with the baseline.
    const evaluation = fs.readFileSync(local(outputOf(second, 'evaluator', 'html_view').uri), 'utf8');
    expect(evaluation).not.toContain('vs no baseline');
    // No metadata ids on KFP: the page names the pushed version it compared with.
    expect(evaluation).toContain(`vs baseline model pushed as version ${firstPush.pushed_version}`);
    if (process.env.TFX_TS_KEEP_VIEWS) {
      for (const task of Object.keys(kinds))
        fs.copyFileSync(local(outputOf(first, task, 'html_view').uri), path.join(process.env.TFX_TS_KEEP_VIEWS, `${task}.html`));
      fs.writeFileSync(path.join(process.env.TFX_TS_KEEP_VIEWS, 'evaluator-run-2.html'), evaluation);
    }
  });
});
