import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir, writeFile } from '../src/testing/fixtures';
import { Evaluator, InteractiveContext, QueryExampleGen, Trainer, Transform, penguinsQuery } from '../src/index';
import type { EvaluationResult } from '../src/evaluator/evaluate';

/** A multiclass model end to end (TFX's penguin example): vocabulary label, softmax model, SparseCategoricalAccuracy by slice. */
describe('penguin species: multiclass Transform → Trainer → Evaluator', () => {
  it('trains a softmax classifier and evaluates it per island', async () => {
    const dir = tempDir('tfx-ts-penguin-');
    const preprocessing = writeFile(
      dir,
      'preprocessing.ts',
      `
      import type { PreprocessingInputs, Tft } from 'tfx-ts';
      export const FEATURES = ['culmen_length_mm', 'culmen_depth_mm', 'flipper_length_mm', 'body_mass_g'];
      export function preprocessingFn(inputs: PreprocessingInputs, tft: Tft) {
        const out: Record<string, any> = {};
        for (const key of FEATURES) out[key + '_xf'] = tft.scaleToZScore(inputs[key].fillMissing(tft.mean(inputs[key])));
        out.species_xf = tft.computeAndApplyVocabulary(inputs.species);
        return out;
      }`,
    );
    const model = writeFile(
      dir,
      'model.ts',
      `
      import { fit, saveServingModel, tf, TransformOutput } from 'tfx-ts/trainer';
      import type { FnArgs } from 'tfx-ts';
      const FEATURES = ['culmen_length_mm', 'culmen_depth_mm', 'flipper_length_mm', 'body_mass_g'].map((f) => f + '_xf');
      export async function runFn(fnArgs: FnArgs) {
        const transform = TransformOutput.load(fnArgs.transformOutput!);
        const train = await fnArgs.dataAccessor.tfDatasetFactory(fnArgs.trainFiles, { batchSize: 16, labelKey: 'species_xf', featureKeys: FEATURES }, transform);
        const inputs = FEATURES.map((name) => tf.input({ shape: [1], name }));
        const hidden = tf.layers.dense({ units: 8, activation: 'relu' }).apply(tf.layers.concatenate().apply(inputs)) as tf.SymbolicTensor;
        const classes = transform.numBucketsForTransformedFeature('species_xf');
        const model = tf.model({ inputs, outputs: tf.layers.dense({ units: classes, activation: 'softmax' }).apply(hidden) as tf.SymbolicTensor });
        model.compile({ optimizer: tf.train.adam(0.02), loss: 'sparseCategoricalCrossentropy' });
        await fit(model, train, { steps: fnArgs.trainSteps });
        await saveServingModel(model, fnArgs.servingModelDir, { transformOutput: transform, labelKey: 'species_xf' });
      }`,
    );
    const context = new InteractiveContext({ pipelineName: 'penguin-mc', pipelineRoot: path.join(dir, 'root') });
    const exampleGen = new QueryExampleGen({ query: penguinsQuery() });
    await context.run(exampleGen);
    const transform = new Transform({ examples: exampleGen.outputs.examples, moduleFile: preprocessing });
    await context.run(transform);
    const trainer = new Trainer({
      examples: exampleGen.outputs.examples,
      transformGraph: transform.outputs.transformGraph,
      moduleFile: model,
      trainArgs: { numSteps: 300 },
    });
    await context.run(trainer);
    const evaluator = new Evaluator({
      examples: exampleGen.outputs.examples,
      model: trainer.outputs.model,
      evalConfig: {
        slicingSpecs: [{}, { featureKeys: ['island'] }],
        metricsSpecs: [
          { metrics: [{ className: 'ExampleCount' }, { className: 'SparseCategoricalAccuracy', threshold: { valueThreshold: { lowerBound: 0.9 } } }] },
        ],
      },
    });
    await context.run(evaluator);
    const result = JSON.parse(
      fs.readFileSync(path.join(context.artifacts(evaluator.outputs.evaluation)[0].uri, 'evaluation.json'), 'utf8'),
    ) as EvaluationResult;
    expect(result.problem).toBe('multiclass_classification');
    const overall = result.slices.find((s) => s.name === 'Overall')!;
    expect(overall.metrics.sparse_categorical_accuracy as number).toBeGreaterThan(0.9);
    expect(result.slices.map((s) => s.name)).toEqual(['Overall', 'island:Biscoe', 'island:Dream', 'island:Torgersen']);
    expect(context.artifacts(evaluator.outputs.blessing)[0].customProperties.blessed).toBe(1);
  }, 120_000);
});
