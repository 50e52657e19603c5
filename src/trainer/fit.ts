import * as tf from '@tensorflow/tfjs';
import * as path from 'node:path';
import { NotSupportedError, UserError } from '../util/errors';
import { selectBackend } from '../model/backend';
import type { ExampleDataset } from './dataset';
import { mulberry32, permutation } from './random';
import { currentTrainingSession } from './session';
import { EventFileWriter } from './tensorboard';
import { FlatAdam, flatAdamConfig, flatAdamFor } from './flat-adam';
import { binaryCrossentropy, DenseTrainer, planDenseBinaryClassifier } from './dense-fast-path';
import { planWideDeep, wideIndexes, WideDeepTrainer } from './wide-deep-fast-path';
import { isBinaryClassifier } from '../model/dense-stack';

/**
 * The Trainer's training loop for a compiled tfjs LayersModel (Keras' model.fit, for module files).
 * Where the time goes at these sizes is per-op overhead, so: batches are zero-copy views of one
 * Float32Array per feature (shuffled once per epoch), each step is one tidy with one optimizer
 * call (Adam fused over all weights), and the only read back is the loss (needed anyway to stop
 * on NaN and draw curves). Dense binary classifiers take the compiled step (dense-fast-path.ts).
 * TensorBoard scalars go to the Trainer's modelRunDir; progress feeds the live view.
 */
export interface FitOptions {
  /** Total optimizer steps (TFX trainArgs.numSteps); wins over epochs. */
  steps?: number;
  /** Passes over the training data when steps is not given (default 1). */
  epochs?: number;
  /** Default: the dataset's batchSize (256). */
  batchSize?: number;
  /** Reshuffle every epoch (default true), seeded. */
  shuffle?: boolean;
  seed?: number;
  validationData?: ExampleDataset;
  /** Batches of validation data per evaluation (TFX evalArgs.numSteps); default all. */
  validationSteps?: number;
  /** Evaluate every this many epochs (and always at the end). */
  validationFreq?: number;
  /** TensorBoard log directory; default the Trainer's modelRunDir. */
  logDir?: string;
  /** Write the batch loss every this many steps (default: about 200 points per run). */
  logEvery?: number;
  /** Run Adam as one update over all weights (default true; same arithmetic, far fewer kernels). */
  fusedOptimizer?: boolean;
  /** Use a compiled step (dense or wide & deep binary classifiers) when the model qualifies (default true). */
  compiledStep?: boolean;
}

/** One flat optimizer (or compiled step) per model and optimizer, so a second fit() continues Adam's moments. */
const flatOptimizers = new WeakMap<tf.LayersModel, { optimizer: tf.Optimizer; flat: FlatAdam | undefined }>();
const denseTrainers = new WeakMap<tf.LayersModel, { optimizer: tf.Optimizer; trainer: DenseTrainer | undefined }>();
const wideDeepTrainers = new WeakMap<tf.LayersModel, { optimizer: tf.Optimizer; trainer: WideDeepTrainer | undefined }>();

function wideDeepTrainerOf(model: tf.LayersModel): WideDeepTrainer | undefined {
  const cached = wideDeepTrainers.get(model);
  if (cached && cached.optimizer === model.optimizer) return cached.trainer;
  cached?.trainer?.dispose();
  const plan = planWideDeep(model);
  const config = flatAdamConfig(model);
  const trainer = plan && config ? new WideDeepTrainer(plan, config) : undefined;
  wideDeepTrainers.set(model, { optimizer: model.optimizer, trainer });
  return trainer;
}

function denseTrainerOf(model: tf.LayersModel): DenseTrainer | undefined {
  const cached = denseTrainers.get(model);
  if (cached && cached.optimizer === model.optimizer) return cached.trainer;
  cached?.trainer?.dispose();
  const plan = planDenseBinaryClassifier(model);
  const config = flatAdamConfig(model);
  const trainer = plan && config ? new DenseTrainer(plan, config) : undefined;
  denseTrainers.set(model, { optimizer: model.optimizer, trainer });
  return trainer;
}

function flatOptimizerOf(model: tf.LayersModel): FlatAdam | undefined {
  const cached = flatOptimizers.get(model);
  if (cached && cached.optimizer === model.optimizer) return cached.flat;
  cached?.flat?.dispose();
  const flat = flatAdamFor(model);
  flatOptimizers.set(model, { optimizer: model.optimizer, flat });
  return flat;
}

export interface EpochLog {
  epoch: number;
  step: number;
  loss: number;
  val_loss?: number;
  val_binary_accuracy?: number;
}

export interface FitHistory {
  steps: number;
  epochs: number;
  seconds: number;
  /** Process CPU seconds (user + system) spent in fit: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  examplesPerSecond: number;
  backend: string;
  history: EpochLog[];
}

interface ModelInternals {
  lossFunctions?: ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor)[];
  calculateLosses?: () => tf.Scalar[];
}

export async function fit(model: tf.LayersModel, train: ExampleDataset, options: FitOptions = {}): Promise<FitHistory> {
  const session = currentTrainingSession();
  const backend = await selectBackend((m) => session?.log?.(m));
  const lossFn = compiledLoss(model);
  const inputs = modelInputs(model, train);
  if (!train.label) throw new UserError('The training dataset has no label.', 'pass { labelKey: "<label feature>" } to tfDatasetFactory.');
  if (options.validationData) modelInputs(model, options.validationData);
  const n = train.numExamples;
  const batchSize = positive('batchSize', options.batchSize ?? train.batchSize);
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const totalSteps = options.steps !== undefined ? positive('steps', options.steps) : positive('epochs', options.epochs ?? 1) * stepsPerEpoch;
  const random = mulberry32(options.seed ?? session?.seed ?? 0);
  const logDir = options.logDir ?? session?.logDir;
  const trainEvents = logDir ? new EventFileWriter(path.join(logDir, 'train')) : undefined;
  const validationEvents = logDir && options.validationData ? new EventFileWriter(path.join(logDir, 'validation')) : undefined;
  const logEvery = options.logEvery ?? Math.max(1, Math.round(totalSteps / 200));
  const binary = isBinaryClassifier(model);
  const compiled = options.fusedOptimizer !== false && options.compiledStep !== false;
  const dense = compiled ? denseTrainerOf(model) : undefined;
  const wideDeep = compiled && !dense ? wideDeepTrainerOf(model) : undefined;
  const flatAdam = options.fusedOptimizer === false || dense || wideDeep ? undefined : flatOptimizerOf(model);
  if (dense)
    session?.log?.(
      `compiled training step: ${dense.plan.features.length} input(s) → ${dense.plan.layers.map((l) => l.kernel.shape[1]).join('-')} dense, sigmoid, Adam`,
    );
  if (wideDeep) {
    const { plan } = wideDeep;
    session?.log?.(
      `compiled wide & deep step: ${plan.deepFeatures.length} input(s) → ${plan.deep.map((l) => l.kernel.shape[1]).join('-')} dense + ${plan.wide.length} width-1 embedding(s) (${plan.wide.reduce((a, w) => a + w.size, 0)} categories), sigmoid, Adam`,
    );
    wideDeep.loadFromModel();
  }
  session?.report?.({ kind: 'start', totalSteps, examples: n, batchSize, backend });

  const history: EpochLog[] = [];
  let wideDeepValidationRows: WideDeepValidation | undefined;
  const started = Date.now();
  const cpuStarted = process.cpuUsage();
  let lastYield = started;
  let step = 0;
  let epoch = 0;
  let examplesSeen = 0;
  try {
    while (step < totalSteps) {
      epoch++;
      const order = options.shuffle === false ? undefined : permutation(n, random);
      const columns = inputs.map((name) => gather(train.features[name], order));
      const labels = gather(train.label, order);
      const matrix = dense
        ? interleave(
            dense.plan.features.map((name) => columns[inputs.indexOf(name)]),
            n,
          )
        : wideDeep
          ? interleave(
              wideDeep.plan.deepFeatures.map((name) => columns[inputs.indexOf(name)]),
              n,
            )
          : undefined;
      const wideIds = wideDeep
        ? wideIndexes(
            wideDeep.plan,
            wideDeep.plan.wide.map((w) => columns[inputs.indexOf(w.feature)]),
            n,
            train.options.source,
          )
        : undefined;
      let epochLoss = 0;
      let epochSteps = 0;
      for (let start = 0; start < n && step < totalSteps; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const rows = end - start;
        let loss: number;
        if (dense) {
          const width = dense.plan.features.length;
          const yBatch = labels.subarray(start, end);
          loss = binaryCrossentropy(dense.step(matrix!.subarray(start * width, end * width), yBatch, rows), yBatch, rows);
        } else if (wideDeep) {
          const width = wideDeep.deepWidth;
          const wideWidth = wideDeep.plan.wide.length;
          loss = wideDeep.step(
            matrix!.subarray(start * width, end * width),
            wideIds!.subarray(start * wideWidth, end * wideWidth),
            labels.subarray(start, end),
            rows,
          );
        } else {
          const lossTensor = tf.tidy(() => {
            const xs = columns.map((c) => tf.tensor2d(c.subarray(start, end), [rows, 1]));
            const ys = tf.tensor2d(labels.subarray(start, end), [rows, 1]);
            const objective = () => {
              const predictions = model.apply(xs.length === 1 ? xs[0] : xs, { training: true }) as tf.Tensor;
              let loss = tf.mean(lossFn(ys, predictions)) as tf.Scalar;
              for (const extra of (model as unknown as ModelInternals).calculateLosses?.() ?? []) loss = tf.add(loss, extra);
              return loss;
            };
            return flatAdam ? flatAdam.minimize(objective) : (model.optimizer.minimize(objective, true) as tf.Scalar);
          });
          loss = lossTensor.dataSync()[0];
          lossTensor.dispose();
        }
        step++;
        examplesSeen += rows;
        if (!Number.isFinite(loss)) {
          throw new UserError(
            `Training stopped: the loss became ${loss} at step ${step} (epoch ${epoch}).`,
            'lower the learning rate, scale large inputs in preprocessingFn (tft.scaleToZScore), and check the label holds the values the loss expects (0/1 for binaryCrossentropy).',
          );
        }
        epochLoss += loss;
        epochSteps++;
        if (step % logEvery === 0 || step === totalSteps) trainEvents?.scalars(step, { batch_loss: loss });
        session?.report?.({ kind: 'step', step, totalSteps, epoch, loss });
        if (Date.now() - lastYield > 200) {
          // Let the notebook kernel flush live-view messages while training runs.
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = Date.now();
        }
      }
      const record: EpochLog = { epoch, step, loss: epochLoss / Math.max(1, epochSteps) };
      const last = step >= totalSteps;
      const validationFreq = options.validationFreq ?? 1;
      let validation: Record<string, number> | undefined;
      if (options.validationData && (last || epoch % validationFreq === 0)) {
        validation = wideDeep
          ? evaluateWideDeep(wideDeep, (wideDeepValidationRows ??= wideDeepValidation(wideDeep, options.validationData, options.validationSteps)))
          : evaluateDataset(model, options.validationData, { steps: options.validationSteps, binary, lossFn });
        record.val_loss = validation.loss;
        if (validation.binary_accuracy !== undefined) record.val_binary_accuracy = validation.binary_accuracy;
        validationEvents?.scalars(epoch, {
          epoch_loss: validation.loss,
          ...(validation.binary_accuracy !== undefined ? { epoch_binary_accuracy: validation.binary_accuracy } : {}),
        });
      }
      trainEvents?.scalars(epoch, { epoch_loss: record.loss });
      history.push(record);
      session?.report?.({ kind: 'epoch', step, epoch, train: { loss: record.loss }, validation });
    }
  } finally {
    wideDeep?.syncToModel();
    trainEvents?.close();
    validationEvents?.close();
  }
  const seconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const examplesPerSecond = examplesSeen / Math.max(seconds, 1e-9);
  session?.report?.({ kind: 'end', step, seconds, examplesPerSecond });
  session?.log?.(
    `trained ${step} steps (${examplesSeen} examples, ${epoch} epoch(s)) in ${seconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s CPU): ${Math.round(examplesPerSecond)} examples/s on tfjs ${backend}`,
  );
  return { steps: step, epochs: epoch, seconds, cpuSeconds, examplesPerSecond, backend, history };
}

/** The validation rows as the wide & deep forward pass takes them, built once per fit (every epoch validates on the same rows). */
interface WideDeepValidation {
  x: Float32Array;
  ids: Int32Array;
  y: Float32Array;
  rows: number;
}

function wideDeepValidation(trainer: WideDeepTrainer, dataset: ExampleDataset, steps?: number): WideDeepValidation {
  if (!dataset.label) throw new UserError('The evaluation dataset has no label.', 'pass { labelKey } to tfDatasetFactory.');
  const rows = steps ? Math.min(dataset.numExamples, steps * dataset.batchSize) : dataset.numExamples;
  const { plan } = trainer;
  const x = interleave(
    plan.deepFeatures.map((f) => dataset.features[f].subarray(0, rows)),
    rows,
  );
  const ids = wideIndexes(
    plan,
    plan.wide.map((w) => dataset.features[w.feature]),
    rows,
    dataset.options.source,
  );
  return { x, ids, y: dataset.label.subarray(0, rows), rows };
}

/** evaluateDataset's figures (binaryCrossentropy, binary accuracy) on the compiled wide & deep forward pass. */
function evaluateWideDeep(trainer: WideDeepTrainer, { x, ids, y, rows }: WideDeepValidation): Record<string, number> {
  const p = trainer.predict(x, ids, rows);
  let correct = 0;
  for (let i = 0; i < rows; i++) if ((p[i] > 0.5 ? 1 : 0) === y[i]) correct++;
  return { loss: binaryCrossentropy(p, y, rows), binary_accuracy: correct / rows };
}

/** Loss (and binary accuracy for a sigmoid output) over a dataset, in large batches. */
export function evaluateDataset(
  model: tf.LayersModel,
  dataset: ExampleDataset,
  options: { steps?: number; batchSize?: number; binary?: boolean; lossFn?: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor } = {},
): Record<string, number> {
  if (!dataset.label) throw new UserError('The evaluation dataset has no label.', 'pass { labelKey } to tfDatasetFactory.');
  const lossFn = options.lossFn ?? compiledLoss(model);
  const inputs = modelInputs(model, dataset);
  const batchSize = options.batchSize ?? Math.max(dataset.batchSize, 1024);
  const limit = options.steps ? Math.min(dataset.numExamples, options.steps * dataset.batchSize) : dataset.numExamples;
  const binary = options.binary ?? isBinaryClassifier(model);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < limit; start += batchSize) {
    const end = Math.min(limit, start + batchSize);
    const rows = end - start;
    const [loss, hits] = tf.tidy(() => {
      const xs = inputs.map((name) => tf.tensor2d(dataset.features[name].subarray(start, end), [rows, 1]));
      const ys = tf.tensor2d(dataset.label!.subarray(start, end), [rows, 1]);
      const predictions = model.apply(xs.length === 1 ? xs[0] : xs, { training: false }) as tf.Tensor;
      const sum = tf.sum(lossFn(ys, predictions));
      const matches = binary ? tf.sum(tf.cast(tf.equal(tf.cast(tf.greater(predictions, 0.5), 'float32'), ys), 'float32')) : tf.scalar(0);
      return [sum.dataSync()[0], matches.dataSync()[0]];
    });
    lossSum += loss;
    correct += hits;
  }
  return binary ? { loss: lossSum / limit, binary_accuracy: correct / limit } : { loss: lossSum / limit };
}

function compiledLoss(model: tf.LayersModel): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor {
  const internals = model as unknown as ModelInternals;
  if (!model.optimizer || !internals.lossFunctions?.length) {
    throw new UserError('The model is not compiled.', "call model.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' }) before fit().");
  }
  if (model.outputs.length !== 1) throw new NotSupportedError(`Training a model with ${model.outputs.length} outputs`, 'give the model one output.');
  return internals.lossFunctions[0];
}

/** The dataset feature behind each model input (matched by input name, as TFX's taxi model names its Inputs). */
export function modelInputs(model: tf.LayersModel, dataset: ExampleDataset): string[] {
  return model.inputs.map((input, index) => {
    const name = model.inputNames[index];
    if (!(name in dataset.features)) {
      throw new UserError(
        `Model input "${name}" is not a feature of the dataset.`,
        `name each tf.input after a transformed feature; the dataset has: ${dataset.featureKeys.join(', ')}.`,
      );
    }
    const shape = input.shape;
    if (shape.length !== 2 || shape[1] !== 1) {
      throw new NotSupportedError(
        `Model input "${name}" with shape [${shape.map((d) => d ?? 'null').join(', ')}]`,
        'use one tf.input({ shape: [1] }) per feature and concatenate them inside the model.',
      );
    }
    return name;
  });
}

/** Row-major matrix of the columns (rows × columns.length), the compiled step's single input. */
function interleave(columns: Float32Array[], rows: number): Float32Array {
  const width = columns.length;
  const out = new Float32Array(rows * width);
  for (let j = 0; j < width; j++) {
    const column = columns[j];
    for (let i = 0; i < rows; i++) out[i * width + j] = column[i];
  }
  return out;
}

function gather(values: Float32Array, order?: Uint32Array): Float32Array {
  if (!order) return values;
  const out = new Float32Array(values.length);
  for (let i = 0; i < order.length; i++) out[i] = values[order[i]];
  return out;
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new UserError(`${name} must be a positive integer, got ${value}.`);
  return value;
}
