import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Artifact } from '../dsl/artifact';
import type { BaseComponent, ExecutorContext, OutputsDecl } from '../dsl/component';
import { MetadataStore } from '../metadata/store';
import { fileDigest } from '../util/module-loader';
import { buildExecutorContext } from './executor-context';

/**
 * TFX's launcher: runs ONE component node for any orchestrator. It resolves nothing and knows no
 * component; it gets resolved input artifacts, decides cache hit or run, gives the executor
 * temporary output directories and publishes the outputs atomically on success.
 */
export interface LaunchReporter {
  onStart?(component: BaseComponent, executionId: number): void;
  onProgress?(component: BaseComponent, fraction: number, message?: string): void;
  onLiveView?(component: BaseComponent, view: { mimeBundle: Record<string, unknown> }): void;
  onLog?(component: BaseComponent, message: string): void;
}

export interface LaunchRequest {
  component: BaseComponent;
  inputs: Record<string, Artifact[]>;
  store: MetadataStore;
  pipelineName: string;
  pipelineRoot: string;
  /** Context ids (pipeline, run) the execution and its artifacts are attributed to. */
  contextIds: number[];
  enableCache: boolean;
  reporter?: LaunchReporter;
  /** Base directory for relative file parameters (module files). */
  baseDir?: string;
}

export interface LaunchResult {
  componentId: string;
  executionId: number;
  state: 'COMPLETE' | 'CACHED';
  outputs: Record<string, Artifact[]>;
  /** For CACHED: the execution whose outputs were reused. */
  cachedFrom?: number;
  durationMs: number;
}

export class ComponentFailedError extends Error {
  constructor(
    readonly componentId: string,
    readonly executionId: number,
    cause: Error,
  ) {
    super(`Component ${componentId} failed (execution ${executionId}): ${cause.message}`);
    this.name = 'ComponentFailedError';
    this.stack = `${this.message}\n${(cause.stack ?? '').split('\n').slice(1).join('\n')}`;
  }
}

export async function computeCacheKey(request: Pick<LaunchRequest, 'component' | 'inputs' | 'pipelineName' | 'baseDir'>): Promise<string> {
  const { component } = request;
  const spec = component.spec;
  const fileDigests: Record<string, string> = {};
  for (const key of spec.fileParameters ?? []) {
    const value = (component.parameters as Record<string, unknown>)[key];
    if (typeof value === 'string' && value) {
      const file = path.resolve(request.baseDir ?? process.cwd(), value);
      fileDigests[key] = fs.existsSync(file) ? fileDigest(file) : 'missing';
    }
  }
  const material = {
    pipeline: request.pipelineName,
    componentId: component.id,
    type: spec.type,
    version: spec.version,
    inputs: Object.fromEntries(
      Object.entries(spec.cacheInputs ? spec.cacheInputs(request.inputs) : request.inputs)
        // An optional input left unwired and one wired to a channel that resolved nothing are the same
        // execution (as in TFX): e.g. an Evaluator first run with a Resolver that found no baseline,
        // then in a pipeline without the Resolver.
        .filter(([, list]) => list.length > 0)
        .sort()
        .map(([k, list]) => [k, list.map((a) => a.id)]),
    ),
    parameters: canonicalJson(component.parameters),
    files: fileDigests,
    fingerprint: spec.fingerprint ? await spec.fingerprint(component.parameters) : '',
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}

export async function launchComponent(request: LaunchRequest): Promise<LaunchResult> {
  const started = Date.now();
  const { component, store, reporter } = request;
  const cacheKey = await computeCacheKey(request);
  const properties = { parameters: component.parameters, componentVersion: component.spec.version, pipelineName: request.pipelineName };

  if (request.enableCache) {
    const cached = store.findCachedOutputs(cacheKey);
    if (cached) {
      const executionId = store.startExecution({
        type: component.type,
        componentId: component.id,
        cacheKey,
        properties: { ...properties, cachedFrom: cached.executionId },
        inputs: request.inputs,
        contextIds: request.contextIds,
      });
      reporter?.onStart?.(component, executionId);
      store.publishExecution(executionId, 'CACHED', cached.outputs, request.contextIds);
      return {
        componentId: component.id,
        executionId,
        state: 'CACHED',
        outputs: cached.outputs,
        cachedFrom: cached.executionId,
        durationMs: Date.now() - started,
      };
    }
  }

  const executionId = store.startExecution({
    type: component.type,
    componentId: component.id,
    cacheKey,
    properties,
    inputs: request.inputs,
    contextIds: request.contextIds,
  });
  reporter?.onStart?.(component, executionId);
  const staged: { artifact: Artifact; finalUri: string; tmpUri: string }[] = [];
  const outputs: Record<string, Artifact[]> = {};
  try {
    for (const [key, decl] of Object.entries(component.spec.outputs as OutputsDecl)) {
      const finalUri = path.join(path.resolve(request.pipelineRoot), component.id, key, String(executionId));
      const tmpUri = path.join(path.dirname(finalUri), `.tmp-${executionId}`);
      removeAbandonedTemporaries(path.dirname(finalUri), store);
      fs.rmSync(tmpUri, { recursive: true, force: true });
      fs.mkdirSync(tmpUri, { recursive: true });
      const artifact = new Artifact(decl.type, tmpUri);
      staged.push({ artifact, finalUri, tmpUri });
      outputs[key] = [artifact];
    }
    const context = buildExecutorContext<unknown>({
      inputs: request.inputs,
      outputs,
      parameters: component.parameters,
      componentId: component.id,
      pipelineName: request.pipelineName,
      metadata: store,
      sinks: {
        progress: (fraction, message) => reporter?.onProgress?.(component, fraction, message),
        // Only where a reporter shows live views: executors skip rendering them otherwise.
        liveView: reporter?.onLiveView ? (view) => reporter.onLiveView!(component, view) : undefined,
        log: (message) => reporter?.onLog?.(component, message),
      },
    });
    const executor = await component.spec.executor();
    await executor(context as ExecutorContext<never>);
    for (const entry of staged) {
      // An executor may answer with existing artifacts instead of the fresh ones (the Resolver):
      // then the staged directory is not an output and must not be left behind.
      if (!Object.values(outputs).some((list) => list.includes(entry.artifact))) {
        fs.rmSync(entry.tmpUri, { recursive: true, force: true });
        removeIfEmpty(path.dirname(entry.tmpUri)); // <root>/<component>/<output>
        removeIfEmpty(path.dirname(path.dirname(entry.tmpUri))); // <root>/<component>
        continue;
      }
      fs.rmSync(entry.finalUri, { recursive: true, force: true });
      fs.renameSync(entry.tmpUri, entry.finalUri);
      entry.artifact.uri = entry.finalUri;
    }
    store.publishExecution(executionId, 'COMPLETE', outputs, request.contextIds);
    return { componentId: component.id, executionId, state: 'COMPLETE', outputs, durationMs: Date.now() - started };
  } catch (error) {
    for (const entry of staged) {
      fs.rmSync(entry.tmpUri, { recursive: true, force: true });
      fs.rmSync(entry.finalUri, { recursive: true, force: true });
    }
    const err = error instanceof Error ? error : new Error(String(error));
    store.failExecution(executionId, err.stack ?? err.message);
    throw new ComponentFailedError(component.id, executionId, err);
  }
}

function removeIfEmpty(dir: string): void {
  try {
    if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  } catch {
    /* gone already, or not empty */
  }
}

/** Temporary output directories of executions that are no longer RUNNING (a killed process) are garbage. */
function removeAbandonedTemporaries(outputDir: string, store: MetadataStore): void {
  if (!fs.existsSync(outputDir)) return;
  for (const entry of fs.readdirSync(outputDir)) {
    const match = /^\.tmp-(\d+)$/.exec(entry);
    if (!match) continue;
    let running: boolean;
    try {
      running = store.getExecution(Number(match[1])).state === 'RUNNING';
    } catch {
      running = false;
    }
    if (!running) fs.rmSync(path.join(outputDir, entry), { recursive: true, force: true });
  }
}

/** JSON with sorted object keys, so equal parameters give equal cache keys. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, (v as Record<string, unknown>)[k]]),
      );
    }
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
}
