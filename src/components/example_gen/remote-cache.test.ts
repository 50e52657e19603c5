/**
 * ExampleGen's inputBase on object storage joins the cache key through its listing: each object's
 * name, size and version (S3 ETag on SeaweedFS, GCS generation on fake-gcs-server), nothing
 * downloaded. Unchanged data is a cache hit; a rewritten object (even of the same size) or an added
 * one is a miss, and the new examples hold the new rows.
 */
import * as path from 'node:path';
import { Pipeline } from '../../dsl/pipeline';
import { LocalDagRunner } from '../../orchestration/local/runner';
import { storeFor } from '../../io/storage';
import { tempDir } from '../../testing/fixtures';
import { createGcsBucket, createS3Bucket, objectStoreServers, ObjectStoreServers } from '../../testing/object-stores';
import { DuckSession, sqlString } from '../../data/duckdb';
import { CsvExampleGen } from './component';

jest.setTimeout(180_000);

let servers: ObjectStoreServers;
beforeAll(async () => {
  servers = await objectStoreServers();
  await createS3Bucket(servers.s3Endpoint, 'cache-test');
  await createGcsBucket(servers.gcsEndpoint, 'cache-test');
});
afterAll(async () => {
  await servers?.close();
});

const csv = (rows: number, value: string) => `a,b\n${Array.from({ length: rows }, (_, i) => `${i},${value}`).join('\n')}\n`;

async function rowsOf(examplesUri: string): Promise<number> {
  return DuckSession.with(async (db) => {
    const [{ n }] = await db.all<{ n: number }>(
      `SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(path.join(examplesUri, 'Split-*', '*.parquet'))})`,
    );
    return n;
  });
}

describe.each([
  ['s3', 's3://cache-test/data'],
  ['gs', 'gs://cache-test/data'],
])('%s inputBase', (_scheme, base) => {
  it('unchanged objects: cache hit; a rewritten, added or removed object: cache miss with the new rows', async () => {
    const root = tempDir();
    const store = storeFor(base);
    await store.write(`${base}/part-1.csv`, csv(30, 'x'));
    await store.write(`${base}/part-2.csv`, csv(20, 'y'));
    const run = async (inputBase = `${base}/*.csv`) => {
      const { results } = await new LocalDagRunner().run(
        new Pipeline({ pipelineName: 'remote-cache', pipelineRoot: root, components: [new CsvExampleGen({ inputBase })], enableCache: true }),
      );
      return { state: results[0].state, uri: results[0].outputs.examples[0].uri };
    };
    const first = await run();
    expect(first.state).toBe('COMPLETE');
    expect(await rowsOf(first.uri)).toBe(50);
    expect(await run()).toEqual({ state: 'CACHED', uri: first.uri });

    // Same size, other content: only the object's version (ETag / generation) tells.
    await store.write(`${base}/part-2.csv`, csv(20, 'z'));
    const rewritten = await run();
    expect(rewritten.state).toBe('COMPLETE');
    expect(rewritten.uri).not.toBe(first.uri);
    expect(await run()).toMatchObject({ state: 'CACHED', uri: rewritten.uri });

    await store.write(`${base}/part-3.csv`, csv(5, 'w'));
    const added = await run();
    expect([added.state, await rowsOf(added.uri)]).toEqual(['COMPLETE', 55]);

    // The prefix form lists the same objects: a directory inputBase is fingerprinted as well.
    const prefix = await run(base);
    expect(prefix.state).toBe('COMPLETE');
    expect((await run(base)).state).toBe('CACHED');
  });
});
