import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tempDir, writeFile } from '../testing/fixtures';
import { writeTaxiExamples } from '../testing/modeling-fixtures';
import { runTransform } from '../transform/run';
import { ModelBundle } from '../model/bundle';
import { runTrainer, TrainerRunArgs } from './run';
import { crc32c, EventFileWriter, maskedCrc32c } from './tensorboard';
import { spawnSync } from 'node:child_process';
import { MimeTypes } from '../protocol/mime';
import { trainingBundle } from '../visualize/training-view';

const TAXI = path.join(repoRoot, 'notebooks', 'taxi');

/** Reads TFRecord framing back, checking both CRCs, and decodes Event scalars (an independent reader of the format). */
function readEvents(file: string): { step: number; tags: Record<string, number>; fileVersion?: string }[] {
  const data = fs.readFileSync(file);
  const events: { step: number; tags: Record<string, number>; fileVersion?: string }[] = [];
  let offset = 0;
  while (offset < data.length) {
    const length = Number(data.readBigUInt64LE(offset));
    expect(data.readUInt32LE(offset + 8)).toBe(maskedCrc32c(data.subarray(offset, offset + 8)));
    const payload = data.subarray(offset + 12, offset + 12 + length);
    expect(data.readUInt32LE(offset + 12 + length)).toBe(maskedCrc32c(payload));
    offset += 16 + length;
    events.push(decodeEvent(payload));
  }
  return events;
}

function decodeEvent(buf: Buffer): { step: number; tags: Record<string, number>; fileVersion?: string } {
  const out: { step: number; tags: Record<string, number>; fileVersion?: string } = { step: 0, tags: {} };
  const readVarint = (b: Buffer, pos: { i: number }) => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = b[pos.i++];
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result;
      shift += 7n;
    }
  };
  const fields = (b: Buffer, visit: (field: number, wire: number, value: Buffer | bigint) => void) => {
    const pos = { i: 0 };
    while (pos.i < b.length) {
      const key = Number(readVarint(b, pos));
      const field = key >> 3;
      const wire = key & 7;
      if (wire === 0) visit(field, wire, readVarint(b, pos));
      else if (wire === 1) {
        visit(field, wire, b.subarray(pos.i, pos.i + 8));
        pos.i += 8;
      } else if (wire === 5) {
        visit(field, wire, b.subarray(pos.i, pos.i + 4));
        pos.i += 4;
      } else if (wire === 2) {
        const len = Number(readVarint(b, pos));
        visit(field, wire, b.subarray(pos.i, pos.i + len));
        pos.i += len;
      } else throw new Error(`unexpected wire type ${wire}`);
    }
  };
  fields(buf, (field, _wire, value) => {
    if (field === 2) out.step = Number(value as bigint);
    if (field === 3) out.fileVersion = (value as Buffer).toString('utf8');
    if (field === 5) {
      fields(value as Buffer, (f, _w, v) => {
        if (f !== 1) return;
        let tag = '';
        let simple = NaN;
        fields(v as Buffer, (ff, _ww, vv) => {
          if (ff === 1) tag = (vv as Buffer).toString('utf8');
          if (ff === 2) simple = (vv as Buffer).readFloatLE(0);
        });
        out.tags[tag] = simple;
      });
    }
  });
  return out;
}

describe('TensorBoard event files', () => {
  // protoc (Debian's protobuf-compiler) is the reference protobuf decoder; the test needs it installed.
  const protoc = fs.existsSync('/usr/bin/protoc') ? it : it.skip;
  protoc('decode as tensorflow.Event protos with the reference protobuf compiler', () => {
    const dir = tempDir('tfx-ts-tfevents-');
    const writer = new EventFileWriter(dir, 1_700_000_000_000);
    writer.scalars(42, { epoch_loss: 0.25, epoch_binary_accuracy: 0.875 }, 1_700_000_001.5);
    writer.close();
    const proto = writeFile(
      dir,
      'event.proto',
      [
        'syntax = "proto3"; package tensorflow;',
        'message Summary { message Value { string node_name = 7; string tag = 1; oneof value { float simple_value = 2; bytes histo = 5; } } repeated Value value = 1; }',
        'message Event { double wall_time = 1; int64 step = 2; oneof what { string file_version = 3; bytes graph_def = 4; Summary summary = 5; } }',
      ].join('\n'),
    );
    const data = fs.readFileSync(writer.file);
    const decoded: string[] = [];
    for (let offset = 0; offset < data.length;) {
      const length = Number(data.readBigUInt64LE(offset));
      const payload = data.subarray(offset + 12, offset + 12 + length);
      offset += 16 + length;
      const out = spawnSync('/usr/bin/protoc', [`--proto_path=${dir}`, '--decode=tensorflow.Event', proto], { input: payload, encoding: 'utf8' });
      expect(out.stderr).toBe('');
      decoded.push(out.stdout.replace(/\s+/g, ' ').trim());
    }
    expect(decoded).toEqual([
      'wall_time: 1700000000 file_version: "brain.Event:2"',
      'wall_time: 1700000001.5 step: 42 summary { value { tag: "epoch_loss" simple_value: 0.25 } value { tag: "epoch_binary_accuracy" simple_value: 0.875 } }',
    ]);
  });
});

describe('CRC-32C', () => {
  it('matches the RFC 3720 check values', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });
});

describe('Trainer on the taxi sample', () => {
  const dir = tempDir('tfx-ts-trainer-');
  let base: Omit<TrainerRunArgs, 'servingModelDir' | 'modelRunDir'>;
  const liveBundles: Record<string, unknown>[] = [];
  let first: Awaited<ReturnType<typeof runTrainer>>;

  beforeAll(async () => {
    const examples = await writeTaxiExamples(path.join(dir, 'examples'));
    await runTransform({
      moduleFile: path.join(TAXI, 'preprocessing.ts'),
      preprocessingFn: 'preprocessingFn',
      examplesUri: examples.uri,
      analyzeSplits: ['train'],
      transformSplits: [],
      graphDir: path.join(dir, 'graph'),
    });
    base = {
      moduleFile: path.join(TAXI, 'model.ts'),
      runFn: 'runFn',
      examplesUri: examples.uri,
      trainSplits: ['train'],
      evalSplits: ['eval'],
      trainSteps: 600,
      evalSteps: 50,
      transformGraphDir: path.join(dir, 'graph'),
      hyperparameters: { hiddenUnits: [16, 8], learningRate: 0.01 },
      customConfig: {},
      seed: 7,
    };
    first = await runTrainer({
      ...base,
      servingModelDir: path.join(dir, 'run1', 'serving'),
      modelRunDir: path.join(dir, 'run1', 'logs'),
      liveView: async (curves) => {
        liveBundles.push(await trainingBundle(curves, { title: 'training' }));
      },
    });
  }, 120_000);

  it('trains a model whose validation accuracy beats always guessing "no big tip"', () => {
    const accuracy = first.curves.points.filter((p) => p.split === 'validation' && p.metric === 'binary_accuracy').pop()!.value;
    // 3,374 of 15,002 rows are big tippers, so the majority guess scores about 0.775.
    expect(accuracy).toBeGreaterThan(0.8);
    const losses = first.curves.points.filter((p) => p.split === 'train' && p.metric === 'loss').map((p) => p.value);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    expect(first.signature.problem).toBe('binary_classification');
    expect(first.signature.inputs.map((f) => f.name)).not.toContain('tips');
  });

  it('writes TensorBoard event files whose records and scalars decode', () => {
    const trainDir = path.join(dir, 'run1', 'logs', 'train');
    const file = fs.readdirSync(trainDir).find((f) => f.startsWith('events.out.tfevents.'))!;
    const events = readEvents(path.join(trainDir, file));
    expect(events[0].fileVersion).toBe('brain.Event:2');
    const batchLoss = events.filter((e) => 'batch_loss' in e.tags);
    expect(batchLoss.length).toBeGreaterThan(10);
    const lastTrain = first.curves.points.filter((p) => p.split === 'train').pop()!;
    const lastEvent = batchLoss[batchLoss.length - 1];
    expect(lastEvent.step).toBe(600);
    expect(lastEvent.tags.batch_loss).toBeCloseTo(lastTrain.value, 5);
    const validationDir = path.join(dir, 'run1', 'logs', 'validation');
    const validation = readEvents(path.join(validationDir, fs.readdirSync(validationDir)[0]));
    expect(validation.some((e) => 'epoch_binary_accuracy' in e.tags)).toBe(true);
  });

  it('shows live curves with the training MIME type and a static SVG', () => {
    expect(liveBundles.length).toBeGreaterThanOrEqual(2);
    const last = liveBundles[liveBundles.length - 1];
    const payload = last[MimeTypes.training] as { status: { done: boolean }; vegaLite: unknown[] };
    expect(payload.status.done).toBe(true);
    expect(payload.vegaLite).toHaveLength(1);
    expect(String(last['text/html'])).toContain('<svg');
  });

  it('is deterministic for one seed on one backend (identical weights)', async () => {
    await runTrainer({ ...base, servingModelDir: path.join(dir, 'run2', 'serving'), modelRunDir: path.join(dir, 'run2', 'logs') });
    const a = fs.readFileSync(path.join(dir, 'run1', 'serving', 'weights.bin'));
    const b = fs.readFileSync(path.join(dir, 'run2', 'serving', 'weights.bin'));
    expect(a.equals(b)).toBe(true);
    await runTrainer({ ...base, seed: 8, servingModelDir: path.join(dir, 'run3', 'serving'), modelRunDir: path.join(dir, 'run3', 'logs') });
    expect(fs.readFileSync(path.join(dir, 'run3', 'serving', 'weights.bin')).equals(a)).toBe(false);
  }, 120_000);

  it('saves a bundle that loads back and predicts probabilities for raw rows', async () => {
    const bundle = await ModelBundle.load(path.join(dir, 'run1', 'serving'));
    const row = {
      trip_miles: 1.2,
      fare: 7.5,
      trip_seconds: 420,
      payment_type: 'Credit Card',
      company: null,
      pickup_latitude: 41.88,
      pickup_longitude: -87.63,
      dropoff_latitude: null,
      dropoff_longitude: null,
      trip_start_hour: 9,
      trip_start_day: 3,
      trip_start_month: 5,
      pickup_census_tract: null,
      dropoff_census_tract: null,
      pickup_community_area: 8,
      dropoff_community_area: null,
    };
    const p = bundle.predict([row]);
    expect(p.numRows).toBe(1);
    expect(p.values[0]).toBeGreaterThan(0);
    expect(p.values[0]).toBeLessThan(1);
    bundle.dispose();
  });

  describe('bad module files', () => {
    const run = (moduleFile: string, extra: Partial<TrainerRunArgs> = {}) =>
      runTrainer({
        ...base,
        moduleFile,
        trainSteps: 5,
        servingModelDir: path.join(dir, 'bad', 'serving'),
        modelRunDir: path.join(dir, 'bad', 'logs'),
        ...extra,
      });

    it('names a missing runFn export', async () => {
      const file = writeFile(dir, 'no_runfn.ts', 'export function run_fn() {}\n');
      await expect(run(file)).rejects.toThrow(/does not export a function named "runFn" \(it exports: run_fn\)/);
    });

    it('points a throwing runFn at the user file', async () => {
      const file = writeFile(dir, 'throwing.ts', 'export async function runFn(fnArgs: any) {\n  if (fnArgs) throw new Error("bad hyperparameter");\n}\n');
      const error = (await run(file).catch((e) => e)) as Error;
      expect(error.message).toMatch(/runFn in throwing\.ts threw: bad hyperparameter/);
      expect(error.stack).toContain(file);
    });

    it('says so when runFn saves no model', async () => {
      const file = writeFile(dir, 'no_save.ts', 'export async function runFn() {}\n');
      await expect(run(file)).rejects.toThrow(/finished without saving a model to fnArgs\.servingModelDir/);
    });

    it('stops with a clear message when the loss becomes NaN', async () => {
      const file = writeFile(
        dir,
        'nan_loss.ts',
        [
          "import { fit, tf, TransformOutput } from 'tfx-ts/trainer';",
          'export async function runFn(fnArgs: any) {',
          '  const t = TransformOutput.load(fnArgs.transformOutput);',
          "  const train = await fnArgs.dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { labelKey: 'fare_xf', featureKeys: ['trip_miles_xf'], batchSize: 64 }, t);",
          "  const input = tf.input({ shape: [1], name: 'trip_miles_xf' });",
          '  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor });',
          "  model.compile({ optimizer: tf.train.sgd(1e25), loss: 'meanSquaredError' });",
          '  await fit(model, train, { steps: 50 });',
          '}',
        ].join('\n'),
      );
      await expect(run(file)).rejects.toThrow(/Training stopped: the loss became (NaN|Infinity) at step \d+/);
    });

    it('names a label that is not in the data', async () => {
      const file = writeFile(
        dir,
        'bad_label.ts',
        [
          "import { TransformOutput } from 'tfx-ts/transform';",
          'export async function runFn(fnArgs: any) {',
          "  await fnArgs.dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { labelKey: 'big_tipper' }, TransformOutput.load(fnArgs.transformOutput));",
          '}',
        ].join('\n'),
      );
      await expect(run(file)).rejects.toThrow(/"big_tipper" is neither a column of .* nor an output of the transform graph/);
    });
  });
});
