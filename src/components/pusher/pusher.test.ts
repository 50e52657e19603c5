import * as fs from 'node:fs';
import * as path from 'node:path';
import { Artifact, standardArtifacts } from '../../dsl/artifact';
import type { ExecutorContext } from '../../dsl/component';
import { tempDir } from '../../testing/fixtures';
import { latestBlessedModel } from '../resolver/strategy';
import { MetadataStore } from '../../metadata/store';
import { nextVersion, pusherExecutor } from './executor';

function modelArtifact(dir: string, id: number): Artifact {
  const model = new Artifact(standardArtifacts.Model, path.join(dir, `model-${id}`));
  fs.mkdirSync(path.join(model.uri, 'Format-Serving'), { recursive: true });
  fs.writeFileSync(path.join(model.uri, 'Format-Serving', 'model.json'), `{"id":${id}}`);
  model.id = id;
  return model;
}

function blessingArtifact(dir: string, blessed: number, modelId: number): Artifact {
  const blessing = new Artifact(standardArtifacts.ModelBlessing, path.join(dir, `blessing-${modelId}-${blessed}`));
  fs.mkdirSync(blessing.uri, { recursive: true });
  blessing.customProperties = { blessed, current_model_id: modelId };
  return blessing;
}

function context(dir: string, inputs: Record<string, Artifact[]>, baseDirectory: string, modelName?: string): ExecutorContext<never> {
  const pushed = new Artifact(standardArtifacts.PushedModel, path.join(dir, `pushed-${Math.random()}`));
  fs.mkdirSync(pushed.uri, { recursive: true });
  return {
    inputs,
    outputs: { pushedModel: [pushed] },
    parameters: { pushDestination: { filesystem: { baseDirectory } }, modelName } as never,
    componentId: 'Pusher',
    pipelineName: 'taxi',
    progress: () => undefined,
    liveView: () => undefined,
    log: () => undefined,
  };
}

describe('Pusher', () => {
  it('pushes a blessed model to <base>/<model>/<unix seconds>/ and records where', async () => {
    const dir = tempDir();
    const base = path.join(dir, 'serving');
    const ctx = context(dir, { model: [modelArtifact(dir, 3)], modelBlessing: [blessingArtifact(dir, 1, 3)] }, base);
    const before = Math.floor(Date.now() / 1000);
    await pusherExecutor(ctx);
    const pushed = ctx.outputs.pushedModel[0].customProperties;
    expect(pushed.pushed).toBe(1);
    expect(Number(pushed.pushed_version)).toBeGreaterThanOrEqual(before);
    expect(pushed.pushed_destination).toBe(path.join(base, 'taxi', String(pushed.pushed_version)));
    expect(fs.readFileSync(path.join(String(pushed.pushed_destination), 'model.json'), 'utf8')).toBe('{"id":3}');
    expect(fs.readdirSync(path.join(base, 'taxi')).filter((d) => d.startsWith('.'))).toEqual([]);
  });

  it('does not push a model that is not blessed', async () => {
    const dir = tempDir();
    const base = path.join(dir, 'serving');
    const ctx = context(dir, { model: [modelArtifact(dir, 4)], modelBlessing: [blessingArtifact(dir, 0, 4)] }, base, 'taxi_model');
    await pusherExecutor(ctx);
    expect(ctx.outputs.pushedModel[0].customProperties.pushed).toBe(0);
    expect(fs.existsSync(path.join(base, 'taxi_model'))).toBe(false);
  });

  it('does not make a new version when the latest one already holds the same model, file for file', async () => {
    const dir = tempDir();
    const base = path.join(dir, 'serving');
    const model = modelArtifact(dir, 5);
    const first = context(dir, { model: [model], modelBlessing: [blessingArtifact(dir, 1, 5)] }, base);
    await pusherExecutor(first);
    const again = context(dir, { model: [model], modelBlessing: [blessingArtifact(dir, 1, 5)] }, base);
    await pusherExecutor(again);
    expect(fs.readdirSync(path.join(base, 'taxi'))).toEqual([String(first.outputs.pushedModel[0].customProperties.pushed_version)]);
    const firstVersion = first.outputs.pushedModel[0].customProperties.pushed_version;
    expect(again.outputs.pushedModel[0].customProperties).toMatchObject({ pushed: 1, pushed_version: firstVersion });
    // A different model (same file names, other bytes) is a new version.
    const other = modelArtifact(dir, 6);
    const third = context(dir, { model: [other], modelBlessing: [blessingArtifact(dir, 1, 6)] }, base);
    await pusherExecutor(third);
    expect(fs.readdirSync(path.join(base, 'taxi'))).toHaveLength(2);
    expect(Number(third.outputs.pushedModel[0].customProperties.pushed_version)).toBeGreaterThan(Number(firstVersion));
  });

  it('gives two pushes in the same second different versions', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, '1700000000'));
    fs.mkdirSync(path.join(dir, '.tmp-1700000001'));
    expect(nextVersion(dir, 1700000000)).toBe(1700000001);
    expect(nextVersion(dir, 1800000000)).toBe(1800000000);
  });
});

describe('LatestBlessedModelStrategy', () => {
  it('returns the newest blessed model of the pipeline and ignores unblessed and other pipelines', () => {
    const dir = tempDir();
    const store = new MetadataStore(path.join(dir, 'metadata.sqlite'));
    const taxi = store.context('pipeline', 'taxi');
    const other = store.context('pipeline', 'other');
    const publish = (artifacts: Artifact[], contextId: number) => {
      const execution = store.startExecution({ type: 'Test', componentId: 'test', cacheKey: null, properties: {}, inputs: {}, contextIds: [contextId] });
      store.publishExecution(execution, 'COMPLETE', { out: artifacts }, [contextId]);
    };
    expect(latestBlessedModel(store, 'taxi')).toBeUndefined();
    const m1 = new Artifact(standardArtifacts.Model, path.join(dir, 'm1'));
    const m2 = new Artifact(standardArtifacts.Model, path.join(dir, 'm2'));
    const m3 = new Artifact(standardArtifacts.Model, path.join(dir, 'm3'));
    for (const m of [m1, m2, m3]) fs.mkdirSync(m.uri);
    publish([m1, m2, m3], taxi);
    publish([blessingArtifact(dir, 1, m1.id!), blessingArtifact(dir, 1, m2.id!), blessingArtifact(dir, 0, m3.id!)], taxi);
    const m4 = new Artifact(standardArtifacts.Model, path.join(dir, 'm4'));
    fs.mkdirSync(m4.uri);
    publish([m4], other);
    publish([blessingArtifact(dir, 1, m4.id!)], other);
    expect(latestBlessedModel(store, 'taxi')!.model.id).toBe(m2.id);
    fs.rmSync(m2.uri, { recursive: true });
    expect(latestBlessedModel(store, 'taxi')!.model.id).toBe(m1.id);
    store.close();
  });
});
