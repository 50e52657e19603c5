/**
 * Training benchmark, two models through tfx-ts's Trainer path (module file → FnArgs → data
 * accessor → fit() → model bundle), each beside scikit-learn in the same run, interleaved
 * (A B A B: one run of every side per round):
 *
 *  - dnn:  the same DNN (20 → 64 → 32 → 1, Adam 1e-3, batch 256, 2 epochs, shuffled) on the same
 *          200k-row data; scikit-learn's MLPClassifier.
 *  - taxi: the taxi notebook's wide & deep model (notebooks/taxi/model.ts) on the taxi sample's
 *          transformed features, as the pipeline trains it (batch 40, 1,000 steps, validation on
 *          150 eval batches each epoch), on the compiled step and on tfjs' generic path;
 *          scikit-learn's MLPClassifier with the same hidden layers on the same features one-hot
 *          encoded (sklearn_taxi.py).
 *
 *   npm run build && npx tsx bench/train/run.ts [--repeat 3] [--models dnn,taxi] [--rows 200000] [--no-compiled] [--no-fused]
 *     [--taxi-sides compiled,generic,sklearn]
 *
 * --no-compiled / --no-fused apply to the dnn section (tfjs' tape with the fused Adam / with tfjs' Adam).
 * Every side is timed around its fit only (examples/s = examples trained / fit seconds); the
 * Trainer's whole wall time and the process CPU seconds of each tfx-ts run are reported too.
 * Data goes to bench/out/ (gitignored); results to bench/out/train.json.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mulberry32 } from '../../src/trainer/random';
import { DuckDBInstance } from '@duckdb/node-api';
// The built package, as a user's module file sees it (so runFn's fit() is the same instance).
import { selectBackend, TransformOutput, tf } from 'tfx-ts/trainer';
import { runTrainer } from '../../dist/trainer/run';
import { runTransform } from '../../dist/transform/run';
import { planWideDeepStructure } from '../../dist/model/wide-deep';
import { loadUserModule } from '../../dist/util/module-loader';
import { benchPython } from '../python';

const repoRoot = path.resolve(__dirname, '..', '..');
const outDir = path.join(repoRoot, 'bench', 'out');
const taxiCsv = path.resolve(repoRoot, '..', 'shared', 'data', 'chicago_taxi', 'simple', 'data.csv');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const rows = arg('--rows', 200_000);
const repeat = arg('--repeat', 3);
const fused = !process.argv.includes('--no-fused');
const compiled = !process.argv.includes('--no-compiled');
const modelsArg = process.argv.indexOf('--models');
const models = (modelsArg >= 0 ? process.argv[modelsArg + 1] : 'dnn,taxi').split(',');
const sidesArg = process.argv.indexOf('--taxi-sides');
// A quick look at one side (e.g. compiled only) while working; the comparison runs all three.
const taxiSides = (sidesArg >= 0 ? process.argv[sidesArg + 1] : 'compiled,generic,sklearn').split(',');

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

/**
 * The taxi sample as the pipeline's Trainer sees it: ExampleGen's layout (2 of 3 rows train), the
 * notebook's preprocessingFn analyzed and materialized by Transform; the transformed splits also as
 * CSV for scikit-learn, and the model's categorical features with their sizes.
 */
async function buildTaxi(): Promise<{ dir: string; trainCsv: string; evalCsv: string; featuresJson: string }> {
  const dir = path.join(outDir, 'train_taxi');
  const files = { dir, trainCsv: path.join(dir, 'train.csv'), evalCsv: path.join(dir, 'eval.csv'), featuresJson: path.join(dir, 'features.json') };
  if (fs.existsSync(files.featuresJson)) return files;
  fs.rmSync(dir, { recursive: true, force: true });
  const examples = path.join(dir, 'examples');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  for (const [split, where] of [
    ['train', 'n % 3 <> 0'],
    ['eval', 'n % 3 = 0'],
  ]) {
    fs.mkdirSync(path.join(examples, `Split-${split}`), { recursive: true });
    await db.run(
      `COPY (SELECT * EXCLUDE (n) FROM (SELECT *, row_number() OVER () AS n FROM read_csv('${taxiCsv}', auto_type_candidates=['BIGINT','DOUBLE','VARCHAR'])) WHERE ${where}) TO '${path.join(examples, `Split-${split}`, 'data.parquet')}' (FORMAT parquet)`,
    );
  }
  const taxi = path.join(repoRoot, 'notebooks', 'taxi');
  await runTransform({
    moduleFile: path.join(taxi, 'preprocessing.ts'),
    preprocessingFn: 'preprocessingFn',
    examplesUri: examples,
    analyzeSplits: ['train'],
    transformSplits: ['train', 'eval'],
    graphDir: path.join(dir, 'graph'),
    transformedExamplesUri: path.join(dir, 'transformed'),
  });
  for (const split of ['train', 'eval']) {
    await db.run(
      `COPY (SELECT * FROM '${path.join(dir, 'transformed', `Split-${split}`, 'data.parquet')}') TO '${split === 'train' ? files.trainCsv : files.evalCsv}' (HEADER)`,
    );
  }
  db.closeSync();
  // The model's own inputs and embedding sizes, read off the notebook's model.
  const { buildKerasModel } = loadUserModule(path.join(taxi, 'model.ts')) as {
    buildKerasModel(t: TransformOutput, hidden: number[], lr: number): tf.LayersModel;
  };
  const plan = planWideDeepStructure(buildKerasModel(TransformOutput.load(path.join(dir, 'graph')), [100, 70, 50, 25], 0.005))!;
  const trainRows = fs.readFileSync(files.trainCsv, 'utf8').trim().split('\n').length - 1;
  fs.writeFileSync(
    files.featuresJson,
    JSON.stringify({
      numeric: plan.deepFeatures,
      categorical: plan.wide.map((w) => [w.feature, w.size]),
      label: 'tips_xf',
      // The pipeline's 1,000 steps of 40, in passes over the train split.
      epochs: Math.round((1000 * 40) / trainRows),
    }),
  );
  return files;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (xs: number[]) => ({ median: Math.round(median(xs)), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)) });
const loadAverage = () => os.loadavg().map((l) => Number(l.toFixed(1)));

interface TfxRun {
  fit: number;
  fitCpu: number;
  examplesPerSecond: number;
  wall: number;
  cpu: number;
  valAccuracy?: number;
}

async function tfxRun(name: string, r: number, args: Omit<Parameters<typeof runTrainer>[0], 'servingModelDir' | 'modelRunDir' | 'seed'>): Promise<TfxRun> {
  const run = path.join(outDir, 'train_runs', name, String(r));
  fs.rmSync(run, { recursive: true, force: true });
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  await runTrainer({ ...args, seed: r, servingModelDir: path.join(run, 'serving'), modelRunDir: path.join(run, 'logs') });
  const cpu = process.cpuUsage(cpu0);
  const wall = (Date.now() - started) / 1000;
  const history = JSON.parse(fs.readFileSync(path.join(run, 'logs', 'fit.json'), 'utf8')) as {
    seconds: number;
    cpuSeconds: number;
    examplesPerSecond: number;
    history: { val_binary_accuracy?: number }[];
  };
  const result = {
    fit: history.seconds,
    fitCpu: history.cpuSeconds,
    examplesPerSecond: history.examplesPerSecond,
    wall,
    cpu: (cpu.user + cpu.system) / 1e6,
    valAccuracy: history.history[history.history.length - 1]?.val_binary_accuracy,
  };
  console.log(
    `  ${name} run ${r + 1}: fit ${result.fit.toFixed(2)} s (${Math.round(result.examplesPerSecond)} examples/s), fit CPU ${result.fitCpu.toFixed(2)} s, Trainer wall ${wall.toFixed(2)} s, process CPU ${result.cpu.toFixed(2)} s${result.valAccuracy !== undefined ? `, eval accuracy ${result.valAccuracy.toFixed(3)}` : ''}`,
  );
  return result;
}

function python(script: string, args: string[]): { seconds: number[]; cpu_seconds: number[]; examples: number; sklearn: string; eval_accuracy?: number } {
  const out = spawnSync(benchPython(), [path.join(__dirname, script), ...args], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`${script} failed: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const backend = await selectBackend();
  const result: Record<string, unknown> = { repeat, backend, cores: os.cpus().length, cpu: os.cpus()[0]?.model, loadAverageStart: loadAverage() };
  console.log(`tfjs backend ${backend}; ${os.cpus().length} cores; load average ${loadAverage().join(' ')}`);

  if (models.includes('dnn')) {
    const { csv, examples } = await buildData(rows);
    console.log(`\ndnn: ${rows} rows × 20 features (${csv})`);
    const tfx: TfxRun[] = [];
    const sk: number[] = [];
    const skCpu: number[] = [];
    let skMeta: { examples: number; sklearn: string } | undefined;
    for (let r = 0; r < repeat; r++) {
      tfx.push(
        await tfxRun('dnn', r, {
          moduleFile: path.join(__dirname, 'model.ts'),
          runFn: 'runFn',
          examplesUri: examples,
          trainSplits: ['train'],
          evalSplits: ['train'],
          trainSteps: 1,
          hyperparameters: {},
          customConfig: { batchSize: 256, epochs: 2, fusedOptimizer: fused, compiledStep: compiled },
        }),
      );
      const py = python('sklearn_mlp.py', [csv, '1']);
      skMeta = py;
      sk.push(py.seconds[0]);
      skCpu.push(py.cpu_seconds[0]);
      console.log(
        `  scikit-learn run ${r + 1}: fit ${py.seconds[0].toFixed(2)} s (${Math.round(py.examples / py.seconds[0])} examples/s), fit CPU ${py.cpu_seconds[0].toFixed(2)} s`,
      );
    }
    const tfxRate = summary(tfx.map((t) => t.examplesPerSecond));
    const skRate = summary(sk.map((s) => skMeta!.examples / s));
    result.dnn = {
      rows,
      fusedOptimizer: fused,
      compiledStep: compiled && fused,
      tfxTs: {
        examplesPerSecond: tfxRate,
        fitSeconds: median(tfx.map((t) => t.fit)),
        fitCpuSeconds: median(tfx.map((t) => t.fitCpu)),
        trainerWallSeconds: median(tfx.map((t) => t.wall)),
        processCpuSeconds: median(tfx.map((t) => t.cpu)),
      },
      sklearn: { version: skMeta!.sklearn, examplesPerSecond: skRate, fitSeconds: median(sk), fitCpuSeconds: median(skCpu) },
      ratio: Number((tfxRate.median / skRate.median).toFixed(3)),
    };
    console.log(
      `dnn: tfx-ts ${tfxRate.median} examples/s (${tfxRate.min}–${tfxRate.max}) vs scikit-learn ${skRate.median} (${skRate.min}–${skRate.max}): ${(result.dnn as { ratio: number }).ratio}×`,
    );
  }

  if (models.includes('taxi')) {
    const taxi = await buildTaxi();
    console.log(`\ntaxi: the notebook's wide & deep model on the taxi sample (${taxi.dir})`);
    const sides: Record<string, TfxRun[]> = { compiled: [], generic: [] };
    const sk: number[] = [];
    const skCpu: number[] = [];
    let skMeta: { examples: number; sklearn: string; eval_accuracy?: number } | undefined;
    const trainer = {
      moduleFile: path.join(__dirname, 'taxi_model.ts'),
      runFn: 'runFn',
      examplesUri: path.join(taxi.dir, 'transformed'),
      trainSplits: ['train'],
      evalSplits: ['eval'],
      trainSteps: 1000,
      evalSteps: 150,
      transformGraphDir: path.join(taxi.dir, 'graph'),
      hyperparameters: {},
    };
    for (let r = 0; r < repeat; r++) {
      if (taxiSides.includes('compiled')) sides.compiled.push(await tfxRun('taxi compiled step', r, { ...trainer, customConfig: { compiledStep: true } }));
      if (taxiSides.includes('generic')) sides.generic.push(await tfxRun('taxi generic tfjs path', r, { ...trainer, customConfig: { compiledStep: false } }));
      if (!taxiSides.includes('sklearn')) continue;
      const py = python('sklearn_taxi.py', [taxi.trainCsv, taxi.evalCsv, taxi.featuresJson, '1', String(r)]);
      skMeta = py;
      sk.push(py.seconds[0]);
      skCpu.push(py.cpu_seconds[0]);
      console.log(
        `  scikit-learn run ${r + 1}: fit ${py.seconds[0].toFixed(2)} s (${Math.round(py.examples / py.seconds[0])} examples/s), fit CPU ${py.cpu_seconds[0].toFixed(2)} s, eval accuracy ${py.eval_accuracy?.toFixed(3)}`,
      );
    }
    if (taxiSides.length < 3) {
      for (const [name, runs] of Object.entries(sides)) {
        if (!runs.length) continue;
        const rate = summary(runs.map((t) => t.examplesPerSecond));
        console.log(`taxi ${name}: ${rate.median} examples/s (${rate.min}–${rate.max}), fit CPU ${median(runs.map((t) => t.fitCpu)).toFixed(2)} s`);
      }
    } else {
      const side = (runs: TfxRun[]) => ({
        examplesPerSecond: summary(runs.map((t) => t.examplesPerSecond)),
        fitSeconds: median(runs.map((t) => t.fit)),
        fitCpuSeconds: median(runs.map((t) => t.fitCpu)),
        trainerWallSeconds: median(runs.map((t) => t.wall)),
        processCpuSeconds: median(runs.map((t) => t.cpu)),
        evalAccuracy: median(runs.map((t) => t.valAccuracy ?? NaN)),
      });
      const skRate = summary(sk.map((s) => skMeta!.examples / s));
      const taxiResult = {
        compiled: side(sides.compiled),
        generic: side(sides.generic),
        sklearn: {
          version: skMeta!.sklearn,
          examplesPerSecond: skRate,
          fitSeconds: median(sk),
          fitCpuSeconds: median(skCpu),
          evalAccuracy: skMeta!.eval_accuracy,
        },
      };
      result.taxi = {
        ...taxiResult,
        ratioCompiledVsSklearn: Number((taxiResult.compiled.examplesPerSecond.median / skRate.median).toFixed(3)),
        ratioCompiledVsGeneric: Number((taxiResult.compiled.examplesPerSecond.median / taxiResult.generic.examplesPerSecond.median).toFixed(2)),
      };
      const c = taxiResult.compiled.examplesPerSecond;
      const g = taxiResult.generic.examplesPerSecond;
      console.log(
        `taxi: compiled ${c.median} examples/s (${c.min}–${c.max}), generic ${g.median} (${g.min}–${g.max}), scikit-learn ${skRate.median} (${skRate.min}–${skRate.max})`,
      );
    }
  }
  result.loadAverageEnd = loadAverage();
  fs.writeFileSync(path.join(outDir, 'train.json'), `${JSON.stringify(result, null, 1)}\n`);
  console.log(`\nload average ${loadAverage().join(' ')}; results in bench/out/train.json`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
