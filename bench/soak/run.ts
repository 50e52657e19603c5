/**
 * Soak test of `tfx-ts serve` (not in CI): the server in its own process under mixed traffic for a
 * fixed time while new versions are pushed every few seconds.
 *   good:  8 keep-alive connections of 1- and 10-instance predicts (every non-200 is a failure)
 *   bad:   malformed JSON, wrong types, int64 1e30, unknown features, oversized Content-Length,
 *          bodies trickled byte by byte, connections that never finish their headers, clients
 *          that hang up mid-body
 *   pushes: every 3 s a new version through the Pusher (checksum manifest); every 4th push is a
 *          hand copy caught mid-write (weights truncated, completed 2 s later); every 7th a
 *          version with a manifest but garbage weights of the same size (must never be served);
 *          old versions removed to keep five
 * Records RSS every second, good/bad counts by status, p50/p99 of good requests, versions served.
 *
 *   npm run build && npx tsx bench/soak/run.ts [--minutes 10]
 * Results: bench/out/soak.json.
 */
import * as tf from '@tensorflow/tfjs';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Artifact, standardArtifacts } from '../../dist/dsl/artifact';
import { pusherExecutor } from '../../dist/components/pusher/executor';
import { saveServingModel } from '../../dist/model/bundle';
import { writeChecksums } from '../../dist/serving/checksums';

const repoRoot = path.resolve(__dirname, '..', '..');
const outDir = path.join(repoRoot, 'bench', 'out');
const minutesArg = process.argv.indexOf('--minutes');
const minutes = minutesArg >= 0 ? Number(process.argv[minutesArg + 1]) : 10;
const FEATURES = Array.from({ length: 8 }, (_, i) => `f${i}`);

async function writeModel(dir: string, seed: number): Promise<void> {
  const inputs = FEATURES.map((name) => tf.input({ shape: [1], name }));
  const joined = tf.layers.concatenate().apply(inputs) as tf.SymbolicTensor;
  const hidden = tf.layers
    .dense({ units: 32, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) })
    .apply(joined) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) })
    .apply(hidden) as tf.SymbolicTensor;
  const model = tf.model({ inputs, outputs: out });
  await saveServingModel(model, dir);
  model.dispose();
}

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-soak-'));
  const base = path.join(work, 'serving');
  const bundles = [path.join(work, 'model-a'), path.join(work, 'model-b')];
  await writeModel(path.join(bundles[0], 'Format-Serving'), 1);
  await writeModel(path.join(bundles[1], 'Format-Serving'), 7);
  const push = async (bundle: string): Promise<string> => {
    const model = new Artifact(standardArtifacts.Model, bundle);
    model.id = 1;
    const pushed = new Artifact(standardArtifacts.PushedModel, fs.mkdtempSync(path.join(work, 'pushed-')));
    await pusherExecutor({
      inputs: { model: [model] },
      outputs: { pushedModel: [pushed] },
      parameters: { pushDestination: { filesystem: { baseDirectory: base } }, modelName: 'soak' },
      componentId: 'Pusher',
      pipelineName: 'soak',
      progress: () => undefined,
      liveView: () => undefined,
      log: () => undefined,
    } as never);
    return String(pushed.customProperties.pushed_destination);
  };
  await push(bundles[0]);

  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'bin', 'tfx-ts.js'),
      'serve',
      '--model-base-path',
      base,
      '--model-name',
      'soak',
      '--port',
      '0',
      '--poll-seconds',
      '0.5',
      '--max-body-bytes',
      String(1 << 20),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const serverLog: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d;
      for (const line of d.toString().split('\n')) if (line.trim()) serverLog.push(line.trim());
      const m = /at (http:\/\/[^/\s]+)/.exec(text);
      if (m) resolve(m[1]);
    });
    child.stderr!.on('data', (d: Buffer) => serverLog.push(`stderr: ${d.toString().trim()}`));
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${text}`)));
  });
  const { hostname, port } = new URL(url);
  const deadline = Date.now() + minutes * 60_000;
  const running = () => Date.now() < deadline;

  const good = { ok: 0, failed: 0, latencies: [] as number[], failures: [] as string[] };
  const bad: Record<string, Record<string, number>> = {};
  const countBad = (kind: string, status: string) => {
    (bad[kind] ??= {})[status] = (bad[kind][status] ?? 0) + 1;
  };
  const corrupt = new Set<string>();
  let corruptServed = 0;
  const versionsSeen = new Set<string>();
  const rss: { t: number; mb: number }[] = [];

  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const request = (method: string, urlPath: string, body?: string, useAgent = true) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: hostname,
          port: Number(port),
          method,
          path: urlPath,
          agent: useAgent ? agent : false,
          headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {},
        },
        (res) => {
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const instance = (i: number) => Object.fromEntries(FEATURES.map((f, j) => [f, ((i * 31 + j * 7) % 100) / 10]));

  const goodLoop = async (worker: number) => {
    let i = worker;
    while (running()) {
      const n = i % 5 === 0 ? 10 : 1;
      const body = JSON.stringify({ instances: Array.from({ length: n }, (_, k) => instance(i + k)) });
      const started = process.hrtime.bigint();
      try {
        const r = await request('POST', '/v1/models/soak:predict', body);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const predictions = r.status === 200 ? (JSON.parse(r.text).predictions as (number | null)[][]) : undefined;
        if (r.status === 200 && predictions!.length === n && predictions!.every((p) => typeof p[0] === 'number')) {
          good.ok++;
          good.latencies.push(ms);
        } else {
          good.failed++;
          if (good.failures.length < 20) good.failures.push(`${r.status} ${r.text.slice(0, 200)}`);
        }
      } catch (error) {
        good.failed++;
        if (good.failures.length < 20) good.failures.push(String(error));
      }
      i += 8;
    }
  };

  const badBodies: [string, string][] = [
    ['malformed JSON', '{"instances": [{"f0": 1,'],
    ['wrong type', JSON.stringify({ instances: [{ ...instance(1), f0: 'seven' }] })],
    ['unknown feature', JSON.stringify({ instances: [{ ...instance(1), zzz: 1 }] })],
    ['missing key', JSON.stringify({ examples: [] })],
    ['not an object', '[1,2,3]'],
  ];
  const badLoop = async () => {
    let i = 0;
    while (running()) {
      const [kind, body] = badBodies[i++ % badBodies.length];
      try {
        countBad(kind, String((await request('POST', '/v1/models/soak:predict', body, false)).status));
      } catch (e) {
        countBad(kind, `error ${(e as NodeJS.ErrnoException).code}`);
      }
      await sleep(20);
    }
  };
  const rawLoop = async (kind: string, send: (socket: net.Socket) => void, waitMs: number, every: number) => {
    while (running()) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(Number(port), hostname, () => send(socket));
        let text = '';
        const timer = setTimeout(() => {
          socket.destroy();
          countBad(kind, 'still open');
          resolve();
        }, waitMs);
        socket.on('data', (d) => {
          text += d;
        });
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearTimeout(timer);
          countBad(kind, /^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 'closed');
          resolve();
        });
      });
      await sleep(every);
    }
  };
  const oversized = (s: net.Socket) => {
    s.write('POST /v1/models/soak:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 500000000\r\n\r\n');
    const chunk = Buffer.alloc(64 * 1024, 32);
    const pump = () => {
      if (!s.destroyed && s.write(chunk)) setImmediate(pump);
    };
    pump();
  };
  const trickleBody = (s: net.Socket) => {
    s.write('POST /v1/models/soak:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{');
    const t = setInterval(() => (s.destroyed ? clearInterval(t) : s.write(' ')), 1000);
    s.on('close', () => clearInterval(t));
  };
  const trickleHeaders = (s: net.Socket) => {
    s.write('GET /v1/models/soak HTTP/1.1\r\n');
    const t = setInterval(() => (s.destroyed ? clearInterval(t) : s.write('X-Slow: 1\r\n')), 1000);
    s.on('close', () => clearInterval(t));
  };
  const hangUp = (s: net.Socket) => {
    s.write('POST /v1/models/soak:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{"instances": [');
    setTimeout(() => s.destroy(), 50);
  };

  const pushLoop = async () => {
    let n = 0;
    while (running()) {
      await sleep(3000);
      if (!running()) break;
      n++;
      const bundle = bundles[n % 2];
      try {
        if (n % 7 === 0) {
          // A version published with a manifest whose weights are garbage of the same size
          // (written after the checksums, before the rename): it must never be served.
          const version = String(Math.floor(Date.now() / 1000) + 200_000 + n);
          const staging = path.join(base, 'soak', `.staging-${version}`);
          fs.cpSync(path.join(bundle, 'Format-Serving'), staging, { recursive: true });
          writeChecksums(staging);
          const weights = path.join(staging, 'weights.bin');
          fs.writeFileSync(weights, Buffer.alloc(fs.statSync(weights).size, 0xff));
          fs.renameSync(staging, path.join(base, 'soak', version));
          corrupt.add(version);
        } else if (n % 4 === 0) {
          const version = String(Math.floor(Date.now() / 1000) + 100_000 + n);
          const dir = path.join(base, 'soak', version);
          fs.cpSync(path.join(bundle, 'Format-Serving'), dir, { recursive: true });
          const weights = path.join(dir, 'weights.bin');
          const full = fs.readFileSync(weights);
          fs.writeFileSync(weights, full.subarray(0, 10));
          await sleep(2000);
          fs.writeFileSync(weights, full);
        } else {
          await push(bundle);
        }
      } catch (error) {
        serverLog.push(`push ${n} failed: ${(error as Error).message}`);
      }
      // Keep the five newest versions.
      const versions = fs
        .readdirSync(path.join(base, 'soak'))
        .filter((d) => /^\d+$/.test(d))
        .sort((a, b) => Number(a) - Number(b));
      for (const old of versions.slice(0, -5)) fs.rmSync(path.join(base, 'soak', old), { recursive: true, force: true });
    }
  };

  const statusLoop = async () => {
    while (running()) {
      rss.push({ t: Date.now(), mb: rssMb(child.pid!) });
      try {
        const status = JSON.parse((await request('GET', '/v1/models/soak')).text).model_version_status as { version: string; state: string }[];
        for (const v of status) {
          if (v.state === 'AVAILABLE') {
            versionsSeen.add(v.version);
            if (corrupt.has(v.version)) corruptServed++;
          }
        }
      } catch {
        /* counted by the good loop if the server is down */
      }
      await sleep(1000);
    }
  };

  const started = Date.now();
  console.log(
    `soak: ${minutes} min against ${url}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const progress = setInterval(
    () =>
      console.log(
        `  ${((Date.now() - started) / 60000).toFixed(1)} min: good ${good.ok} ok / ${good.failed} failed, rss ${rss[rss.length - 1]?.mb.toFixed(0)} MB, versions ${versionsSeen.size}`,
      ),
    60_000,
  );
  await Promise.all([
    ...Array.from({ length: 8 }, (_, w) => goodLoop(w)),
    badLoop(),
    rawLoop('oversized Content-Length', oversized, 10_000, 200),
    rawLoop('body trickled 1 byte/s', trickleBody, 60_000, 0),
    rawLoop('body trickled 1 byte/s', trickleBody, 60_000, 0),
    rawLoop('headers trickled', trickleHeaders, 60_000, 0),
    rawLoop('headers trickled', trickleHeaders, 60_000, 0),
    rawLoop('hang up mid-body', hangUp, 5000, 100),
    pushLoop(),
    statusLoop(),
  ]);
  clearInterval(progress);
  agent.destroy();
  const sorted = good.latencies.sort((a, b) => a - b);
  const firstMinute = rss.filter((r) => r.t - started < 90_000 && r.t - started > 30_000).map((r) => r.mb);
  const lastMinute = rss.filter((r) => r.t > deadline - 60_000).map((r) => r.mb);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const summary = {
    date: new Date().toISOString(),
    minutes,
    machine: `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    loadAverageEnd: os.loadavg(),
    good: {
      ok: good.ok,
      failed: good.failed,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted[sorted.length - 1],
      failures: good.failures,
    },
    bad,
    versions: { served: versionsSeen.size, corruptPushed: corrupt.size, corruptServed },
    rssMb: {
      start: rss[0]?.mb,
      min: Math.min(...rss.map((r) => r.mb)),
      max: Math.max(...rss.map((r) => r.mb)),
      avgMinute1: avg(firstMinute),
      avgLastMinute: avg(lastMinute),
      end: rss[rss.length - 1]?.mb,
    },
    serverLogTail: serverLog.slice(-15),
  };
  child.kill();
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'soak.json'), `${JSON.stringify(summary, null, 1)}\n`);
  console.log(JSON.stringify(summary, null, 1));
  fs.rmSync(work, { recursive: true, force: true });
}

void main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
