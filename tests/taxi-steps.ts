/**
 * The taxi notebook's steps (notebooks/taxi.ipynb), cell by cell, as one function: the TFX taxi
 * tutorial (ExampleGen → StatisticsGen → SchemaGen → ExampleValidator → Transform → Trainer →
 * Resolver → Evaluator → Pusher), then a prediction through the TF Serving REST API. The Jest
 * test runs it in-process twice on one pipeline root; the second run evaluates against the first
 * model as baseline.
 */
import * as path from 'node:path';
import {
  CsvExampleGen,
  Evaluator,
  ExampleValidator,
  InteractiveContext,
  LatestBlessedModelStrategy,
  Pusher,
  Resolver,
  SchemaGen,
  StatisticsGen,
  Trainer,
  Transform,
} from 'tfx-ts';
import type { EvalConfig, MimeBundle } from 'tfx-ts';

export interface TaxiStepsOptions {
  /** Directory holding the taxi CSV (simple/data.csv). */
  dataRoot: string;
  pipelineRoot: string;
  servingModelDir: string;
  /** Directory of the module files (notebooks/taxi). */
  moduleDir: string;
  trainSteps?: number;
}

export const EVAL_CONFIG: EvalConfig = {
  modelSpecs: [{ signatureName: 'serving_default', labelKey: 'tips_xf', preprocessingFunctionNames: ['transform_features'] }],
  slicingSpecs: [{}, { featureKeys: ['trip_start_hour'] }, { featureKeys: ['payment_type'] }],
  metricsSpecs: [
    {
      metrics: [
        { className: 'ExampleCount' },
        {
          className: 'BinaryAccuracy',
          threshold: {
            valueThreshold: { lowerBound: 0.5 },
            changeThreshold: { direction: 'HIGHER_IS_BETTER', absolute: -1e-10 },
          },
        },
        { className: 'AUC' },
        { className: 'AUCPrecisionRecall' },
        { className: 'Precision' },
        { className: 'Recall' },
        { className: 'MeanLabel' },
        { className: 'MeanPrediction' },
        { className: 'Calibration' },
        { className: 'ConfusionMatrixAtThresholds', config: { thresholds: [0.3, 0.5, 0.7] } },
      ],
    },
  ],
};

export async function runTaxiSteps(options: TaxiStepsOptions) {
  const context = new InteractiveContext({ pipelineName: 'taxi', pipelineRoot: options.pipelineRoot, baseDir: path.dirname(options.moduleDir) });
  const views: Record<string, MimeBundle> = {};

  const exampleGen = new CsvExampleGen({ inputBase: options.dataRoot });
  await context.run(exampleGen);

  const statisticsGen = new StatisticsGen({ examples: exampleGen.outputs.examples });
  await context.run(statisticsGen);
  views.statistics = await context.render(statisticsGen.outputs.statistics);

  const schemaGen = new SchemaGen({ statistics: statisticsGen.outputs.statistics });
  await context.run(schemaGen);
  views.schema = await context.render(schemaGen.outputs.schema);

  const exampleValidator = new ExampleValidator({ statistics: statisticsGen.outputs.statistics, schema: schemaGen.outputs.schema });
  await context.run(exampleValidator);
  views.anomalies = await context.render(exampleValidator.outputs.anomalies);

  const transform = new Transform({
    examples: exampleGen.outputs.examples,
    schema: schemaGen.outputs.schema,
    moduleFile: path.join(options.moduleDir, 'preprocessing.ts'),
  });
  await context.run(transform);
  views.transformGraph = await context.render(transform.outputs.transformGraph);

  const trainer = new Trainer({
    examples: transform.outputs.transformedExamples,
    transformGraph: transform.outputs.transformGraph,
    schema: schemaGen.outputs.schema,
    moduleFile: path.join(options.moduleDir, 'model.ts'),
    trainArgs: { numSteps: options.trainSteps ?? 1000 },
    evalArgs: { numSteps: 150 },
  });
  await context.run(trainer);
  views.modelRun = await context.render(trainer.outputs.modelRun);

  const modelResolver = new Resolver({ strategyClass: LatestBlessedModelStrategy }).withId('latest_blessed_model_resolver');
  await context.run(modelResolver);

  const evaluator = new Evaluator({
    examples: exampleGen.outputs.examples,
    model: trainer.outputs.model,
    baselineModel: modelResolver.outputs.model,
    evalConfig: EVAL_CONFIG,
  });
  await context.run(evaluator);
  views.evaluation = await context.render(evaluator.outputs.evaluation);

  const pusher = new Pusher({
    model: trainer.outputs.model,
    modelBlessing: evaluator.outputs.blessing,
    pushDestination: { filesystem: { baseDirectory: options.servingModelDir } },
  });
  await context.run(pusher);

  return { context, exampleGen, transform, trainer, modelResolver, evaluator, pusher, views };
}
