/**
 * The Pusher's layout read back (fetchLatestPushedModel, the Evaluator's baseline on Kubeflow): on
 * fake-gcs-server (gs://), SeaweedFS (s3://) and a local folder, the newest pushed version whose
 * files match its checksums, never one still uploading or one whose files were changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Artifact, standardArtifacts } from '../../dsl/artifact';
import type { ExecutorContext } from '../../dsl/component';
import { storeFor } from '../../io/storage';
import { tempDir } from '../../testing/fixtures';
import { createGcsBucket, createS3Bucket, objectStoreServers, ObjectStoreServers } from '../../testing/object-stores';
import { pusherExecutor } from './executor';
import { fetchLatestPushedModel } from './pushed-versions';

jest.setTimeout(120_000);

let servers: ObjectStoreServers;
beforeAll(async () => {
  servers = await objectStoreServers();
  await createS3Bucket(servers.s3Endpoint, 'pushed-test');
  await createGcsBucket(servers.gcsEndpoint, 'pushed-test');
});
afterAll(async () => {
  await servers?.close();
});

async function push(base: string, weights: string): Promise<Record<string, unknown>> {
  const dir = tempDir();
  const model = new Artifact(standardArtifacts.Model, path.join(dir, 'model'));
  fs.mkdirSync(path.join(model.uri, 'Format-Serving'), { recursive: true });
  fs.writeFileSync(path.join(model.uri, 'Format-Serving', 'model.json'), '{"format":"layers-model"}');
  fs.writeFileSync(path.join(model.uri, 'Format-Serving', 'weights.bin'), weights);
  model.id = 1;
  const pushed = new Artifact(standardArtifacts.PushedModel, path.join(dir, 'pushed'));
  fs.mkdirSync(pushed.uri, { recursive: true });
  const context = {
    inputs: { model: [model] },
    outputs: { pushedModel: [pushed] },
    parameters: { pushDestination: { filesystem: { baseDirectory: base } } },
    componentId: 'Pusher',
    pipelineName: 'loop',
    progress: () => undefined,
    liveView: () => undefined,
    log: () => undefined,
  } as unknown as ExecutorContext<never>;
  await pusherExecutor(context);
  return pushed.customProperties;
}

describe.each([['gs://pushed-test/serving'], ['s3://pushed-test/serving'], ['local']])('%s', (given) => {
  it('fetches the newest complete, verified version; nothing pushed yet is undefined', async () => {
    const base = given === 'local' ? path.join(tempDir(), 'serving') : given;
    const logs: string[] = [];
    expect(await fetchLatestPushedModel(base, 'loop', path.join(tempDir(), 'none'), (m) => logs.push(m))).toBeUndefined();
    const first = await push(base, 'first weights');
    const target = path.join(tempDir(), 'baseline');
    const found = await fetchLatestPushedModel(base, 'loop', target);
    expect(found).toMatchObject({ uri: first.pushed_destination, version: Number(first.pushed_version) });
    expect(fs.readFileSync(path.join(target, 'weights.bin'), 'utf8')).toBe('first weights');
    expect(fs.existsSync(path.join(target, 'checksums.json'))).toBe(true);
    if (given === 'local') return;
    // A newer version whose weights were swapped after the checksums were written, and a newer one still uploading.
    const store = storeFor(base);
    const version = Number(first.pushed_version);
    for (const name of ['model.json', 'checksums.json', '_PUSHED'])
      await store.write(`${base}/loop/${version + 1}/${name}`, await store.read(`${first.pushed_destination}/${name}`));
    await store.write(`${base}/loop/${version + 1}/weights.bin`, 'other weights');
    await store.write(`${base}/loop/${version + 2}/model.json`, '{}');
    const again = await fetchLatestPushedModel(base, 'loop', path.join(tempDir(), 'again'), (m) => logs.push(m));
    expect(again?.version).toBe(version);
    expect(logs).toEqual([
      `version ${version + 2} at ${base}/loop/${version + 2} has no _PUSHED marker (incomplete push): skipped`,
      expect.stringMatching(new RegExp(`^version ${version + 1} at .* is not usable \\(corrupt: checksum mismatch for weights\\.bin`)),
    ]);
  });
});
