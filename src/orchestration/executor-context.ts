import type { Artifact } from '../dsl/artifact';
import type { ExecutorContext } from '../dsl/component';
import type { MetadataStore } from '../metadata/store';

/**
 * The one place an ExecutorContext is built, for every orchestrator (the launcher used by the
 * notebook and the local runner, and the Kubeflow container entrypoint): each orchestrator only
 * says where progress, live views and log lines go. Progress fractions are clamped to [0, 1].
 */
export interface ExecutorSinks {
  progress?(fraction: number, message?: string): void;
  liveView?(view: { mimeBundle: Record<string, unknown> }): void;
  log?(message: string): void;
}

export interface ExecutorContextInit<P> {
  componentId: string;
  pipelineName: string;
  inputs: Record<string, Artifact[]>;
  outputs: Record<string, Artifact[]>;
  parameters: P;
  /** Absent where no store exists (a KFP container). */
  metadata?: MetadataStore;
  sinks: ExecutorSinks;
}

export function buildExecutorContext<P>(init: ExecutorContextInit<P>): ExecutorContext<P> {
  const { sinks } = init;
  return {
    inputs: init.inputs,
    outputs: init.outputs,
    parameters: init.parameters,
    componentId: init.componentId,
    pipelineName: init.pipelineName,
    progress: (fraction, message) => sinks.progress?.(Math.max(0, Math.min(1, fraction)), message),
    liveView: (view) => sinks.liveView?.(view),
    liveViewsShown: sinks.liveView !== undefined,
    log: (message) => sinks.log?.(message),
    ...(init.metadata ? { metadata: init.metadata } : {}),
  };
}
