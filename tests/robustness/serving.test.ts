/**
 * Regression tests for the model server under clumsy or hostile clients and half-pushed models:
 * failed versions retried and shown in the status, checksum-verified pickup, header/body timeouts,
 * connection and in-flight byte caps, oversized bodies refused unread, int64 range.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Artifact, standardArtifacts } from '../../src/dsl/artifact';
import type { ExecutorContext } from '../../src/dsl/component';
import { pusherExecutor } from '../../src/components/pusher/executor';
import { CHECKSUMS_FILE, verifyChecksums, writeChecksums } from '../../src/serving/checksums';
import { ModelServer, startModelServer } from '../../src/serving/server';
import { tempDir } from '../../src/testing/fixtures';
import { connect, readUntilClosed, sleep, waitFor, WEIGHTS_FILE, writeTinyBundle } from './fixtures';

jest.setTimeout(60_000);

async function call(server: ModelServer, method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}${urlPath}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

const statusOf = async (server: ModelServer) =>
  (await call(server, 'GET', '/v1/models/m')).json.model_version_status as {
    version: string;
    state: string;
    status: { error_code: string; error_message: string };
  }[];

describe('model versions: retried loads, status, checksum-verified pickup', () => {
  let dir: string;
  let server: ModelServer;
  let bundle: string;
  beforeAll(async () => {
    dir = tempDir('tfx-ts-robust-serving-');
    bundle = await writeTinyBundle(path.join(dir, 'bundle'));
    fs.cpSync(bundle, path.join(dir, 'base', 'm', '1'), { recursive: true });
    server = await startModelServer({ modelBasePath: path.join(dir, 'base'), modelName: 'm', port: 0, pollIntervalMs: 30, retryBaseMs: 30 });
  });
  afterAll(() => server?.stop());

  it('retries a version caught mid-copy, shows its error in the status meanwhile, and serves it once complete', async () => {
    const v2 = path.join(dir, 'base', 'm', '2');
    fs.cpSync(bundle, v2, { recursive: true });
    const weights = fs.readFileSync(path.join(bundle, WEIGHTS_FILE));
    fs.writeFileSync(path.join(v2, WEIGHTS_FILE), weights.subarray(0, 3)); // weights still being written
    const failing = await waitFor(async () => (await statusOf(server)).find((s) => s.version === '2'));
    expect(failing.state).toBe('LOADING');
    expect(failing.status.error_code).toBe('UNKNOWN');
    expect(failing.status.error_message).not.toBe('');
    expect((await statusOf(server)).find((s) => s.version === '1')?.state).toBe('AVAILABLE');
    expect((await call(server, 'POST', '/v1/models/m:predict', { instances: [{ x: 1 }] })).status).toBe(200);
    fs.writeFileSync(path.join(v2, WEIGHTS_FILE), weights); // the copy completes
    await waitFor(async () => ((await statusOf(server)).find((s) => s.version === '2')?.state === 'AVAILABLE' ? true : undefined));
    expect(server.repository.current?.version).toBe(2);
    const v2Status = (await call(server, 'GET', '/v1/models/m/versions/2')).json.model_version_status;
    expect(v2Status).toEqual([{ version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }]);
  });

  it('loads a pushed version only when its files match the checksum manifest: same-size garbage weights never go live', async () => {
    const before = (await call(server, 'POST', '/v1/models/m:predict', { instances: [{ x: 1 }] })).json.predictions;
    const staging = path.join(dir, 'base', 'm', '.staging-3');
    fs.cpSync(bundle, staging, { recursive: true });
    writeChecksums(staging);
    const size = fs.statSync(path.join(staging, WEIGHTS_FILE)).size;
    fs.writeFileSync(path.join(staging, WEIGHTS_FILE), Buffer.alloc(size, 0xff)); // NaN floats, same size
    fs.renameSync(staging, path.join(dir, 'base', 'm', '3'));
    const refused = await waitFor(async () => (await statusOf(server)).find((s) => s.version === '3'));
    expect(refused.state).toBe('LOADING');
    expect(refused.status.error_message).toMatch(/checksum mismatch for weights\.bin/);
    await sleep(200);
    expect(server.repository.current?.version).toBe(2);
    const after = (await call(server, 'POST', '/v1/models/m:predict', { instances: [{ x: 1 }] })).json.predictions;
    expect(after).toEqual(before);
    expect(after[0][0]).not.toBeNull();
    // Putting the right bytes back (a copy completing) makes it loadable.
    fs.copyFileSync(path.join(bundle, WEIGHTS_FILE), path.join(dir, 'base', 'm', '3', WEIGHTS_FILE));
    await waitFor(() => (server.repository.current?.version === 3 ? true : undefined));
  });

  it('gives up after the retries (state END with the error) until the files change', async () => {
    const local = tempDir('tfx-ts-robust-giveup-');
    fs.cpSync(bundle, path.join(local, 'm', '1'), { recursive: true });
    fs.writeFileSync(path.join(local, 'm', '1', 'model.json'), '{ not json');
    const s = await startModelServer({ modelBasePath: local, modelName: 'm', port: 0, pollIntervalMs: 20, retryBaseMs: 10, maxLoadRetries: 2 });
    try {
      const ended = await waitFor(async () => (await statusOf(s)).find((v) => v.state === 'END'));
      expect(ended.status.error_message).toMatch(/model\.json is not valid JSON/);
      expect((await call(s, 'POST', '/v1/models/m:predict', { instances: [{ x: 1 }] })).status).toBe(404);
      fs.copyFileSync(path.join(bundle, 'model.json'), path.join(local, 'm', '1', 'model.json'));
      await waitFor(() => (s.repository.current?.version === 1 ? true : undefined));
    } finally {
      await s.stop();
    }
  });

  it('Pusher writes the checksum manifest into the version it publishes', async () => {
    const model = new Artifact(standardArtifacts.Model, path.join(dir, 'model'));
    fs.cpSync(bundle, path.join(model.uri, 'Format-Serving'), { recursive: true });
    model.id = 1;
    const pushed = new Artifact(standardArtifacts.PushedModel, path.join(dir, 'pushed'));
    fs.mkdirSync(pushed.uri, { recursive: true });
    const context = {
      inputs: { model: [model] },
      outputs: { pushedModel: [pushed] },
      parameters: { pushDestination: { filesystem: { baseDirectory: path.join(dir, 'push') } } },
      componentId: 'Pusher',
      pipelineName: 'p',
      progress: () => undefined,
      liveView: () => undefined,
      log: () => undefined,
    } as unknown as ExecutorContext<never>;
    await pusherExecutor(context);
    const destination = String(pushed.customProperties.pushed_destination);
    expect(fs.existsSync(path.join(destination, CHECKSUMS_FILE))).toBe(true);
    expect(verifyChecksums(destination)).toEqual({ state: 'verified' });
    fs.appendFileSync(path.join(destination, WEIGHTS_FILE), 'x');
    expect(verifyChecksums(destination).state).toBe('corrupt');
  });
});

describe('HTTP hardening', () => {
  let dir: string;
  let server: ModelServer;
  beforeAll(async () => {
    dir = tempDir('tfx-ts-robust-http-');
    await writeTinyBundle(path.join(dir, 'base', 'm', '1'), { intFeature: true });
    server = await startModelServer({
      modelBasePath: path.join(dir, 'base'),
      modelName: 'm',
      port: 0,
      maxBodyBytes: 4096,
      headersTimeoutMs: 600,
      bodyTimeoutMs: 600,
      maxConnections: 6,
      maxInflightBytes: 6000,
    });
  });
  afterAll(() => server?.stop());

  it('cuts a body trickled byte by byte with 408 once the body timeout passes', async () => {
    const socket = await connect(server.url);
    socket.write('POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 200\r\n\r\n{');
    const trickle = setInterval(() => socket.writable && socket.write(' '), 100);
    const result = await readUntilClosed(socket, 10_000);
    clearInterval(trickle);
    expect(result.timedOut).toBe(false);
    expect(result.text).toMatch(/^HTTP\/1\.1 408/);
    expect(result.text).toMatch(/Request body not received within 0\.6 s/);
    expect(result.elapsedMs).toBeLessThan(5000);
  });

  it('closes a connection whose headers never finish', async () => {
    const socket = await connect(server.url);
    socket.write('POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-A: b\r\n'), 100);
    const result = await readUntilClosed(socket, 10_000);
    clearInterval(trickle);
    expect(result.timedOut).toBe(false);
    expect(result.elapsedMs).toBeLessThan(5000);
  });

  it('refuses connections beyond the cap, and serves again once they close', async () => {
    const refusedBefore = server.counters.connectionsRefused;
    const sockets = await Promise.all(Array.from({ length: 10 }, () => connect(server.url)));
    const closed = await Promise.all(sockets.map((s) => readUntilClosed(s, 300)));
    expect(closed.filter((c) => !c.timedOut).length).toBeGreaterThanOrEqual(4);
    expect(server.counters.connectionsRefused - refusedBefore).toBeGreaterThanOrEqual(4);
    await sleep(50);
    expect((await call(server, 'GET', '/v1/models/m')).status).toBe(200);
  });

  it('answers 503 with Retry-After when request bytes in flight would pass the cap', async () => {
    const slow = await connect(server.url);
    slow.write('POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n{"instances"');
    await sleep(100);
    const second = await connect(server.url);
    second.write('POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n');
    const answer = await readUntilClosed(second, 5000);
    expect(answer.text).toMatch(/^HTTP\/1\.1 503/);
    expect(answer.text).toMatch(/Retry-After: 1/i);
    slow.destroy();
    await sleep(50);
    expect((await call(server, 'POST', '/v1/models/m:predict', { instances: [{ x: 1 }] })).status).toBe(200);
  });

  it('refuses an oversized body by its Content-Length with 413 and closes without reading the body', async () => {
    const socket = await connect(server.url);
    socket.write('POST /v1/models/m:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n');
    let answer = '';
    let writtenAtAnswer = -1;
    socket.on('data', (d) => {
      answer += d.toString();
      if (writtenAtAnswer < 0) writtenAtAnswer = socket.bytesWritten;
    });
    socket.on('error', () => undefined);
    const chunk = Buffer.alloc(1 << 20, 0x20);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // Keep pushing for up to 2 s: a server that reads the body would take all of it.
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && !socket.destroyed) {
      if (!socket.write(chunk)) await Promise.race([new Promise((r) => socket.once('drain', r)), sleep(100)]);
    }
    await Promise.race([closed, sleep(3000)]);
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer).toMatch(/Request body too large: 1000000000 bytes \(limit 4096\)/);
    expect(socket.destroyed || socket.readableEnded).toBe(true);
    // What got past the kernel buffers after the answer is bounded (a reading server would take ~GBs).
    expect(socket.bytesWritten - Math.max(0, writtenAtAnswer)).toBeLessThan(64 << 20);
    socket.destroy();
  });

  it('refuses an int64 feature sent as 1e30 (or any number past 2^53)', async () => {
    const bad = await call(server, 'POST', '/v1/models/m:predict', { instances: [{ x: 1e30 }] });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/feature "x" is an int64 feature, but 1e\+30 is outside the integers a JSON number holds exactly/);
    expect((await call(server, 'POST', '/v1/models/m:predict', { inputs: { x: [2 ** 60] } })).status).toBe(400);
    expect((await call(server, 'POST', '/v1/models/m:predict', { instances: [{ x: 3 }] })).status).toBe(200);
  });
});
