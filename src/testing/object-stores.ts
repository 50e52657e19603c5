import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Real object stores on 127.0.0.1 for tests: SeaweedFS (`weed mini`, S3 API) and fake-gcs-server
 * (GCS JSON API), both Go programs built by scripts/test-setup/20-object-stores.sh into the tool
 * cache. The setup script starts one of each for the whole test run and exports their endpoints
 * (TFX_TS_TEST_S3_ENDPOINT, TFX_TS_TEST_GCS_ENDPOINT); a test run without it (plain `npx jest`)
 * starts its own here. Buckets are created through each server's own API.
 */

export const GO_BIN = process.env.TFX_TS_GO_BIN ?? path.join(process.env.TFX_TS_CACHE ?? path.join(os.homedir(), '.cache', 'tfx-ts'), 'go-bin');
/** Credentials the S3 server accepts (SeaweedFS without an identity file allows any signed request). */
export const TEST_S3_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'tfx-ts-test', AWS_SECRET_ACCESS_KEY: 'tfx-ts-test-secret', AWS_REGION: 'us-east-1' };

export interface ObjectStoreServers {
  s3Endpoint: string;
  gcsEndpoint: string;
  /** The environment a process needs to reach both (what a KFP pod would get from its config). */
  env: Record<string, string>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A port p with p and p+10000 free is not needed: every gRPC port is given explicitly. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

async function waitFor(check: () => Promise<boolean>, what: string, child: ChildProcess, log: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${log().slice(-2000)}`);
    try {
      if (await check()) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  throw new Error(`${what} did not become ready in ${timeoutMs / 1000} s:\n${log().slice(-2000)}`);
}

function binary(name: string): string {
  const file = path.join(GO_BIN, name);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run scripts/test-setup/20-object-stores.sh (or npm test) to build the test object stores.`);
  return file;
}

/** Output goes to a log file (so a detached server outlives the process that started it). */
function startLogged(command: string, args: string[], logFile: string): { child: ChildProcess; log: () => string } {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd], detached: false });
  fs.closeSync(fd);
  return { child, log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '') };
}

/** SeaweedFS's all-in-one `weed mini` with every port chosen free, no telemetry, no UI. */
export async function startSeaweedS3(dataDir: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc, admin, adminGrpc] = await freePorts(10);
  fs.mkdirSync(dataDir, { recursive: true });
  const { child, log } = startLogged(
    binary('weed'),
    [
      'mini',
      `-dir=${dataDir}`,
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      `-master.port=${master}`,
      `-master.port.grpc=${masterGrpc}`,
      '-master.telemetry=false',
      `-volume.port=${volume}`,
      `-volume.port.grpc=${volumeGrpc}`,
      `-filer.port=${filer}`,
      `-filer.port.grpc=${filerGrpc}`,
      `-s3.port=${s3}`,
      `-s3.port.grpc=${s3Grpc}`,
      '-s3.port.iceberg=0',
      '-s3.port.lance=0',
      '-webdav=false',
      '-admin.ui=false',
      `-admin.port=${admin}`,
      `-admin.port.grpc=${adminGrpc}`,
      '-admin.port.legacy=0',
    ],
    path.join(dataDir, 'weed.log'),
  );
  const endpoint = `http://127.0.0.1:${s3}`;
  // Ready when the S3 gateway answers a bucket listing (it needs master, volume and filer up).
  await waitFor(
    async () => {
      const response = await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(2000) });
      return response.status < 500;
    },
    'SeaweedFS (weed mini)',
    child,
    log,
    120_000,
  );
  return { endpoint, child };
}

export async function startFakeGcs(logFile: string): Promise<{ endpoint: string; child: ChildProcess }> {
  const port = await freePort();
  const { child, log } = startLogged(
    binary('fake-gcs-server'),
    [
      '-scheme',
      'http',
      '-host',
      '127.0.0.1',
      '-port',
      String(port),
      '-backend',
      'memory',
      '-public-host',
      `127.0.0.1:${port}`,
      '-external-url',
      `http://127.0.0.1:${port}`,
      '-log-level',
      'warn',
    ],
    logFile,
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${endpoint}/storage/v1/b`, { signal: AbortSignal.timeout(2000) })).ok, 'fake-gcs-server', child, log);
  return { endpoint, child };
}

/** Environment for the storage module to use these servers (S3, minio:// and gs://). */
export function objectStoreEnv(s3Endpoint: string, gcsEndpoint: string): Record<string, string> {
  return {
    ...TEST_S3_CREDENTIALS,
    AWS_ENDPOINT_URL: s3Endpoint,
    MINIO_ENDPOINT: s3Endpoint,
    STORAGE_EMULATOR_HOST: gcsEndpoint,
  };
}

/**
 * The servers the setup script started, or new ones for this test file. Also puts their
 * environment into process.env, so code under test reaches them as a pod would.
 */
export async function objectStoreServers(which: { s3?: boolean; gcs?: boolean } = { s3: true, gcs: true }): Promise<ObjectStoreServers> {
  // A server not asked for gets an endpoint nothing listens on: using it fails loudly.
  let s3Endpoint = process.env.TFX_TS_TEST_S3_ENDPOINT ?? (which.s3 ? undefined : 'http://127.0.0.1:9');
  let gcsEndpoint = process.env.TFX_TS_TEST_GCS_ENDPOINT ?? (which.gcs ? undefined : 'http://127.0.0.1:9');
  const children: ChildProcess[] = [];
  let dataDir: string | undefined;
  if (!s3Endpoint) {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-s3-'));
    const s3 = await startSeaweedS3(dataDir);
    s3Endpoint = s3.endpoint;
    children.push(s3.child);
  }
  if (!gcsEndpoint) {
    dataDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-s3-'));
    const gcs = await startFakeGcs(path.join(dataDir, 'fake-gcs-server.log'));
    gcsEndpoint = gcs.endpoint;
    children.push(gcs.child);
  }
  const env = objectStoreEnv(s3Endpoint, gcsEndpoint);
  Object.assign(process.env, env);
  return {
    s3Endpoint,
    gcsEndpoint,
    env,
    close: async () => {
      for (const child of children) {
        if (child.exitCode !== null) continue;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill();
        await exited;
      }
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates an S3 bucket (SeaweedFS) through the SDK; an existing bucket is fine. */
export async function createS3Bucket(endpoint: string, bucket: string): Promise<void> {
  const sdk = await import('@aws-sdk/client-s3');
  const client = new sdk.S3Client({
    endpoint,
    forcePathStyle: true,
    region: TEST_S3_CREDENTIALS.AWS_REGION,
    credentials: { accessKeyId: TEST_S3_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: TEST_S3_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
  });
  try {
    await client.send(new sdk.CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  } finally {
    client.destroy();
  }
}

/** Creates a GCS bucket on fake-gcs-server through its JSON API. */
export async function createGcsBucket(endpoint: string, bucket: string): Promise<void> {
  const response = await fetch(`${endpoint}/storage/v1/b?project=test`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: bucket }),
  });
  if (!response.ok && response.status !== 409) throw new Error(`creating gs://${bucket} failed: ${response.status} ${await response.text()}`);
}

/** CLI for the setup script: starts both servers, prints `export` lines (endpoints and PIDs), and stays detached. */
if (require.main === module) {
  (async () => {
    const dataDir = process.argv[2] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-s3-'));
    const started: ChildProcess[] = [];
    // A server that came up stays only if both did: a failed setup leaves nothing running.
    process.on('exit', (code) => {
      if (code !== 0) for (const child of started) child.kill();
    });
    process.on('SIGTERM', () => {
      console.error('object stores: start timed out');
      process.exit(1);
    });
    const s3 = await startSeaweedS3(dataDir);
    started.push(s3.child);
    const gcs = await startFakeGcs(path.join(dataDir, 'fake-gcs-server.log'));
    started.push(gcs.child);
    for (const child of started) child.unref();
    console.log(`export TFX_TS_TEST_S3_ENDPOINT=${s3.endpoint}`);
    console.log(`export TFX_TS_TEST_GCS_ENDPOINT=${gcs.endpoint}`);
    console.log(`TFX_TS_TEST_STORE_PIDS="${s3.child.pid} ${gcs.child.pid}"`);
    process.exit(0);
  })().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
