/**
 * ExampleGen benchmark: tfx-ts CsvExampleGen (CSV → Parquet per split, default 2:1 hash
 * split) vs DuckDB's plain `COPY (SELECT * FROM read_csv_auto(file)) TO 'x.parquet'` on the same
 * 1M-row × 18-column taxi-like CSV that bench/stats builds (128 MB, resampled from the taxi sample
 * with mulberry32 seed 42). The two alternate A B A B in one run; each run is its own process, timed
 * inside the process around the work (module loading excluded on both sides) and measured for peak
 * RSS by /usr/bin/time. Then one 10M-row run of CsvExampleGen: time and peak RSS.
 *
 *   npm run build && npx tsx bench/example_gen/run.ts [--rows 1000000] [--repeat 5] [--skip-big] [--big-rows 10000000]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');
const outDir = path.join(repoRoot, 'bench', 'out');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const rows = arg('--rows', 1_000_000);
const bigRows = arg('--big-rows', 10_000_000);
const repeat = arg('--repeat', 5);
const skipBig = process.argv.includes('--skip-big');

/** tfx-ts: the CsvExampleGen component through the local runner; prints the component's own duration. */
const EXAMPLEGEN_SCRIPT = `
const { CsvExampleGen, LocalDagRunner, Pipeline } = require(${JSON.stringify(path.join(repoRoot, 'dist', 'index.js'))});
(async () => {
  const root = process.argv[2];
  const pipeline = new Pipeline({ pipelineName: 'bench', pipelineRoot: root, components: [new CsvExampleGen({ inputBase: process.argv[1] })], enableCache: false });
  const { results } = await new LocalDagRunner().run(pipeline);
  if (results[0].state !== 'COMPLETE') throw new Error('ExampleGen did not complete');
  console.log(JSON.stringify({ seconds: results[0].durationMs / 1000 }));
})();`;

/** The peer: DuckDB's plain CSV → Parquet copy, sniffing included, timed around the query. */
const COPY_SCRIPT = `
const { DuckDBInstance } = require(${JSON.stringify(path.join(repoRoot, 'node_modules', '@duckdb', 'node-api'))});
(async () => {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(Math.min(4, require('os').cpus().length)) });
  const connection = await instance.connect();
  const started = performance.now();
  await connection.run("COPY (SELECT * FROM read_csv_auto('" + process.argv[1] + "')) TO '" + process.argv[2] + "' (FORMAT parquet)");
  console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000 }));
})();`;

/**
 * The floor of any CSV → Parquet step built on DuckDB: COPY with the column types given (they are
 * sniffed before the clock starts), one output file, no split and no typing pass. No ExampleGen that
 * lets DuckDB parse and write can take less; its ratio to the plain COPY bounds what is reachable.
 */
const FIXED_COPY_SCRIPT = `
const { DuckDBInstance } = require(${JSON.stringify(path.join(repoRoot, 'node_modules', '@duckdb', 'node-api'))});
(async () => {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(Math.min(4, require('os').cpus().length)) });
  const connection = await instance.connect();
  const described = await (await connection.runAndReadAll("DESCRIBE SELECT * FROM read_csv_auto('" + process.argv[1] + "')")).getRowObjects();
  const columns = '{' + described.map((d) => "'" + d.column_name + "': '" + d.column_type + "'").join(', ') + '}';
  const started = performance.now();
  await connection.run("COPY (SELECT * FROM read_csv('" + process.argv[1] + "', header=true, auto_detect=false, columns=" + columns + ")) TO '" + process.argv[2] + "' (FORMAT parquet)");
  console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000 }));
})();`;

interface Run {
  seconds: number;
  maxRssMb: number;
}

function timed(script: string, args: string[]): Run {
  const result = spawnSync('/usr/bin/time', ['-v', process.execPath, '-e', script, ...args], { encoding: 'utf8', cwd: repoRoot, maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`run failed:\n${result.stdout}\n${result.stderr}`);
  const { seconds } = JSON.parse(result.stdout.trim().split('\n').pop()!);
  const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr)![1]) / 1024;
  return { seconds, maxRssMb: rss };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

function csvOf(n: number): string {
  const file = path.join(outDir, `taxi_${n}.csv`);
  if (!fs.existsSync(file)) {
    const built = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        path.join(repoRoot, 'bench', 'stats', 'run.ts'),
        '--prepare',
        '--rows',
        String(n),
        '--skip-big',
      ],
      { stdio: 'inherit', cwd: repoRoot },
    );
    if (built.status !== 0) throw new Error('building the input CSV failed');
  }
  return file;
}

function main(): void {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'index.js'))) throw new Error('run `npm run build` first');
  fs.mkdirSync(outDir, { recursive: true });
  const csv = csvOf(rows);
  const mb = fs.statSync(csv).size / 1e6;
  console.log(`Input: ${path.relative(repoRoot, csv)} (${rows.toLocaleString('en')} rows, ${mb.toFixed(1)} MB); ${repeat} runs each, alternating`);
  const load = [os.loadavg()[0]];
  const ours: Run[] = [];
  const peer: Run[] = [];
  const floor: Run[] = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-bench-examplegen-'));
  try {
    for (let r = 0; r < repeat; r++) {
      ours.push(timed(EXAMPLEGEN_SCRIPT, [csv, path.join(work, `root-${r}`)]));
      fs.rmSync(path.join(work, `root-${r}`), { recursive: true, force: true });
      peer.push(timed(COPY_SCRIPT, [csv, path.join(work, 'copy.parquet')]));
      floor.push(timed(FIXED_COPY_SCRIPT, [csv, path.join(work, 'fixed.parquet')]));
      load.push(os.loadavg()[0]);
      console.log(
        `  run ${r + 1}: CsvExampleGen ${ours[r].seconds.toFixed(2)} s (${ours[r].maxRssMb.toFixed(0)} MiB), DuckDB COPY ${peer[r].seconds.toFixed(2)} s (${peer[r].maxRssMb.toFixed(0)} MiB), typed COPY ${floor[r].seconds.toFixed(2)} s`,
      );
    }
    const o = median(ours.map((x) => x.seconds));
    const p = median(peer.map((x) => x.seconds));
    console.log(`\n| tool | median | min–max | MB/s (median) | peak RSS (max) |`);
    console.log(`|---|---|---|---|---|`);
    console.log(
      `| tfx-ts CsvExampleGen (typing, 2:1 split, zstd Parquet per split in 16 MiB ranges) | ${o.toFixed(2)} s | ${range(ours.map((x) => x.seconds))} s | ${(mb / o).toFixed(0)} | ${Math.max(...ours.map((x) => x.maxRssMb)).toFixed(0)} MiB |`,
    );
    console.log(
      `| DuckDB COPY read_csv_auto → Parquet | ${p.toFixed(2)} s | ${range(peer.map((x) => x.seconds))} s | ${(mb / p).toFixed(0)} | ${Math.max(...peer.map((x) => x.maxRssMb)).toFixed(0)} MiB |`,
    );
    const f = median(floor.map((x) => x.seconds));
    console.log(
      `| DuckDB COPY with the types given (no sniffing, no split, one file): the floor | ${f.toFixed(2)} s | ${range(floor.map((x) => x.seconds))} s | ${(mb / f).toFixed(0)} | ${Math.max(...floor.map((x) => x.maxRssMb)).toFixed(0)} MiB |`,
    );
    const floorRatios = floor.map((x, i) => peer[i].seconds / x.seconds);
    console.log(
      `\nceiling of any DuckDB-based ExampleGen (COPY time / typed COPY time, pairwise): median ${median(floorRatios).toFixed(2)}x, ${range(floorRatios)}x`,
    );
    const ratios = ours.map((x, i) => peer[i].seconds / x.seconds);
    console.log(
      `\nspeed ratio (DuckDB COPY time / CsvExampleGen time, pairwise): median ${median(ratios).toFixed(2)}x, ${range(ratios)}x (goal >= 1.2x; >= 150 MB/s)`,
    );
    console.log(`load average (1 min) during the run: ${range(load)} on ${os.cpus().length} cores`);
    if (skipBig) return;
    const big = csvOf(bigRows);
    const bigRun = timed(EXAMPLEGEN_SCRIPT, [big, path.join(work, 'root-big')]);
    console.log(
      `\n${bigRows.toLocaleString('en')} rows (${(fs.statSync(big).size / 1e6).toFixed(0)} MB): CsvExampleGen ${bigRun.seconds.toFixed(1)} s (${(fs.statSync(big).size / 1e6 / bigRun.seconds).toFixed(0)} MB/s), peak RSS ${bigRun.maxRssMb.toFixed(0)} MiB; load ${os.loadavg()[0].toFixed(1)}`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main();
