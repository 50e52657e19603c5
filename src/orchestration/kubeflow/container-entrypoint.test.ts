import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { splitUri, standardArtifacts } from '../../dsl/artifact';
import { defineComponent } from '../../dsl/component';
import { Pipeline } from '../../dsl/pipeline';
import { CsvExampleGen } from '../../components/example_gen/component';
import { StatisticsGen } from '../../components/statistics_gen/component';
import { SchemaGen } from '../../components/schema_gen/component';
import { LocalDagRunner } from '../local/runner';
import { DuckSession, sqlString } from '../../data/duckdb';
import { main } from '../../cli/main';
import { sharedData, tempDir, writeFile } from '../../testing/fixtures';
import { executorInputFor, outputFileOf, resolvedCommandLine, SimulatedRun, taskOrder } from '../../testing/kfp-driver';
import { compilePipeline } from './compiler';
import { ABSENT_ARTIFACT, localPathForUri, parseExecutorInput } from './container-entrypoint';

const taxiCsv = path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv');

/** Reads the examples of every split it is told about (through artifact metadata) and writes row counts. */
const CountRows = defineComponent({
  type: 'EntrypointTestCountRows',
  version: '1',
  inputs: { examples: { type: standardArtifacts.Examples } },
  outputs: { statistics: { type: standardArtifacts.ExampleStatistics } },
  parameters: z.object({ column: z.string() }).strict(),
  executor: async () => async (context) => {
    const examples = context.inputs.examples[0];
    const counts: Record<string, number> = {};
    await DuckSession.with(async (db) => {
      for (const split of examples.splitNames) {
        const [{ n }] = await db.all<{ n: number }>(
          `SELECT count(${context.parameters.column}) AS n FROM read_parquet(${sqlString(path.join(splitUri(examples.uri, split), '*.parquet'))})`,
        );
        counts[split] = Number(n);
      }
    });
    const out = context.outputs.statistics[0];
    fs.writeFileSync(path.join(out.uri, 'counts.json'), JSON.stringify(counts));
    out.splitNames = examples.splitNames;
    out.customProperties.total = Object.values(counts).reduce((a, b) => a + b, 0);
  },
});

async function runTask(run: SimulatedRun, taskName: string): Promise<number> {
  const commandLine = resolvedCommandLine(run, taskName);
  expect(commandLine[0]).toBe('tfx-ts');
  return main(['node', ...commandLine]);
}

describe('tfx-ts run-executor (the KFP container entrypoint)', () => {
  let logs: string[];
  beforeEach(() => {
    logs = [];
    jest.spyOn(console, 'log').mockImplementation((...args) => {
      logs.push(args.join(' '));
    });
    jest.spyOn(console, 'error').mockImplementation((...args) => {
      logs.push(args.join(' '));
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('runs compiled tasks end to end through the filesystem: CsvExampleGen → a consumer, gs:// mapped to the launcher mounts', async () => {
    const project = tempDir();
    const mountRoot = tempDir();
    // Data shipped in the image: a path relative to the working directory.
    fs.mkdirSync(path.join(project, 'data'));
    fs.copyFileSync(taxiCsv, path.join(project, 'data', 'data.csv'));
    const exampleGen = new CsvExampleGen({ inputBase: path.join(project, 'data') });
    const counter = new CountRows({ examples: exampleGen.outputs.examples, column: 'fare' });
    const pipeline = new Pipeline({ pipelineName: 'taxi', pipelineRoot: 'gs://bucket/root', components: [exampleGen, counter] });
    const spec = compilePipeline(pipeline, { image: 'img', projectRoot: project });
    const run: SimulatedRun = { spec, pipelineRoot: 'gs://bucket/root', runId: 'run-1', workDir: tempDir() };

    const cwd = process.cwd();
    process.env.TFX_TS_KFP_MOUNT_ROOT = mountRoot;
    try {
      process.chdir(project);
      expect(taskOrder(spec)).toEqual(['csv-example-gen', 'entrypoint-test-count-rows']);
      for (const task of taskOrder(spec)) expect(await runTask(run, task)).toBe(0);
    } finally {
      process.chdir(cwd);
      delete process.env.TFX_TS_KFP_MOUNT_ROOT;
    }

    const examplesDir = path.join(mountRoot, 'gcs', 'bucket', 'root', 'run-1', 'csv-example-gen', 'examples');
    expect(fs.readdirSync(examplesDir).sort()).toEqual(['Split-eval', 'Split-train']);
    const exampleGenOutput = JSON.parse(fs.readFileSync(outputFileOf(run, 'csv-example-gen'), 'utf8'));
    expect(exampleGenOutput).toEqual({
      artifacts: {
        examples: {
          artifacts: [{ uri: 'gs://bucket/root/run-1/csv-example-gen/examples', metadata: { split_names: '["train","eval"]', span: 0, version: 0 } }],
        },
      },
    });
    // The consumer saw the split names only through the metadata the launcher passed on.
    const counts = JSON.parse(
      fs.readFileSync(path.join(mountRoot, 'gcs', 'bucket', 'root', 'run-1', 'entrypoint-test-count-rows', 'statistics', 'counts.json'), 'utf8'),
    );
    expect(Object.keys(counts)).toEqual(['train', 'eval']);
    expect(counts.train + counts.eval).toBe(15002);
    expect(counts.train).toBeGreaterThan(counts.eval);
    const counterOutput = JSON.parse(fs.readFileSync(outputFileOf(run, 'entrypoint-test-count-rows'), 'utf8'));
    expect(counterOutput.artifacts.statistics.artifacts[0].metadata).toEqual({ split_names: '["train","eval"]', total: 15002 });
    expect(logs.join('\n')).toMatch(/\[CsvExampleGen\] split train: \d+ examples/);
  });

  it('chains CsvExampleGen → StatisticsGen → SchemaGen through the filesystem, with the results of the local runner', async () => {
    const project = tempDir();
    const mountRoot = tempDir();
    fs.mkdirSync(path.join(project, 'data'));
    fs.copyFileSync(taxiCsv, path.join(project, 'data', 'data.csv'));
    const build = (root: string) => {
      const exampleGen = new CsvExampleGen({ inputBase: path.join(project, 'data') });
      const statisticsGen = new StatisticsGen({ examples: exampleGen.outputs.examples });
      const schemaGen = new SchemaGen({ statistics: statisticsGen.outputs.statistics });
      return new Pipeline({ pipelineName: 'taxi', pipelineRoot: root, components: [exampleGen, statisticsGen, schemaGen] });
    };
    const spec = compilePipeline(build('minio://mlpipeline/v2/artifacts'), { image: 'img', projectRoot: project });
    const run: SimulatedRun = { spec, pipelineRoot: 'minio://mlpipeline/v2/artifacts', runId: 'run-7', workDir: tempDir() };
    const cwd = process.cwd();
    process.env.TFX_TS_KFP_MOUNT_ROOT = mountRoot;
    try {
      process.chdir(project);
      expect(taskOrder(spec)).toEqual(['csv-example-gen', 'statistics-gen', 'schema-gen']);
      for (const task of taskOrder(spec)) expect(await runTask(run, task)).toBe(0);
    } finally {
      process.chdir(cwd);
      delete process.env.TFX_TS_KFP_MOUNT_ROOT;
    }
    const taskDir = (task: string, key: string) => path.join(mountRoot, 'minio', 'mlpipeline', 'v2', 'artifacts', 'run-7', task, key);
    const statisticsOutput = JSON.parse(fs.readFileSync(outputFileOf(run, 'statistics-gen'), 'utf8'));
    expect(statisticsOutput.artifacts.statistics.artifacts[0]).toMatchObject({
      uri: 'minio://mlpipeline/v2/artifacts/run-7/statistics-gen/statistics',
      metadata: { split_names: '["train","eval"]' },
    });
    expect(fs.readdirSync(taskDir('statistics-gen', 'statistics')).sort()).toEqual(['Split-eval', 'Split-train']);
    const kfpSchema = fs.readFileSync(path.join(taskDir('schema-gen', 'schema'), 'schema.pbtxt'), 'utf8');
    expect(kfpSchema).toMatch(/name: "payment_type"/);

    // The same components under the local runner write the same schema: one executor, two orchestrators.
    const local = await new LocalDagRunner().run(build(tempDir()));
    const localSchema = fs.readFileSync(path.join(local.results[2].outputs.schema[0].uri, 'schema.pbtxt'), 'utf8');
    expect(kfpSchema).toBe(localSchema);
  });

  it('builds the executor input from the IR as the launcher does', () => {
    const project = tempDir();
    const exampleGen = new CsvExampleGen({
      inputBase: 'data',
      outputConfig: {
        splitConfig: {
          splits: [
            { name: 'train', hashBuckets: 3 },
            { name: 'eval', hashBuckets: 1 },
          ],
        },
      },
    });
    const spec = compilePipeline(new Pipeline({ pipelineName: 'p', pipelineRoot: 'minio://mlpipeline/v2', components: [exampleGen] }), {
      image: 'img',
      projectRoot: project,
    });
    const run: SimulatedRun = { spec, pipelineRoot: 'minio://mlpipeline/v2', runId: 'r', workDir: '/tmp/kfp' };
    expect(executorInputFor(run, 'csv-example-gen')).toEqual({
      inputs: {
        parameterValues: {
          inputBase: 'data',
          outputConfig: {
            splitConfig: {
              splits: [
                { name: 'train', hashBuckets: 3 },
                { name: 'eval', hashBuckets: 1 },
              ],
            },
          },
        },
        artifacts: {},
      },
      outputs: {
        artifacts: {
          examples: { artifacts: [{ name: '', type: { schemaTitle: 'tfx.Examples' }, uri: 'minio://mlpipeline/v2/r/csv-example-gen/examples', metadata: {} }] },
        },
        outputFile: '/tmp/kfp/csv-example-gen/output_metadata.json',
      },
    });
  });

  it('maps URIs to local paths the way the KFP launcher mounts them', () => {
    expect(localPathForUri('gs://b/x/y', '/')).toBe('/gcs/b/x/y');
    expect(localPathForUri('s3://b/x', '/')).toBe('/s3/b/x');
    expect(localPathForUri('minio://mlpipeline/v2/a', '/mnt')).toBe('/mnt/minio/mlpipeline/v2/a');
    expect(localPathForUri('file:///tmp/a%20b', '/')).toBe('/tmp/a b');
    expect(localPathForUri('/data/x', '/')).toBe('/data/x');
    expect(() => localPathForUri('hdfs://nn/x', '/')).toThrow(/storage scheme the KFP launcher does not mount/);
  });

  it('refuses bad executor input with one clear message', async () => {
    expect(() => parseExecutorInput('{not json')).toThrow(/--executor-input is not JSON/);
    expect(() => parseExecutorInput('{"inputs": {}, "outputs": {}}')).toThrow(
      /outputs\.outputFile: outputs\.outputFile \(where the executor output goes\) is missing/,
    );
    const dir = tempDir();
    const input = (extra: object) =>
      JSON.stringify({
        inputs: { parameterValues: { column: 'fare' } },
        outputs: { artifacts: { statistics: { artifacts: [{ uri: path.join(dir, 'out') }] } }, outputFile: path.join(dir, 'o.json') },
        ...extra,
      });
    expect(await main(['node', 'tfx-ts', 'run-executor', '--component-type', 'EntrypointTestCountRows', '--executor-input', input({})])).toBe(2);
    expect(logs.pop()).toMatch(/EntrypointTestCountRows: the executor input has no artifact for required input "examples" \(Examples\)/);
    expect(await main(['node', 'tfx-ts', 'run-executor', '--component-type', 'NoSuchComponent', '--executor-input', input({})])).toBe(2);
    expect(logs.pop()).toMatch(/Unknown component type "NoSuchComponent"[\s\S]*--component-module/);
    const wrongType = JSON.stringify({
      inputs: { parameterValues: { column: 1 }, artifacts: { examples: { artifacts: [{ uri: dir, type: { schemaTitle: 'tfx.Model' } }] } } },
      outputs: { artifacts: { statistics: { artifacts: [{ uri: path.join(dir, 'out') }] } }, outputFile: path.join(dir, 'o.json') },
    });
    expect(await main(['node', 'tfx-ts', 'run-executor', '--component-type', 'EntrypointTestCountRows', '--executor-input', wrongType])).toBe(2);
    expect(logs.pop()).toMatch(/input "examples" is a tfx\.Model artifact, but the component expects tfx\.Examples/);
    const badParameter = JSON.stringify({
      inputs: { parameterValues: { column: 1 }, artifacts: { examples: { artifacts: [{ uri: dir }] } } },
      outputs: { artifacts: { statistics: { artifacts: [{ uri: path.join(dir, 'out') }] } }, outputFile: path.join(dir, 'o.json') },
    });
    expect(await main(['node', 'tfx-ts', 'run-executor', '--component-type', 'EntrypointTestCountRows', '--executor-input', badParameter])).toBe(2);
    expect(logs.pop()).toMatch(/parameters do not fit EntrypointTestCountRows: column: Expected string, received number/);
    // An output its producer left empty reaches a required input: the message says so.
    const absent = JSON.stringify({
      inputs: { parameterValues: { column: 'fare' }, artifacts: { examples: { artifacts: [{ uri: dir, metadata: { [ABSENT_ARTIFACT]: 1 } }] } } },
      outputs: { artifacts: { statistics: { artifacts: [{ uri: path.join(dir, 'out') }] } }, outputFile: path.join(dir, 'o.json') },
    });
    expect(await main(['node', 'tfx-ts', 'run-executor', '--component-type', 'EntrypointTestCountRows', '--executor-input', absent])).toBe(2);
    expect(logs.pop()).toMatch(/no artifact for required input "examples" \(Examples\): its producer published none/);
    expect(await main(['node', 'tfx-ts', 'run-executor', '--component-type', 'CsvExampleGen', '--executor-input', '@/nonexistent.json'])).toBe(2);
    expect(logs.pop()).toMatch(/Executor input file \/nonexistent\.json does not exist/);
  });

  it('loads custom component types from --component-module', async () => {
    const dir = tempDir();
    const indexPath = path.resolve(__dirname, '..', '..', 'index.ts');
    const moduleFile = writeFile(
      dir,
      'custom.ts',
      `
      import * as fs from 'node:fs';
      import * as path from 'node:path';
      import { z } from ${JSON.stringify(require.resolve('zod'))};
      import { defineComponent, standardArtifacts } from ${JSON.stringify(indexPath)};
      export const Hello = defineComponent({
        type: 'EntrypointTestHello', version: '1', inputs: {}, outputs: { examples: { type: standardArtifacts.Examples } },
        parameters: z.object({ who: z.string() }).strict(),
        executor: async () => async (context) => { fs.writeFileSync(path.join(context.outputs.examples[0].uri, 'hello.txt'), 'hello ' + context.parameters.who); },
      });`,
    );
    const input = JSON.stringify({
      inputs: { parameterValues: { who: 'kfp' } },
      outputs: { artifacts: { examples: { artifacts: [{ uri: path.join(dir, 'out') }] } }, outputFile: path.join(dir, 'o.json') },
    });
    const code = await main([
      'node',
      'tfx-ts',
      'run-executor',
      '--component-type',
      'EntrypointTestHello',
      '--component-module',
      moduleFile,
      '--executor-input',
      input,
    ]);
    expect(logs.join('\n')).not.toMatch(/error/);
    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'out', 'hello.txt'), 'utf8')).toBe('hello kfp');
  });
});
