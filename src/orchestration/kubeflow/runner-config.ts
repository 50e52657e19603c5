import * as fs from 'node:fs';
import * as path from 'node:path';
import { Pipeline } from '../../dsl/pipeline';
import { UserError } from '../../util/errors';
import { loadUserModule } from '../../util/module-loader';
import { loadPipelineModule } from '../pipeline-module';
import type { ComponentOverrides } from './compiler';

/**
 * A pipeline module for Kubeflow (the template's kubeflow_runner.ts, TFX's kubeflow_v2_runner.py)
 * exports `createPipeline()` and, beside it, `kubeflowRunnerConfig` — TFX's
 * KubeflowV2DagRunnerConfig: the image every task runs in and per-component settings.
 */
export interface KubeflowRunnerConfig {
  /** The image built from the project (TFX's tfx_image / configs.PIPELINE_IMAGE). */
  image?: string;
  /** Directory shipped as the image's working directory; default: the module's directory. */
  projectRoot?: string;
  description?: string;
  components?: Record<string, ComponentOverrides>;
  /** Module files defining custom component types, by type (relative to projectRoot). */
  componentModules?: Record<string, string>;
}

declare module '../../dsl/pipeline' {
  interface RunnerConfigs {
    /** Read by compileForDeploy / deploy(): image and project root unless the call gives them. */
    kubeflow: KubeflowRunnerConfig;
  }
}

export interface LoadedKubeflowRunner {
  pipeline: Pipeline;
  config: KubeflowRunnerConfig;
  projectRoot: string;
  moduleFile: string;
}

export async function loadKubeflowRunner(file: string): Promise<LoadedKubeflowRunner> {
  const moduleFile = path.resolve(file);
  if (!fs.existsSync(moduleFile)) {
    throw new UserError(
      `Pipeline file ${moduleFile} does not exist.`,
      'pass --pipeline-path <project>/kubeflow_runner.ts (created by `tfx-ts template copy`).',
    );
  }
  const module = loadUserModule(moduleFile);
  const pipeline = await loadPipelineModule(moduleFile);
  const raw = (module.kubeflowRunnerConfig ?? (module.default as Record<string, unknown> | undefined)?.kubeflowRunnerConfig ?? {}) as KubeflowRunnerConfig;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UserError(`${moduleFile}: kubeflowRunnerConfig must be an object.`, 'export const kubeflowRunnerConfig = { image: "<registry>/<name>:<tag>" };');
  }
  const projectRoot = path.resolve(path.dirname(moduleFile), raw.projectRoot ?? '.');
  pipeline.runnerConfigs.kubeflow = { ...raw, projectRoot };
  return { pipeline, config: raw, projectRoot, moduleFile };
}
