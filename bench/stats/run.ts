/**
 * Statistics benchmark (issue 3): `tfx-ts stats` (full TFDV statistics) vs DuckDB's SUMMARIZE on the
 * same file vs pandas read_csv + describe() + value_counts(), on a 1M-row CSV resampled from the
 * taxi sample with a fixed seed; then peak RSS of `tfx-ts stats` on a 10M-row file.
 *
 *   npm run build && npx tsx bench/stats/run.ts [--rows 1000000] [--big-rows 10000000] [--repeat 3] [--skip-big] [--prepare]
 *
 * Every tool runs as its own process and is timed wall-clock (median of --repeat runs), so each
 * pays its own start-up. Generated files go to bench/out/ (gitignored).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mulberry32 } from '../../src/trainer/random';

const repoRoot = path.resolve(__dirname, '..', '..');
const outDir = path.join(repoRoot, 'bench', 'out');
const taxiCsv = path.resolve(repoRoot, '..', 'shared', 'data', 'chicago_taxi', 'simple', 'data.csv');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const rows = arg('--rows', 1_000_000);
const bigRows = arg('--big-rows', 10_000_000);
const repeat = arg('--repeat', 3);
const skipBig = process.argv.includes('--skip-big');
/** Only build the input files (they are kept in bench/out/ between runs). */
const prepareOnly = process.argv.includes('--prepare');

/** Resamples the taxi rows (with replacement, seed 42) into a CSV of `n` rows. */
function buildCsv(n: number): string {
  const file = path.join(outDir, `taxi_${n}.csv`);
  if (fs.existsSync(file)) return file;
  const [header, ...lines] = fs
    .readFileSync(taxiCsv, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const random = mulberry32(42);
  const fd = fs.openSync(`${file}.tmp`, 'w');
  fs.writeSync(fd, `${header}\n`);
  const chunk: string[] = [];
  for (let i = 0; i < n; i++) {
    chunk.push(lines[Math.floor(random() * lines.length)]);
    if (chunk.length === 100_000) {
      fs.writeSync(fd, `${chunk.join('\n')}\n`);
      chunk.length = 0;
    }
  }
  if (chunk.length) fs.writeSync(fd, `${chunk.join('\n')}\n`);
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

interface Run {
  seconds: number;
  cpuSeconds: number;
  maxRssMb: number;
}

/** Runs a command under /usr/bin/time -v: wall seconds and peak RSS. */
function timed(command: string, args: string[]): Run {
  const result = spawnSync('/usr/bin/time', ['-v', command, ...args], { encoding: 'utf8', cwd: repoRoot, maxBuffer: 256 << 20 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(result.stderr)!;
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)![1]) / 1024;
  const cpu = Number(/User time \(seconds\): ([\d.]+)/.exec(result.stderr)![1]) + Number(/System time \(seconds\): ([\d.]+)/.exec(result.stderr)![1]);
  return { seconds, cpuSeconds: cpu, maxRssMb: rss };
}

function median(runs: Run[]): Run {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor(sorted.length / 2)];
}

const SUMMARIZE_SCRIPT = `
const { DuckDBInstance } = require(${JSON.stringify(path.join(repoRoot, 'node_modules', '@duckdb', 'node-api'))});
(async () => {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll("SUMMARIZE SELECT * FROM read_csv('" + process.argv[1] + "')");
  if (reader.getRows().length < 10) throw new Error('SUMMARIZE returned too few rows');
})();`;

const PANDAS_SCRIPT = `
import sys
import pandas as pd
df = pd.read_csv(sys.argv[1])
df.describe()
for col in df.select_dtypes(include='object').columns:
    df[col].value_counts()
`;

function main(): void {
  const cli = path.join(repoRoot, 'bin', 'tfx-ts.js');
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` first');
  fs.mkdirSync(outDir, { recursive: true });
  const csv = buildCsv(rows);
  if (prepareOnly) {
    if (!skipBig) buildCsv(bigRows);
    return;
  }
  const mb = fs.statSync(csv).size / 1e6;
  console.log(`Input: ${csv} (${rows.toLocaleString('en')} rows, ${mb.toFixed(1)} MB), ${repeat} runs each, median wall time\n`);
  const statsOut = path.join(outDir, 'stats.json');
  const tools: [string, () => Run][] = [
    ['tfx-ts stats (full TFDV statistics)', () => timed(process.execPath, [cli, 'stats', csv, '-o', statsOut])],
    ['DuckDB SUMMARIZE (@duckdb/node-api)', () => timed(process.execPath, ['-e', SUMMARIZE_SCRIPT, csv])],
    ['pandas read_csv + describe + value_counts', () => timed('/usr/bin/python3', ['-c', PANDAS_SCRIPT, csv])],
  ];
  // Interleaved (A B C A B C ...) so that every tool sees the same machine load.
  const runs = new Map<string, Run[]>(tools.map(([name]) => [name, []]));
  const load = [os.loadavg()[0]];
  for (let r = 0; r < repeat; r++) {
    for (const [name, run] of tools) runs.get(name)!.push(run());
    load.push(os.loadavg()[0]);
  }
  const results = new Map<string, Run>();
  for (const [name, list] of runs) {
    const m = median(list);
    results.set(name, m);
    const walls = list.map((x) => x.seconds);
    console.log(
      `${name.padEnd(45)} ${m.seconds.toFixed(2)} s wall (min–max ${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)}), ${m.cpuSeconds.toFixed(2)} s CPU, peak RSS ${m.maxRssMb.toFixed(0)} MB`,
    );
  }
  const [ours, summarize, pandas] = [...results.values()];
  const pairwise = (peer: Run[]) =>
    runs
      .get(tools[0][0])!
      .map((x, i) => peer[i].seconds / x.seconds)
      .sort((a, b) => a - b);
  const fmt = (xs: number[]) => `median ${xs[Math.floor(xs.length / 2)].toFixed(2)}x (${xs[0].toFixed(2)}–${xs[xs.length - 1].toFixed(2)}x)`;
  console.log(
    `\ntfx-ts stats / SUMMARIZE = ${(ours.seconds / summarize.seconds).toFixed(2)}x wall, ${(ours.cpuSeconds / summarize.cpuSeconds).toFixed(2)}x CPU (goal <= 1.0x)`,
  );
  console.log(
    `pandas time / tfx-ts stats time, run by run: ${fmt(pairwise(runs.get(tools[2][0])!))}; CPU ${(pandas.cpuSeconds / ours.cpuSeconds).toFixed(2)}x (goal >= 2x)`,
  );
  console.log(`load average (1 min) during the runs: ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)} on ${os.cpus().length} cores`);
  const small = path.join(outDir, 'taxi_100.csv');
  fs.writeFileSync(small, fs.readFileSync(csv, 'utf8').split('\n').slice(0, 101).join('\n') + '\n');
  const smallRuns = Array.from({ length: repeat }, () => timed(process.execPath, [cli, 'stats', small, '-o', path.join(outDir, 'stats_small.json')]));
  const smallWalls = smallRuns.map((x) => x.seconds).sort((a, b) => a - b);
  const smallCpu = smallRuns.map((x) => x.cpuSeconds).sort((a, b) => a - b);
  console.log(
    `100-row file: tfx-ts stats ${median(smallRuns).seconds.toFixed(2)} s (min–max ${smallWalls[0].toFixed(2)}–${smallWalls[smallWalls.length - 1].toFixed(2)}; goal <= 0.25 s), CPU ${smallCpu[Math.floor(smallCpu.length / 2)].toFixed(2)} s (min ${smallCpu[0].toFixed(2)})`,
  );
  // Wide data (issue 10): 5,000 integer columns × 20 rows.
  const wide = path.join(outDir, 'wide_5000x20.csv');
  if (!fs.existsSync(wide)) {
    const header = Array.from({ length: 5000 }, (_, i) => `c${i}`).join(',');
    const lines = Array.from({ length: 20 }, (_, r) => Array.from({ length: 5000 }, (_, i) => String((r * 31 + i * 17) % 1000)).join(','));
    fs.writeFileSync(wide, `${header}\n${lines.join('\n')}\n`);
  }
  const wideRuns = Array.from({ length: Math.min(repeat, 3) }, () => timed(process.execPath, [cli, 'stats', wide, '-o', path.join(outDir, 'stats_wide.json')]));
  const wideMedian = median(wideRuns);
  console.log(
    `5,000 columns × 20 rows: tfx-ts stats ${wideMedian.seconds.toFixed(2)} s wall, ${wideMedian.cpuSeconds.toFixed(2)} s CPU, peak RSS ${Math.max(...wideRuns.map((x) => x.maxRssMb)).toFixed(0)} MB (goal <= 3 s, <= 300 MB)`,
  );
  if (skipBig) return;
  const big = buildCsv(bigRows);
  const bigRun = timed(process.execPath, [cli, 'stats', big, '-o', path.join(outDir, 'stats_big.json')]);
  console.log(
    `\n${bigRows.toLocaleString('en')} rows (${(fs.statSync(big).size / 1e6).toFixed(0)} MB): tfx-ts stats ${bigRun.seconds.toFixed(1)} s wall, ${bigRun.cpuSeconds.toFixed(1)} s CPU, peak RSS ${bigRun.maxRssMb.toFixed(0)} MB (goal <= 1024 MB)`,
  );
}

main();
