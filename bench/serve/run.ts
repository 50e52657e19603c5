/**
 * Serving benchmark (issue 4): single-row TF Serving predicts on loopback against `tfx-ts serve`,
 * for (a) the taxi model (transform graph + wide & deep, the tutorial's model) and (b) the
 * 64-32-1 DNN of bench/train on 20 floats; and (b) against the same MLP in Debian's scikit-learn
 * behind Python's ThreadingHTTPServer, in the same run. Reports requests/s, p50 and p99 latency
 * at a given concurrency (goal: ≥ 2,000 req/s, p99 ≤ 5 ms).
 *
 *   npm run build && npx tsx bench/serve/run.ts [--seconds 5] [--concurrency 1,4,16]
 *
 * Servers run as their own processes (`node bin/tfx-ts.js serve`), the load generator here (keep-
 * alive connections, one request in flight per connection). Results: bench/out/serve.json.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { readExampleRows } from 'tfx-ts/transform';
import { runTrainer } from '../../dist/trainer/run';
import { runTransform } from '../../dist/transform/run';

const repoRoot = path.resolve(__dirname, '..', '..');
const outDir = path.join(repoRoot, 'bench', 'out');
const taxiCsvDir = path.resolve(repoRoot, '..', 'shared', 'data', 'chicago_taxi', 'simple');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const seconds = arg('--seconds', 5);
const concurrencyArg = process.argv.indexOf('--concurrency');
const concurrencies = (concurrencyArg >= 0 ? process.argv[concurrencyArg + 1] : '1,4,16').split(',').map(Number);

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

interface LoadResult { requests: number; errors: number; requestsPerSecond: number; p50: number; p99: number; mean: number }

/** `concurrency` keep-alive connections, each sending the next request when the previous answers. */
async function load(url: string, bodies: string[], concurrency: number, warmupSeconds: number, measureSeconds: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const send = (body: string) => new Promise<number>((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
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
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return {
    requests: latencies.length, errors, requestsPerSecond: Math.round(latencies.length / elapsed),
    p50: Number(pct(0.5).toFixed(2)), p99: Number(pct(0.99).toFixed(2)), mean: Number((latencies.reduce((a, b) => a + b, 0) / latencies.length).toFixed(2)),
  };
}

async function serveTfx(base: string, name: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'tfx-ts.js'), 'serve', '--model-base-path', base, '--model-name', name, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    for (const [split, where] of [['train', 'n % 3 <> 0'], ['eval', 'n % 3 = 0']]) {
      fs.mkdirSync(path.join(examples, `Split-${split}`), { recursive: true });
      await db.run(`COPY (SELECT * EXCLUDE (n) FROM (SELECT *, row_number() OVER () AS n FROM read_csv('${path.join(taxiCsvDir, 'data.csv')}', auto_type_candidates=['BIGINT','DOUBLE','VARCHAR'])) WHERE ${where}) TO '${path.join(examples, `Split-${split}`, 'data.parquet')}' (FORMAT parquet)`);
    }
    db.closeSync();
    const taxi = path.join(repoRoot, 'notebooks', 'taxi');
    await runTransform({ moduleFile: path.join(taxi, 'preprocessing.ts'), preprocessingFn: 'preprocessingFn', examplesUri: examples, analyzeSplits: ['train'], transformSplits: [], graphDir: path.join(dir, 'graph') });
    await runTrainer({
      moduleFile: path.join(taxi, 'model.ts'), runFn: 'runFn', examplesUri: examples, trainSplits: ['train'], evalSplits: ['eval'], trainSteps: 300, evalSteps: 20,
      transformGraphDir: path.join(dir, 'graph'), hyperparameters: {}, customConfig: {}, seed: 0, servingModelDir: path.join(base, 'taxi', '1'), modelRunDir: path.join(dir, 'run'),
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
      moduleFile: path.join(repoRoot, 'bench', 'train', 'model.ts'), runFn: 'runFn', examplesUri: examples, trainSplits: ['train'], evalSplits: ['train'], trainSteps: 1,
      hyperparameters: {}, customConfig: { epochs: 1 }, seed: 0, servingModelDir: path.join(base, 'dnn', '1'), modelRunDir: path.join(outDir, 'serve_dnn', 'run'),
    });
  }
  const lines = fs.readFileSync(csv, 'utf8').split('\n').slice(1, 201);
  const bodies = lines.map((line) => {
    const values = line.split(',').slice(0, 20).map(Number);
    return JSON.stringify({ instances: [Object.fromEntries(values.map((v, i) => [`f${i}`, v]))] });
  });
  return { base, csv, bodies };
}

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const taxi = await prepareTaxi();
  const dnn = await prepareDnn();
  console.log(`load: ${concurrencies.join(' / ')} keep-alive connections, 1 s warm-up, ${seconds} s measured, single-row requests; ${os.cpus().length} cores shared by client and server; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const results: Record<string, Record<number, LoadResult>> = {};
  const runs: [string, () => Promise<{ child: ChildProcess; url: string }>, string[]][] = [
    ['tfx-ts serve, taxi model (transform graph + wide & deep)', () => serveTfx(taxi.base, 'taxi'), taxi.bodies],
    ['tfx-ts serve, 64-32-1 DNN', () => serveTfx(dnn.base, 'dnn'), dnn.bodies],
    ['scikit-learn MLP behind Python ThreadingHTTPServer', async () => {
      const child = spawn('/usr/bin/python3', [path.join(__dirname, 'sklearn_server.py'), dnn.csv], { stdio: ['ignore', 'pipe', 'pipe'] });
      const [, port] = await waitFor(child, /port (\d+)/);
      return { child, url: `http://127.0.0.1:${port}/v1/models/mlp:predict` };
    }, dnn.bodies],
  ];
  for (const [name, start, bodies] of runs) {
    const { child, url } = await start();
    results[name] = {};
    try {
      for (const concurrency of concurrencies) {
        const r = (results[name][concurrency] = await load(url, bodies, concurrency, 1, seconds));
        console.log(`${name}, ${concurrency} connection(s): ${r.requestsPerSecond} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms (${r.requests} requests, ${r.errors} errors)`);
      }
    } finally {
      child.kill('SIGTERM');
    }
  }
  const top = Math.max(...concurrencies);
  const dnnRate = results['tfx-ts serve, 64-32-1 DNN'][top].requestsPerSecond;
  const skRate = results['scikit-learn MLP behind Python ThreadingHTTPServer'][top].requestsPerSecond;
  const summary = { seconds, concurrencies, cores: os.cpus().length, loadAverage: os.loadavg(), results, ratioDnnVsSklearn: Number((dnnRate / skRate).toFixed(2)) };
  fs.writeFileSync(path.join(outDir, 'serve.json'), `${JSON.stringify(summary, null, 1)}\n`);
  console.log(`\ntfx-ts (same DNN) vs scikit-learn + http.server at ${top} connections: ${summary.ratioDnnVsSklearn}× requests/s`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
