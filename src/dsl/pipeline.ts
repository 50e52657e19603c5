import * as path from 'node:path';
import { BaseComponent } from './component';
import { UserError } from '../util/errors';

export interface PipelineOptions {
  pipelineName: string;
  /** Where artifacts go: `<pipelineRoot>/<componentId>/<outputKey>/<executionId>/`. */
  pipelineRoot: string;
  components: BaseComponent[];
  enableCache?: boolean;
  /** SQLite metadata store; default `<pipelineRoot>/metadata.sqlite`. */
  metadataPath?: string;
  /** KFP pipeline parameters (root inputDefinitions) with their defaults. */
  parameters?: Record<string, string | number | boolean>;
  /** Settings for the orchestrators that run this pipeline elsewhere, by orchestrator (TFX's platform_config). */
  runnerConfigs?: Partial<RunnerConfigs>;
}

/**
 * Typed per-orchestrator settings a pipeline carries. Each orchestrator adds its key by module
 * augmentation (orchestration/kubeflow/runner-config.ts adds `kubeflow`), so this file names
 * no orchestrator and the settings stay typed.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by module augmentation
export interface RunnerConfigs {}

/** A pipeline = a DAG of components (TFX's tfx.dsl.Pipeline). Validated on construction. */
export class Pipeline {
  readonly pipelineName: string;
  readonly pipelineRoot: string;
  readonly enableCache: boolean;
  readonly metadataPath: string;
  readonly parameters: Record<string, string | number | boolean>;
  /** Components in topological order (producers before consumers, ties in the given order). */
  readonly components: BaseComponent[];
  readonly runnerConfigs: Partial<RunnerConfigs>;

  constructor(options: PipelineOptions) {
    validatePipelineName(options.pipelineName);
    if (!options.pipelineRoot) throw new UserError('Pipeline needs a pipelineRoot.', 'pass pipelineRoot: a directory (local) or a bucket URI (KFP).');
    this.pipelineName = options.pipelineName;
    this.pipelineRoot = options.pipelineRoot;
    this.enableCache = options.enableCache ?? true;
    this.metadataPath = options.metadataPath ?? path.join(options.pipelineRoot, 'metadata.sqlite');
    this.parameters = options.parameters ?? {};
    this.components = topologicalOrder(options.components);
    this.runnerConfigs = { ...options.runnerConfigs };
  }
}

export function validatePipelineName(name: string): void {
  if (typeof name !== 'string' || !/^[a-z0-9]([a-z0-9_-]{0,126}[a-z0-9])?$/i.test(name)) {
    throw new UserError(
      `Invalid pipeline name ${JSON.stringify(name)}.`,
      'use 1-128 letters, digits, "-" or "_", starting and ending with a letter or digit (KFP needs this too).',
    );
  }
}

/** Kahn's algorithm, stable in the order the user listed components; rejects cycles, duplicate ids and missing producers. */
export function topologicalOrder(components: BaseComponent[]): BaseComponent[] {
  if (!Array.isArray(components) || components.length === 0) {
    throw new UserError('A pipeline needs at least one component.', 'pass components: [exampleGen, statisticsGen, ...].');
  }
  const ids = new Map<string, BaseComponent>();
  for (const component of components) {
    if (!(component instanceof BaseComponent)) throw new UserError(`Pipeline components must be components, got ${typeof component}.`);
    const other = ids.get(component.id);
    if (other && other !== component) {
      throw new UserError(`Two components have the id "${component.id}".`, `give one of them another id with .withId("${component.id}2").`);
    }
    ids.set(component.id, component);
  }
  for (const component of components) {
    for (const [key, channel] of Object.entries(component.inputs)) {
      const producer = channel?.producer;
      if (producer && !components.includes(producer)) {
        throw new UserError(
          `Component "${component.id}" reads input "${key}" from "${producer.id}", which is not in the pipeline.`,
          `add ${producer.id} to the pipeline's components.`,
        );
      }
    }
  }
  const remaining = new Map(components.map((c) => [c, new Set(c.upstream)]));
  const order: BaseComponent[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining.keys()].filter((c) => [...remaining.get(c)!].every((u) => order.includes(u)));
    if (ready.length === 0) {
      throw new UserError(
        `The pipeline has a cycle between: ${[...remaining.keys()].map((c) => c.id).join(', ')}.`,
        'a component cannot depend on its own outputs.',
      );
    }
    for (const component of ready) {
      order.push(component);
      remaining.delete(component);
    }
  }
  return order;
}
