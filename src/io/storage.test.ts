import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createGcsBucket, createS3Bucket, objectStoreServers, ObjectStoreServers } from '../testing/object-stores';
import { downloadPrefix, isObjectStoreUri, joinUri, storeFor, uploadDirectory } from './storage';

jest.setTimeout(180_000);

let servers: ObjectStoreServers;
let tmp: string;

beforeAll(async () => {
  servers = await objectStoreServers();
  await createS3Bucket(servers.s3Endpoint, 'storage-test');
  await createGcsBucket(servers.gcsEndpoint, 'storage-test');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-storage-'));
});
afterAll(async () => {
  await servers?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const roots = () => ({
  s3: 's3://storage-test/run-1',
  minio: 'minio://storage-test/run-2',
  gs: 'gs://storage-test/run-1',
  file: path.join(tmp, 'local-root'),
});

describe.each(['s3', 'minio', 'gs', 'file'] as const)('%s store (real server)', (scheme) => {
  test('writes, reads, lists, and round-trips a directory', async () => {
    const root = roots()[scheme];
    const store = storeFor(root);
    await store.write(joinUri(root, 'a/hello.txt'), 'hello');
    expect((await store.read(joinUri(root, 'a/hello.txt'))).toString()).toBe('hello');
    expect(await store.exists(joinUri(root, 'a/hello.txt'))).toBe(true);
    expect(await store.exists(joinUri(root, 'a/missing.txt'))).toBe(false);

    const source = path.join(tmp, `${scheme}-src`);
    fs.mkdirSync(path.join(source, 'Split-train'), { recursive: true });
    fs.writeFileSync(path.join(source, 'Split-train', 'data.bin'), Buffer.from([0, 1, 2, 255]));
    fs.writeFileSync(path.join(source, 'top.json'), '{"x":1}');
    expect(await uploadDirectory(source, joinUri(root, 'dir'))).toBe(2);
    const listed = await store.list(joinUri(root, 'dir'));
    expect(
      listed.map((u) =>
        u
          .slice(joinUri(root, 'dir').length + 1)
          .split(path.sep)
          .join('/'),
      ),
    ).toEqual(['Split-train/data.bin', 'top.json']);

    const back = path.join(tmp, `${scheme}-back`);
    expect(await downloadPrefix(joinUri(root, 'dir'), back)).toBe(2);
    expect([...fs.readFileSync(path.join(back, 'Split-train', 'data.bin'))]).toEqual([0, 1, 2, 255]);
    expect(fs.readFileSync(path.join(back, 'top.json'), 'utf8')).toBe('{"x":1}');
  });

  test('a missing object is one clear error naming it', async () => {
    const missing = joinUri(roots()[scheme], 'nope/none.txt');
    await expect(storeFor(missing).read(missing)).rejects.toThrow(`${missing} does not exist`);
  });
});

test('more than one page of objects is listed in full (S3 pages hold 1000)', async () => {
  const store = storeFor('s3://storage-test/many');
  const keys = Array.from({ length: 1005 }, (_, i) => `s3://storage-test/many/${String(i).padStart(4, '0')}`);
  for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => store.write(k, 'x')));
  expect(await store.list('s3://storage-test/many/')).toEqual(keys);
});

test('a missing bucket and an unreachable endpoint say what to check', async () => {
  await expect(storeFor('s3://no-such-bucket-here/x').read('s3://no-such-bucket-here/x')).rejects.toThrow(/s3:\/\/no-such-bucket-here\/x/);
  const saved = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
  try {
    await expect(storeFor('s3://b/x').read('s3://b/x')).rejects.toThrow(/unreachable: check AWS_ENDPOINT_URL/);
  } finally {
    process.env.AWS_ENDPOINT_URL = saved;
  }
});

test('scheme checks', () => {
  expect(isObjectStoreUri('gs://b/x')).toBe(true);
  expect(isObjectStoreUri('/data/x')).toBe(false);
  expect(() => storeFor('hdfs://x/y')).toThrow('"hdfs://" is not supported');
});
