import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { defineComponent } from '../../dsl/component';
import { Pipeline } from '../../dsl/pipeline';
import { CsvExampleGen } from '../../components/example_gen/component';
import { sharedData, tempDir, writeFile } from '../../testing/fixtures';
import { compilePipeline, InlineComponentError, parsePipelineSpecText, pipelineSpecToYaml } from './compiler';
import { InvalidPipelineSpecError, validatePipelineSpec } from './validate';
import { kfpName, uniqueTaskNames } from './names';
import { NotSupportedError } from '../../util/errors';
import { LatestBlessedModelStrategy, Resolver } from '../../components/resolver/component';
import { Pusher } from '../../components/pusher/component';

const goldenDir = path.join(sharedData, 'kfp_golden');
const goldenFiles = fs
  .readdirSync(goldenDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const golden = (name: string) => parsePipelineSpecText(fs.readFileSync(path.join(goldenDir, name), 'utf8'), name) as Record<string, any>;

// Small components with the shapes the standard ones have (one input, one output, a module file).
const Stats = defineComponent({
  type: 'CompilerTestStats',
  version: '1',
  inputs: { examples: { type: standardArtifacts.Examples } },
  outputs: { statistics: { type: standardArtifacts.ExampleStatistics } },
  parameters: z.object({ topK: z.number().int().default(20), labels: z.array(z.string()).default([]) }).strict(),
  executor: async () => async () => undefined,
});
const Trainer = defineComponent({
  type: 'CompilerTestTrainer',
  version: '1',
  inputs: { examples: { type: standardArtifacts.Examples }, schema: { type: standardArtifacts.Schema, optional: true } },
  outputs: { model: { type: standardArtifacts.Model } },
  parameters: z
    .object({ moduleFile: z.string().optional(), runFn: z.function().optional(), learningRate: z.number().default(0.01), note: z.any().optional() })
    .strict(),
  fileParameters: ['moduleFile'],
  executor: async () => async () => undefined,
});

const Judge = defineComponent({
  type: 'CompilerTestJudge',
  version: '1',
  inputs: { model: { type: standardArtifacts.Model }, baselineModel: { type: standardArtifacts.Model, optional: true } },
  outputs: { blessing: { type: standardArtifacts.ModelBlessing } },
  parameters: z.object({}).strict(),
  executor: async () => async () => undefined,
});

function taxiLikePipeline(project: string) {
  writeFile(project, 'models/model.ts', 'export function runFn() {}\n');
  const exampleGen = new CsvExampleGen({ inputBase: path.join(project, 'data') });
  const stats = new Stats({ examples: exampleGen.outputs.examples });
  const trainer = new Trainer({ examples: exampleGen.outputs.examples, moduleFile: 'models/model.ts' }).withResources({
    cpuLimit: '4',
    cpuRequest: '2',
    memoryLimit: '14Gi',
    memoryRequest: '4Gi',
    accelerator: { type: 'tpu-v3', count: 1 },
  });
  return new Pipeline({ pipelineName: 'taxi_pipeline', pipelineRoot: 'gs://bucket/tfx', components: [exampleGen, stats, trainer], parameters: { epochs: 3 } });
}

/** Key paths of a spec, with map keys (component, task, input names) replaced by "*" and values left out. */
function shape(value: unknown, at = '', out = new Set<string>()): Set<string> {
  const MAPS = new Set(['components', 'executors', 'tasks', 'artifacts', 'parameters']);
  const LEAVES = new Set(['constant', 'defaultValue']);
  if (Array.isArray(value)) {
    out.add(`${at}[]`);
    value.forEach((item) => shape(item, `${at}[]`, out));
  } else if (value && typeof value === 'object') {
    const isMap = MAPS.has(at.split('.').pop() ?? '');
    for (const [key, item] of Object.entries(value)) {
      const here = `${at}${at ? '.' : ''}${isMap ? '*' : key}`;
      out.add(here);
      if (!LEAVES.has(key)) shape(item, here, out);
    }
  }
  return out;
}

describe('compilePipeline against the KFP SDK golden files', () => {
  it('the validator accepts every golden file (KFP SDK output)', () => {
    expect(goldenFiles.length).toBeGreaterThanOrEqual(5);
    for (const file of goldenFiles) expect(() => validatePipelineSpec(golden(file))).not.toThrow();
  });

  it('writes only fields the KFP SDK writes, and every field all golden files share', () => {
    const project = tempDir();
    const spec = compilePipeline(taxiLikePipeline(project), { image: 'gcr.io/p/taxi:1', projectRoot: project });
    const ours = shape(spec);
    const goldenShapes = goldenFiles.map((f) => shape(golden(f)));
    const union = new Set(goldenShapes.flatMap((s) => [...s]));
    const common = [...goldenShapes[0]].filter((p) => goldenShapes.every((s) => s.has(p)));
    // Proto fields the golden pipelines happen not to use: constant task inputs, pipeline root, display name.
    const documentedExtras = [
      'root.dag.tasks.*.inputs.parameters.*.runtimeValue',
      'root.dag.tasks.*.inputs.parameters.*.runtimeValue.constant',
      'defaultPipelineRoot',
      'pipelineInfo.displayName',
      'components.*.inputDefinitions.artifacts.*.isOptional',
    ];
    const unexpected = [...ours].filter((p) => !union.has(p) && !documentedExtras.includes(p));
    expect(unexpected).toEqual([]);
    expect(common.filter((p) => !ours.has(p))).toEqual([]);
    expect(common).toEqual(
      expect.arrayContaining([
        'components.*.executorLabel',
        'deploymentSpec.executors.*.container.image',
        'root.dag.tasks.*.componentRef.name',
        'root.dag.tasks.*.taskInfo.name',
        'schemaVersion',
        'sdkVersion',
      ]),
    );
  });

  it('writes resources exactly as the golden resource-spec pipeline does', () => {
    const project = tempDir();
    const spec = compilePipeline(taxiLikePipeline(project), { image: 'gcr.io/p/taxi:1', projectRoot: project });
    const goldenResources = golden('pipeline_with_resource_spec.yaml').deploymentSpec.executors['exec-trainer'].container.resources;
    expect(spec.deploymentSpec.executors['exec-compiler-test-trainer'].container.resources).toEqual(goldenResources);
    expect(spec.deploymentSpec.executors['exec-csv-example-gen'].container.resources).toBeUndefined();
  });

  it('asks for a GPU as the golden nvidia pipeline does', () => {
    const project = tempDir();
    const pipeline = taxiLikePipeline(project);
    const spec = compilePipeline(pipeline, {
      image: 'img',
      projectRoot: project,
      components: { CompilerTestStats: { resources: { accelerator: { type: 'nvidia.com/gpu', count: 1 } } } },
    });
    const goldenAccelerator = golden('nvidia_gpu_scheduling_check.yaml').deploymentSpec.executors['exec-verify-gpu-scheduled'].container.resources;
    expect(spec.deploymentSpec.executors['exec-compiler-test-stats'].container.resources).toEqual(goldenAccelerator);
  });

  it('wires artifacts, parameters, caching and the executor entrypoint', () => {
    const project = tempDir();
    const spec = compilePipeline(taxiLikePipeline(project), { image: 'gcr.io/p/taxi:1', projectRoot: project, enableCache: false });
    expect(spec.schemaVersion).toBe('2.1.0');
    expect(spec.sdkVersion).toMatch(/^tfx-ts-\d+\.\d+\.\d+/);
    expect(spec.pipelineInfo).toEqual({ name: 'taxi-pipeline', displayName: 'taxi_pipeline' });
    expect(spec.defaultPipelineRoot).toBe('gs://bucket/tfx');
    expect(Object.keys(spec.root.dag!.tasks).sort()).toEqual(['compiler-test-stats', 'compiler-test-trainer', 'csv-example-gen']);
    const trainer = spec.root.dag!.tasks['compiler-test-trainer'];
    expect(trainer).toMatchObject({
      taskInfo: { name: 'CompilerTestTrainer' },
      componentRef: { name: 'comp-compiler-test-trainer' },
      dependentTasks: ['csv-example-gen'],
      inputs: {
        artifacts: { examples: { taskOutputArtifact: { producerTask: 'csv-example-gen', outputArtifactKey: 'examples' } } },
        parameters: { moduleFile: { runtimeValue: { constant: 'models/model.ts' } }, learningRate: { runtimeValue: { constant: 0.01 } } },
      },
      cachingOptions: {},
    });
    // The optional, unwired schema input is declared optional and not wired.
    expect(spec.components['comp-compiler-test-trainer'].inputDefinitions!.artifacts!.schema).toEqual({
      artifactType: { schemaTitle: 'tfx.Schema', schemaVersion: '0.0.1' },
      isOptional: true,
    });
    expect(trainer.inputs!.artifacts!.schema).toBeUndefined();
    expect(spec.components['comp-compiler-test-trainer'].inputDefinitions!.parameters).toEqual({
      moduleFile: { parameterType: 'STRING' },
      learningRate: { parameterType: 'NUMBER_DOUBLE' },
    });
    expect(spec.components['comp-compiler-test-stats'].inputDefinitions!.parameters).toEqual({
      topK: { parameterType: 'NUMBER_INTEGER' },
      labels: { parameterType: 'LIST' },
    });
    // Data inside the project becomes a path relative to the image's working directory.
    expect(spec.root.dag!.tasks['csv-example-gen'].inputs!.parameters!.inputBase).toEqual({ runtimeValue: { constant: 'data' } });
    expect(spec.deploymentSpec.executors['exec-compiler-test-trainer'].container).toMatchObject({
      image: 'gcr.io/p/taxi:1',
      command: ['tfx-ts'],
      args: [
        'run-executor',
        '--executor-input',
        '{{$}}',
        '--component-type',
        'CompilerTestTrainer',
        '--component-id',
        'CompilerTestTrainer',
        '--pipeline-name',
        'taxi_pipeline',
      ],
    });
    expect(spec.root.inputDefinitions).toEqual({ parameters: { epochs: { parameterType: 'NUMBER_INTEGER', defaultValue: 3, isOptional: true } } });
  });

  it('YAML output reads back to the same spec, with the SDK-style header', () => {
    const project = tempDir();
    const spec = compilePipeline(taxiLikePipeline(project), { image: 'img:1', projectRoot: project, description: 'Taxi tips' });
    const text = pipelineSpecToYaml(spec);
    expect(text.split('\n').slice(0, 5)).toEqual([
      '# PIPELINE DEFINITION',
      '# Name: taxi-pipeline',
      '# Description: Taxi tips',
      '# Inputs:',
      '#    epochs: int [Default: 3]',
    ]);
    expect(text).toContain("- '{{$}}'");
    expect(validatePipelineSpec(YAML.parse(text))).toEqual(spec);
  });

  it('makes task names unique and valid for Kubernetes', () => {
    expect(kfpName('CsvExampleGen')).toBe('csv-example-gen');
    expect(kfpName('ABCTrainer_v2')).toBe('abc-trainer-v2');
    expect([...uniqueTaskNames(['Trainer', 'trainer', 'TRAINER']).values()]).toEqual(['trainer', 'trainer-2', 'trainer-3']);
  });
});

describe('compilePipeline refuses what cannot run on KFP', () => {
  it('needs an image', () => {
    const project = tempDir();
    expect(() => compilePipeline(taxiLikePipeline(project), { image: ' ', projectRoot: project })).toThrow(/needs a container image/);
  });

  it('refuses inline functions and says how to move them to a module file', () => {
    // Data on object storage, so the check under test is the only thing wrong with this pipeline.
    const gen = new CsvExampleGen({ inputBase: 's3://bucket/data' });
    const trainer = new Trainer({ examples: gen.outputs.examples, runFn: () => 1 });
    const pipeline = new Pipeline({ pipelineName: 'p', pipelineRoot: '/tmp/p', components: [gen, trainer] });
    let error: unknown;
    try {
      compilePipeline(pipeline, { image: 'img' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InlineComponentError);
    expect((error as Error).message).toMatch(/CompilerTestTrainer was built from an inline function \(parameter "runFn"\)/);
    expect((error as Error).message).toMatch(/export function runFn\(\.\.\.\) \{ \.\.\. \}` in runFn\.ts.*moduleFile: "runFn\.ts"/);
    const nested = new Trainer({ examples: gen.outputs.examples, note: { hooks: [() => 1] } });
    expect(() => compilePipeline(new Pipeline({ pipelineName: 'p', pipelineRoot: '/tmp/p', components: [gen, nested] }), { image: 'img' })).toThrow(
      /parameter "note\.hooks\[0\]"/,
    );
  });

  it('refuses module files outside the project or missing', () => {
    const project = tempDir();
    const outside = writeFile(tempDir(), 'model.ts', 'export {}');
    // Data on object storage, so the check under test is the only thing wrong with this pipeline.
    const gen = new CsvExampleGen({ inputBase: 's3://bucket/data' });
    const trainer = new Trainer({ examples: gen.outputs.examples, moduleFile: outside });
    const pipeline = new Pipeline({ pipelineName: 'p', pipelineRoot: '/tmp/p', components: [gen, trainer] });
    expect(() => compilePipeline(pipeline, { image: 'img', projectRoot: project })).toThrow(/lies outside the project directory/);
    const missing = new Trainer({ examples: gen.outputs.examples, moduleFile: 'nope.ts' });
    expect(() =>
      compilePipeline(new Pipeline({ pipelineName: 'p', pipelineRoot: '/tmp/p', components: [gen, missing] }), { image: 'img', projectRoot: project }),
    ).toThrow(/nope\.ts does not exist/);
  });

  it('refuses local paths the container cannot see, naming component and parameter', () => {
    const gen = new CsvExampleGen({ inputBase: '/somewhere/else/data' });
    expect(() =>
      compilePipeline(new Pipeline({ pipelineName: 'p', pipelineRoot: '/tmp/p', components: [gen] }), { image: 'img', projectRoot: tempDir() }),
    ).toThrow(/CsvExampleGen\.inputBase is the local path \/somewhere\/else\/data, which a Kubeflow task cannot read: it is outside the project/);
  });

  it('refuses bad resources, unknown per-component settings, null parameters and shards', () => {
    const project = tempDir();
    const pipeline = taxiLikePipeline(project);
    expect(() =>
      compilePipeline(pipeline, { image: 'img', projectRoot: project, components: { CompilerTestStats: { resources: { memoryLimit: '4 gigs' } } } }),
    ).toThrow(/memory "4 gigs" is not a Kubernetes memory quantity/);
    expect(() =>
      compilePipeline(pipeline, { image: 'img', projectRoot: project, components: { CompilerTestStats: { resources: { cpuLimit: '1', cpuRequest: '2' } } } }),
    ).toThrow(/CPU request 2 exceeds the limit 1/);
    expect(() => compilePipeline(pipeline, { image: 'img', projectRoot: project, components: { Nope: {} } })).toThrow(
      /component "Nope", which is not in the pipeline/,
    );
    expect(() => compilePipeline(pipeline, { image: 'img', projectRoot: project, components: { CompilerTestStats: { shards: 4 } } })).toThrow(
      NotSupportedError,
    );
    // Data on object storage, so the check under test is the only thing wrong with this pipeline.
    const gen = new CsvExampleGen({ inputBase: 's3://bucket/data' });
    const trainer = new Trainer({ examples: gen.outputs.examples, note: null });
    expect(() => compilePipeline(new Pipeline({ pipelineName: 'p', pipelineRoot: '/tmp/p', components: [gen, trainer] }), { image: 'img' })).toThrow(
      /CompilerTestTrainer\.note is null/,
    );
  });
});

describe('compilePipeline and Resolver nodes', () => {
  it('leaves a Resolver feeding optional inputs out, with a warning, and unwires its consumers', () => {
    const project = tempDir();
    const base = taxiLikePipeline(project);
    const trainer = base.components.find((c) => c.type === 'CompilerTestTrainer')!;
    const resolver = new Resolver({ strategyClass: LatestBlessedModelStrategy });
    const judge = new Judge({ model: trainer.outputs.model, baselineModel: resolver.outputs.model });
    const warnings: string[] = [];
    const spec = compilePipeline(new Pipeline({ pipelineName: 'p', pipelineRoot: 'gs://b', components: [...base.components, resolver, judge] }), {
      image: 'img',
      projectRoot: project,
      onWarning: (w) => warnings.push(w),
    });
    expect(Object.keys(spec.root.dag!.tasks)).not.toContain('resolver');
    expect(spec.root.dag!.tasks['compiler-test-judge']).toMatchObject({
      dependentTasks: ['compiler-test-trainer'],
      inputs: { artifacts: { model: { taskOutputArtifact: { producerTask: 'compiler-test-trainer' } } } },
    });
    expect(spec.root.dag!.tasks['compiler-test-judge'].inputs!.artifacts!.baselineModel).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/Resolver \(Resolver\) is left out on Kubeflow.*no Pusher whose pushed models could be the baseline/)]);
  });

  it('refuses a Resolver that feeds a required input', () => {
    const resolver = new Resolver({ strategyClass: LatestBlessedModelStrategy });
    const judge = new Judge({ model: resolver.outputs.model });
    expect(() => compilePipeline(new Pipeline({ pipelineName: 'p', pipelineRoot: 'gs://b', components: [resolver, judge] }), { image: 'img' })).toThrow(
      /Resolver \(a Resolver\) on Kubeflow Pipelines, feeding CompilerTestJudge\.model is not supported yet/,
    );
  });
});

describe('compilePipeline: the latest blessed model on KFP is the latest pushed one', () => {
  const build = (pushers: string[], wire: 'model' | 'modelBlessing' = 'model') => {
    const project = tempDir();
    const base = taxiLikePipeline(project);
    const trainer = base.components.find((c) => c.type === 'CompilerTestTrainer')!;
    const resolver = new Resolver({ strategyClass: LatestBlessedModelStrategy }).withId('latest_blessed_model_resolver');
    const judge = new Judge({ model: trainer.outputs.model, baselineModel: wire === 'model' ? resolver.outputs.model : undefined });
    const extra =
      wire === 'modelBlessing'
        ? [
            new Pusher({
              model: trainer.outputs.model,
              modelBlessing: resolver.outputs.modelBlessing,
              pushDestination: { filesystem: { baseDirectory: 's3://b/other' } },
            }).withId('OtherPusher'),
          ]
        : [];
    const pusherComponents = pushers.map((dir, i) =>
      new Pusher({ model: trainer.outputs.model, pushDestination: { filesystem: { baseDirectory: dir } } }).withId(i ? `Pusher${i}` : 'Pusher'),
    );
    return {
      project,
      pipeline: new Pipeline({
        pipelineName: 'taxi_pipeline',
        pipelineRoot: 'gs://b',
        components: [...base.components, resolver, judge, ...pusherComponents, ...extra],
      }),
    };
  };

  it("becomes a PushedModelResolver task reading the Pusher's destination, never cached, with a warning saying so", () => {
    const { project, pipeline } = build(['s3://b/serving']);
    const warnings: string[] = [];
    const spec = compilePipeline(pipeline, { image: 'img', projectRoot: project, onWarning: (w) => warnings.push(w) });
    const task = spec.root.dag!.tasks['latest-blessed-model-resolver'];
    expect(task).toEqual({
      taskInfo: { name: 'latest_blessed_model_resolver' },
      componentRef: { name: 'comp-latest-blessed-model-resolver' },
      inputs: { parameters: { baseDirectory: { runtimeValue: { constant: 's3://b/serving' } }, modelName: { runtimeValue: { constant: 'taxi_pipeline' } } } },
      cachingOptions: {},
    });
    expect(spec.deploymentSpec.executors['exec-latest-blessed-model-resolver'].container.args).toEqual(
      expect.arrayContaining(['--component-type', 'PushedModelResolver', '--component-id', 'latest_blessed_model_resolver']),
    );
    expect(spec.components['comp-latest-blessed-model-resolver'].outputDefinitions!.artifacts).toEqual({
      model: { artifactType: { schemaTitle: 'tfx.Model', schemaVersion: '0.0.1' } },
    });
    expect(spec.root.dag!.tasks['compiler-test-judge']).toMatchObject({
      dependentTasks: ['compiler-test-trainer', 'latest-blessed-model-resolver'],
      inputs: { artifacts: { baselineModel: { taskOutputArtifact: { producerTask: 'latest-blessed-model-resolver', outputArtifactKey: 'model' } } } },
    });
    expect(warnings).toEqual([
      "latest_blessed_model_resolver (Resolver) runs on Kubeflow as a lookup of the latest model Pusher pushed (the newest complete, checksum-verified version under s3://b/serving/taxi_pipeline), since the pipeline's metadata store is the cluster's ML Metadata; until a model is pushed, its consumers run without a baseline, as on a first run.",
    ]);
  });

  it('says when the push destination is not object storage, leaves the Resolver out with several Pushers, and refuses other wiring', () => {
    const local = build(['serving_model']);
    const warnings: string[] = [];
    compilePipeline(local.pipeline, { image: 'img', projectRoot: local.project, onWarning: (w) => warnings.push(w) });
    expect(warnings[0]).toMatch(/Pusher pushes to serving_model, which is not object storage: .* push to s3:\/\/, minio:\/\/ or gs:\/\//);
    const two = build(['s3://b/a', 's3://b/c']);
    const twoWarnings: string[] = [];
    const spec = compilePipeline(two.pipeline, { image: 'img', projectRoot: two.project, onWarning: (w) => twoWarnings.push(w) });
    expect(Object.keys(spec.root.dag!.tasks)).not.toContain('latest-blessed-model-resolver');
    expect(twoWarnings).toEqual([expect.stringMatching(/left out on Kubeflow.* 2 Pushers \(Pusher, Pusher1\)/)]);
    const blessing = build([], 'modelBlessing');
    expect(() => compilePipeline(blessing.pipeline, { image: 'img', projectRoot: blessing.project })).toThrow(
      /runs as PushedModelResolver, which has no output "modelBlessing"/,
    );
  });
});

describe('compilePipeline: views as KFP system.HTML outputs', () => {
  it('declares an html_view output for components whose outputs have a view, and only for them', () => {
    const project = tempDir();
    const spec = compilePipeline(taxiLikePipeline(project), { image: 'img', projectRoot: project });
    expect(spec.components['comp-compiler-test-stats'].outputDefinitions!.artifacts).toEqual({
      statistics: { artifactType: { schemaTitle: 'tfx.ExampleStatistics', schemaVersion: '0.0.1' } },
      html_view: { artifactType: { schemaTitle: 'system.HTML', schemaVersion: '0.0.1' } },
    });
    expect(spec.components['comp-csv-example-gen'].outputDefinitions!.artifacts).not.toHaveProperty('html_view');
    expect(spec.components['comp-compiler-test-trainer'].outputDefinitions!.artifacts).not.toHaveProperty('html_view');
  });
});

describe('validatePipelineSpec rejects what KFP would reject', () => {
  const base = () => structuredClone(golden('pipeline_with_resource_spec.yaml'));
  const problemsOf = (spec: unknown): string[] => {
    try {
      validatePipelineSpec(spec);
    } catch (error) {
      if (error instanceof InvalidPipelineSpecError) return error.problems;
      throw error;
    }
    return [];
  };

  it.each([
    [
      'an undefined component',
      (s: any) => {
        s.root.dag.tasks.trainer.componentRef.name = 'comp-nope';
      },
      /root\.dag\.tasks\.trainer\.componentRef\.name: component "comp-nope" is not defined in components/,
    ],
    [
      'a missing executor',
      (s: any) => {
        delete s.deploymentSpec.executors['exec-trainer'];
      },
      /components\.comp-trainer\.executorLabel: executor "exec-trainer" is not defined/,
    ],
    [
      'an unknown producer',
      (s: any) => {
        s.root.dag.tasks.trainer.inputs.artifacts.examples.taskOutputArtifact.producerTask = 'ghost';
      },
      /producerTask "ghost" is not a task of this DAG/,
    ],
    [
      'a producer missing from dependentTasks',
      (s: any) => {
        delete s.root.dag.tasks.trainer.dependentTasks;
      },
      /trainer\.dependentTasks: must list "ingestion"/,
    ],
    [
      'a wrong output key',
      (s: any) => {
        s.root.dag.tasks.trainer.inputs.artifacts.examples.taskOutputArtifact.outputArtifactKey = 'model';
      },
      /task "ingestion" has no output artifact "model"/,
    ],
    [
      'an artifact type mismatch',
      (s: any) => {
        s.components['comp-trainer'].inputDefinitions.artifacts.examples.artifactType.schemaTitle = 'system.Model';
      },
      /expects system\.Model but "ingestion\.examples" is system\.Dataset/,
    ],
    [
      'a cycle',
      (s: any) => {
        s.root.dag.tasks.ingestion.dependentTasks = ['trainer'];
      },
      /the tasks form a cycle: (ingestion → trainer → ingestion|trainer → ingestion → trainer)/,
    ],
    [
      'an invalid task name',
      (s: any) => {
        s.root.dag.tasks.Trainer_1 = s.root.dag.tasks.trainer;
        delete s.root.dag.tasks.trainer;
      },
      /task name "Trainer_1" must be lowercase/,
    ],
    [
      'an invalid pipeline name',
      (s: any) => {
        s.pipelineInfo.name = 'My Pipeline';
      },
      /pipelineInfo\.name: "My Pipeline" must be lowercase/,
    ],
    [
      'an unknown field',
      (s: any) => {
        s.root.dag.tasks.trainer.cachingOption = {};
      },
      /root\.dag\.tasks\.trainer: unknown field\(s\) "cachingOption"/,
    ],
    [
      'a bad memory quantity',
      (s: any) => {
        s.deploymentSpec.executors['exec-trainer'].container.resources.resourceMemoryLimit = '14 GB';
      },
      /resourceMemoryLimit: "14 GB" is not a memory quantity/,
    ],
    [
      'an unwired required input',
      (s: any) => {
        delete s.root.dag.tasks.trainer.inputs.artifacts;
      },
      /required input artifact "examples" is not wired/,
    ],
    [
      'an undeclared pipeline parameter',
      (s: any) => {
        delete s.root.inputDefinitions.parameters.optimizer;
      },
      /componentInputParameter "optimizer" is not an input parameter of the enclosing component/,
    ],
    [
      'a constant of the wrong type',
      (s: any) => {
        s.root.dag.tasks.trainer.inputs.parameters.n_epochs = { runtimeValue: { constant: 'many' } };
      },
      /constant "many" is not a NUMBER_INTEGER/,
    ],
    [
      'a placeholder naming no input',
      (s: any) => {
        s.deploymentSpec.executors['exec-trainer'].container.args.push("{{$.inputs.parameters['lr']}}");
      },
      /placeholder \{\{\$\.inputs\.parameters\['lr'\]\}\} names no input parameter of comp-trainer/,
    ],
    [
      'an unsupported schema version',
      (s: any) => {
        s.schemaVersion = '3.0.0';
      },
      /schemaVersion: "3\.0\.0" is not supported/,
    ],
    [
      'no image',
      (s: any) => {
        s.deploymentSpec.executors['exec-trainer'].container.image = '';
      },
      /every executor needs a container image/,
    ],
  ])('%s', (_what, mutate, expected) => {
    const spec = base();
    mutate(spec);
    const problems = problemsOf(spec);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });

  it('reports all problems in one clear error', () => {
    const spec = base();
    spec.root.dag.tasks.trainer.componentRef.name = 'comp-nope';
    spec.pipelineInfo.name = 'Bad Name';
    expect(() => validatePipelineSpec(spec)).toThrow(/not valid KFP IR \(2 problems\):\n  - .*\n  - /);
  });
});
