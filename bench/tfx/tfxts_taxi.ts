/**
 * One side of bench/tfx/taxi.ts: the taxi notebook's pipeline (notebooks/taxi.ipynb, module files
 * notebooks/taxi/preprocessing.ts and model.ts) in tfx-ts's InteractiveContext, one component after
 * the other, timed per component. Writes a JSON summary (times, and the numbers compared with TFX).
 *
 *   npx tsx bench/tfx/tfxts_taxi.ts <pipeline root> <summary.json> [cold|cached]
 *
 * "cached" leaves out the Resolver and the Evaluator's baseline, as TFX's side must (tfx_taxi.py).
 *
 * Same settings as TFX's taxi pipeline (taxi_pipeline_native_keras.py): Trainer 1000 train steps /
 * 150 eval steps at batch 40 (model.ts's TRAIN_BATCH_SIZE), and the eval config in eval-config.json
 * (the proto3 JSON of TFMA's EvalConfig, which both sides read).
 */
import * as fs from 'node:fs';
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
import type { BaseComponent, EvalConfig } from 'tfx-ts';

async function main(): Promise<void> {
  // performance.now() counts from the process's start: Node start-up, tsx and the imports.
  const startupSeconds = performance.now() / 1000;
  const [pipelineRoot, summaryPath, phase = 'cold'] = process.argv.slice(2);
  if (!pipelineRoot || !summaryPath) throw new Error('usage: tfxts_taxi.ts <pipeline root> <summary.json>');
  const repoRoot = path.resolve(__dirname, '..', '..');
  const dataRoot = path.resolve(repoRoot, '..', 'shared', 'data', 'chicago_taxi', 'simple');
  const evalConfig = JSON.parse(fs.readFileSync(path.join(__dirname, 'eval-config.json'), 'utf8')) as EvalConfig;

  const context = new InteractiveContext({ pipelineName: 'taxi', pipelineRoot, baseDir: path.join(repoRoot, 'notebooks') });
  const times: { component: string; seconds: number; state: string }[] = [];
  const run = async (component: BaseComponent) => {
    const t = performance.now();
    const result = await context.run(component);
    times.push({ component: component.id, seconds: (performance.now() - t) / 1000, state: result.state });
  };

  const exampleGen = new CsvExampleGen({ inputBase: dataRoot });
  await run(exampleGen);
  const statisticsGen = new StatisticsGen({ examples: exampleGen.outputs.examples });
  await run(statisticsGen);
  const schemaGen = new SchemaGen({ statistics: statisticsGen.outputs.statistics });
  await run(schemaGen);
  const exampleValidator = new ExampleValidator({ statistics: statisticsGen.outputs.statistics, schema: schemaGen.outputs.schema });
  await run(exampleValidator);
  const transform = new Transform({
    examples: exampleGen.outputs.examples,
    schema: schemaGen.outputs.schema,
    moduleFile: path.join(repoRoot, 'notebooks', 'taxi', 'preprocessing.ts'),
  });
  await run(transform);
  const trainer = new Trainer({
    examples: transform.outputs.transformedExamples,
    transformGraph: transform.outputs.transformGraph,
    schema: schemaGen.outputs.schema,
    moduleFile: path.join(repoRoot, 'notebooks', 'taxi', 'model.ts'),
    trainArgs: { numSteps: 1000 },
    evalArgs: { numSteps: 150 },
  });
  await run(trainer);
  let baselineModel;
  if (phase === 'cold') {
    const modelResolver = new Resolver({ strategyClass: LatestBlessedModelStrategy }).withId('latest_blessed_model_resolver');
    await run(modelResolver);
    baselineModel = modelResolver.outputs.model;
  }
  const evaluator = new Evaluator({ examples: exampleGen.outputs.examples, model: trainer.outputs.model, baselineModel, evalConfig });
  await run(evaluator);
  const pusher = new Pusher({
    model: trainer.outputs.model,
    modelBlessing: evaluator.outputs.blessing,
    pushDestination: { filesystem: { baseDirectory: path.join(pipelineRoot, 'serving_model') } },
  });
  await run(pusher);

  const uri = (channel: Parameters<InteractiveContext['artifacts']>[0]) => context.artifacts(channel)[0].uri;
  fs.writeFileSync(
    summaryPath,
    JSON.stringify(
      {
        side: 'tfx-ts',
        startupSeconds,
        components: times,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        artifacts: {
          statistics: uri(statisticsGen.outputs.statistics),
          schema: uri(schemaGen.outputs.schema),
          anomalies: uri(exampleValidator.outputs.anomalies),
          evaluation: uri(evaluator.outputs.evaluation),
          blessing: uri(evaluator.outputs.blessing),
          pushedModel: uri(pusher.outputs.pushedModel),
          pushed: context.artifacts(pusher.outputs.pushedModel)[0].customProperties.pushed,
        },
      },
      null,
      2,
    ),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
