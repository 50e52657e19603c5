import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { Artifact, artifactTypeByName } from '../dsl/artifact';
import { downloadPrefix, isObjectStoreUri, joinUri, storeFor } from '../io/storage';
import { KfpApiError, KfpClient, KfpConnectionOptions, KfpRun, TERMINAL_RUN_STATES } from '../orchestration/kubeflow/client';
import type { PipelineSpec } from '../orchestration/kubeflow/ir';
import { UserError } from '../util/errors';
import { escapeHtml, MimeBundle, renderArtifacts } from '../visualize/registry';
import { registerStandardViews } from '../visualize/standard-views';
import { displayBundle } from './display';

/**
 * `openRun(runId)`: the notebook's way to look at a finished Kubeflow run. It reads the run and
 * the spec it executed from the KFP API (v2beta1), finds each task's output artifacts on object
 * storage, downloads the ones the notebook has views for into a local cache, and shows them with
 * the same views as `context.show(...)`.
 *
 * Where the outputs are: KFP's driver gives every output artifact the URI
 *   `<pipeline root>/<pipelineInfo.name>/<run id>/<task name>/<uuid>/<output key>`
 * (backend/src/v2/driver: GenerateOutputURI(root, [pipelineName, runID]) for the run's root, then
 * [taskName, uuid, outputName]; the uuid is new per execution, so a retried task has several).
 * The pipeline root is the run's `runtime_config.pipeline_root`, else the spec's
 * `defaultPipelineRoot`. The uuid is not in the run details (they hold MLMD ids only), so the task's
 * prefix is listed and the `<uuid>/<output key>/` holding a complete artifact is taken.
 *
 * A cache entry is all or nothing: artifacts download into a temporary directory, are checked by
 * rendering their views, and the directory is renamed into place with its manifest last; a failure
 * leaves no entry behind. A cached run opens without the endpoint (the panel downloads with the
 * user's token in a silent call, then the notebook cell reads the cache and holds no secret).
 */

/** Artifact types with a notebook view that are small enough to download (not Examples or Model). */
export const OPENED_ARTIFACT_TYPES = ['ExampleStatistics', 'Schema', 'ExampleAnomalies', 'ModelEvaluation', 'ModelBlessing'] as const;

/** Why a run cannot be opened; the bridge passes the code to the panel. */
export type OpenRunErrorCode = 'NOT_FOUND' | 'RUN_NOT_FINISHED' | 'ARTIFACT_MISSING' | 'STORE_UNREACHABLE' | 'INVALID_OPTIONS';

export class OpenRunError extends UserError {
  constructor(
    readonly code: OpenRunErrorCode,
    readonly summary: string,
    hint?: string,
  ) {
    super(summary, hint);
    this.name = 'OpenRunError';
  }
}

export interface OpenRunOptions extends Partial<Omit<KfpConnectionOptions, 'endpoint'>> {
  /** The KFP API endpoint (as for deploy()); not needed when the run is already in the cache. */
  endpoint?: string;
  /** Overrides the run's pipeline root (e.g. when the cluster's MinIO is reached under another scheme). */
  pipelineRoot?: string;
  /** Default: $TFX_TS_RUN_CACHE, else ~/.cache/tfx-ts/kfp-runs. */
  cacheDir?: string;
  /** Download again even when the run is cached. */
  refresh?: boolean;
}

export interface OpenedArtifact {
  task: string;
  output: string;
  /** TFX type name (ExampleStatistics, ...). */
  type: string;
  /** Where KFP's launcher wrote it. */
  remoteUri: string;
  /** The local copy the views read. */
  artifact: Artifact;
}

export interface OpenedRun {
  runId: string;
  displayName: string;
  state: string;
  pipelineName: string;
  pipelineRoot: string;
  /** The cache directory of this run. */
  dir: string;
  artifacts: OpenedArtifact[];
  /** Tasks whose outputs were not opened, and why (failed, cached, not run). */
  skippedTasks: { task: string; state: string; reason: string }[];
  fromCache: boolean;
  files: number;
  bytes: number;
}

interface Manifest {
  runId: string;
  displayName: string;
  state: string;
  pipelineName: string;
  pipelineRoot: string;
  endpoint: string;
  downloadedAt: string;
  files: number;
  bytes: number;
  artifacts: { task: string; output: string; type: string; remoteUri: string; path: string; properties: Artifact['properties'] }[];
  skippedTasks: OpenedRun['skippedTasks'];
}

const MANIFEST = 'manifest.json';

export function defaultRunCacheDir(): string {
  return process.env.TFX_TS_RUN_CACHE || path.join(os.homedir(), '.cache', 'tfx-ts', 'kfp-runs');
}

function runDir(cacheDir: string, runId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId)) {
    throw new OpenRunError('INVALID_OPTIONS', `${JSON.stringify(runId)} is not a KFP run id.`, 'pass the run id the KFP UI shows under Run details (a UUID).');
  }
  return path.join(cacheDir, runId);
}

/** The run from the cache, or undefined when it is not (completely) there. */
function readCached(dir: string): OpenedRun | undefined {
  const file = path.join(dir, MANIFEST);
  if (!fs.existsSync(file)) return undefined;
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  return {
    runId: manifest.runId,
    displayName: manifest.displayName,
    state: manifest.state,
    pipelineName: manifest.pipelineName,
    pipelineRoot: manifest.pipelineRoot,
    dir,
    fromCache: true,
    files: manifest.files,
    bytes: manifest.bytes,
    skippedTasks: manifest.skippedTasks,
    artifacts: manifest.artifacts.map((a) => {
      const artifact = new Artifact(artifactTypeByName(a.type), path.join(dir, ...a.path.split('/')));
      artifact.properties = { ...a.properties };
      return { task: a.task, output: a.output, type: a.type, remoteUri: a.remoteUri, artifact };
    }),
  };
}

async function readRun(client: KfpClient, runId: string): Promise<KfpRun> {
  try {
    return await client.getRun(runId);
  } catch (error) {
    if (error instanceof KfpApiError && error.code === 'NOT_FOUND') {
      throw new OpenRunError(
        'NOT_FOUND',
        `Run ${runId} was not found on ${client.endpoint}.`,
        'check the run id (KFP UI › Runs › the run › Run details) and the namespace.',
      );
    }
    throw error;
  }
}

async function specOf(client: KfpClient, run: KfpRun): Promise<PipelineSpec> {
  if (run.pipeline_spec) return unwrapSpec(run.pipeline_spec);
  const ref = run.pipeline_version_reference;
  if (!ref?.pipeline_id || !ref.pipeline_version_id) {
    throw new OpenRunError(
      'NOT_FOUND',
      `Run ${run.run_id} names no pipeline version, so its tasks and outputs are unknown.`,
      'open a run created from an uploaded pipeline version.',
    );
  }
  const version = await client.getPipelineVersion(ref.pipeline_id, ref.pipeline_version_id);
  if (!version.pipeline_spec) throw new OpenRunError('NOT_FOUND', `Pipeline version ${ref.pipeline_version_id} of run ${run.run_id} has no pipeline_spec.`);
  return unwrapSpec(version.pipeline_spec);
}

/** A version's pipeline_spec is the IR, or `{pipeline_spec, platform_spec}` when the YAML had both documents. */
function unwrapSpec(value: unknown): PipelineSpec {
  const spec = value as Record<string, unknown>;
  return (spec.pipelineInfo ? spec : (spec.pipeline_spec ?? spec)) as unknown as PipelineSpec;
}

/** Lists a prefix; a store that cannot be reached is the user's environment, said once. */
async function listPrefix(uri: string): Promise<string[]> {
  try {
    return await storeFor(uri).list(uri);
  } catch (error) {
    const message = (error as Error).message;
    const unreachable = /unreachable|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|fetch failed|socket hang up/i.test(message);
    throw new OpenRunError(
      'STORE_UNREACHABLE',
      `Could not list the run's outputs under ${uri}: ${message.split('\n')[0]}`,
      unreachable
        ? "the object store is unreachable from the notebook: set AWS_ENDPOINT_URL / MINIO_ENDPOINT (s3://, minio://) or STORAGE_EMULATOR_HOST (gs://) in the kernel environment, or port-forward the cluster's MinIO."
        : 'check the bucket exists and the credentials in the kernel environment may read it.',
    );
  }
}

/** Task names with producers before consumers (the order the views read best in: data, then model). */
function producersFirst(tasks: Record<string, { dependentTasks?: string[] }>): string[] {
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name) || !tasks[name]) return;
    for (const dependency of tasks[name].dependentTasks ?? []) visit(dependency);
    order.push(name);
  };
  Object.keys(tasks).forEach(visit);
  return order;
}

/** Split names from `Split-<name>` directories (on KFP the split_names property lives only in MLMD). */
function splitsIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name.startsWith('Split-'))
    .map((e) => e.name.slice('Split-'.length))
    .sort((a, b) => (a === 'train' ? -1 : b === 'train' ? 1 : a.localeCompare(b)));
}

function localArtifact(type: string, dir: string): Artifact {
  const artifact = new Artifact(artifactTypeByName(type), dir);
  const splits = splitsIn(dir);
  if ('split_names' in artifact.type.properties && splits.length > 0) artifact.splitNames = splits;
  return artifact;
}

function folderSize(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = folderSize(full);
      files += inner.files;
      bytes += inner.bytes;
    } else if (entry.isFile()) {
      files++;
      bytes += fs.statSync(full).size;
    }
  }
  return { files, bytes };
}

/**
 * Downloads a finished run's viewable artifacts into the cache (or reads them from it) without
 * showing anything. The panel's bridge call uses it; `openRun` shows the result.
 */
export async function fetchRun(runId: string, options: OpenRunOptions = {}): Promise<OpenedRun> {
  if (typeof runId !== 'string' || !runId.trim()) {
    throw new OpenRunError(
      'INVALID_OPTIONS',
      'openRun needs the id of a Kubeflow run.',
      'pass the run id, e.g. await context.openRun("3f2a…", { endpoint: "http://localhost:8080" }).',
    );
  }
  runId = runId.trim();
  const cacheDir = path.resolve(options.cacheDir ?? defaultRunCacheDir());
  const dir = runDir(cacheDir, runId);
  if (!options.refresh) {
    const cached = readCached(dir);
    if (cached) return cached;
  }
  if (!options.endpoint) {
    throw new OpenRunError(
      'INVALID_OPTIONS',
      `Run ${runId} is not in the cache (${cacheDir}), and no endpoint was given to download it from.`,
      'pass the KFP endpoint (and auth) as for deploy(): await context.openRun(runId, { endpoint: "http://localhost:8080" }).',
    );
  }
  const client = new KfpClient({ ...options, endpoint: options.endpoint });
  const run = await readRun(client, runId);
  const state = run.state ?? 'RUNTIME_STATE_UNSPECIFIED';
  if (!TERMINAL_RUN_STATES.has(state)) {
    throw new OpenRunError(
      'RUN_NOT_FINISHED',
      `Run ${runId} is ${state}, not finished: its outputs may still be written.`,
      'wait until it has SUCCEEDED (the panel follows it), then open it.',
    );
  }
  const spec = await specOf(client, run);
  const pipelineName = spec.pipelineInfo.name;
  const pipelineRoot = options.pipelineRoot || run.runtime_config?.pipeline_root || spec.defaultPipelineRoot;
  if (!pipelineRoot) {
    throw new OpenRunError(
      'NOT_FOUND',
      `Run ${runId} has no pipeline root (neither runtime_config.pipeline_root nor the spec's defaultPipelineRoot).`,
      'pass pipelineRoot: the bucket path the cluster writes artifacts to.',
    );
  }
  if (!isObjectStoreUri(pipelineRoot)) {
    throw new OpenRunError(
      'NOT_FOUND',
      `Run ${runId}'s pipeline root ${pipelineRoot} is not on object storage the notebook can read.`,
      'pass pipelineRoot as s3://, minio:// or gs://.',
    );
  }
  const base = joinUri(pipelineRoot, pipelineName, runId);
  const taskStates = new Map((run.run_details?.task_details ?? []).map((t) => [t.display_name ?? '', t.state ?? 'RUNTIME_STATE_UNSPECIFIED']));

  // What to open: each task's outputs of a type with a view, in the spec's task order.
  const wanted: { task: string; output: string; type: string }[] = [];
  const skippedTasks: OpenedRun['skippedTasks'] = [];
  const tasks = spec.root.dag?.tasks ?? {};
  for (const task of producersFirst(tasks)) {
    const taskSpec = tasks[task];
    const component = spec.components[taskSpec.componentRef.name];
    const outputs = Object.entries(component?.outputDefinitions?.artifacts ?? {})
      .map(([output, def]) => ({ output, type: def.artifactType.schemaTitle?.replace(/^tfx\./, '') ?? '' }))
      .filter((o) => (OPENED_ARTIFACT_TYPES as readonly string[]).includes(o.type));
    if (outputs.length === 0) continue;
    const taskState = taskStates.get(task);
    if (taskState !== undefined && taskState !== 'SUCCEEDED') {
      skippedTasks.push({
        task,
        state: taskState,
        reason: taskState === 'SKIPPED' ? 'taken from the cache: its outputs are in the run that computed them' : `the task is ${taskState}`,
      });
      continue;
    }
    for (const o of outputs) wanted.push({ task, ...o });
  }

  fs.mkdirSync(cacheDir, { recursive: true });
  const partial = fs.mkdtempSync(path.join(cacheDir, `.${runId}.partial-`));
  try {
    const missing: string[] = [];
    const found: { task: string; output: string; type: string; remoteUri: string; relative: string }[] = [];
    const listings = new Map<string, string[]>();
    for (const w of wanted) {
      const taskPrefix = joinUri(base, w.task);
      let objects = listings.get(w.task);
      if (!objects) {
        objects = await listPrefix(`${taskPrefix}/`);
        listings.set(w.task, objects);
      }
      // `<task>/<uuid>/<output>/...` (KFP's driver); `<task>/<output>/...` as well, for older layouts.
      const candidates = new Set<string>();
      for (const object of objects) {
        const rest = object.slice(taskPrefix.length + 1).split('/');
        if (rest.length >= 3 && rest[1] === w.output) candidates.add(joinUri(taskPrefix, rest[0], w.output));
        else if (rest.length >= 2 && rest[0] === w.output) candidates.add(joinUri(taskPrefix, w.output));
      }
      if (candidates.size === 0) {
        missing.push(`${w.task}.${w.output} (${w.type}) under ${taskPrefix}/`);
        continue;
      }
      // Several executions (a retried task): the last complete one (uuids do not sort by time, so try each).
      let taken: string | undefined;
      let lastError: Error | undefined;
      for (const remoteUri of [...candidates].sort().reverse()) {
        const relative = [w.task, w.output].join('/');
        const local = path.join(partial, w.task, w.output);
        fs.rmSync(local, { recursive: true, force: true });
        await downloadPrefix(remoteUri, local).catch((error) => {
          throw new OpenRunError(
            'STORE_UNREACHABLE',
            `Could not download ${remoteUri}: ${(error as Error).message.split('\n')[0]}`,
            'check the object store is reachable and readable from the kernel.',
          );
        });
        try {
          await renderArtifacts([localArtifact(w.type, local)], { title: `${w.task}.${w.output}` });
          taken = remoteUri;
          found.push({ ...w, remoteUri, relative });
          break;
        } catch (error) {
          lastError = error as Error;
        }
      }
      if (!taken) missing.push(`${w.task}.${w.output} (${w.type}) at ${[...candidates].join(', ')}: incomplete (${lastError?.message.split('\n')[0]})`);
    }
    if (missing.length > 0) {
      throw new OpenRunError(
        'ARTIFACT_MISSING',
        `Run ${runId} finished, but ${missing.length === 1 ? 'an output is' : `${missing.length} outputs are`} missing from the object store: ${missing.join('; ')}.`,
        `check the pipeline root (${pipelineRoot}; pass pipelineRoot if the cluster wrote elsewhere) and that the artifacts were not deleted.`,
      );
    }
    if (found.length === 0) {
      throw new OpenRunError(
        'ARTIFACT_MISSING',
        `Run ${runId} has no output the notebook can show (statistics, schema, anomalies, evaluation)${skippedTasks.length ? `: ${skippedTasks.map((s) => `${s.task} ${s.reason}`).join('; ')}` : ''}.`,
        'open a run of a pipeline with StatisticsGen, SchemaGen, ExampleValidator or Evaluator.',
      );
    }
    const size = folderSize(partial);
    const manifest: Manifest = {
      runId,
      displayName: run.display_name,
      state,
      pipelineName,
      pipelineRoot,
      endpoint: client.endpoint,
      downloadedAt: new Date().toISOString(),
      ...size,
      artifacts: found.map((f) => ({
        task: f.task,
        output: f.output,
        type: f.type,
        remoteUri: f.remoteUri,
        path: f.relative,
        properties: localArtifact(f.type, path.join(partial, ...f.relative.split('/'))).properties,
      })),
      skippedTasks,
    };
    // The manifest last, then one rename: a reader sees the whole entry or none.
    fs.writeFileSync(path.join(partial, MANIFEST), JSON.stringify(manifest, null, 1));
    if (fs.existsSync(dir)) fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(partial, dir);
  } catch (error) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw error;
  }
  return { ...readCached(dir)!, fromCache: false };
}

/** The views of an opened run: a header, then one bundle per artifact (statistics, schema, anomalies, evaluation). */
export async function runViews(opened: OpenedRun): Promise<MimeBundle[]> {
  registerStandardViews();
  const bundles: MimeBundle[] = [runHeader(opened)];
  for (const a of opened.artifacts)
    bundles.push(await renderArtifacts([a.artifact], { title: `${a.task}.${a.output}`, label: `run ${opened.runId.slice(0, 8)}` }));
  return bundles;
}

function runHeader(opened: OpenedRun): MimeBundle {
  const source = opened.fromCache ? 'from the local cache' : `downloaded ${opened.files} files (${formatBytes(opened.bytes)})`;
  const skipped = opened.skippedTasks.length
    ? `<p class="tfx-ts-muted">Not opened: ${opened.skippedTasks.map((s) => `${escapeHtml(s.task)} (${escapeHtml(s.reason)})`).join('; ')}.</p>`
    : '';
  const html =
    `<div class="tfx-ts-view tfx-ts-kfp-run"><h3>Kubeflow run ${escapeHtml(opened.displayName || opened.runId)}</h3>` +
    `<p class="tfx-ts-muted"><b>${escapeHtml(opened.state)}</b> · run <code>${escapeHtml(opened.runId)}</code> · pipeline ${escapeHtml(opened.pipelineName)} · ` +
    `${opened.artifacts.length} outputs ${source} · <code>${escapeHtml(opened.pipelineRoot)}</code></p>${skipped}</div>`;
  const text = `Kubeflow run ${opened.displayName || opened.runId} (${opened.state}): ${opened.artifacts.map((a) => `${a.task}.${a.output}`).join(', ')} ${source}`;
  return { 'text/html': html, 'text/plain': text };
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Opens a finished Kubeflow run in the notebook: downloads (or reads from the cache) its
 * statistics, schema, anomalies and evaluation and shows them inline, as `context.show` does.
 */
export async function openRun(runId: string, options: OpenRunOptions = {}): Promise<OpenedRun> {
  const opened = await fetchRun(runId, options);
  for (const bundle of await runViews(opened)) {
    if (!displayBundle(bundle)) console.log(String(bundle['text/plain'] ?? ''));
  }
  // tslab prints a cell's last value: one line, the views are above.
  Object.defineProperty(opened, inspect.custom, {
    value: () => `Kubeflow run ${opened.runId} ${opened.state}: ${opened.artifacts.length} outputs in ${opened.dir}`,
    enumerable: false,
  });
  return opened;
}
