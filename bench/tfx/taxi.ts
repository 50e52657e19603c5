/**
 * TFX head to head: the Chicago taxi pipeline (CsvExampleGen → StatisticsGen → SchemaGen →
 * ExampleValidator → Transform → Trainer → Resolver → Evaluator → Pusher) in TFX's own
 * InteractiveContext (TFX 1.16, Beam DirectRunner in process, Keras, TFX's taxi module file:
 * bench/tfx/tfx_taxi.py) and in tfx-ts's InteractiveContext (the taxi notebook's module files:
 * bench/tfx/tfxts_taxi.ts), on the same data (../shared/data/chicago_taxi/simple, 15,002 rows), the
 * same eval config (bench/tfx/eval-config.json) and the same Trainer budget (1000 train steps and
 * 150 eval steps at batch 40 on both sides). Then StatisticsGen alone on 1M and 10M rows
 * (bench/tfx/stats.ts: TFDV generate_statistics_from_csv vs tfx-ts stats).
 *
 *   npm run build && bash scripts/venv.sh tfx && npx tsx bench/tfx/taxi.ts [--repeat 2] [--skip-big] [--skip-stats]
 *
 * Each round runs, each in its own process timed by /usr/bin/time (wall, CPU, peak RSS):
 * TFX cold (fresh pipeline root), TFX cached (same root again), tfx-ts cold, tfx-ts cached; rounds
 * repeat --repeat times (default 2: TFX, tfx-ts, TFX, tfx-ts). "Cached" is TFX's caching: the same
 * component with the same inputs is not executed again. The cached run leaves out the Resolver and
 * the Evaluator's baseline on both sides: there the Resolver would hand the Evaluator the cold run's
 * blessed model, which is the (cached) candidate itself, and TFX 1.16's legacy launcher then fails
 * registering the Evaluator's execution (MLMD AlreadyExistsError: the same artifact as two inputs).
 * --skip-big skips the 10M-row statistics; --skip-stats skips the statistics part altogether;
 * --report-only [--repeat N] rebuilds the report from the runs an earlier (or interrupted) call left
 * in bench/out/tfx-taxi/; --resume runs only the runs not finished there yet.
 * Prints a Markdown report and writes bench/out/tfx-taxi.md and tfx-taxi.json.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');
const outDir = path.join(repoRoot, 'bench', 'out', 'tfx-taxi');
const venv = process.env.TFX_TS_VENV_TFX || path.join(repoRoot, '.venv', 'tfx');
const python = path.join(venv, 'bin', 'python');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Summary {
  side: string;
  startupSeconds: number;
  components: { component: string; seconds: number; state: string }[];
  peakRssMb: number;
  artifacts: Record<string, string | boolean>;
}
interface Run {
  side: 'TFX' | 'tfx-ts';
  phase: 'cold' | 'cached';
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  loadBefore: number[];
  summary: Summary;
  summaryPath: string;
}

const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', CUDA_VISIBLE_DEVICES: '' };

const logPath = (side: Run['side'], round: number, phase: Run['phase']) => path.join(outDir, `${side}-${round}-${phase}.log`);

/** A finished run from the files it left (its /usr/bin/time log and its summary), or undefined. */
function readRun(side: Run['side'], phase: Run['phase'], round: number): Run | undefined {
  const summaryPath = path.join(outDir, `${side}-${round}-${phase}.json`);
  const log = logPath(side, round, phase);
  if (!fs.existsSync(summaryPath) || !fs.existsSync(log)) return undefined;
  const stderr = fs.readFileSync(log, 'utf8');
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
  if (!wall || !/Exit status: 0/.test(stderr)) return undefined;
  return {
    side,
    phase,
    wallSeconds: Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]),
    cpuSeconds: Number(/User time \(seconds\): ([\d.]+)/.exec(stderr)![1]) + Number(/System time \(seconds\): ([\d.]+)/.exec(stderr)![1]),
    peakRssMb: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)![1]) / 1024,
    loadBefore: fs.existsSync(`${log}.load`) ? (JSON.parse(fs.readFileSync(`${log}.load`, 'utf8')) as number[]) : [NaN, NaN, NaN],
    summary: JSON.parse(fs.readFileSync(summaryPath, 'utf8')) as Summary,
    summaryPath,
  };
}

function timed(side: Run['side'], phase: Run['phase'], round: number): Run {
  const root = path.join(outDir, `${side}-${round}`);
  if (phase === 'cold') fs.rmSync(root, { recursive: true, force: true });
  const summaryPath = path.join(outDir, `${side}-${round}-${phase}.json`);
  const command =
    side === 'TFX'
      ? [python, path.join(__dirname, 'tfx_taxi.py'), root, summaryPath, phase]
      : [process.execPath, path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(__dirname, 'tfxts_taxi.ts'), root, summaryPath, phase];
  const loadBefore = os.loadavg();
  process.stderr.write(`round ${round}: ${side} ${phase} … `);
  const result = spawnSync('/usr/bin/time', ['-v', ...command], { cwd: outDir, encoding: 'utf8', env, maxBuffer: 1 << 28 });
  const log = `${result.stdout}\n${result.stderr}`;
  fs.writeFileSync(logPath(side, round, phase), log);
  fs.writeFileSync(`${logPath(side, round, phase)}.load`, JSON.stringify(loadBefore));
  if (result.status !== 0) throw new Error(`${side} ${phase} failed (log in ${outDir}):\n${log.slice(-4000)}`);
  const run = readRun(side, phase, round)!;
  process.stderr.write(`${run.wallSeconds.toFixed(1)} s\n`);
  return run;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const cell = (xs: number[], digits = 1) =>
  xs.length > 1 ? `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})` : xs[0].toFixed(digits);
const ratio = (tfx: number[], ours: number[]) => `${(median(tfx) / median(ours)).toFixed(1)}×`;

function table(runs: Run[], phase: Run['phase']): string {
  const of = (side: Run['side']) => runs.filter((r) => r.side === side && r.phase === phase);
  const tfx = of('TFX');
  const ours = of('tfx-ts');
  const components = tfx[0].summary.components.map((c) => c.component);
  const seconds = (rs: Run[], component: string) => rs.map((r) => r.summary.components.find((c) => c.component === component)!.seconds);
  const state = (rs: Run[], component: string) =>
    [...new Set(rs.map((r) => r.summary.components.find((c) => c.component === component)!.state.toLowerCase()))].join('/');
  const lines = [
    `| ${phase} | TFX s | tfx-ts s | TFX / tfx-ts |`,
    '|---|---|---|---|',
    `| start-up + imports | ${cell(tfx.map((r) => r.summary.startupSeconds))} | ${cell(ours.map((r) => r.summary.startupSeconds))} | ${ratio(
      tfx.map((r) => r.summary.startupSeconds),
      ours.map((r) => r.summary.startupSeconds),
    )} |`,
  ];
  for (const c of components) {
    lines.push(
      `| ${c} (${state(tfx, c)} / ${state(ours, c)}) | ${cell(seconds(tfx, c), 2)} | ${cell(seconds(ours, c), 2)} | ${ratio(seconds(tfx, c), seconds(ours, c))} |`,
    );
  }
  const wall = (rs: Run[]) => rs.map((r) => r.wallSeconds);
  const cpu = (rs: Run[]) => rs.map((r) => r.cpuSeconds);
  const rss = (rs: Run[]) => rs.map((r) => r.peakRssMb);
  lines.push(`| **total, process wall** | **${cell(wall(tfx))}** | **${cell(wall(ours))}** | **${ratio(wall(tfx), wall(ours))}** |`);
  lines.push(`| CPU (user+sys) s | ${cell(cpu(tfx))} | ${cell(cpu(ours))} | ${ratio(cpu(tfx), cpu(ours))} |`);
  lines.push(`| peak RSS MB | ${cell(rss(tfx), 0)} | ${cell(rss(ours), 0)} | ${ratio(rss(tfx), rss(ours))} |`);
  return lines.join('\n');
}

function main(): void {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'index.js'))) throw new Error('run `npm run build` first');
  if (!fs.existsSync(python)) throw new Error(`no TFX venv at ${venv}: run \`bash scripts/venv.sh tfx\``);
  const repeat = arg('--repeat', 2);
  if (!(repeat >= 1)) throw new Error('--repeat takes a count ≥ 1');
  fs.mkdirSync(outDir, { recursive: true });
  const started = new Date();
  const loadStart = os.loadavg();
  const runs: Run[] = [];
  const reportOnly = process.argv.includes('--report-only');
  const resume = process.argv.includes('--resume');
  for (let round = 1; round <= repeat; round++) {
    for (const side of ['TFX', 'tfx-ts'] as const) {
      for (const phase of ['cold', 'cached'] as const) {
        const done = reportOnly || resume ? readRun(side, phase, round) : undefined;
        const run = done ?? (reportOnly ? undefined : timed(side, phase, round));
        if (run) runs.push(run);
      }
    }
  }
  for (const side of ['TFX', 'tfx-ts'] as const)
    if (!runs.some((r) => r.side === side && r.phase === 'cold') || !runs.some((r) => r.side === side && r.phase === 'cached'))
      throw new Error(`no finished ${side} cold and cached runs in ${outDir}`);
  const cold = (side: Run['side']) => runs.filter((r) => r.side === side && r.phase === 'cold').at(-1)!;
  const compared = spawnSync(python, [path.join(__dirname, 'compare_taxi.py'), cold('TFX').summaryPath, cold('tfx-ts').summaryPath], {
    encoding: 'utf8',
    env,
  });
  if (compared.status !== 0) throw new Error(`compare_taxi.py failed:\n${compared.stderr.slice(-4000)}`);
  const loadEnd = os.loadavg();
  const la = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
  const report = [
    `Machine: ${os.cpus().length} × ${os.cpus()[0].model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; started ${started.toISOString()}`,
    `Load average (1/5/15 min): ${la(loadStart)} at the start, ${la(loadEnd)} at the end; before each run: ${runs
      .map((r) => `${r.side} ${r.phase} ${r.loadBefore[0].toFixed(1)}`)
      .join(', ')}`,
    `Runs: ${runs.map((r) => `${r.side} ${r.phase}`).join(', ')} (rounds of TFX cold, TFX cached, tfx-ts cold, tfx-ts cached); cells are median (min–max) over runs.`,
    '',
    table(runs, 'cold'),
    '',
    table(runs, 'cached'),
    '',
    'Same numbers? (last cold run of each side; statistics and schema read with TFDV, evaluation with TFMA)',
    '```json',
    compared.stdout.trim(),
    '```',
  ].join('\n');
  fs.writeFileSync(path.join(repoRoot, 'bench', 'out', 'tfx-taxi.md'), `${report}\n`);
  fs.writeFileSync(
    path.join(repoRoot, 'bench', 'out', 'tfx-taxi.json'),
    JSON.stringify({ started, loadStart, loadEnd, runs, compared: JSON.parse(compared.stdout) }, null, 1),
  );
  console.log(report);

  if (!process.argv.includes('--skip-stats') && !reportOnly) {
    console.log('\nStatisticsGen alone (bench/tfx/stats.ts):');
    const stats = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        path.join(__dirname, 'stats.ts'),
        '--repeat',
        String(repeat),
        ...(process.argv.includes('--skip-big') ? ['--skip-big'] : []),
      ],
      { cwd: repoRoot, stdio: 'inherit', env },
    );
    if (stats.status !== 0) throw new Error('bench/tfx/stats.ts failed');
  }
}

main();
