import { Pipeline, validatePipelineName } from '../../dsl/pipeline';
import type { BaseComponent } from '../../dsl/component';
import { UserError } from '../../util/errors';
import { KfpClient, KfpApiError, KfpConnectionOptions } from './client';
import { compilePipeline, ComponentOverrides, findInlineParameter, InlineComponentError, pipelineSpecToYaml } from './compiler';
import type { PipelineSpec } from './ir';
import type { KubeflowRunnerConfig } from './runner-config';
import { resourcesFromShortForm } from './resources';
import { buildCodePackage, BuiltCodePackage, uploadCodePackage } from './code-package';
import { isObjectStoreUri } from '../../io/storage';
import { runtimeImage } from './runtime-image';

/**
 * From a pipeline to a KFP run: `deploy(pipeline, { endpoint })` compiles it, uploads it (or a new
 * version when a pipeline of that name exists) and starts a run. Image and project root come from
 * the call, else from the pipeline's `runnerConfigs.kubeflow` (set by context.exportPipeline() or
 * a kubeflow_runner.ts module), else defaults.
 */

/** Refuses components whose parameters hold functions (they cannot travel to a container). */
export function assertShippable(components: BaseComponent[]): void {
  for (const component of components) {
    const parameter = findInlineParameter(component);
    if (parameter) throw new InlineComponentError(component.id, parameter);
  }
}

/** The side panel's per-step settings: { cpu, memory, gpu, enableCache } by component id. */
export interface ShortComponentSettings {
  cpu?: string;
  memory?: string;
  gpu?: number;
  enableCache?: boolean;
}

export interface DeployOptions extends KfpConnectionOptions {
  image?: string;
  /** The directory shipped as the image's working directory (module files relative to it). */
  projectRoot?: string;
  /** Name under which the pipeline is uploaded (default: the pipeline's name). */
  pipelineName?: string;
  description?: string;
  components?: Record<string, ShortComponentSettings & ComponentOverrides>;
  enableCache?: boolean;
  /** false: compile and upload only. Default: true. */
  run?: boolean;
  experimentName?: string;
  runName?: string;
  /** Runtime values of pipeline parameters (root inputDefinitions). */
  parameters?: Record<string, unknown>;
  /** Overrides the pipeline root for this run. */
  runPipelineRoot?: string;
  serviceAccount?: string;
  /**
   * Ship module files, their local imports and local input data as a code package under the
   * pipeline root (default: when the pipeline root is on object storage). false: the image holds
   * the project (`pipeline create --build-image`).
   */
  codePackage?: boolean;
  /** Cap of the code package in bytes (default 256 MiB). */
  maxPackageBytes?: number;
  onProgress?: (message: string) => void;
}

/** A compile warning, about one component when componentId is set (the side panel marks its row). */
export interface DeployWarning {
  message: string;
  componentId?: string;
}

/** `codePackage` is written but not uploaded yet: uploadCodePackage() it, or dispose() it. */
export interface CompiledForDeploy {
  spec: PipelineSpec;
  yaml: string;
  uploadName: string;
  warnings: DeployWarning[];
  codePackage?: BuiltCodePackage;
}

export interface DeployResult {
  pipelineId: string;
  pipelineVersionId: string;
  /** true when the pipeline was new; false when a version was added to an existing one. */
  created: boolean;
  experimentId?: string;
  runId?: string;
  runUrl?: string;
  spec: PipelineSpec;
}

/** The stock runtime image (docker/Dockerfile): module files travel in the code package, not in the image. */
export function defaultImage(): string {
  return runtimeImage();
}

export function compileForDeploy(pipeline: Pipeline, options: Omit<DeployOptions, 'endpoint'>): CompiledForDeploy {
  const defaults: KubeflowRunnerConfig = pipeline.runnerConfigs.kubeflow ?? {};
  const uploadName = options.pipelineName ?? pipeline.pipelineName;
  validatePipelineName(uploadName);
  const components: Record<string, ComponentOverrides> = {};
  for (const [id, settings] of Object.entries(options.components ?? {})) {
    const short = resourcesFromShortForm(settings);
    components[id] = { resources: { ...short, ...settings.resources }, enableCache: settings.enableCache, shards: settings.shards };
  }
  const warnings: DeployWarning[] = [];
  const projectRoot = options.projectRoot ?? defaults.projectRoot;
  const packaged = options.codePackage ?? isObjectStoreUri(pipeline.pipelineRoot);
  const codePackage = packaged
    ? buildCodePackage(pipeline, { projectRoot: projectRoot ?? process.cwd(), pipelineRoot: pipeline.pipelineRoot, maxBytes: options.maxPackageBytes })
    : undefined;
  let spec: PipelineSpec;
  try {
    spec = compilePipeline(pipeline, {
      image: options.image ?? defaults.image ?? defaultImage(),
      projectRoot,
      codePackage: codePackage?.ref,
      description: options.description,
      enableCache: options.enableCache,
      components,
      onWarning: (message, componentId) => {
        warnings.push(componentId ? { message, componentId } : { message });
        options.onProgress?.(`warning: ${message}`);
      },
    });
  } catch (error) {
    codePackage?.dispose();
    throw error;
  }
  return {
    spec,
    yaml: pipelineSpecToYaml(
      spec,
      warnings.map((w) => w.message),
    ),
    uploadName,
    warnings,
    codePackage,
  };
}

/** Upload as a new pipeline, or as a new version when one of that name exists (TFX CLI's create vs update). */
export async function uploadOrAddVersion(
  client: KfpClient,
  yaml: string,
  name: string,
  description: string | undefined,
  onProgress?: (m: string) => void,
): Promise<{ pipelineId: string; pipelineVersionId: string; created: boolean }> {
  let existing = await client.findPipelineByName(name);
  if (!existing) {
    try {
      const pipeline = await client.uploadPipeline(yaml, { name, description });
      const [version] = await client.listPipelineVersions(pipeline.pipeline_id);
      onProgress?.(`Uploaded pipeline ${name} (id ${pipeline.pipeline_id})`);
      return { pipelineId: pipeline.pipeline_id, pipelineVersionId: version?.pipeline_version_id ?? '', created: true };
    } catch (error) {
      // Someone uploaded it between our look-up and our upload: add a version instead.
      if (!(error instanceof KfpApiError && error.status === 409)) throw error;
      existing = await client.findPipelineByName(name);
      if (!existing) throw error;
    }
  }
  const version = await client.uploadPipelineVersion(yaml, { pipelineId: existing.pipeline_id, name: versionName(name), description });
  onProgress?.(`Uploaded version ${version.display_name ?? version.name} of pipeline ${name} (version id ${version.pipeline_version_id})`);
  return { pipelineId: existing.pipeline_id, pipelineVersionId: version.pipeline_version_id, created: false };
}

export function versionName(pipelineName: string, now = new Date()): string {
  return `${pipelineName}-${now.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*/, '')}-${String(now.getMilliseconds()).padStart(3, '0')}`;
}

export async function deploy(pipeline: Pipeline, options: DeployOptions): Promise<DeployResult> {
  if (!(pipeline instanceof Pipeline)) throw new UserError('deploy() needs a Pipeline.', 'pass context.exportPipeline() or the result of createPipeline().');
  const progress = options.onProgress ?? (() => undefined);
  assertShippable(pipeline.components);
  const client = new KfpClient(options);
  const { spec, yaml, uploadName, codePackage } = compileForDeploy(pipeline, options);
  // The package goes up before the spec that names it: a run can never start without its code.
  if (codePackage) await uploadCodePackage(codePackage, progress);
  progress(
    `Compiled ${uploadName}: ${Object.keys(spec.root.dag!.tasks).length} tasks, image ${spec.deploymentSpec.executors[Object.keys(spec.deploymentSpec.executors)[0]].container.image}`,
  );
  const uploaded = await uploadOrAddVersion(client, yaml, uploadName, options.description, progress);
  const result: DeployResult = { ...uploaded, spec };
  if (options.run === false) return result;
  const experiment = await client.getOrCreateExperiment(options.experimentName ?? 'Default');
  const run = await client.createRun({
    displayName: options.runName ?? `${uploadName} ${new Date().toISOString().replace('T', ' ').replace(/\..*/, '')}`,
    pipelineId: uploaded.pipelineId,
    pipelineVersionId: uploaded.pipelineVersionId || undefined,
    experimentId: experiment.experiment_id,
    parameters: options.parameters,
    pipelineRoot: options.runPipelineRoot,
    serviceAccount: options.serviceAccount,
  });
  result.experimentId = experiment.experiment_id;
  result.runId = run.run_id;
  result.runUrl = client.runUrl(run.run_id);
  progress(`Started run ${run.run_id} in experiment ${experiment.display_name}: ${result.runUrl}`);
  return result;
}
