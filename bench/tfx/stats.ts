/**
 * StatisticsGen alone, head to head: TFDV's generate_statistics_from_csv (real TFDV 1.16 from the
 * project's `tfx` venv, Beam DirectRunner) vs `tfx-ts stats`, on the 1M- and 10M-row CSVs that
 * bench/stats builds (taxi sample resampled, mulberry32 seed 42). Interleaved A B A B, each in its
 * own process (each pays its own start-up), timed wall-clock with peak RSS by /usr/bin/time.
 *
 *   npm run build && bash scripts/venv.sh tfx && npx tsx bench/tfx/stats.ts [--rows 1000000] [--repeat 2] [--big-rows 10000000] [--skip-big]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');
const outDir = path.join(repoRoot, 'bench', 'out');
const python = path.join(process.env.TFX_TS_VENV_TFX || path.join(repoRoot, '.venv', 'tfx'), 'bin', 'python');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Run {
  seconds: number;
  cpuSeconds: number;
  maxRssMb: number;
}

function timed(command: string, args: string[]): Run {
  const result = spawnSync('/usr/bin/time', ['-v', command, ...args], {
    encoding: 'utf8',
    cwd: repoRoot,
    maxBuffer: 256 << 20,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', CUDA_VISIBLE_DEVICES: '' },
  });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr.slice(-4000)}`);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(result.stderr)!;
  const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)![1]) / 1024;
  const cpu = Number(/User time \(seconds\): ([\d.]+)/.exec(result.stderr)![1]) + Number(/System time \(seconds\): ([\d.]+)/.exec(result.stderr)![1]);
  return { seconds, cpuSeconds: cpu, maxRssMb: rss };
}

const fmt = (runs: Run[]) => {
  const s = runs.map((r) => r.seconds).sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)];
  return {
    median,
    text: `${median.toFixed(1)} s (runs ${s.map((x) => x.toFixed(1)).join(', ')}), CPU ${runs.map((r) => r.cpuSeconds.toFixed(1)).join('/')} s, peak RSS ${Math.max(...runs.map((r) => r.maxRssMb)).toFixed(0)} MB`,
  };
};

function compare(rows: number, repeat: number): void {
  const csv = path.join(outDir, `taxi_${rows}.csv`);
  if (!fs.existsSync(csv)) {
    const built = spawnSync('npx', ['tsx', 'bench/stats/run.ts', '--prepare', '--skip-big', '--rows', String(rows)], { cwd: repoRoot, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('building the input CSV failed');
  }
  const cli = path.join(repoRoot, 'bin', 'tfx-ts.js');
  const ours: Run[] = [];
  const tfdv: Run[] = [];
  for (let i = 0; i < repeat; i++) {
    ours.push(timed(process.execPath, [cli, 'stats', csv, '-o', path.join(outDir, 'tfx-ts-stats.pb')]));
    tfdv.push(timed(python, [path.join(__dirname, 'tfdv_stats.py'), csv, path.join(outDir, 'tfdv-stats.pb')]));
  }
  const a = fmt(ours);
  const b = fmt(tfdv);
  console.log(`${rows.toLocaleString('en')} rows (${(fs.statSync(csv).size / 1e6).toFixed(0)} MB)`);
  console.log(`  tfx-ts stats                      ${a.text}`);
  console.log(`  TFDV generate_statistics_from_csv ${b.text}`);
  console.log(
    `  TFDV / tfx-ts = ${(b.median / a.median).toFixed(1)}x wall; load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${os.cpus().length} cores`,
  );
}

function main(): void {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` first');
  if (!fs.existsSync(python)) throw new Error(`no TFX venv at ${python}: run \`bash scripts/venv.sh tfx\``);
  fs.mkdirSync(outDir, { recursive: true });
  compare(arg('--rows', 1_000_000), arg('--repeat', 2));
  if (!process.argv.includes('--skip-big')) compare(arg('--big-rows', 10_000_000), 1);
}

main();
