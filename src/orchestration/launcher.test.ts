import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MetadataStore } from '../metadata/store';
import { Pipeline } from '../dsl/pipeline';
import { LocalDagRunner } from './local/runner';
import { computeCacheKey } from './launcher';
import { InteractiveContext } from '../notebook/interactive-context';
import { CountChars, WriteExamples } from '../testing/test-components';
import { repoRoot, tempDir } from '../testing/fixtures';

function pipelineOf(root: string, text: string, fail = false) {
  const write = new WriteExamples({ text, fail });
  const count = new CountChars({ examples: write.outputs.examples });
  return new Pipeline({ pipelineName: 'launcher-test', pipelineRoot: root, components: [write, count] });
}

describe('launcher via LocalDagRunner', () => {
  it('runs, then serves every component from the cache, and reruns when a parameter changes', async () => {
    const root = tempDir();
    const first = await new LocalDagRunner().run(pipelineOf(root, 'hello'));
    expect(first.results.map((r) => r.state)).toEqual(['COMPLETE', 'COMPLETE']);
    const stats = first.results[1].outputs.statistics[0];
    expect(JSON.parse(fs.readFileSync(path.join(stats.uri, 'count.json'), 'utf8'))).toEqual({ chars: 5 });
    expect(stats.uri).toBe(path.join(root, 'TestCountChars', 'statistics', String(first.results[1].executionId)));

    const second = await new LocalDagRunner().run(pipelineOf(root, 'hello'));
    expect(second.results.map((r) => r.state)).toEqual(['CACHED', 'CACHED']);
    expect(second.results[1].outputs.statistics[0].id).toBe(stats.id);

    const third = await new LocalDagRunner().run(pipelineOf(root, 'hello!'));
    expect(third.results.map((r) => r.state)).toEqual(['COMPLETE', 'COMPLETE']);

    const noCache = await new LocalDagRunner().run(pipelineOf(root, 'hello'), { enableCache: false });
    expect(noCache.results.map((r) => r.state)).toEqual(['COMPLETE', 'COMPLETE']);
  });

  it('keys an optional input left unwired like one that resolved nothing', async () => {
    const component = new CountChars({ examples: new WriteExamples({ text: 'x' }).outputs.examples });
    const request = { component, pipelineName: 'launcher-test' };
    const examples = [{ id: 3 }] as never[];
    const unwired = await computeCacheKey({ ...request, inputs: { examples } });
    expect(await computeCacheKey({ ...request, inputs: { examples, baseline: [] } })).toBe(unwired);
    expect(await computeCacheKey({ ...request, inputs: { examples, baseline: [{ id: 4 }] as never[] } })).not.toBe(unwired);
  });

  it('does not reuse a cached result whose output directory was deleted', async () => {
    const root = tempDir();
    const first = await new LocalDagRunner().run(pipelineOf(root, 'abc'));
    fs.rmSync(first.results[0].outputs.examples[0].uri, { recursive: true });
    const second = await new LocalDagRunner().run(pipelineOf(root, 'abc'));
    expect(second.results[0].state).toBe('COMPLETE');
  });

  it('a failed executor leaves the execution FAILED, no output artifact registered and no output directory', async () => {
    const root = tempDir();
    await expect(new LocalDagRunner().run(pipelineOf(root, 'boom', true))).rejects.toThrow(
      /Component TestWriteExamples failed \(execution 1\): executor failed on purpose/,
    );
    const store = new MetadataStore(path.join(root, 'metadata.sqlite'));
    expect(store.executions().map((e) => e.state)).toEqual(['FAILED']);
    expect(store.executions()[0].error).toMatch(/executor failed on purpose/);
    expect(store.artifacts()).toEqual([]);
    expect(fs.readdirSync(path.join(root, 'TestWriteExamples', 'examples'))).toEqual([]);
    store.close();
    const rerun = await new LocalDagRunner().run(pipelineOf(root, 'boom'));
    expect(rerun.results.map((r) => r.state)).toEqual(['COMPLETE', 'COMPLETE']);
  });

  it('records lineage: the statistics come from the examples, which come from the example writer', async () => {
    const root = tempDir();
    const { results } = await new LocalDagRunner().run(pipelineOf(root, 'lineage'));
    const store = new MetadataStore(path.join(root, 'metadata.sqlite'));
    const graph = store.lineage(results[1].outputs.statistics[0].id!);
    expect(graph.executions.map((e) => e.componentId)).toEqual(['TestWriteExamples', 'TestCountChars']);
    expect(graph.artifacts.map((a) => a.type.name)).toEqual(['Examples', 'ExampleStatistics']);
    expect(graph.events.filter((e) => e.type === 'INPUT')).toEqual([
      expect.objectContaining({ key: 'examples', artifactId: results[0].outputs.examples[0].id }),
    ]);
    store.close();
  });
});

describe('crash consistency', () => {
  jest.setTimeout(60_000);

  it('killing the process mid-executor leaves a consistent store; the abandoned execution is marked FAILED and a re-run works', async () => {
    const root = tempDir();
    const ready = path.join(root, 'ready');
    const script = path.join(root, 'hang.ts');
    fs.writeFileSync(
      script,
      `
      import { LocalDagRunner } from ${JSON.stringify(path.join(repoRoot, 'src/orchestration/local/runner'))};
      import { Pipeline } from ${JSON.stringify(path.join(repoRoot, 'src/dsl/pipeline'))};
      import { WriteExamples } from ${JSON.stringify(path.join(repoRoot, 'src/testing/test-components'))};
      const write = new WriteExamples({ text: 'killed', hangMs: 60000 });
      new LocalDagRunner().run(new Pipeline({ pipelineName: 'launcher-test', pipelineRoot: ${JSON.stringify(root)}, components: [write] }));
    `,
    );
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', script], {
      cwd: repoRoot,
      env: { ...process.env, TFX_TS_TEST_READY_FILE: ready },
      stdio: 'inherit',
    });
    const deadline = Date.now() + 45_000;
    while (!fs.existsSync(ready) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(ready)).toBe(true);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));

    const store = new MetadataStore(path.join(root, 'metadata.sqlite'));
    expect(store.integrityCheck()).toBe('ok');
    const [execution] = store.executions();
    expect(execution.state).toBe('FAILED');
    expect(execution.error).toMatch(/abandoned/);
    expect(store.artifacts()).toEqual([]);
    store.close();

    const rerun = await new LocalDagRunner().run(pipelineOf(root, 'killed'));
    expect(rerun.results.map((r) => r.state)).toEqual(['COMPLETE', 'COMPLETE']);
    expect(fs.readdirSync(path.join(root, 'TestWriteExamples', 'examples')).filter((d) => d.startsWith('.tmp'))).toEqual([]);
  });
});

describe('InteractiveContext', () => {
  it('runs components one at a time, wires inputs from earlier runs, and explains an input whose producer has not run', async () => {
    const root = tempDir();
    const context = new InteractiveContext({ pipelineName: 'interactive-test', pipelineRoot: root });
    const write = new WriteExamples({ text: 'notebook' });
    const count = new CountChars({ examples: write.outputs.examples });
    await expect(context.run(count)).rejects.toThrow(
      /comes from TestWriteExamples, which has not run in this context.*await context.run\(testWriteExamples\)/s,
    );
    const first = await context.run(write);
    expect(first.state).toBe('COMPLETE');
    const second = await context.run(count);
    expect(second.state).toBe('COMPLETE');
    expect((await context.run(count)).state).toBe('CACHED');
    expect((await context.run(write)).state).toBe('CACHED');
    expect(context.lineage(count.outputs.statistics).executions.map((e) => e.state)).toEqual(['COMPLETE', 'COMPLETE']);
    expect((await context.run(count, { enableCache: false })).state).toBe('COMPLETE');
    expect(context.components).toEqual([write, count]);
    const lineage = context.lineage(count.outputs.statistics);
    expect(lineage.executions.map((e) => e.componentId)).toEqual(['TestWriteExamples', 'TestCountChars']);
    await context.show(write.outputs.examples);
    const bundle = await context.render(write.outputs.examples);
    expect(String(bundle['text/html'])).toContain(first.outputs.examples[0].uri);
    context.store.close();
  });
});
