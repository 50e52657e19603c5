/**
 * Kubeflow's own code judges what we compile: every IR tfx-ts produces is parsed the way the KFP
 * API server parses an upload and compiled into an Argo Workflow by KFP's argocompiler
 * (tools/kfp-check, KFP 2.14.3), and loaded by the kfp Python SDK (2.17.3). The same tool must accept
 * KFP's own 150 compiled samples and refuse KFP's invalid upload fixtures, so it is not lenient.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { z } from 'zod';
import { main } from '../../src/cli/main';
import { CsvExampleGen } from '../../src/components/example_gen/component';
import { standardArtifacts } from '../../src/dsl/artifact';
import { defineComponent } from '../../src/dsl/component';
import { Pipeline } from '../../src/dsl/pipeline';
import { loadPipelineModule } from '../../src/orchestration/pipeline-module';
import { compilePipeline, pipelineSpecToYaml } from '../../src/orchestration/kubeflow/compiler';
import { buildCodePackage } from '../../src/orchestration/kubeflow/code-package';
import { sharedData, tempDir, writeFile } from '../../src/testing/fixtures';
import { ArgoWorkflow, checkIrWithKfp, checkIrWithKfpSdk, kfpCheckBin, parseWithKfp } from '../../src/testing/kfp-check';

const samples = path.join(sharedData, 'kfp_samples');
const IMAGE = 'registry.example.com/tfx-ts-runtime:0.1.0';

const Stats = defineComponent({
  type: 'OracleStats',
  version: '1',
  inputs: { examples: { type: standardArtifacts.Examples } },
  outputs: { statistics: { type: standardArtifacts.ExampleStatistics } },
  parameters: z.object({ topK: z.number().int().default(20) }).strict(),
  executor: async () => async () => undefined,
});
const Trainer = defineComponent({
  type: 'OracleTrainer',
  version: '1',
  inputs: { examples: { type: standardArtifacts.Examples }, statistics: { type: standardArtifacts.ExampleStatistics, optional: true } },
  outputs: { model: { type: standardArtifacts.Model } },
  parameters: z.object({ moduleFile: z.string(), trainArgs: z.object({ numSteps: z.number().int() }).strict() }).strict(),
  fileParameters: ['moduleFile'],
  executor: async () => async () => undefined,
});

/** Executor specs of the workflow (argocompiler passes each as a JSON workflow parameter). */
function executorsOf(workflow: ArgoWorkflow): { image: string; command?: string[]; args?: string[] }[] {
  return (workflow.spec.arguments?.parameters ?? [])
    .filter((p) => p.name.startsWith('implementations-'))
    .map((p) => JSON.parse(p.value ?? '{}') as { image: string; command?: string[]; args?: string[] });
}

function writeIr(name: string, yaml: string): string {
  const file = path.join(tempDir(), `${name}.yaml`);
  fs.writeFileSync(file, yaml);
  return file;
}

describe("KFP's own code as the judge of compiled IR", () => {
  beforeAll(() => {
    kfpCheckBin();
  }, 30 * 60_000); // builds tools/kfp-check when the test setup did not

  it("accepts all of KFP's 150 compiled samples and refuses KFP's invalid upload fixtures", () => {
    const valid = fs
      .readdirSync(path.join(samples, 'valid'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => path.join(samples, 'valid', f));
    expect(valid).toHaveLength(150);
    const results = parseWithKfp(valid);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results).toHaveLength(150);

    const invalid = fs.readdirSync(path.join(samples, 'invalid')).map((f) => path.join(samples, 'invalid', f));
    const refused = parseWithKfp(invalid);
    expect(refused.map((r) => [path.basename(r.file), r.ok])).toEqual(invalid.map((f) => [path.basename(f), false]));
    expect(refused[0].error).toMatch(/unknown template format/);
  });

  it('refuses what the API server refuses: unknown fields, bad enums, Duration "5m", schemaVersion 2.0.0, a name with "_"', () => {
    const base = fs.readFileSync(path.join(samples, 'valid', 'critical_flip_coin.yaml'), 'utf8');
    const variant = (edit: (spec: any) => void): string => {
      const spec = YAML.parse(base);
      edit(spec);
      return YAML.stringify(spec);
    };
    const cases: Record<string, [string, RegExp]> = {
      unknown_dag_output: [
        variant((s) => {
          s.root.dag.outputs = { bogus: 1 };
        }),
        /unknown template format/,
      ],
      bad_enum: [
        variant((s) => {
          s.components['comp-flip-coin'].outputDefinitions.parameters.Output.parameterType = 'TEXT';
        }),
        /unknown template format/,
      ],
      duration_5m: [
        variant((s) => {
          s.root.dag.tasks['flip-coin'].retryPolicy = { backoffDuration: '5m', maxRetryCount: 2 };
        }),
        /unknown template format/,
      ],
      schema_2_0_0: [
        variant((s) => {
          s.schemaVersion = '2.0.0';
        }),
        /KFP only supports schema version 2\.1\.0, but the pipeline spec has version 2\.0\.0/,
      ],
      underscore_name: [
        variant((s) => {
          s.pipelineInfo.name = 'my_pipeline';
        }),
        /pipeline's name must contain only lowercase alphanumeric characters or '-'/,
      ],
    };
    for (const [name, [text, expected]] of Object.entries(cases)) {
      const [result] = parseWithKfp([writeIr(name, text)]);
      expect([name, result.ok, result.error]).toEqual([name, false, expect.stringMatching(expected)]);
    }
    // The same retry policy with a protojson Duration is accepted: the refusal above is the "5m".
    const retry = variant((s) => {
      s.root.dag.tasks['flip-coin'].retryPolicy = { backoffDuration: '300s', maxRetryCount: 2 };
    });
    expect(parseWithKfp([writeIr('duration_ok', retry)])[0]).toMatchObject({ ok: true });
  });

  it('the taxi template (CLI pipeline compile) parses, compiles to an Argo Workflow and loads in the kfp SDK', async () => {
    const project = path.join(tempDir(), 'oracle-taxi');
    const lines: string[] = [];
    const capture = (...parts: unknown[]) => {
      lines.push(parts.map(String).join(' '));
    };
    const spies = [
      jest.spyOn(console, 'log').mockImplementation(capture),
      jest.spyOn(console, 'error').mockImplementation(capture),
      jest.spyOn(console, 'warn').mockImplementation(capture),
    ];
    const output = path.join(tempDir(), 'taxi.yaml');
    try {
      expect(await main(['node', 'tfx-ts', 'template', 'copy', '--model', 'taxi', '--pipeline-name', 'my_taxi', '--destination-path', project])).toBe(0);
      fs.copyFileSync(path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv'), path.join(project, 'data', 'data.csv'));
      expect([
        await main(['node', 'tfx-ts', 'pipeline', 'compile', '--pipeline-path', path.join(project, 'kubeflow_runner.ts'), '-o', output]),
        lines.join('\n'),
      ]).toEqual([0, expect.any(String)]);
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
    const workflow = checkIrWithKfp(output);
    expect(workflow).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { generateName: 'my-taxi-' } });
    const executors = executorsOf(workflow);
    expect(executors).toHaveLength(9);
    // Every task fetches the template's code package from the bucket, then runs its executor.
    for (const executor of executors) {
      expect(executor.args?.slice(0, 7)).toEqual([
        'run-executor',
        '--code-package',
        expect.stringMatching(/^gs:\/\/.*\/_tfx_ts_code\/[0-9a-f]{64}\.tar\.gz$/),
        '--code-sha256',
        expect.stringMatching(/^[0-9a-f]{64}$/),
        '--executor-input',
        '{{$}}',
      ]);
    }
    expect(checkIrWithKfp(output, { cacheDisabled: true }).kind).toBe('Workflow');
    expect(checkIrWithKfpSdk(output)).toMatchObject({
      name: 'my-taxi',
      tasks: [
        'csv-example-gen',
        'evaluator',
        'example-validator',
        'latest-blessed-model-resolver',
        'pusher',
        'schema-gen',
        'statistics-gen',
        'trainer',
        'transform',
      ],
    });
  }, 120_000);

  it('the penguin quickstart parses, compiles and loads', async () => {
    const pipeline = await loadPipelineModule(path.resolve(__dirname, '..', '..', 'examples', 'penguin_quickstart', 'pipeline.ts'), {
      pipelineRoot: 's3://bucket/penguin',
    });
    // Its data file lies outside the example's folder: as `pipeline create` does, it travels in the code package.
    const projectRoot = path.resolve(__dirname, '..', '..', 'examples', 'penguin_quickstart');
    const built = buildCodePackage(pipeline, { projectRoot, pipelineRoot: 's3://bucket/penguin' });
    built.dispose();
    const file = writeIr(
      'penguin',
      pipelineSpecToYaml(compilePipeline(pipeline, { image: IMAGE, projectRoot, codePackage: built.ref, onWarning: () => undefined })),
    );
    expect(executorsOf(checkIrWithKfp(file)).map((e) => e.image)).toEqual([IMAGE, IMAGE, IMAGE, IMAGE]);
    expect(checkIrWithKfpSdk(file).tasks).toEqual(['example-validator', 'query-example-gen', 'schema-gen', 'statistics-gen']);
  }, 60_000);

  it('resources, a GPU, caching off and pipeline parameters compile; run parameters are checked by KFP against the root inputs', () => {
    const project = tempDir();
    writeFile(project, 'models/model.ts', 'export function runFn() {}\n');
    const exampleGen = new CsvExampleGen({ inputBase: 'gs://bucket/data' });
    const stats = new Stats({ examples: exampleGen.outputs.examples }).withResources({ cpuLimit: '500m', memoryLimit: '1Gi' });
    const trainer = new Trainer({
      examples: exampleGen.outputs.examples,
      statistics: stats.outputs.statistics,
      moduleFile: path.join(project, 'models/model.ts'),
      trainArgs: { numSteps: 10 },
    }).withResources({ cpuLimit: '4', cpuRequest: '2', memoryLimit: '14Gi', memoryRequest: '4Gi', accelerator: { type: 'nvidia.com/gpu', count: 1 } });
    const pipeline = new Pipeline({
      pipelineName: 'oracle_pipeline',
      pipelineRoot: 'gs://bucket/root',
      components: [exampleGen, stats, trainer],
      enableCache: true,
      parameters: { epochs: 3, learningRate: 0.01, tag: 'a' },
    });
    const cached = writeIr('cached', pipelineSpecToYaml(compilePipeline(pipeline, { image: IMAGE, projectRoot: project })));
    const uncached = writeIr('uncached', pipelineSpecToYaml(compilePipeline(pipeline, { image: IMAGE, projectRoot: project, enableCache: false })));
    for (const file of [cached, uncached]) {
      expect(executorsOf(checkIrWithKfp(file)).length).toBe(3);
      expect(checkIrWithKfpSdk(file)).toEqual({
        name: 'oracle-pipeline',
        tasks: ['csv-example-gen', 'oracle-trainer', 'oracle-stats'].sort(),
        inputs: ['epochs', 'learningRate', 'tag'],
      });
    }
    expect(checkIrWithKfp(cached, { parameters: { epochs: 5, learningRate: 0.1, tag: 'b' }, pipelineRoot: 's3://other/root' }).kind).toBe('Workflow');
    expect(() => checkIrWithKfp(cached, { parameters: { epochs: 'five' } })).toThrow(/epochs/);
    expect(() => checkIrWithKfp(cached, { parameters: { nope: 1 } })).toThrow(/nope/);
  });
});
