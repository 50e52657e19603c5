/**
 * `tfx-ts/kubeflow`: Kubeflow Pipelines — compile a Pipeline to KFP v2 IR, validate it, talk to the
 * KFP REST API, and deploy (compile, upload, run) in one call.
 */
export { compilePipeline, pipelineSpecToYaml, InlineComponentError } from '../orchestration/kubeflow/compiler';
export type { CompileOptions, ComponentOverrides } from '../orchestration/kubeflow/compiler';
export type { PipelineSpec } from '../orchestration/kubeflow/ir';
export { validatePipelineSpec, InvalidPipelineSpecError } from '../orchestration/kubeflow/validate';
export { KfpClient, KfpApiError } from '../orchestration/kubeflow/client';
export type { KfpConnectionOptions } from '../orchestration/kubeflow/client';
export { deploy } from '../orchestration/kubeflow/deploy';
export { runtimeImage } from '../orchestration/kubeflow/runtime-image';
export type { DeployOptions, DeployResult } from '../orchestration/kubeflow/deploy';
export { loadKubeflowRunner } from '../orchestration/kubeflow/runner-config';
export type { KubeflowRunnerConfig, LoadedKubeflowRunner } from '../orchestration/kubeflow/runner-config';
