import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tar from 'tar';
import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { defineComponent } from '../../dsl/component';
import { Pipeline } from '../../dsl/pipeline';
import { RuntimeParameter, resolveRuntimePlaceholders } from '../../dsl/runtime-parameter';
import { CsvExampleGen } from '../../components/example_gen/component';
import { tempDir, writeFile } from '../../testing/fixtures';
import { buildCodePackage, fetchCodePackage, planCodePackage } from './code-package';
import { compilePipeline } from './compiler';

const Train = defineComponent({
  type: 'CodePackageTestTrainer',
  version: '1',
  inputs: { examples: { type: standardArtifacts.Examples } },
  outputs: { model: { type: standardArtifacts.Model } },
  parameters: z
    .object({ moduleFile: z.string(), trainArgs: z.object({ numSteps: z.number().int().positive() }).strict(), rate: z.number().optional() })
    .strict(),
  fileParameters: ['moduleFile'],
  executor: async () => async () => undefined,
});

function project(): { root: string; outside: string; pipeline: (root?: string, extra?: Record<string, unknown>) => Pipeline } {
  const root = tempDir();
  writeFile(
    root,
    'models/model.ts',
    "import { features } from './features';\nimport type { X } from '../shared/types';\n// import { ignored } from './commented-out';\nexport const runFn = () => features;\n",
  );
  writeFile(root, 'models/features.ts', "export * from './names.js';\nexport const features = require('./table.json');\n");
  writeFile(root, 'models/names.js', 'exports.names = [];\n');
  writeFile(root, 'models/table.json', '[]');
  writeFile(root, 'shared/types.ts', 'export type X = number;\n');
  writeFile(root, 'notes/unrelated.ts', 'export {};\n');
  const outside = tempDir();
  writeFile(outside, 'data/data.csv', 'a,b\n1,2\n');
  return {
    root,
    outside,
    pipeline: (pipelineRoot = 's3://bucket/root', extra = {}) => {
      const gen = new CsvExampleGen({ inputBase: path.join(outside, 'data') });
      const train = new Train({ examples: gen.outputs.examples, moduleFile: path.join(root, 'models/model.ts'), trainArgs: { numSteps: 10 }, ...extra });
      return new Pipeline({ pipelineName: 'pkg', pipelineRoot, components: [gen, train] });
    },
  };
}

describe('code package', () => {
  it('packs module files with their local imports and local input data, nothing else', () => {
    const p = project();
    const plan = planCodePackage(p.pipeline(), { projectRoot: p.root });
    const external = [...plan.files.keys()].filter((f) => f.startsWith('_external/'));
    expect([...plan.files.keys()].filter((f) => !f.startsWith('_external/'))).toEqual([
      'models/features.ts',
      'models/model.ts',
      'models/names.js',
      'models/table.json',
      'shared/types.ts',
    ]);
    expect(external).toEqual([expect.stringMatching(/^_external\/[0-9a-f]{12}\/data\/data\.csv$/)]);
    expect(plan.paths.get(path.join(p.outside, 'data'))).toMatch(/^_external\/[0-9a-f]{12}\/data$/);
  });

  it('is content-addressed: the same files give the same bytes and digest; a changed file another', () => {
    const p = project();
    const first = buildCodePackage(p.pipeline(), { projectRoot: p.root, pipelineRoot: 's3://bucket/root' });
    const second = buildCodePackage(p.pipeline(), { projectRoot: p.root, pipelineRoot: 's3://bucket/root' });
    expect(second.ref.sha256).toBe(first.ref.sha256);
    expect(first.ref.uri).toBe(`s3://bucket/root/_tfx_ts_code/${first.ref.sha256}.tar.gz`);
    const listed: string[] = [];
    tar.list({
      file: first.file,
      sync: true,
      onReadEntry: (entry) => {
        listed.push(`${entry.path} ${entry.mtime?.getTime()}`);
      },
    });
    expect(listed.every((l) => l.endsWith(' 0'))).toBe(true);
    first.dispose();
    second.dispose();
    fs.appendFileSync(path.join(p.root, 'models/features.ts'), '// changed\n');
    const third = buildCodePackage(p.pipeline(), { projectRoot: p.root, pipelineRoot: 's3://bucket/root' });
    expect(third.ref.sha256).not.toBe(first.ref.sha256);
    third.dispose();
  });

  it('refuses a package over the cap, naming the largest files and the flag', () => {
    const p = project();
    fs.writeFileSync(path.join(p.outside, 'data', 'big.csv'), Buffer.alloc(2 * 1024 * 1024, 65));
    expect(() => planCodePackage(p.pipeline(), { projectRoot: p.root, maxBytes: 1024 * 1024 })).toThrow(
      /would hold 2\.0 MiB, more than the 1\.0 MiB cap \(largest: _external\/[0-9a-f]+\/data\/big\.csv[\s\S]*--max-package-size/,
    );
  });

  it('a broken local import is an error naming the file', () => {
    const p = project();
    fs.appendFileSync(path.join(p.root, 'models/model.ts'), "import './missing';\n");
    expect(() => planCodePackage(p.pipeline(), { projectRoot: p.root })).toThrow(/model\.ts imports "\.\/missing", which is not a file/);
  });

  it('compiles tasks that fetch the package; the IR holds no host path', () => {
    const p = project();
    const built = buildCodePackage(p.pipeline(), { projectRoot: p.root, pipelineRoot: 's3://bucket/root' });
    const spec = compilePipeline(p.pipeline(), { image: 'img', projectRoot: p.root, codePackage: built.ref });
    built.dispose();
    for (const executor of Object.values(spec.deploymentSpec.executors)) {
      expect(executor.container.args!.slice(0, 5)).toEqual(['run-executor', '--code-package', built.ref.uri, '--code-sha256', built.ref.sha256]);
    }
    const text = JSON.stringify(spec);
    expect(text).not.toContain(p.root);
    expect(text).not.toContain(p.outside);
    const params = spec.root.dag!.tasks['code-package-test-trainer'].inputs!.parameters!;
    expect(params.moduleFile).toEqual({ runtimeValue: { constant: 'models/model.ts' } });
    expect(spec.root.dag!.tasks['csv-example-gen'].inputs!.parameters!.inputBase.runtimeValue!.constant).toMatch(/^_external\/[0-9a-f]{12}\/data$/);
  });

  it('a local path neither packed nor on object storage is a compile error naming component and parameter', () => {
    const p = project();
    // Without a package, data outside the project cannot reach the pod.
    expect(() => compilePipeline(p.pipeline(), { image: 'img', projectRoot: p.root })).toThrow(
      /CsvExampleGen\.inputBase is the local path .*data, which a Kubeflow task cannot read: it is outside the project/,
    );
    // With a package, a path that does not exist here was not packed.
    const missing = p.pipeline('s3://bucket/root', { trainArgs: { numSteps: 3 } });
    (missing.components[0].parameters as { inputBase: string }).inputBase = '/no/such/data';
    const built = buildCodePackage(missing, { projectRoot: p.root, pipelineRoot: 's3://bucket/root' });
    expect(() => compilePipeline(missing, { image: 'img', projectRoot: p.root, codePackage: built.ref })).toThrow(
      /CsvExampleGen\.inputBase is the local path \/no\/such\/data, which a Kubeflow task cannot read: it is missing on this machine/,
    );
    built.dispose();
    expect(() => buildCodePackage(p.pipeline('/local/root'), { projectRoot: p.root, pipelineRoot: '/local/root' })).toThrow(/not on object storage/);
  });

  it("packs a relative data path at its place (a notebook's inputBase: 'data/penguins'); bare words are not paths", async () => {
    const root = tempDir();
    writeFile(root, 'data/penguins/data.csv', 'a,b\n1,2\n');
    writeFile(root, 'eval/x.txt', 'not data');
    const gen = new CsvExampleGen({
      inputBase: 'data/penguins',
      outputConfig: {
        splitConfig: {
          splits: [
            { name: 'train', hashBuckets: 2 },
            { name: 'eval', hashBuckets: 1 },
          ],
        },
      },
    });
    const pipeline = new Pipeline({ pipelineName: 'rel', pipelineRoot: 's3://bucket/root', components: [gen] });
    expect([...planCodePackage(pipeline, { projectRoot: root }).files.keys()]).toEqual(['data/penguins/data.csv']);
    const built = buildCodePackage(pipeline, { projectRoot: root, pipelineRoot: 's3://bucket/root' });
    const spec = compilePipeline(pipeline, { image: 'img', projectRoot: root, codePackage: built.ref });
    expect(spec.root.dag!.tasks['csv-example-gen'].inputs!.parameters!.inputBase).toEqual({ runtimeValue: { constant: 'data/penguins' } });
    const dir = await fetchCodePackage(built.file, built.ref.sha256, tempDir());
    expect(fs.readFileSync(path.join(dir, 'data/penguins/data.csv'), 'utf8')).toBe('a,b\n1,2\n');
    built.dispose();
  });

  it('a pipeline with nothing local still gets a (empty) package', async () => {
    const gen = new CsvExampleGen({ inputBase: 's3://bucket/data' });
    const built = buildCodePackage(new Pipeline({ pipelineName: 'remote', pipelineRoot: 's3://bucket/root', components: [gen] }), {
      projectRoot: tempDir(),
      pipelineRoot: 's3://bucket/root',
    });
    expect(built.ref.fileCount).toBe(0);
    const dir = await fetchCodePackage(built.file, built.ref.sha256, tempDir());
    expect(fs.readdirSync(dir)).toEqual(['.complete']);
    built.dispose();
  });

  it('a task refuses a package whose digest differs, and unpacks a good one once', async () => {
    const p = project();
    const built = buildCodePackage(p.pipeline(), { projectRoot: p.root, pipelineRoot: 's3://bucket/root' });
    const cache = tempDir();
    const dir = await fetchCodePackage(built.file, built.ref.sha256, cache);
    expect(fs.readFileSync(path.join(dir, 'models/model.ts'), 'utf8')).toContain('runFn');
    await expect(fetchCodePackage(built.file, '0'.repeat(64), cache)).rejects.toThrow(/has sha256 [0-9a-f]{64}, but the task was compiled for 0{64}/);
    expect(fs.readdirSync(cache).sort()).toEqual([built.ref.sha256]);
    built.dispose();
  });
});

describe('RuntimeParameter', () => {
  it('local runs see the default; the IR reads it from a pipeline input through KFP placeholders', () => {
    const steps = new RuntimeParameter({ name: 'train_steps', ptype: 'int', default: 25, description: 'training steps' });
    const p = project();
    const pipeline = p.pipeline('s3://bucket/root', { trainArgs: { numSteps: steps } });
    const trainer = pipeline.components[1];
    expect((trainer.parameters as { trainArgs: { numSteps: number } }).trainArgs.numSteps).toBe(25);
    const built = buildCodePackage(pipeline, { projectRoot: p.root, pipelineRoot: 's3://bucket/root' });
    const spec = compilePipeline(pipeline, { image: 'img', projectRoot: p.root, codePackage: built.ref });
    built.dispose();
    expect(spec.root.inputDefinitions!.parameters!.train_steps).toEqual({
      parameterType: 'NUMBER_INTEGER',
      defaultValue: 25,
      isOptional: true,
      description: 'training steps',
    });
    const task = spec.root.dag!.tasks['code-package-test-trainer'];
    expect(task.inputs!.parameters!['pipelinechannel--train_steps']).toEqual({ componentInputParameter: 'train_steps' });
    expect(task.inputs!.parameters!.trainArgs).toEqual({ runtimeValue: { constant: { numSteps: "{{$.inputs.parameters['pipelinechannel--train_steps']}}" } } });
    expect(spec.components['comp-code-package-test-trainer'].inputDefinitions!.parameters!['pipelinechannel--train_steps']).toEqual({
      parameterType: 'NUMBER_INTEGER',
    });
    // The container's side: the run's value lands where the placeholder was.
    expect(
      resolveRuntimePlaceholders({
        trainArgs: { numSteps: "{{$.inputs.parameters['pipelinechannel--train_steps']}}" },
        moduleFile: 'm.ts',
        'pipelinechannel--train_steps': 7,
      }),
    ).toEqual({ trainArgs: { numSteps: 7 }, moduleFile: 'm.ts' });
  });

  it('checks names, types and defaults', () => {
    expect(() => new RuntimeParameter({ name: 'bad-name', ptype: 'int', default: 1 })).toThrow(/not valid/);
    expect(() => new RuntimeParameter({ name: 'n', ptype: 'int', default: 1.5 })).toThrow(/must be an integer, got 1\.5/);
    expect(new RuntimeParameter({ name: 'flag', ptype: 'bool', default: 'true' as never }).default).toBe(true);
    const a = new RuntimeParameter({ name: 'n', ptype: 'int', default: 1 });
    const b = new RuntimeParameter({ name: 'n', ptype: 'int', default: 2 });
    const p = project();
    const pipeline = p.pipeline('s3://bucket/root', { trainArgs: { numSteps: a }, rate: b });
    expect(() =>
      compilePipeline(pipeline, {
        image: 'img',
        projectRoot: p.root,
        codePackage: { uri: 's3://b/x', sha256: 'f'.repeat(64), bytes: 1, fileCount: 1, paths: planCodePackage(pipeline, { projectRoot: p.root }).paths },
      }),
    ).toThrow(/Two RuntimeParameters are named n/);
  });
});
