/**
 * Serving benchmark (issue 4): single-row TF Serving predicts on loopback against `tfx-ts serve`,
 * for (a) the taxi model (transform graph + wide & deep, the tutorial's model) and (b) the
 * 64-32-1 DNN of bench/train on 20 floats; and (b) against the same MLP in Debian's scikit-learn
 * behind Python's ThreadingHTTPServer, in the same run. Reports requests/s, p50 and p99 latency
 * at a given concurrency (goal: ≥ 2,000 req/s, p99 ≤ 5 ms).
 *
 *   npm run build && npx tsx bench/serve/run.ts [--seconds 5] [--repeat 3] [--concurrency 1,4,16] [--client http|raw]
 *
 * --client raw: keep-alive sockets writing pre-encoded HTTP/1.1 requests and reading answers by
 * Content-Length, instead of Node's http.request (the default). Client and servers share the two
 * cores, and http.request spends 0.2–0.5 ms of CPU per request — more than the server under test —
 * so its own cost shows up in every latency; the raw client costs a fraction of that, as compiled
 * load generators (wrk, hey) do.
 *
 * Servers run as their own processes (`node bin/tfx-ts.js serve`), all started up front and loaded
 * in turn (A B C A B C, --repeat rounds per concurrency; median and min–max), the load generator
 * here (keep-alive connections, one request in flight per connection). Beside requests/s and
 * latency, each server's CPU time per request (from /proc) is reported: on a shared machine it is
 * the steadier figure. Results: bench/out/serve.json.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { readExampleRows } from 'tfx-ts/transform';
import { runTrainer } from '../../dist/trainer/run';
import { runTransform } from '../../dist/transform/run';
import { benchPython } from '../python';

const repoRoot = path.resolve(__dirname, '..', '..');
const outDir = path.join(repoRoot, 'bench', 'out');
const taxiCsvDir = path.resolve(repoRoot, '..', 'shared', 'data', 'chicago_taxi', 'simple');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const seconds = arg('--seconds', 5);
const repeat = arg('--repeat', 3);
const concurrencyArg = process.argv.indexOf('--concurrency');
const concurrencies = (concurrencyArg >= 0 ? process.argv[concurrencyArg + 1] : '1,4,16').split(',').map(Number);
const clientArg = process.argv.indexOf('--client');
const client = clientArg >= 0 ? process.argv[clientArg + 1] : 'http';
if (client !== 'http' && client !== 'raw') throw new Error(`--client must be http or raw, got ${client}`);

/** Waits for a line matching `pattern` on the child's stdout. */
function waitFor(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) {
        child.stdout!.off('data', onData);
        resolve(match);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before it was ready: ${text}`)));
  });
}

interface LoadResult {
  requests: number;
  errors: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  mean: number;
}

/** `concurrency` keep-alive sockets with pre-encoded requests, each sending the next request when the previous answer is complete (by Content-Length). */
async function loadRaw(url: string, bodies: string[], concurrency: number, warmupSeconds: number, measureSeconds: number): Promise<LoadResult> {
  const target = new URL(url);
  const requests = bodies.map((body) =>
    Buffer.from(
      `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    ),
  );
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const connection = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(target.port), target.hostname);
      socket.setNoDelay(true);
      let i = index;
      let started = 0n;
      let pending = Buffer.alloc(0);
      const next = () => {
        if (stop) {
          socket.end();
          resolve();
          return;
        }
        started = process.hrtime.bigint();
        socket.write(requests[i++ % requests.length]);
      };
      socket.on('connect', next);
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        const headerEnd = pending.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const head = pending.subarray(0, headerEnd).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
        if (!Number.isFinite(length)) {
          reject(new Error(`answer without Content-Length: ${head}`));
          return;
        }
        if (pending.length < headerEnd + 4 + length) return;
        pending = pending.subarray(headerEnd + 4 + length);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (measuring) {
          if (head.startsWith('HTTP/1.1 200')) latencies.push(ms);
          else errors++;
        }
        next();
      });
    });
  const connections = Array.from({ length: concurrency }, (_, i) => connection(i));
  await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
  measuring = true;
  const started = Date.now();
  await new Promise((r) => setTimeout(r, measureSeconds * 1000));
  measuring = false;
  const elapsed = (Date.now() - started) / 1000;
  stop = true;
  await Promise.all(connections);
  return summarize(latencies, errors, elapsed);
}

function summarize(latencies: number[], errors: number, elapsed: number): LoadResult {
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return {
    requests: latencies.length,
    errors,
    requestsPerSecond: Math.round(latencies.length / elapsed),
    p50: Number(pct(0.5).toFixed(2)),
    p99: Number(pct(0.99).toFixed(2)),
    mean: Number((latencies.reduce((a, b) => a + b, 0) / latencies.length).toFixed(2)),
  };
}

/** `concurrency` keep-alive connections, each sending the next request when the previous answers. */
async function load(url: string, bodies: string[], concurrency: number, warmupSeconds: number, measureSeconds: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const send = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const worker = async (index: number) => {
    let i = index;
    while (!stop) {
      try {
        const ms = await send(bodies[i++ % bodies.length]);
        if (measuring) latencies.push(ms);
      } catch {
        if (measuring) errors++;
      }
    }
  };
  const workers = Array.from({ length: concurrency }, (_, i) => worker(i));
  await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
  measuring = true;
  const started = Date.now();
  await new Promise((r) => setTimeout(r, measureSeconds * 1000));
  measuring = false;
  const elapsed = (Date.now() - started) / 1000;
  stop = true;
  await Promise.all(workers);
  agent.destroy();
  return summarize(latencies, errors, elapsed);
}

async function serveTfx(base: string, name: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'tfx-ts.js'), 'serve', '--model-base-path', base, '--model-name', name, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [, url] = await waitFor(child, /at (http:\/\/[^/\s]+)\/v1\/models/);
  return { child, url: `${url}/v1/models/${name}:predict` };
}

async function prepareTaxi(): Promise<{ base: string; bodies: string[] }> {
  const dir = path.join(outDir, 'serve_taxi');
  const base = path.join(dir, 'serving_model');
  const examples = path.join(dir, 'examples');
  if (!fs.existsSync(path.join(base, 'taxi', '1', 'model.json'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    // ExampleGen's layout from the taxi CSV (train/eval by row number; the split rule does not matter here).
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    for (const [split, where] of [
      ['train', 'n % 3 <> 0'],
      ['eval', 'n % 3 = 0'],
    ]) {
      fs.mkdirSync(path.join(examples, `Split-${split}`), { recursive: true });
      await db.run(
        `COPY (SELECT * EXCLUDE (n) FROM (SELECT *, row_number() OVER () AS n FROM read_csv('${path.join(taxiCsvDir, 'data.csv')}', auto_type_candidates=['BIGINT','DOUBLE','VARCHAR'])) WHERE ${where}) TO '${path.join(examples, `Split-${split}`, 'data.parquet')}' (FORMAT parquet)`,
      );
    }
    db.closeSync();
    const taxi = path.join(repoRoot, 'notebooks', 'taxi');
    await runTransform({
      moduleFile: path.join(taxi, 'preprocessing.ts'),
      preprocessingFn: 'preprocessingFn',
      examplesUri: examples,
      analyzeSplits: ['train'],
      transformSplits: [],
      graphDir: path.join(dir, 'graph'),
    });
    await runTrainer({
      moduleFile: path.join(taxi, 'model.ts'),
      runFn: 'runFn',
      examplesUri: examples,
      trainSplits: ['train'],
      evalSplits: ['eval'],
      trainSteps: 300,
      evalSteps: 20,
      transformGraphDir: path.join(dir, 'graph'),
      hyperparameters: {},
      customConfig: {},
      seed: 0,
      servingModelDir: path.join(base, 'taxi', '1'),
      modelRunDir: path.join(dir, 'run'),
    });
  }
  const signature = JSON.parse(fs.readFileSync(path.join(base, 'taxi', '1', 'signature.json'), 'utf8')) as { inputs: { name: string }[] };
  const rows = await readExampleRows(examples, 'eval', { limit: 200, features: signature.inputs.map((f) => f.name) });
  return { base, bodies: rows.map((row) => JSON.stringify({ instances: [row] })) };
}

async function prepareDnn(): Promise<{ base: string; csv: string; bodies: string[] }> {
  const csv = path.join(outDir, 'train_200000.csv');
  const examples = path.join(outDir, 'train_200000_examples');
  if (!fs.existsSync(csv)) throw new Error('Run bench/train/run.ts first: it writes the 200k-row data this benchmark serves a model of.');
  const base = path.join(outDir, 'serve_dnn', 'serving_model');
  if (!fs.existsSync(path.join(base, 'dnn', '1', 'model.json'))) {
    await runTrainer({
      moduleFile: path.join(repoRoot, 'bench', 'train', 'model.ts'),
      runFn: 'runFn',
      examplesUri: examples,
      trainSplits: ['train'],
      evalSplits: ['train'],
      trainSteps: 1,
      hyperparameters: {},
      customConfig: { epochs: 1 },
      seed: 0,
      servingModelDir: path.join(base, 'dnn', '1'),
      modelRunDir: path.join(outDir, 'serve_dnn', 'run'),
    });
  }
  const lines = fs.readFileSync(csv, 'utf8').split('\n').slice(1, 201);
  const bodies = lines.map((line) => {
    const values = line.split(',').slice(0, 20).map(Number);
    return JSON.stringify({ instances: [Object.fromEntries(values.map((v, i) => [`f${i}`, v]))] });
  });
  return { base, csv, bodies };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSecondsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat (12 and 13 after the command name), in clock ticks (100 per second).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const taxi = await prepareTaxi();
  const dnn = await prepareDnn();
  const loadStart = os.loadavg();
  console.log(
    `load: ${concurrencies.join(' / ')} keep-alive connections (${client === 'raw' ? 'raw sockets' : 'http.request'} client), 1 s warm-up, ${seconds} s measured, single-row requests, ${repeat} rounds with the servers interleaved; ${os.cpus().length} cores shared by client and server; load average ${loadStart.map((l) => l.toFixed(1)).join(' ')}`,
  );
  const servers: [string, () => Promise<{ child: ChildProcess; url: string }>, string[]][] = [
    ['tfx-ts serve, taxi model (transform graph + wide & deep)', () => serveTfx(taxi.base, 'taxi'), taxi.bodies],
    ['tfx-ts serve, 64-32-1 DNN', () => serveTfx(dnn.base, 'dnn'), dnn.bodies],
    [
      'scikit-learn MLP behind Python ThreadingHTTPServer',
      async () => {
        const child = spawn(benchPython(), [path.join(__dirname, 'sklearn_server.py'), dnn.csv], { stdio: ['ignore', 'pipe', 'pipe'] });
        const [, port] = await waitFor(child, /port (\d+)/);
        return { child, url: `http://127.0.0.1:${port}/v1/models/mlp:predict` };
      },
      dnn.bodies,
    ],
  ];
  const started = await Promise.all(servers.map(([, start]) => start()));
  const runs: Record<string, Record<number, (LoadResult & { serverCpuMsPerRequest: number })[]>> = {};
  try {
    for (const concurrency of concurrencies) {
      for (let round = 0; round < repeat; round++) {
        for (const [index, [name, , bodies]] of servers.entries()) {
          const { child, url } = started[index];
          const cpuBefore = cpuSecondsOf(child.pid!);
          const r = await (client === 'raw' ? loadRaw : load)(url, bodies, concurrency, 1, seconds);
          // Server CPU per request over warm-up and measurement: steadier than latency on a shared machine.
          const serverCpuMsPerRequest = Number((((cpuSecondsOf(child.pid!) - cpuBefore) * 1000) / (r.requests * (1 + 1 / seconds))).toFixed(3));
          ((runs[name] ??= {})[concurrency] ??= []).push({ ...r, serverCpuMsPerRequest });
          console.log(
            `${name}, ${concurrency} connection(s), round ${round + 1}: ${r.requestsPerSecond} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, server CPU ${serverCpuMsPerRequest} ms/request (${r.requests} requests, ${r.errors} errors)`,
          );
        }
      }
    }
  } finally {
    for (const { child } of started) child.kill('SIGTERM');
  }
  const results: Record<string, Record<number, Record<string, unknown>>> = {};
  for (const [name, byConcurrency] of Object.entries(runs)) {
    results[name] = {};
    for (const [concurrency, list] of Object.entries(byConcurrency)) {
      const pick = (f: (r: LoadResult & { serverCpuMsPerRequest: number }) => number) => ({
        median: median(list.map(f)),
        min: Math.min(...list.map(f)),
        max: Math.max(...list.map(f)),
      });
      results[name][Number(concurrency)] = {
        requestsPerSecond: pick((r) => r.requestsPerSecond),
        p50: pick((r) => r.p50),
        p99: pick((r) => r.p99),
        serverCpuMsPerRequest: pick((r) => r.serverCpuMsPerRequest),
      };
      const x = results[name][Number(concurrency)] as Record<string, { median: number; min: number; max: number }>;
      console.log(
        `${name}, ${concurrency}: ${x.requestsPerSecond.median} req/s (${x.requestsPerSecond.min}–${x.requestsPerSecond.max}), p99 ${x.p99.median} ms (${x.p99.min}–${x.p99.max}), server CPU ${x.serverCpuMsPerRequest.median} ms/request`,
      );
    }
  }
  const summary = { seconds, repeat, concurrencies, cores: os.cpus().length, loadAverageStart: loadStart, loadAverageEnd: os.loadavg(), results };
  fs.writeFileSync(path.join(outDir, 'serve.json'), `${JSON.stringify(summary, null, 1)}\n`);
  console.log(
    `\nload average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; results in bench/out/serve.json`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
