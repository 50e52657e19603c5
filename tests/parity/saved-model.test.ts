/**
 * `tfx-ts export --saved-model` against TensorFlow itself: a taxi model trained by our Trainer
 * (notebooks/taxi module files) is exported with the tensorflowjs converter's environment
 * (requirements/tfjs.txt, TFX_TS_VENV_TFJS), then TensorFlow in the TFX environment loads the
 * SavedModel and scores every tf.Example of the eval split through serving_default
 * (tests/parity/py/saved_model_oracle.py). Our ModelBundle.predict on the same rows must agree
 * within 1e-5, including rows whose company is outside the vocabulary (their OOV bucket is md5,
 * computed in TF ops by the exporter).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CsvExampleGen } from '../../src/components/example_gen/component';
import { Pipeline } from '../../src/dsl/pipeline';
import { exportSavedModel } from '../../src/serving/saved-model-export';
import { ModelBundle } from '../../src/model/bundle';
import { LocalDagRunner } from '../../src/orchestration/local/runner';
import { repoRoot, sharedData, tempDir } from '../../src/testing/fixtures';
import { runTrainer } from '../../src/trainer/run';
import { TF_EXAMPLE_FILE_NAME } from '../../src/transform/tf-example-io';
import { runTransform } from '../../src/transform/run';
import { runOracle } from './oracle';

const TAXI = path.join(repoRoot, 'notebooks', 'taxi');

function tfjsPython(): string {
  const venv = process.env.TFX_TS_VENV_TFJS || path.join(repoRoot, '.venv', 'tfjs');
  const python = path.join(venv, 'bin', 'python');
  if (!fs.existsSync(python)) throw new Error(`The SavedModel export test needs the tensorflowjs environment at ${venv}: run \`bash scripts/venv.sh tfjs\`.`);
  return python;
}

describe('tfx-ts export --saved-model (real TensorFlow and tensorflowjs)', () => {
  jest.setTimeout(600_000);
  const dir = tempDir('tfx-ts-savedmodel-');
  const bundleDir = path.join(dir, 'model', 'Format-Serving');
  let examplesUri: string;

  beforeAll(async () => {
    const { results } = await new LocalDagRunner().run(
      new Pipeline({
        pipelineName: 'savedmodel',
        pipelineRoot: path.join(dir, 'root'),
        components: [new CsvExampleGen({ inputBase: path.join(sharedData, 'chicago_taxi', 'simple'), writeTfExamples: true })],
      }),
    );
    examplesUri = results[0].outputs.examples[0].uri;
    await runTransform({
      moduleFile: path.join(TAXI, 'preprocessing.ts'),
      preprocessingFn: 'preprocessingFn',
      examplesUri,
      analyzeSplits: ['train'],
      transformSplits: [],
      graphDir: path.join(dir, 'graph'),
    });
    await runTrainer({
      moduleFile: path.join(TAXI, 'model.ts'),
      runFn: 'runFn',
      examplesUri,
      trainSplits: ['train'],
      evalSplits: ['eval'],
      trainSteps: 200,
      evalSteps: 10,
      transformGraphDir: path.join(dir, 'graph'),
      hyperparameters: {},
      customConfig: {},
      seed: 5,
      servingModelDir: bundleDir,
      modelRunDir: path.join(dir, 'run'),
    });
  }, 300_000);

  it("serving_default gives the bundle's predictions on every eval example (within 1e-5)", async () => {
    const output = path.join(dir, 'saved_model');
    await exportSavedModel({ model: bundleDir, output, python: tfjsPython() });
    expect(fs.existsSync(path.join(output, 'saved_model.pb'))).toBe(true);

    const bundle = await ModelBundle.load(bundleDir);
    try {
      const features = Object.fromEntries(bundle.signature.inputs.map((f) => [f.name, f.dtype]));
      const oracle = await runOracle<{
        predictions: number[];
        rows: Record<string, string | number | null>[];
        inputs: Record<string, string>;
        outputs: string[];
      }>('saved_model_oracle', {
        savedModel: output,
        files: [path.join(examplesUri, 'Split-eval', TF_EXAMPLE_FILE_NAME)],
        features,
        output: bundle.signature.outputs[0].name,
      });
      expect(oracle.inputs).toEqual({ examples: 'string' });
      expect(oracle.outputs).toEqual([bundle.signature.outputs[0].name]);
      expect(oracle.rows.length).toBe(4959);
      const ours = Array.from(bundle.predict(oracle.rows).values);
      expect(ours.length).toBe(oracle.predictions.length);
      const worst = Math.max(...ours.map((p, i) => Math.abs(p - oracle.predictions[i])));
      expect(worst).toBeLessThan(1e-5);

      // The exported graph met the cases that matter: out-of-vocabulary and missing strings, missing numbers.
      const graph = JSON.parse(fs.readFileSync(path.join(bundleDir, 'transform_graph.json'), 'utf8'));
      const companyXf = graph.nodes[graph.outputs.find((o: { name: string }) => o.name === 'company_xf').node];
      expect(companyXf.op).toBe('compute_and_apply_vocabulary');
      const companies = new Set<string>(companyXf.analysis.vocabulary);
      expect(oracle.rows.filter((r) => r.company !== null && !companies.has(r.company as string)).length).toBeGreaterThan(0);
      expect(oracle.rows.filter((r) => r.company === null).length).toBeGreaterThan(0);
      expect(oracle.rows.filter((r) => r.pickup_census_tract === null).length).toBeGreaterThan(0);
    } finally {
      bundle.dispose();
    }
  });

  it('says "not supported" for a transform op the exporter does not translate, and writes nothing', async () => {
    const copy = path.join(dir, 'unsupported');
    fs.cpSync(bundleDir, copy, { recursive: true });
    const graphFile = path.join(copy, 'transform_graph.json');
    const graph = JSON.parse(fs.readFileSync(graphFile, 'utf8'));
    const fare = graph.outputs.find((o: { name: string }) => o.name === 'fare_xf');
    graph.nodes.push({ id: graph.nodes.length, op: 'cast', args: [fare.node], attrs: { to: 'int' }, dtype: 'int' });
    fare.node = graph.nodes.length - 1;
    fs.writeFileSync(graphFile, JSON.stringify(graph));
    const output = path.join(dir, 'not_written');
    await expect(exportSavedModel({ model: copy, output, python: tfjsPython() })).rejects.toThrow(
      /Exporting this model as a SavedModel: the transform graph uses op\(s\) cast, which the SavedModel export does not translate/,
    );
    expect(fs.existsSync(output)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('not_written'))).toEqual([]);
  });
});
