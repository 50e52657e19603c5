import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../testing/fixtures';
import { exportSavedModel } from './saved-model-export';

/**
 * The export's front door, without TensorFlow: every bad input gets one clear error and nothing is
 * written. (The export itself is checked against TensorFlow in tests/parity/saved-model.test.ts.)
 * Debian's python3 has no TensorFlow, which is what the "no tensorflow" case needs.
 */
describe('exportSavedModel input checks', () => {
  const dir = tempDir('tfx-ts-export-');
  const systemPython = '/usr/bin/python3';

  /** A minimal bundle: one raw float feature z-scored (or cast, which the exporter does not translate). */
  function bundle(name: string, op: 'scale_to_z_score' | 'cast'): string {
    const out = path.join(dir, name);
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'model.json'), '{}');
    fs.writeFileSync(
      path.join(out, 'signature.json'),
      JSON.stringify({ inputs: [{ name: 'fare', dtype: 'float' }], modelInputs: ['fare_xf'], outputs: [{ name: 'score', dtype: 'float32', shape: [1] }] }),
    );
    const node =
      op === 'cast'
        ? { id: 1, op: 'cast', args: [0], attrs: { to: 'int' }, dtype: 'int' }
        : { id: 1, op, args: [0], attrs: {}, dtype: 'float', analysis: { mean: 1, variance: 4 } };
    fs.writeFileSync(
      path.join(out, 'transform_graph.json'),
      JSON.stringify({
        rawFeatures: [{ name: 'fare', dtype: 'float' }],
        nodes: [{ id: 0, op: 'input', args: [], attrs: { name: 'fare' }, dtype: 'float' }, node],
        outputs: [{ name: 'fare_xf', node: 1, dtype: node.dtype, rawInputs: ['fare'] }],
      }),
    );
    return out;
  }

  it('names a directory that is no model bundle', async () => {
    await expect(exportSavedModel({ model: path.join(dir, 'nothing'), output: path.join(dir, 'out') })).rejects.toThrow(
      /is neither a model bundle nor a directory of pushed versions/,
    );
  });

  it('refuses an output directory that already holds files', async () => {
    const output = path.join(dir, 'full');
    fs.mkdirSync(output);
    fs.writeFileSync(path.join(output, 'x'), '');
    await expect(exportSavedModel({ model: bundle('ok', 'scale_to_z_score'), output })).rejects.toThrow(/already exists and is not an empty directory/);
  });

  it('names a Python that does not exist, and one without TensorFlow', async () => {
    const model = bundle('ok2', 'scale_to_z_score');
    await expect(exportSavedModel({ model, output: path.join(dir, 'o1'), python: path.join(dir, 'no-python') })).rejects.toThrow(/No Python interpreter at/);
    if (fs.existsSync(systemPython)) {
      await expect(exportSavedModel({ model, output: path.join(dir, 'o2'), python: systemPython })).rejects.toThrow(
        /has no tensorflow module, which the SavedModel export needs.*\n.*requirements\/tfjs.txt/,
      );
    }
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('o1') || f.startsWith('o2'))).toEqual([]);
  });

  it('says "not supported" for a transform op it does not translate, before importing TensorFlow', async () => {
    const python = fs.existsSync(systemPython) ? systemPython : 'python3';
    await expect(exportSavedModel({ model: bundle('cast', 'cast'), output: path.join(dir, 'o3'), python })).rejects.toMatchObject({
      name: 'NotSupportedError',
      message: expect.stringMatching(/the transform graph uses op\(s\) cast, which the SavedModel export does not translate/),
    });
    expect(fs.existsSync(path.join(dir, 'o3'))).toBe(false);
  });
});
