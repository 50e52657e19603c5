/**
 * The taxi pipeline (TFX taxi template's pipeline.py): will the rider tip more than 20% of the
 * fare? The same function builds the pipeline for the local runner and for Kubeflow; only the
 * paths and settings passed in differ.
 */
import {
  BaseComponent,
  CsvExampleGen,
  Evaluator,
  ExampleValidator,
  LatestBlessedModelStrategy,
  Pipeline,
  Pusher,
  Resolver,
  ResourceSpec,
  RuntimeParameter,
  SchemaGen,
  StatisticsGen,
  Trainer,
  Transform,
} from 'tfx-ts';
import type { EvalConfig } from 'tfx-ts';

export interface PipelineArgs {
  pipelineName: string;
  /** Where artifacts go: a directory (local) or a bucket URI (Kubeflow). */
  pipelineRoot: string;
  /** Directory holding data.csv (`tfx-ts datasets download taxi`). */
  dataPath: string;
  /** Module file with preprocessingFn (TFX's module_file for Transform). */
  preprocessingModule: string;
  preprocessingFn?: string;
  /** Module file with runFn (TFX's module_file for Trainer). */
  trainerModule: string;
  runFn?: string;
  /** Training steps; a RuntimeParameter lets each Kubeflow run choose (`run create --parameter train_steps=...`). */
  trainSteps: number | RuntimeParameter<number>;
  evalSteps: number;
  evalAccuracyThreshold: number;
  /** Where Pusher puts blessed models: <servingModelDir>/<pipeline name>/<version>/. */
  servingModelDir: string;
  /**
   * Compare each new model with the latest blessed one (Resolver; default true). Locally it reads
   * this pipeline's metadata store; on Kubeflow it runs as a lookup of the latest model the Pusher
   * pushed to servingModelDir, so a model is judged against the one serving now.
   */
  useLatestBlessedBaseline?: boolean;
  enableCache?: boolean;
  /** Per-step resources, applied on Kubeflow only. */
  resources?: Record<string, ResourceSpec>;
}

export function createPipeline(args: PipelineArgs): Pipeline {
  const components: BaseComponent[] = [];

  // Brings the CSV into the pipeline as examples split 2:1 into train and eval.
  const exampleGen = new CsvExampleGen({ inputBase: args.dataPath });
  components.push(exampleGen);

  // Statistics of every split, for the schema and for validation.
  const statisticsGen = new StatisticsGen({ examples: exampleGen.outputs.examples });
  components.push(statisticsGen);

  // The schema inferred from the statistics. To curate it, import a reviewed schema.pbtxt with ImportSchemaGen.
  const schemaGen = new SchemaGen({ statistics: statisticsGen.outputs.statistics });
  components.push(schemaGen);

  // Anomalies: values outside the schema, missing features, drift between splits.
  const exampleValidator = new ExampleValidator({ statistics: statisticsGen.outputs.statistics, schema: schemaGen.outputs.schema });
  components.push(exampleValidator);

  // Feature engineering (models/preprocessing.ts), the same for training and serving.
  const transform = new Transform({
    examples: exampleGen.outputs.examples,
    schema: schemaGen.outputs.schema,
    moduleFile: args.preprocessingModule,
    preprocessingFn: args.preprocessingFn,
  });
  components.push(transform);

  // Training (models/model.ts) on the transformed examples.
  const trainer = new Trainer({
    examples: transform.outputs.transformedExamples,
    transformGraph: transform.outputs.transformGraph,
    schema: schemaGen.outputs.schema,
    moduleFile: args.trainerModule,
    runFn: args.runFn,
    trainArgs: { numSteps: args.trainSteps },
    evalArgs: { numSteps: args.evalSteps },
  });
  components.push(trainer);

  // The latest blessed model, as the baseline a new model must not fall behind.
  let baselineModel;
  if (args.useLatestBlessedBaseline ?? true) {
    const modelResolver = new Resolver({ strategyClass: LatestBlessedModelStrategy }).withId('latest_blessed_model_resolver');
    components.push(modelResolver);
    baselineModel = modelResolver.outputs.model;
  }

  const evalConfig: EvalConfig = {
    modelSpecs: [{ signatureName: 'serving_default', labelKey: 'tips_xf', preprocessingFunctionNames: ['transform_features'] }],
    slicingSpecs: [{}, { featureKeys: ['trip_start_hour'] }],
    metricsSpecs: [
      {
        metrics: [
          { className: 'ExampleCount' },
          { className: 'AUC' },
          {
            className: 'BinaryAccuracy',
            threshold: {
              valueThreshold: { lowerBound: args.evalAccuracyThreshold },
              changeThreshold: { direction: 'HIGHER_IS_BETTER', absolute: -1e-10 },
            },
          },
        ],
      },
    ],
  };
  const evaluator = new Evaluator({ examples: exampleGen.outputs.examples, model: trainer.outputs.model, baselineModel, evalConfig });
  components.push(evaluator);

  // Only a blessed model is pushed where the model server looks (`tfx-ts serve`).
  const pusher = new Pusher({
    model: trainer.outputs.model,
    modelBlessing: evaluator.outputs.blessing,
    pushDestination: { filesystem: { baseDirectory: args.servingModelDir } },
  });
  components.push(pusher);

  for (const component of components) {
    const resources = args.resources?.[component.id];
    if (resources) component.withResources(resources);
  }
  return new Pipeline({ pipelineName: args.pipelineName, pipelineRoot: args.pipelineRoot, components, enableCache: args.enableCache ?? true });
}
