/**
 * Training benchmark (issue 4): the same DNN (20 → 64 → 32 → 1, Adam 1e-3, batch 256, 2 epochs,
 * shuffled) on the same 200k-row data, in tfx-ts's Trainer path (module file → FnArgs → data
 * accessor → fit() → model bundle) and in Debian's scikit-learn MLPClassifier, in one run.
 *
 *   npm run build && npx tsx bench/train/run.ts [--rows 200000] [--repeat 3] [--no-compiled] [--no-fused]
 *
 * --no-compiled: tfjs' generic gradient path (tape) with the fused Adam; --no-fused: tfjs' own Adam too.
 *
 * Both sides are timed around the fit only (examples/s = 2 epochs × rows / fit seconds; median of
 * --repeat); the Trainer's whole wall time (data loading, model save) is reported too. Data goes to
 * bench/out/ (gitignored); results to bench/out/train.json.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mulberry32 } from '../../src/trainer/random';
import { DuckDBInstance } from '@duckdb/node-api';
// The built package, as a user's module file sees it (so runFn's fit() is the same instance).
import { selectBackend } from 'tfx-ts/trainer';
import { runTrainer } from '../../dist/trainer/run';

const repoRoot = path.resolve(__dirname, '..', '..');
const outDir = path.join(repoRoot, 'bench', 'out');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const rows = arg('--rows', 200_000);
const repeat = arg('--repeat', 3);
const fused = !process.argv.includes('--no-fused');
const compiled = !process.argv.includes('--no-compiled');


/** 20 uniform features and a label that needs the hidden layers (a linear part plus interactions). */
async function buildData(n: number): Promise<{ csv: string; examples: string }> {
  const csv = path.join(outDir, `train_${n}.csv`);
  const examples = path.join(outDir, `train_${n}_examples`);
  const parquet = path.join(examples, 'Split-train', 'data.parquet');
  if (fs.existsSync(csv) && fs.existsSync(parquet)) return { csv, examples };
  fs.mkdirSync(path.dirname(parquet), { recursive: true });
  const random = mulberry32(42);
  const weights = Array.from({ length: 20 }, (_, j) => (j % 3) - 1 + 0.1 * j);
  const lines = [[...Array.from({ length: 20 }, (_, j) => `f${j}`), 'label'].join(',')];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: 20 }, () => Math.fround(random() * 2 - 1));
    const z = x.reduce((s, v, j) => s + v * weights[j], 0) + 2 * x[0] * x[1] - 1.5 * x[2] * x[2] + 0.5;
    lines.push(`${x.map((v) => v.toFixed(6)).join(',')},${z > 0 ? 1 : 0}`);
  }
  fs.writeFileSync(`${csv}.tmp`, `${lines.join('\n')}\n`);
  fs.renameSync(`${csv}.tmp`, csv);
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(`COPY (SELECT * FROM read_csv('${csv}', header=true, auto_type_candidates=['BIGINT','DOUBLE'])) TO '${parquet}' (FORMAT parquet)`);
  db.closeSync();
  return { csv, examples };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const { csv, examples } = await buildData(rows);
  const backend = await selectBackend();
  console.log(`data: ${rows} rows × 20 features (${csv}); tfjs backend ${backend}; ${os.cpus().length} cores`);

  const tfx: { fit: number; examplesPerSecond: number; wall: number }[] = [];
  for (let r = 0; r < repeat; r++) {
    const run = path.join(outDir, 'train_runs', String(r));
    fs.rmSync(run, { recursive: true, force: true });
    const started = Date.now();
    await runTrainer({
      moduleFile: path.join(__dirname, 'model.ts'), runFn: 'runFn', examplesUri: examples, trainSplits: ['train'], evalSplits: ['train'],
      trainSteps: 1, hyperparameters: {}, customConfig: { batchSize: 256, epochs: 2, fusedOptimizer: fused, compiledStep: compiled }, seed: r,
      servingModelDir: path.join(run, 'serving'), modelRunDir: path.join(run, 'logs'),
    });
    const wall = (Date.now() - started) / 1000;
    const history = JSON.parse(fs.readFileSync(path.join(run, 'logs', 'fit.json'), 'utf8')) as { seconds: number; examplesPerSecond: number };
    tfx.push({ fit: history.seconds, examplesPerSecond: history.examplesPerSecond, wall });
    console.log(`tfx-ts run ${r + 1}: fit ${history.seconds.toFixed(2)} s (${Math.round(history.examplesPerSecond)} examples/s), Trainer wall ${wall.toFixed(2)} s`);
  }

  const python = spawnSync('/usr/bin/python3', [path.join(__dirname, 'sklearn_mlp.py'), csv, String(repeat)], { encoding: 'utf8' });
  if (python.status !== 0) throw new Error(`scikit-learn run failed: ${python.stderr}`);
  const sk = JSON.parse(python.stdout) as { seconds: number[]; examples: number; sklearn: string; numpy: string };
  sk.seconds.forEach((s, r) => console.log(`sklearn run ${r + 1}: fit ${s.toFixed(2)} s (${Math.round(sk.examples / s)} examples/s)`));

  const tfxRate = median(tfx.map((t) => t.examplesPerSecond));
  const skRate = median(sk.seconds.map((s) => sk.examples / s));
  const result = {
    rows, repeat, backend, fusedOptimizer: fused, compiledStep: compiled && fused, cores: os.cpus().length, cpu: os.cpus()[0]?.model,
    tfxTs: { fitSeconds: median(tfx.map((t) => t.fit)), examplesPerSecond: Math.round(tfxRate), trainerWallSeconds: median(tfx.map((t) => t.wall)) },
    sklearn: { version: sk.sklearn, fitSeconds: median(sk.seconds), examplesPerSecond: Math.round(skRate) },
    ratio: Number((tfxRate / skRate).toFixed(3)),
  };
  fs.writeFileSync(path.join(outDir, 'train.json'), `${JSON.stringify(result, null, 1)}\n`);
  console.log(`\ntfx-ts ${result.tfxTs.examplesPerSecond} examples/s vs scikit-learn ${result.sklearn.examplesPerSecond} examples/s: ratio ${result.ratio}× (goal ≥ 0.5×)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
