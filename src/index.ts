/**
 * tfx-ts: TensorFlow Extended's components, metadata and orchestrators in TypeScript.
 * Public API, named as in TFX.
 */
export { Artifact, ArtifactType, standardArtifacts, splitUri } from './dsl/artifact';
export { Channel } from './dsl/channel';
export { BaseComponent, defineComponent, componentSpecByType, registeredComponentTypes } from './dsl/component';
export type { ComponentSpec, Executor, ExecutorContext, ResourceSpec } from './dsl/component';
export { Pipeline } from './dsl/pipeline';
export { RuntimeParameter } from './dsl/runtime-parameter';
export type { RuntimeParameterType } from './dsl/runtime-parameter';
export type { PipelineOptions } from './dsl/pipeline';
export { MetadataStore } from './metadata/store';
export { InteractiveContext, getCurrentInteractiveContext } from './orchestration/interactive/context';
export { LocalDagRunner } from './orchestration/local/runner';
export { UserError, NotSupportedError } from './util/errors';
export { registerView, renderArtifacts } from './visualize/registry';
export type { MimeBundle } from './visualize/registry';

// Standard components (one folder each under components/).
export { CsvExampleGen, QueryExampleGen } from './components/example_gen/component';
export { bundledDatasetPath, penguinsQuery, writeBundledCsv } from './datasets/bundled';

// Views of the standard artifacts (registered on import), and the view builders for scripts and reports.
import './visualize/standard-views';
export { MimeTypes } from './visualize/mime';
export { statisticsBundle } from './components/statistics_gen/view';
export { schemaBundle } from './components/schema_gen/view';
export { anomaliesBundle } from './components/example_validator/view';
export { lineageBundle } from './visualize/lineage';
export { buildReport } from './visualize/report';

// Modeling path: Transform (tft analyzers + the one applyTransformGraph), FeatureSelector, Trainer, Evaluator, Resolver, Pusher, serving.
export { Transform } from './components/transform/component';
export { tft, Column } from './transform/tft';
export type { Tft, PreprocessingFn, PreprocessingInputs, ColumnLike, VocabularyOptions } from './transform/tft';
export { applyTransformGraph, RawInputError } from './transform/apply';
export type { RawRow, RawColumns, TransformedBatch } from './transform/apply';
export type { TransformGraph, DType } from './transform/graph';
export { TransformOutput } from './transform/transform-output';

// Data validation (TFDV): statistics, schema, anomalies — components, functions and the JSON types views read.
export { StatisticsGen } from './components/statistics_gen/component';
export { SchemaGen, ImportSchemaGen } from './components/schema_gen/component';
export { ExampleValidator } from './components/example_validator/component';
export { generateStatistics, statisticsOfRelation } from './stats/generate';
export type { GenerateOptions, StatisticsInput } from './stats/generate';
export { loadStatistics, loadSplitStatistics, readStatistics, writeStatistics, parseStatisticsList } from './stats/io';
export type * from './stats/types';
export { inferSchema } from './schema/infer';
export { readSchema, writeSchema, loadSchema, parseSchema } from './schema/io';
export { parseSchemaText, formatSchemaText } from './schema/pbtxt';
export type * from './schema/types';
export { validateStatistics, updateSchema } from './validation/validate';
export { loadAnomalies, readAnomalies, writeAnomalies } from './validation/io';
export type * from './validation/types';

// Kubeflow Pipelines: compiler (KFP v2 IR), REST client, deploy from a notebook, the JupyterLab bridge.
export { compilePipeline, pipelineSpecToYaml, InlineComponentError } from './orchestration/kubeflow/compiler';
export type { CompileOptions, ComponentOverrides } from './orchestration/kubeflow/compiler';
export type { PipelineSpec } from './orchestration/kubeflow/ir';
export { validatePipelineSpec, InvalidPipelineSpecError } from './orchestration/kubeflow/validate';
export { KfpClient, KfpApiError } from './orchestration/kubeflow/client';
export type { KfpConnectionOptions } from './orchestration/kubeflow/client';
export { deploy, exportPipeline } from './orchestration/kubeflow/deploy';
export { runtimeImage } from './orchestration/kubeflow/runtime-image';
export type { DeployOptions, DeployResult, ExportOptions } from './orchestration/kubeflow/deploy';
export { labBridge } from './orchestration/kubeflow/lab-bridge';
export type { KubeflowRunnerConfig } from './orchestration/kubeflow/runner-config';
export { Trainer } from './components/trainer/component';
export { fit, evaluateDataset } from './trainer/fit';
export type { FitOptions, FitHistory, EpochLog } from './trainer/fit';
export { dataAccessor, ExampleDataset } from './trainer/dataset';
export type { DataAccessor, DatasetOptions } from './trainer/dataset';
export type { FnArgs } from './trainer/fn-args';
export { saveServingModel, ModelBundle } from './trainer/model-bundle';
export type { ModelSignature, Predictions } from './trainer/model-bundle';
export { selectBackend } from './trainer/backend';
export { EventFileWriter } from './trainer/tensorboard';
/** The TensorFlow.js instance tfx-ts trains and serves with (import it from here to build models on the same instance). */
export * as tf from '@tensorflow/tfjs';
export { Evaluator } from './components/evaluator/component';
export { evaluationBundle } from './components/evaluator/view';
export { evaluateModels } from './evaluator/evaluate';
export type { EvaluationResult, SliceMetrics } from './evaluator/evaluate';
export type { EvalConfig, MetricThreshold, SlicingSpec } from './evaluator/eval-config';
export type { ValidationResult, ThresholdCheck } from './evaluator/validate';
export { Resolver, LatestBlessedModelStrategy } from './components/resolver/component';
export { latestBlessedModel } from './components/resolver/strategy';
export { Pusher } from './components/pusher/component';
export { ModelServer, startModelServer } from './serving/server';
export type { ModelServerOptions } from './serving/server';
export { predictFromJson } from './serving/predict';
export { readExampleRows } from './transform/example-io';
export { FeatureSelector } from './components/feature_selector/component';
export type { FeatureSelectionResult } from './components/feature_selector/executor';
