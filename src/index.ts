/**
 * tfx-ts: TensorFlow Extended's components, metadata and orchestrators in TypeScript, named as in
 * TFX. This entry point is what a notebook or a pipeline module needs (as `tfx.v1` is for TFX):
 * the DSL, the standard components, InteractiveContext and the local runner, the metadata store and
 * views. Libraries live behind their own entry points, so importing this one loads no tfjs:
 *   tfx-ts/tfdv        statistics, schema, anomalies (TFDV) and their views
 *   tfx-ts/transform   tft analyzers, applyTransformGraph, TransformOutput
 *   tfx-ts/trainer     fit(), datasets, FnArgs, saving a model bundle, `tf` (loads tfjs)
 *   tfx-ts/evaluator   evaluateModels and EvalConfig (TFMA)
 *   tfx-ts/serving     ModelBundle, the TF Serving REST server, predict (loads tfjs)
 *   tfx-ts/kubeflow    the KFP v2 compiler, REST client and deploy()
 *   tfx-ts/protocol    the kernel↔JupyterLab contract (browser-safe)
 */
export { Artifact, ArtifactType, standardArtifacts, splitUri } from './dsl/artifact';
export { Channel } from './dsl/channel';
export { BaseComponent, defineComponent, componentSpecByType, registeredComponentTypes } from './dsl/component';
export type { ComponentSpec, Executor, ExecutorContext, ResourceSpec } from './dsl/component';
export { Pipeline } from './dsl/pipeline';
export type { PipelineOptions, RunnerConfigs } from './dsl/pipeline';
export { RuntimeParameter } from './dsl/runtime-parameter';
export type { RuntimeParameterType } from './dsl/runtime-parameter';
export { MetadataStore } from './metadata/store';
export type { LineageGraph } from './metadata/store';
export { InteractiveContext } from './notebook/interactive-context';
export type { ExportOptions, InteractiveContextOptions, RunOptions, ToPipelineOptions } from './notebook/interactive-context';
export { LocalDagRunner } from './orchestration/local/runner';
export type { LaunchResult } from './orchestration/launcher';
export { UserError, NotSupportedError } from './util/errors';

// Standard components (one folder each under components/: spec + executor).
export { CsvExampleGen, ImportExampleGen, QueryExampleGen } from './components/example_gen/component';
export { StatisticsGen } from './components/statistics_gen/component';
export { SchemaGen, ImportSchemaGen } from './components/schema_gen/component';
export { ExampleValidator } from './components/example_validator/component';
export { Transform } from './components/transform/component';
export { FeatureSelector } from './components/feature_selector/component';
export type { FeatureSelectionResult } from './feature_selection/scores';
export { Trainer } from './components/trainer/component';
export { Evaluator } from './components/evaluator/component';
export { Resolver, LatestBlessedModelStrategy } from './components/resolver/component';
export { PushedModelResolver } from './components/resolver/pushed-model';
export { Pusher } from './components/pusher/component';
export { bundledDatasetPath, penguinsQuery, writeBundledCsv } from './datasets/bundled';

// Views: registerStandardViews() (InteractiveContext calls it), your own views, and the lineage view.
export { registerView, renderArtifacts } from './visualize/registry';
export type { ArtifactView, MimeBundle, ViewOptions } from './visualize/registry';
export { registerStandardViews } from './visualize/standard-views';
export { lineageBundle } from './visualize/lineage';

// Types module files and pipeline modules name (type-only: no code loads).
export type { Tft, PreprocessingFn, PreprocessingInputs, ColumnLike, Column, VocabularyOptions } from './transform/tft';
export type { TransformOutput } from './transform/transform-output';
export type { FnArgs } from './trainer/fn-args';
export type { EvalConfig, MetricThreshold, SlicingSpec } from './evaluator/eval-config';
export type { KubeflowRunnerConfig } from './orchestration/kubeflow/runner-config';

/** The JupyterLab panel's entry into the kernel: `require("tfx-ts").labBridge.<method>(...)` (protocol/bridge.ts). */
export { labBridge } from './notebook/lab-bridge';
/** A finished Kubeflow run's views in the notebook (what the panel's "Open in notebook" runs); also context.openRun. */
export { openRun } from './notebook/open-run';
export type { OpenedRun, OpenRunOptions } from './notebook/open-run';
