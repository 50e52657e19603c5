import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ImportExampleGen, CsvExampleGen } from '../components/example_gen/component';
import { Pipeline } from '../dsl/pipeline';
import { LocalDagRunner } from '../orchestration/local/runner';
import { sharedData, tempDir } from '../testing/fixtures';
import { describeExamples, readExampleColumns, splitFiles } from './example-io';
import { DuckSession } from '../data/duckdb';
import { decodeExamples, encodeExamples } from './tf-example';
import { readTfExampleFiles, TF_EXAMPLE_FILE_NAME } from './tf-example-io';
import { crc32c, readTfRecordFile, writeTfRecordFile } from '../data/tfrecord';

const taxiCsv = path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv');

async function run(component: InstanceType<typeof CsvExampleGen> | InstanceType<typeof ImportExampleGen>) {
  const { results } = await new LocalDagRunner().run(new Pipeline({ pipelineName: 'tfrecord-test', pipelineRoot: tempDir(), components: [component] }));
  return results[0].outputs.examples[0];
}

describe('TFRecord and tf.Example', () => {
  jest.setTimeout(60_000);

  it('uses CRC-32C (check value of "123456789" is 0xE3069283) and round-trips records, gzipped or not', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    const dir = tempDir();
    const records = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('x'.repeat(70_000))];
    writeTfRecordFile(path.join(dir, 'r.gz'), records);
    writeTfRecordFile(path.join(dir, 'r.tfrecord'), records, { gzip: false });
    expect(fs.readFileSync(path.join(dir, 'r.gz')).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(readTfRecordFile(path.join(dir, 'r.gz'))).toEqual(records);
    expect(readTfRecordFile(path.join(dir, 'r.tfrecord'))).toEqual(records);
    const corrupt = fs.readFileSync(path.join(dir, 'r.tfrecord'));
    corrupt[13] ^= 1;
    fs.writeFileSync(path.join(dir, 'bad.tfrecord'), corrupt);
    expect(() => readTfRecordFile(path.join(dir, 'bad.tfrecord'))).toThrow(/fails its checksum/);
    fs.writeFileSync(path.join(dir, 'not.gz'), zlib.gzipSync(Buffer.from('hello, this is text')));
    expect(() => readTfRecordFile(path.join(dir, 'not.gz'))).toThrow(/not a TFRecord file/);
  });

  it('encodes and decodes int64, float (as float32) and bytes features, missing values left out', () => {
    const data = {
      numRows: 3,
      columns: { n: Float64Array.from([1, NaN, -(2 ** 40)]), f: Float64Array.from([0.1, 2.5, NaN]), s: ['é', null, ''] },
      dtypes: { n: 'int', f: 'float', s: 'string' } as const,
    };
    const back = decodeExamples(encodeExamples(data));
    expect(back.numRows).toBe(3);
    expect(Array.from(back.columns.n as Float64Array)).toEqual([1, NaN, -(2 ** 40)]);
    expect(Array.from(back.columns.f as Float64Array)).toEqual([Math.fround(0.1), 2.5, NaN]);
    expect(back.columns.s).toEqual(['é', null, '']);
    expect(back.dtypes).toEqual({ n: 'int', f: 'float', s: 'string' });
  });

  it('ExampleGen writeTfExamples writes every split as gzipped tf.Example that ImportExampleGen reads back row for row', async () => {
    const made = await run(new CsvExampleGen({ inputBase: taxiCsv, writeTfExamples: true }));
    for (const split of made.splitNames) expect(fs.existsSync(path.join(made.uri, `Split-${split}`, TF_EXAMPLE_FILE_NAME))).toBe(true);
    // ImportExampleGen over a copy holding only the TFRecord files, as TFX's output would.
    const tfxLike = tempDir();
    for (const split of made.splitNames) {
      fs.mkdirSync(path.join(tfxLike, `Split-${split}`));
      fs.copyFileSync(path.join(made.uri, `Split-${split}`, TF_EXAMPLE_FILE_NAME), path.join(tfxLike, `Split-${split}`, TF_EXAMPLE_FILE_NAME));
    }
    const imported = await run(new ImportExampleGen({ inputBase: tfxLike }));
    expect(imported.splitNames).toEqual([...made.splitNames].sort());
    await DuckSession.with(async (db) => {
      for (const split of made.splitNames) {
        const original = splitFiles(made.uri, split);
        const features = await describeExamples(db, original);
        const a = await readExampleColumns(db, original, features);
        const b = await readExampleColumns(db, splitFiles(imported.uri, split), features);
        expect(b.numRows).toBe(a.numRows);
        for (const f of features) {
          const expected =
            f.dtype === 'float' ? Array.from(a.columns[f.name] as Float64Array, Math.fround) : Array.from(a.columns[f.name] as ArrayLike<unknown>);
          expect(Array.from(b.columns[f.name] as ArrayLike<unknown>)).toEqual(expected);
        }
      }
    });
    expect(readTfExampleFiles([path.join(tfxLike, 'Split-train', TF_EXAMPLE_FILE_NAME)]).numRows).toBeGreaterThan(9000);
  });

  it('refuses a directory without Split-<name> folders, naming the fix', async () => {
    await expect(run(new ImportExampleGen({ inputBase: tempDir() }))).rejects.toThrow(/has no Split-<name>\/ folders/);
  });
});
