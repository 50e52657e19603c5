import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MetadataStore } from './store';
import { Artifact, standardArtifacts } from '../dsl/artifact';
import { repoRoot, tempDir } from '../testing/fixtures';

describe('MetadataStore', () => {
  it('publishes outputs with their events atomically and finds them by cache key only while on disk', () => {
    const dir = tempDir();
    const store = new MetadataStore(path.join(dir, 'm.sqlite'));
    const ctx = store.context('pipeline', 'p');
    expect(store.context('pipeline', 'p')).toBe(ctx);
    const id = store.startExecution({ type: 'T', componentId: 'c', cacheKey: 'k', properties: {}, inputs: {}, contextIds: [ctx] });
    expect(store.findCachedOutputs('k')).toBeUndefined();
    const uri = path.join(dir, 'out');
    fs.mkdirSync(uri);
    const artifact = new Artifact(standardArtifacts.Examples, uri);
    artifact.splitNames = ['train', 'eval'];
    store.publishExecution(id, 'COMPLETE', { examples: [artifact] }, [ctx]);
    expect(artifact.id).toBe(1);
    const found = store.findCachedOutputs('k')!;
    expect(found.outputs.examples[0].splitNames).toEqual(['train', 'eval']);
    expect(store.artifacts({ contextId: ctx }).map((a) => a.uri)).toEqual([uri]);
    fs.rmSync(uri, { recursive: true });
    expect(store.findCachedOutputs('k')).toBeUndefined();
    store.close();
  });

  it('refuses a file that is not a metadata store with a clear message', () => {
    const dir = tempDir();
    const file = path.join(dir, 'not-a-db.sqlite');
    fs.writeFileSync(file, 'this is not sqlite, it is text that is long enough to be read as a header........');
    expect(() => new MetadataStore(file)).toThrow(/Metadata store .*not-a-db.sqlite is damaged or not a tfx-ts metadata store.*Fix: restore/s);
  });

  it('two processes writing one store at once do not corrupt it', async () => {
    jest.setTimeout(90_000);
    const dir = tempDir();
    const db = path.join(dir, 'shared.sqlite');
    new MetadataStore(db).close();
    const script = path.join(dir, 'writer.ts');
    fs.writeFileSync(
      script,
      `
      import { MetadataStore } from ${JSON.stringify(path.join(repoRoot, 'src/metadata/store'))};
      import { Artifact, standardArtifacts } from ${JSON.stringify(path.join(repoRoot, 'src/dsl/artifact'))};
      const store = new MetadataStore(${JSON.stringify(db)});
      const ctx = store.context('pipeline', 'shared');
      for (let i = 0; i < 150; i++) {
        const id = store.startExecution({ type: 'W', componentId: process.argv[2], cacheKey: process.argv[2] + i, properties: { i }, inputs: {}, contextIds: [ctx] });
        store.publishExecution(id, 'COMPLETE', { out: [new Artifact(standardArtifacts.Examples, '/x/' + process.argv[2] + '/' + i)] }, [ctx]);
      }
      store.close();
    `,
    );
    const run = (name: string) =>
      new Promise<number>((resolve) =>
        spawn(process.execPath, ['-r', 'tsx/cjs', script, name], { cwd: repoRoot, stdio: 'inherit' }).on('exit', (code) => resolve(code ?? 1)),
      );
    expect(await Promise.all([run('a'), run('b')])).toEqual([0, 0]);
    const store = new MetadataStore(db);
    expect(store.integrityCheck()).toBe('ok');
    expect(store.executions({ state: 'COMPLETE' })).toHaveLength(300);
    expect(store.artifacts()).toHaveLength(300);
    const ctx = store.context('pipeline', 'shared');
    expect(store.executions({ contextId: ctx })).toHaveLength(300);
    store.close();
  });
});
