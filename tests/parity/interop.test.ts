/**
 * Interop with TFX's own artifacts, both ways, against the real libraries (Python side once:
 * tests/parity/py/interop_oracle.py):
 * - tf.data reads the gzipped TFRecord tf.Examples our ExampleGen writes (writeTfExamples): same rows;
 * - our ImportExampleGen reads what TFX's CsvExampleGen (run by TFX's LocalDagRunner) wrote: same rows;
 * - TensorBoard's event_processing finds our Trainer's scalars.
 * (TFDV reading FeatureStats.pb and SchemaGen's pbtxt is checked in tfdv.test.ts.)
 */
import * as path from 'node:path';
import { CsvExampleGen, ImportExampleGen } from '../../src/components/example_gen/component';
import { DuckSession } from '../../src/data/duckdb';
import { TF_EXAMPLE_FILE_NAME } from '../../src/transform/tf-example-io';
import { Pipeline } from '../../src/dsl/pipeline';
import { LocalDagRunner } from '../../src/orchestration/local/runner';
import { sharedData, tempDir } from '../../src/testing/fixtures';
import { EventFileWriter } from '../../src/trainer/tensorboard';
import { describeExamples, readExampleColumns, splitFiles } from '../../src/transform/example-io';
import type { RawFeature } from '../../src/transform/graph';
import { runOracle } from './oracle';

type Column = (number | string | null)[];

async function run(component: InstanceType<typeof CsvExampleGen> | InstanceType<typeof ImportExampleGen>) {
  const { results } = await new LocalDagRunner().run(new Pipeline({ pipelineName: 'interop', pipelineRoot: tempDir(), components: [component] }));
  return results[0].outputs.examples[0];
}

/** Parquet columns as plain values (null for missing), floats rounded to float32 as tf.Example stores them. */
async function columnsOf(uri: string, split: string): Promise<{ features: RawFeature[]; columns: Record<string, Column> }> {
  return DuckSession.with(async (db) => {
    const files = splitFiles(uri, split);
    const features = await describeExamples(db, files);
    const raw = await readExampleColumns(db, files, features);
    const columns = Object.fromEntries(
      features.map((f) => [
        f.name,
        Array.from(raw.columns[f.name] as ArrayLike<number | string | null>, (v) => {
          if (v === null || (typeof v === 'number' && Number.isNaN(v))) return null;
          return f.dtype === 'float' ? Math.fround(v as number) : v;
        }),
      ]),
    );
    return { features, columns };
  });
}

describe('interop with TFX artifacts (real TensorFlow, TFX, TensorBoard)', () => {
  jest.setTimeout(300_000);
  const taxiDir = path.join(sharedData, 'chicago_taxi', 'simple');
  const eventDir = tempDir('tfx-ts-events-');
  let ours: Awaited<ReturnType<typeof run>>;
  let imported: Awaited<ReturnType<typeof run>>;
  let oracle: {
    tfData: Record<string, Record<string, Column>>;
    tfxExamples: { uri: string; splits: Record<string, { rows: number; columns: Record<string, Column>; files: string[] }> };
    events: { scalars: Record<string, [number, number][]> };
    seconds: Record<string, number>;
  };
  const steps = [0, 1, 2, 3, 4];
  const loss = (s: number) => 0.7 / (1 + s);

  beforeAll(async () => {
    ours = await run(new CsvExampleGen({ inputBase: taxiDir, writeTfExamples: true }));
    const writer = new EventFileWriter(eventDir);
    for (const s of steps) writer.scalars(s, { epoch_loss: loss(s), epoch_auc: 0.5 + s / 10 });
    writer.close();
    const request: Record<string, unknown> = { ours: {}, tfxCsvDir: taxiDir, pipelineRoot: tempDir('tfx-ts-tfx-root-'), eventDir };
    for (const split of ours.splitNames) {
      const { features } = await columnsOf(ours.uri, split);
      (request.ours as Record<string, unknown>)[split] = {
        file: path.join(ours.uri, `Split-${split}`, TF_EXAMPLE_FILE_NAME),
        features: Object.fromEntries(features.map((f) => [f.name, f.dtype])),
      };
    }
    oracle = await runOracle('interop_oracle', request);
    imported = await run(new ImportExampleGen({ inputBase: oracle.tfxExamples.uri }));
  }, 50 * 60_000);

  it('tf.data parses our gzipped tf.Examples into the same rows as our Parquet', async () => {
    for (const split of ours.splitNames) {
      const { columns } = await columnsOf(ours.uri, split);
      expect(Object.keys(oracle.tfData[split]).sort()).toEqual(Object.keys(columns).sort());
      for (const [name, values] of Object.entries(columns)) expect([name, oracle.tfData[split][name]]).toEqual([name, values]);
    }
  });

  it("ImportExampleGen reads TFX CsvExampleGen's output: same splits, rows and values", async () => {
    expect(imported.splitNames).toEqual(Object.keys(oracle.tfxExamples.splits).sort());
    for (const split of imported.splitNames) {
      const theirs = oracle.tfxExamples.splits[split];
      expect(theirs.files.every((f) => f.endsWith('.gz'))).toBe(true);
      const { columns } = await columnsOf(imported.uri, split);
      expect(Object.keys(columns).sort()).toEqual(Object.keys(theirs.columns).sort());
      for (const [name, values] of Object.entries(columns)) {
        expect(values.length).toBe(theirs.rows);
        expect([name, values]).toEqual([name, theirs.columns[name]]);
      }
    }
  });

  it("TensorBoard's event_processing finds our Trainer's scalars at every step", () => {
    for (const tag of ['epoch_loss', 'epoch_auc']) {
      const points = oracle.events.scalars[tag];
      expect(points.map(([s]) => s)).toEqual(steps);
      const expected = steps.map((s) => Math.fround(tag === 'epoch_loss' ? loss(s) : 0.5 + s / 10));
      expect(points.map(([, v]) => v)).toEqual(expected);
    }
  });
});
