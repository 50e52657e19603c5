/**
 * The runtime image's recipe (docker/Dockerfile) without Docker: this repository's `npm pack`
 * tarball installed into an empty directory with production dependencies only, then a compiled
 * pipeline's tasks run through that install's `tfx-ts run-executor`, from an empty working
 * directory, with the code package fetched from a real S3 server (SeaweedFS). What the image would
 * lack (a file left out of the package's "files", a dependency only in devDependencies) fails here.
 *
 * The install uses the local npm cache (--prefer-offline); it takes minutes on a loaded machine.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CsvExampleGen } from '../../src/components/example_gen/component';
import { StatisticsGen } from '../../src/components/statistics_gen/component';
import { Pipeline } from '../../src/dsl/pipeline';
import { buildCodePackage, uploadCodePackage } from '../../src/orchestration/kubeflow/code-package';
import { compilePipeline } from '../../src/orchestration/kubeflow/compiler';
import { outputFileOf, resolvedCommandLine, SimulatedRun, taskOrder } from '../../src/testing/kfp-driver';
import { repoRoot, sharedData, tempDir } from '../../src/testing/fixtures';
import { createS3Bucket, objectStoreServers, ObjectStoreServers } from '../../src/testing/object-stores';

const BUCKET = 'runtime-image-test';
const taxiCsv = path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv');

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout: number }): string {
  const result = spawnSync(command, args, { ...options, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.slice(0, 3).join(' ')} … failed (${result.error?.message ?? `exit ${result.status}`}):\n${(result.stdout ?? '').slice(-3000)}\n${(result.stderr ?? '').slice(-3000)}`,
    );
  }
  return result.stdout;
}

describe('runtime image recipe: npm pack tarball installed offline runs compiled tasks', () => {
  let stores: ObjectStoreServers;
  beforeAll(async () => {
    stores = await objectStoreServers({ s3: true });
    await createS3Bucket(stores.s3Endpoint, BUCKET);
  });
  afterAll(async () => {
    await stores?.close();
  });

  it('installs from the tarball into an empty directory and runs CsvExampleGen and StatisticsGen from the bucket', async () => {
    // TFX_TS_RUNTIME_INSTALL: an install made by these same commands earlier (the native-module
    // build alone takes minutes), to re-check only the tasks.
    let install = process.env.TFX_TS_RUNTIME_INSTALL;
    if (!install) {
      // The tarball packs the built dist/ (scripts/test.sh builds first); --ignore-scripts skips `prepare`.
      expect(fs.existsSync(path.join(repoRoot, 'dist', 'index.js'))).toBe(true);
      const packDir = tempDir();
      run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: repoRoot, timeout: 300_000 });
      const tarball = fs.readdirSync(packDir).find((f) => /^tfx-ts-.*\.tgz$/.test(f));
      expect(tarball).toBeDefined();
      install = tempDir();
      fs.writeFileSync(path.join(install, 'package.json'), '{"private":true}\n');
      // The Dockerfile's install command, from the local cache. Without network, better-sqlite3's
      // prebuilt binary cannot be fetched and it compiles from source (the image has make and g++).
      run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', path.join(packDir, tarball!)], { cwd: install, timeout: 1_200_000 });
    }
    const bin = path.join(install, 'node_modules', '.bin', 'tfx-ts');
    expect(fs.existsSync(bin)).toBe(true);

    // A project whose data travels in the code package (local data under a bucket pipeline root).
    const project = tempDir();
    fs.mkdirSync(path.join(project, 'data'));
    const lines = fs.readFileSync(taxiCsv, 'utf8').split('\n').slice(0, 301);
    fs.writeFileSync(path.join(project, 'data', 'data.csv'), `${lines.join('\n')}\n`);
    const pipelineRoot = `s3://${BUCKET}/root`;
    const gen = new CsvExampleGen({ inputBase: path.join(project, 'data') });
    const stats = new StatisticsGen({ examples: gen.outputs.examples });
    const pipeline = new Pipeline({ pipelineName: 'image_recipe', pipelineRoot, components: [gen, stats] });
    const built = buildCodePackage(pipeline, { projectRoot: project, pipelineRoot });
    await uploadCodePackage(built);
    built.dispose();
    const spec = compilePipeline(pipeline, { image: 'tfx-ts-runtime:test', projectRoot: project, codePackage: built.ref });
    const simulated: SimulatedRun = { spec, pipelineRoot, runId: 'image-run-1', workDir: tempDir() };

    // Each task as a pod would run it: an empty working directory, only the install's tfx-ts.
    const mountRoot = tempDir();
    const env = { ...process.env, ...stores.env, TFX_TS_KFP_MOUNT_ROOT: mountRoot, TFX_TS_CODE_CACHE: path.join(tempDir(), 'code') };
    delete env.NODE_OPTIONS;
    for (const task of taskOrder(spec)) {
      const commandLine = resolvedCommandLine(simulated, task);
      expect(commandLine[0]).toBe('tfx-ts');
      const out = run(bin, commandLine.slice(1), { cwd: tempDir(), env, timeout: 300_000 });
      expect(out).toMatch(/code package s3:\/\/.* ready in/);
    }
    const examples = JSON.parse(fs.readFileSync(outputFileOf(simulated, 'csv-example-gen'), 'utf8')).artifacts.examples.artifacts[0];
    expect(JSON.parse(examples.metadata.split_names)).toEqual(['train', 'eval']);
    const statistics = JSON.parse(fs.readFileSync(outputFileOf(simulated, 'statistics-gen'), 'utf8')).artifacts.statistics.artifacts[0];
    expect(statistics.uri).toMatch(new RegExp(`^s3://${BUCKET}/root/image-run-1/statistics-gen/`));
    // The installed package renders the notebook's statistics view as the task's system.HTML page (views, stylesheet, vega).
    const view = JSON.parse(fs.readFileSync(outputFileOf(simulated, 'statistics-gen'), 'utf8')).artifacts.html_view.artifacts[0];
    const page = fs.readFileSync(path.join(mountRoot, 's3', view.uri.replace(/^s3:\/\//, '')), 'utf8');
    expect([page.includes('class="tfx-ts-view tfx-ts-statistics"'), page.includes('could not be rendered'), page.includes('<svg')]).toEqual([
      true,
      false,
      true,
    ]);
  }, 1_800_000);
});
