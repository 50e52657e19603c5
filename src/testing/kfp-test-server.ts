import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IrTask, PipelineSpec } from '../orchestration/kubeflow/ir';
import { BodyRejectedError, checkRequestBody, parsePipelineUpload, SpecRejectedError } from './kfp-api-schema';

/**
 * A KFP-API-compatible server (REST v2beta1) on 127.0.0.1 for tests and UI tests. It is strict where
 * the real API server (KFP 2.14) is, and judges with KFP's own definitions read at run time
 * (kfp-api-schema.ts): uploaded specs are parsed as template.New does (protojson against
 * pipeline_spec.proto, unknown fields refused, schemaVersion 2.1.0, pipeline name rules), JSON bodies
 * as grpc-gateway does (the v2beta1 swagger definitions, unknown fields refused). Answers have the
 * server's shapes: upload errors `{error_message, error_details}` (500 for a refused spec, as the
 * upload handler writes it), other errors grpc-gateway's `{code, message, details}`, lists paged with
 * page_size (default 20, at most 200) and next_page_token. Also: multipart uploads with the
 * `uploadfile` field, JSON content type, required fields, names unique per namespace (409), 404 for
 * unknown ids and Go's plain "404 page not found" for unknown paths, and auth in front of it as
 * Kubeflow's Istio gateway does (401 without valid credentials, 403 for a namespace the identity may
 * not use). Run states move only when a test says so (setRunState) or, with autoAdvanceRuns, one
 * step per status read.
 *
 * CLI: `node -r tsx/cjs src/testing/kfp-test-server.ts [--port N] [--path-prefix /pipeline]
 * [--bearer T] [--cookie C] [--namespace ns]... [--multi-user] [--kubernetes-store] [--auto-advance [--fail-task Name]]` prints one line
 * `KFP_TEST_SERVER_URL=<url>` and serves until killed. Control endpoints for other processes:
 * POST /__test__/runs/<id>/state {state, tasks?}, GET /__test__/received.
 */

export interface KfpTestServerOptions {
  port?: number;
  /** Where the API is mounted, e.g. "/pipeline" as behind the Kubeflow dashboard. Default: "". */
  pathPrefix?: string;
  requireAuth?: { bearer?: string; cookie?: string; namespaces?: string[] };
  /** Multi-user mode: namespace required on listing and creating. */
  multiUser?: boolean;
  /** Each GET of a run advances its state one step (PENDING → RUNNING → SUCCEEDED), tasks too. */
  autoAdvanceRuns?: boolean;
  /** With autoAdvanceRuns: this task (display name) fails, and the run with it. */
  failTask?: string;
  /**
   * Pipelines stored as Kubernetes resources (KFP's `--pipelineStore kubernetes`): pipeline and
   * version names must then be DNS-1123 subdomains, as Kubernetes refuses other object names.
   */
  kubernetesPipelineStore?: boolean;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  contentType: string;
  status: number;
  /** JSON body, or for multipart: { fields, files: [{ field, filename, contentType, text }] }. */
  body?: unknown;
}

export interface TaskState {
  name: string;
  state: string;
}

export interface KfpTestServer {
  url: string;
  close(): Promise<void>;
  received: ReceivedRequest[];
  setRunState(runId: string, state: string, tasks?: TaskState[]): void;
  /** Stored state, for assertions. */
  pipelines: StoredPipeline[];
  runs: StoredRun[];
  experiments: StoredExperiment[];
}

interface StoredVersion {
  pipeline_id: string;
  pipeline_version_id: string;
  name: string;
  display_name: string;
  description?: string;
  created_at: string;
  spec: PipelineSpec;
  raw: string;
}
interface StoredPipeline {
  pipeline_id: string;
  name: string;
  display_name: string;
  description?: string;
  namespace: string;
  created_at: string;
  versions: StoredVersion[];
}
interface StoredExperiment {
  experiment_id: string;
  display_name: string;
  description?: string;
  namespace: string;
  created_at: string;
  storage_state: string;
}
interface StoredRun {
  run_id: string;
  display_name: string;
  experiment_id: string;
  namespace: string;
  state: string;
  created_at: string;
  finished_at?: string;
  pipeline_version_reference: { pipeline_id: string; pipeline_version_id: string };
  runtime_config: { parameters: Record<string, unknown>; pipeline_root?: string };
  service_account?: string;
  tasks: TaskState[];
  taskNames: string[];
  storage_state: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly plain = false,
  ) {
    super(message);
  }
}

/** The upload handler's own error body (backend/src/apiserver/server/pipeline_upload_server.go). */
class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: string,
    readonly json = true,
  ) {
    super(message);
  }
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 200;

const GRPC_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 412: 9, 415: 3, 500: 13 };
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED']);
const RUN_STATES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'SKIPPED', 'FAILED', 'CANCELING', 'CANCELED', 'PAUSED'];
const DEFAULT_NAMESPACE = 'kubeflow';

export async function startKfpTestServer(options: KfpTestServerOptions = {}): Promise<KfpTestServer> {
  const prefix = (options.pathPrefix ?? '').replace(/\/+$/, '');
  const received: ReceivedRequest[] = [];
  const pipelines: StoredPipeline[] = [];
  const experiments: StoredExperiment[] = [];
  const runs: StoredRun[] = [];
  let clock = Date.parse('2025-01-01T00:00:00Z');
  const now = () => new Date((clock += 1000)).toISOString();

  const setRunState = (runId: string, state: string, tasks?: TaskState[]) => {
    const run = runs.find((r) => r.run_id === runId);
    if (!run) throw new Error(`setRunState: no run ${runId}`);
    if (!RUN_STATES.includes(state)) throw new Error(`setRunState: ${state} is not a KFP runtime state (${RUN_STATES.join(', ')})`);
    run.state = state;
    if (tasks) run.tasks = tasks;
    if (['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED'].includes(state)) run.finished_at = now();
  };

  const advance = (run: StoredRun) => {
    if (run.state === 'CANCELING') {
      setRunState(run.run_id, 'CANCELED');
    } else if (run.state === 'PENDING') {
      setRunState(
        run.run_id,
        'RUNNING',
        run.taskNames.map((name, i) => ({ name, state: i === 0 ? 'RUNNING' : 'PENDING' })),
      );
    } else if (run.state === 'RUNNING') {
      const next = run.tasks.findIndex((t) => t.state !== 'SUCCEEDED');
      if (next === -1) {
        setRunState(run.run_id, 'SUCCEEDED');
        return;
      }
      if (run.tasks[next].name === options.failTask) {
        run.tasks[next].state = 'FAILED';
        setRunState(run.run_id, 'FAILED');
        return;
      }
      run.tasks[next].state = 'SUCCEEDED';
      if (run.tasks[next + 1]) run.tasks[next + 1].state = 'RUNNING';
      else setRunState(run.run_id, 'SUCCEEDED');
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const record: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')])),
        contentType: String(req.headers['content-type'] ?? ''),
        status: 0,
      };
      const isControl = url.pathname.startsWith('/__test__/');
      if (!isControl) received.push(record);
      handle(req, url, Buffer.concat(chunks), record)
        .then((result) => send(res, record, 200, result))
        .catch((error: unknown) => {
          if (error instanceof UploadError) {
            // Errors before the handler sets its content type go out as Go sniffs them: text/plain.
            return send(
              res,
              record,
              error.status,
              { error_message: error.message, error_details: error.details },
              undefined,
              error.json ? 'application/json' : 'text/plain; charset=utf-8',
            );
          }
          if (error instanceof BodyRejectedError) return send(res, record, 400, { code: 3, message: error.message, details: [] });
          if (error instanceof HttpError) {
            if (error.plain) return send(res, record, error.status, undefined, error.message);
            return send(res, record, error.status, { code: GRPC_CODES[error.status] ?? 2, message: error.message, details: [] });
          }
          send(res, record, 500, { code: 13, message: String(error), details: [] });
        });
    });
  });

  function send(res: http.ServerResponse, record: ReceivedRequest, status: number, json?: unknown, plain?: string, contentType = 'application/json'): void {
    record.status = status;
    if (plain !== undefined) {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${plain}\n`);
      return;
    }
    res.writeHead(status, { 'content-type': contentType });
    res.end(JSON.stringify(json ?? {}));
  }

  async function handle(req: http.IncomingMessage, url: URL, raw: Buffer, record: ReceivedRequest): Promise<unknown> {
    const method = req.method ?? 'GET';
    let path = url.pathname;
    if (path.startsWith('/__test__/')) return control(method, path, raw);
    if (prefix) {
      if (!path.startsWith(`${prefix}/`)) throw new HttpError(404, '404 page not found', true);
      path = path.slice(prefix.length);
    }
    const match = /^\/apis\/v2beta1(\/.*)$/.exec(path);
    if (!match) throw new HttpError(404, '404 page not found', true);
    const route = match[1];
    const query = withPageToken(url.searchParams);
    checkAuth(req);

    const contentType = String(req.headers['content-type'] ?? '');
    const jsonBody = (): Record<string, unknown> => {
      if (!/^application\/json\b/.test(contentType))
        throw new HttpError(415, `Unsupported Media Type: the request body must be application/json, got "${contentType || 'none'}"`);
      try {
        const parsed = JSON.parse(raw.toString('utf8'));
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        record.body = parsed;
      } catch (error) {
        throw new HttpError(400, `invalid JSON body: ${(error as Error).message}`);
      }
      return record.body as Record<string, unknown>;
    };
    /** A body as grpc-gateway reads it into the request message (unknown fields refused). */
    const messageBody = (definition: string): Record<string, unknown> => {
      const body = jsonBody();
      checkRequestBody(definition, body);
      return body;
    };
    const page = <T, J>(list: T[], toJson: (item: T) => J): { items: J[]; total_size: number; next_page_token?: string } => paginate(list, query, toJson);
    const namespaceOf = (value: unknown): string => {
      const namespace = typeof value === 'string' && value ? value : undefined;
      if (options.multiUser && !namespace) throw new HttpError(400, 'Invalid input error: In multi-user mode, a namespace must be specified');
      const effective = namespace ?? DEFAULT_NAMESPACE;
      const allowed = options.requireAuth?.namespaces;
      if (allowed && !allowed.includes(effective)) throw new HttpError(403, `PermissionDenied: user is not authorized to access namespace "${effective}"`);
      return effective;
    };

    if (method === 'GET' && route === '/healthz') return { commit_sha: 'test', tag_name: '2.5.0', multi_user: Boolean(options.multiUser) };

    if (route === '/pipelines/upload' || route === '/pipelines/upload_version') {
      if (method !== 'POST') throw new HttpError(405, 'Method Not Allowed', true);
      const isPipeline = route === '/pipelines/upload';
      const what = isPipeline ? 'a pipeline and a pipeline version' : 'a pipeline version';
      const upload = await parseUpload(req, raw, record, isPipeline);
      const name = query.get('name') || query.get('display_name') || upload.filename.replace(/\.(ya?ml|json)$/i, '');
      const displayName = query.get('display_name') || name;
      if (options.kubernetesPipelineStore && (!DNS1123_SUBDOMAIN.test(name) || name.length > 253)) {
        const message = `Failed to create ${what}: InternalServerError: Failed to create ${what} in the Kubernetes API: Pipeline${isPipeline ? '' : 'Version'}.pipelines.kubeflow.org "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
        throw new UploadError(500, message, message);
      }
      if (isPipeline) {
        const namespace = namespaceOf(query.get('namespace'));
        if (pipelines.some((p) => p.name === name && p.namespace === namespace)) {
          const message = `Failed to create a pipeline and a pipeline version. The pipeline already exists.: Failed to create a pipeline and a pipeline version: Already exist error: Failed to create a new pipeline. The name ${name} already exist. Please specify a new name`;
          throw new UploadError(409, message, message);
        }
        const created = now();
        const pipeline: StoredPipeline = {
          pipeline_id: randomUUID(),
          name,
          display_name: displayName,
          description: query.get('description') ?? undefined,
          namespace,
          created_at: created,
          versions: [],
        };
        pipeline.versions.push({
          pipeline_id: pipeline.pipeline_id,
          pipeline_version_id: randomUUID(),
          name,
          display_name: displayName,
          created_at: created,
          spec: upload.spec,
          raw: upload.text,
        });
        pipelines.push(pipeline);
        return pipelineJson(pipeline);
      }
      const pipelineId = query.get('pipelineid');
      if (!pipelineId)
        throw new UploadError(
          400,
          'Failed to create a pipeline version due to error reading pipeline id',
          'Failed to create a pipeline version due to error reading pipeline id',
          false,
        );
      const pipeline = findPipeline(pipelineId);
      if (pipeline.versions.some((v) => v.name === name)) {
        const message = `Failed to create a pipeline version. The pipeline already exists.: Failed to create a pipeline version: Already exist error: Failed to create a new pipeline version. The name ${name} already exist. Please specify a new name`;
        throw new UploadError(409, message, message);
      }
      const version: StoredVersion = {
        pipeline_id: pipeline.pipeline_id,
        pipeline_version_id: randomUUID(),
        name,
        display_name: displayName,
        description: query.get('description') ?? undefined,
        created_at: now(),
        spec: upload.spec,
        raw: upload.text,
      };
      pipeline.versions.push(version);
      return versionJson(version);
    }

    if (route === '/pipelines' && method === 'GET') {
      const namespace = namespaceOf(query.get('namespace'));
      const filter = parseFilter(query.get('filter'));
      const list = pipelines.filter(
        (p) => p.namespace === namespace && filter((key) => (key === 'display_name' ? p.display_name : key === 'name' ? p.name : undefined)),
      );
      const { items, ...rest } = page(sortByCreated(list, query.get('sort_by')), pipelineJson);
      return { pipelines: items, ...rest };
    }
    let m = /^\/pipelines\/names\/([^/]+)$/.exec(route);
    if (m && method === 'GET') {
      const namespace = namespaceOf(query.get('namespace'));
      const name = decodeURIComponent(m[1]);
      const found = pipelines.find((p) => p.name === name && p.namespace === namespace);
      if (!found) throw new HttpError(404, `Failed to get a pipeline by name: ResourceNotFoundError: Pipeline ${name} not found`);
      return pipelineJson(found);
    }
    m = /^\/pipelines\/([^/]+)$/.exec(route);
    if (m) {
      const pipeline = findPipeline(decodeURIComponent(m[1]));
      if (method === 'GET') return pipelineJson(pipeline);
      if (method === 'DELETE') {
        if (pipeline.versions.length && query.get('cascade') !== 'true') {
          throw new HttpError(
            400,
            `Failed to delete pipeline ${pipeline.pipeline_id}. Pipeline has ${pipeline.versions.length} existing pipeline versions. Delete the versions first`,
          );
        }
        pipelines.splice(pipelines.indexOf(pipeline), 1);
        return {};
      }
    }
    m = /^\/pipelines\/([^/]+)\/versions$/.exec(route);
    if (m && method === 'GET') {
      const pipeline = findPipeline(decodeURIComponent(m[1]));
      const { items, ...rest } = page(sortByCreated(pipeline.versions, query.get('sort_by')), versionJson);
      return { pipeline_versions: items, ...rest };
    }
    m = /^\/pipelines\/([^/]+)\/versions\/([^/]+)$/.exec(route);
    if (m) {
      const pipeline = findPipeline(decodeURIComponent(m[1]));
      const version = pipeline.versions.find((v) => v.pipeline_version_id === decodeURIComponent(m![2]));
      if (!version) throw new HttpError(404, `Failed to get pipeline version: ResourceNotFoundError: PipelineVersion ${m[2]} not found`);
      if (method === 'GET') return versionJson(version);
      if (method === 'DELETE') {
        pipeline.versions.splice(pipeline.versions.indexOf(version), 1);
        return {};
      }
    }

    if (route === '/experiments') {
      if (method === 'GET') {
        const namespace = namespaceOf(query.get('namespace'));
        const filter = parseFilter(query.get('filter'));
        const list = experiments.filter(
          (e) => e.namespace === namespace && filter((key) => (key === 'display_name' || key === 'name' ? e.display_name : undefined)),
        );
        const { items, ...rest } = page(sortByCreated(list, query.get('sort_by')), experimentJson);
        return { experiments: items, ...rest };
      }
      if (method === 'POST') {
        const body = messageBody('v2beta1Experiment');
        if (typeof body.display_name !== 'string' || !body.display_name.trim())
          throw new HttpError(400, 'Invalid input error: Experiment name is empty. Please specify a valid experiment name');
        const namespace = namespaceOf(body.namespace);
        if (experiments.some((e) => e.display_name === body.display_name && e.namespace === namespace)) {
          throw new HttpError(409, `Failed to create a new experiment: Already exist error: Experiment with name ${body.display_name} already exists`);
        }
        const experiment: StoredExperiment = {
          experiment_id: randomUUID(),
          display_name: body.display_name,
          description: typeof body.description === 'string' ? body.description : undefined,
          namespace,
          created_at: now(),
          storage_state: 'AVAILABLE',
        };
        experiments.push(experiment);
        return experimentJson(experiment);
      }
    }
    m = /^\/experiments\/([^/:]+)$/.exec(route);
    if (m && (method === 'GET' || method === 'DELETE')) {
      const experiment = experiments.find((e) => e.experiment_id === decodeURIComponent(m![1]));
      if (!experiment)
        throw new HttpError(404, `Failed to ${method === 'GET' ? 'get' : 'delete'} experiment: ResourceNotFoundError: Experiment ${m[1]} not found`);
      checkNamespace(experiment.namespace);
      if (method === 'GET') return experimentJson(experiment);
      experiments.splice(experiments.indexOf(experiment), 1);
      return {};
    }

    if (route === '/runs') {
      if (method === 'POST') return createRun(messageBody('v2beta1Run'));
      if (method === 'GET') {
        const experimentId = query.get('experiment_id');
        let list: StoredRun[];
        if (experimentId) {
          const experiment = experiments.find((e) => e.experiment_id === experimentId);
          if (!experiment) throw new HttpError(404, `Failed to list runs: ResourceNotFoundError: Experiment ${experimentId} not found`);
          checkNamespace(experiment.namespace);
          list = runs.filter((r) => r.experiment_id === experimentId);
        } else {
          const namespace = namespaceOf(query.get('namespace'));
          list = runs.filter((r) => r.namespace === namespace);
        }
        const { items, ...rest } = page(sortByCreated(list, query.get('sort_by')), runJson);
        return { runs: items, ...rest };
      }
    }
    m = /^\/runs\/([^/:]+)(?::(terminate|archive|unarchive|retry))?$/.exec(route);
    if (m) {
      const action = m[2];
      const run = runs.find((r) => r.run_id === decodeURIComponent(m![1]));
      const verb = action ?? (method === 'DELETE' ? 'delete' : 'get');
      if (!run) throw new HttpError(404, `Failed to ${verb} a run: ResourceNotFoundError: Run ${m[1]} not found`);
      checkNamespace(run.namespace);
      if (!action && method === 'GET') {
        const json = runJson(run);
        if (options.autoAdvanceRuns) advance(run);
        return json;
      }
      if (!action && method === 'DELETE') {
        runs.splice(runs.indexOf(run), 1);
        return {};
      }
      if (action === 'terminate' && method === 'POST') {
        // The API server marks the run CANCELING and tells Argo to stop it; the persistence agent
        // then reports CANCELED. Tasks still pending or running are canceled with it.
        if (!TERMINAL.has(run.state)) {
          run.state = 'CANCELING';
          run.tasks = run.tasks.map((t) => (TERMINAL.has(t.state) ? t : { ...t, state: 'CANCELED' }));
        }
        return {};
      }
      if ((action === 'archive' || action === 'unarchive') && method === 'POST') {
        run.storage_state = action === 'archive' ? 'ARCHIVED' : 'AVAILABLE';
        return {};
      }
    }
    throw new HttpError(404, '404 page not found', true);
  }

  function createRun(body: Record<string, unknown>): unknown {
    if (typeof body.display_name !== 'string' || !body.display_name.trim())
      throw new HttpError(400, 'Invalid input error: The run name is empty. Please specify a valid name');
    const reference = body.pipeline_version_reference as { pipeline_id?: string; pipeline_version_id?: string } | undefined;
    if (!reference?.pipeline_id && !body.pipeline_spec)
      throw new HttpError(
        400,
        'Invalid input error: Run must have either a pipeline spec or a pipeline version reference (pipeline_version_reference.pipeline_id)',
      );
    if (body.pipeline_spec) throw new HttpError(400, 'The test server accepts runs of uploaded pipelines only (pipeline_version_reference)');
    const pipeline = findPipeline(reference!.pipeline_id!);
    const version = reference!.pipeline_version_id
      ? pipeline.versions.find((v) => v.pipeline_version_id === reference!.pipeline_version_id)
      : sortByCreated(pipeline.versions, 'created_at desc')[0];
    if (!version)
      throw new HttpError(404, `Failed to create a run: ResourceNotFoundError: PipelineVersion ${reference!.pipeline_version_id ?? '(latest)'} not found`);
    let experiment: StoredExperiment | undefined;
    if (body.experiment_id !== undefined) {
      experiment = experiments.find((e) => e.experiment_id === body.experiment_id);
      if (!experiment) throw new HttpError(404, `Failed to create a run: ResourceNotFoundError: Experiment ${String(body.experiment_id)} not found`);
    } else {
      experiment = experiments.find((e) => e.display_name === 'Default' && e.namespace === pipeline.namespace);
      if (!experiment) {
        experiment = { experiment_id: randomUUID(), display_name: 'Default', namespace: pipeline.namespace, created_at: now(), storage_state: 'AVAILABLE' };
        experiments.push(experiment);
      }
    }
    checkNamespace(experiment.namespace);
    const runtime = (body.runtime_config ?? {}) as { parameters?: Record<string, unknown>; pipeline_root?: unknown };
    const declared = version.spec.root.inputDefinitions?.parameters ?? {};
    for (const [key, value] of Object.entries(runtime.parameters ?? {})) {
      const definition = declared[key];
      if (!definition)
        throw new HttpError(
          400,
          `Invalid input error: parameter "${key}" is not an input of the pipeline (inputs: ${Object.keys(declared).join(', ') || 'none'})`,
        );
      if (!fitsType(value, definition.parameterType))
        throw new HttpError(400, `Invalid input error: parameter "${key}" must be ${definition.parameterType}, got ${JSON.stringify(value)}`);
    }
    for (const [key, definition] of Object.entries(declared)) {
      if (!definition.isOptional && definition.defaultValue === undefined && !(key in (runtime.parameters ?? {})))
        throw new HttpError(400, `Invalid input error: required parameter "${key}" has no value`);
    }
    if (runtime.pipeline_root !== undefined && (typeof runtime.pipeline_root !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\//i.test(runtime.pipeline_root))) {
      throw new HttpError(
        400,
        `Invalid input error: pipeline_root "${String(runtime.pipeline_root)}" must be a URI such as gs://bucket/path or minio://mlpipeline/v2/artifacts`,
      );
    }
    const tasks = version.spec.root.dag?.tasks ?? {};
    const run: StoredRun = {
      run_id: randomUUID(),
      display_name: body.display_name,
      experiment_id: experiment.experiment_id,
      namespace: experiment.namespace,
      state: 'PENDING',
      created_at: now(),
      pipeline_version_reference: { pipeline_id: pipeline.pipeline_id, pipeline_version_id: version.pipeline_version_id },
      runtime_config: { parameters: runtime.parameters ?? {}, ...(typeof runtime.pipeline_root === 'string' ? { pipeline_root: runtime.pipeline_root } : {}) },
      ...(typeof body.service_account === 'string' ? { service_account: body.service_account } : {}),
      tasks: [],
      taskNames: topologicalTaskNames(tasks),
      storage_state: 'AVAILABLE',
    };
    runs.push(run);
    return runJson(run);
  }

  function checkAuth(req: http.IncomingMessage): void {
    const required = options.requireAuth;
    if (!required || (!required.bearer && !required.cookie)) return;
    const authorization = String(req.headers.authorization ?? '');
    const cookies = String(req.headers.cookie ?? '')
      .split(';')
      .map((c) => c.trim())
      .filter(Boolean);
    const bearerOk = required.bearer !== undefined && authorization === `Bearer ${required.bearer}`;
    const cookieOk = required.cookie !== undefined && cookies.includes(required.cookie.trim());
    if (!bearerOk && !cookieOk) throw new HttpError(401, authorization || cookies.length ? 'Jwt verification fails' : 'Jwt is missing', true);
  }

  function checkNamespace(namespace: string): void {
    const allowed = options.requireAuth?.namespaces;
    if (allowed && !allowed.includes(namespace)) throw new HttpError(403, `PermissionDenied: user is not authorized to access namespace "${namespace}"`);
  }

  function findPipeline(id: string): StoredPipeline {
    const pipeline = pipelines.find((p) => p.pipeline_id === id);
    if (!pipeline) throw new HttpError(404, `Failed to get pipeline: ResourceNotFoundError: Pipeline ${id} not found`);
    checkNamespace(pipeline.namespace);
    return pipeline;
  }

  async function control(method: string, path: string, raw: Buffer): Promise<unknown> {
    if (method === 'GET' && path === '/__test__/received') return { received };
    const m = /^\/__test__\/runs\/([^/]+)\/state$/.exec(path);
    if (m && method === 'POST') {
      const body = JSON.parse(raw.toString('utf8') || '{}') as { state: string; tasks?: TaskState[] };
      try {
        setRunState(decodeURIComponent(m[1]), body.state, body.tasks);
      } catch (error) {
        throw new HttpError(400, (error as Error).message);
      }
      return {};
    }
    throw new HttpError(404, '404 page not found', true);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    received,
    setRunState,
    pipelines,
    runs,
    experiments,
  };
}

async function parseUpload(
  req: http.IncomingMessage,
  raw: Buffer,
  record: ReceivedRequest,
  isPipeline: boolean,
): Promise<{ filename: string; text: string; spec: PipelineSpec }> {
  const contentType = String(req.headers['content-type'] ?? '');
  // Go's r.FormFile: anything but a multipart body with the field is "http: no such file" / a parse error.
  const readError = isPipeline ? 'Failed to read pipeline from file' : 'Failed to create a pipeline version due to error parsing pipeline spec filename';
  const plain = (message: string) => new UploadError(400, message, message, false);
  if (!/^multipart\/form-data\b/.test(contentType)) throw plain(`${readError}: request Content-Type isn't multipart/form-data`);
  let form: FormData;
  try {
    // The WHATWG parser in Node's fetch implementation: strict about boundaries and part headers.
    form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  } catch (error) {
    throw plain(`${readError}: ${(error as Error).message}`);
  }
  const fields: Record<string, string> = {};
  const files: { field: string; filename: string; contentType: string; text: string }[] = [];
  const entries: [string, FormDataEntryValue][] = [];
  form.forEach((value, field) => entries.push([field, value]));
  for (const [field, value] of entries) {
    if (typeof value === 'string') fields[field] = value;
    else files.push({ field, filename: value.name, contentType: value.type, text: await value.text() });
  }
  record.body = { fields, files };
  const file = files.find((f) => f.field === 'uploadfile');
  if (!file) throw plain(`${readError}: http: no such file`);
  const fileError = isPipeline ? 'Failed to read a pipeline spec file' : 'Failed to create a pipeline version due to error reading pipeline spec file';
  if (Buffer.byteLength(file.text) > 32 * 1024 * 1024)
    throw plain(`${fileError}: Error read pipeline file: File size too large. Maximum supported size: 33554432`);
  if (!/\.(ya?ml|json)$/i.test(file.filename))
    throw plain(`${fileError}: Invalid input error: Unexpected pipeline file format. Support .zip, .tar.gz, .json or YAML`);
  try {
    const { spec } = parsePipelineUpload(file.text);
    return { filename: file.filename, text: file.text, spec: spec as unknown as PipelineSpec };
  } catch (error) {
    if (!(error instanceof SpecRejectedError)) throw error;
    const what = isPipeline ? 'a pipeline and a pipeline version' : 'a pipeline version';
    const message = error.template
      ? `Failed to create ${what}: Failed to create ${what} due to template creation error: ${error.message}`
      : `Failed to create ${what}: ${error.message}`;
    throw new UploadError(500, message, `${message}\n${error.details}`);
  }
}

interface PageToken {
  offset: number;
  filter: string | null;
  sort_by: string | null;
}

/**
 * KFP's list paging (backend/src/apiserver/list): page_size 0 → 20, above 200 → 200, negative
 * refused; next_page_token is opaque, carries the first request's filter and sort order (later
 * requests send only the token), is empty on the last page; total_size counts every match.
 */
function withPageToken(params: URLSearchParams): URLSearchParams {
  const token = params.get('page_token');
  if (!token) return params;
  let decoded: PageToken;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as PageToken;
    if (!Number.isInteger(decoded.offset)) throw new Error('no offset');
  } catch {
    throw new HttpError(400, `Invalid input error: Invalid page token: failed to decode "${token}"`);
  }
  const query = new URLSearchParams(params);
  for (const key of ['filter', 'sort_by'] as const) {
    query.delete(key);
    if (decoded[key] !== null) query.set(key, decoded[key]!);
  }
  query.set('__offset', String(decoded.offset));
  return query;
}

function paginate<T, J>(list: T[], query: URLSearchParams, toJson: (item: T) => J): { items: J[]; total_size: number; next_page_token?: string } {
  const requested = Number(query.get('page_size') ?? 0);
  if (!Number.isInteger(requested)) throw new BodyRejectedError(`proto: invalid value for int32 field page_size: ${JSON.stringify(query.get('page_size'))}`);
  if (requested < 0) throw new HttpError(400, `Invalid input error: The page size should be greater than 0. Got "${requested}"`);
  const size = requested === 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
  const offset = Number(query.get('__offset') ?? 0);
  const items = list.slice(offset, offset + size).map(toJson);
  const next: PageToken = { offset: offset + size, filter: query.get('filter'), sort_by: query.get('sort_by') };
  return { items, total_size: list.length, ...(next.offset < list.length ? { next_page_token: Buffer.from(JSON.stringify(next)).toString('base64') } : {}) };
}

/** KFP's filter.proto as JSON: predicates with operation EQUALS / IS_SUBSTRING on string values. */
function parseFilter(text: string | null): (field: (key: string) => string | undefined) => boolean {
  if (!text) return () => true;
  let filter: { predicates?: { key?: string; operation?: string | number; op?: string | number; string_value?: string; stringValue?: string }[] };
  try {
    filter = JSON.parse(text);
  } catch {
    throw new HttpError(400, `Invalid input error: failed to parse the filter: ${text}`);
  }
  const predicates = filter.predicates ?? [];
  for (const p of predicates) {
    const op = p.operation ?? p.op;
    if (!p.key || !['EQUALS', 1, 'IS_SUBSTRING', 9].includes(op as string | number))
      throw new HttpError(400, `Invalid input error: unsupported filter predicate ${JSON.stringify(p)}`);
  }
  return (field) =>
    predicates.every((p) => {
      const value = field(p.key!);
      const wanted = p.string_value ?? p.stringValue ?? '';
      const op = p.operation ?? p.op;
      return op === 'EQUALS' || op === 1 ? value === wanted : (value ?? '').includes(wanted);
    });
}

/** Display names of the DAG's tasks, producers first (the order a run executes them). */
function topologicalTaskNames(tasks: Record<string, IrTask>): string[] {
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name) || !tasks[name]) return;
    for (const dependency of tasks[name].dependentTasks ?? []) visit(dependency);
    order.push(name);
  };
  Object.keys(tasks).forEach(visit);
  return order.map((name) => tasks[name].taskInfo.name);
}

function sortByCreated<T extends { created_at: string }>(list: T[], sortBy: string | null): T[] {
  const sorted = [...list].sort((a, b) => a.created_at.localeCompare(b.created_at));
  return sortBy && /\bdesc$/.test(sortBy) ? sorted.reverse() : sorted;
}

function fitsType(value: unknown, type: string): boolean {
  switch (type) {
    case 'STRING':
      return typeof value === 'string';
    case 'NUMBER_INTEGER':
      return typeof value === 'number' && Number.isInteger(value);
    case 'NUMBER_DOUBLE':
      return typeof value === 'number';
    case 'BOOLEAN':
      return typeof value === 'boolean';
    case 'LIST':
      return Array.isArray(value);
    case 'STRUCT':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    default:
      return true;
  }
}

const pipelineJson = (p: StoredPipeline) => ({
  pipeline_id: p.pipeline_id,
  name: p.name,
  display_name: p.display_name,
  description: p.description,
  created_at: p.created_at,
  namespace: p.namespace,
});
const versionJson = (v: StoredVersion) => ({
  pipeline_id: v.pipeline_id,
  pipeline_version_id: v.pipeline_version_id,
  name: v.name,
  display_name: v.display_name,
  description: v.description,
  created_at: v.created_at,
  pipeline_spec: v.spec,
});
const experimentJson = (e: StoredExperiment) => ({
  experiment_id: e.experiment_id,
  display_name: e.display_name,
  description: e.description,
  created_at: e.created_at,
  namespace: e.namespace,
  storage_state: e.storage_state,
});
const runJson = (r: StoredRun) => ({
  run_id: r.run_id,
  display_name: r.display_name,
  experiment_id: r.experiment_id,
  state: r.state,
  created_at: r.created_at,
  ...(r.finished_at ? { finished_at: r.finished_at } : {}),
  pipeline_version_reference: r.pipeline_version_reference,
  runtime_config: r.runtime_config,
  storage_state: r.storage_state,
  ...(r.service_account ? { service_account: r.service_account } : {}),
  run_details: { task_details: r.tasks.map((t, i) => ({ run_id: r.run_id, task_id: `${r.run_id}-task-${i}`, display_name: t.name, state: t.state })) },
});

/** `node -r tsx/cjs src/testing/kfp-test-server.ts --port 8888 --path-prefix /pipeline --bearer T` */
async function cli(argv: string[]): Promise<void> {
  const options: KfpTestServerOptions = {};
  const auth: NonNullable<KfpTestServerOptions['requireAuth']> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--port') options.port = Number(value());
    else if (flag === '--path-prefix') options.pathPrefix = value();
    else if (flag === '--bearer') auth.bearer = value();
    else if (flag === '--cookie') auth.cookie = value();
    else if (flag === '--namespace') (auth.namespaces ??= []).push(value());
    else if (flag === '--multi-user') options.multiUser = true;
    else if (flag === '--kubernetes-store') options.kubernetesPipelineStore = true;
    else if (flag === '--auto-advance') options.autoAdvanceRuns = true;
    else if (flag === '--fail-task') options.failTask = value();
    else
      throw new Error(
        `Unknown option ${flag}. Options: --port N --path-prefix /pipeline --bearer T --cookie name=value --namespace ns --multi-user --kubernetes-store --auto-advance --fail-task <task display name>`,
      );
  }
  if (auth.bearer ?? process.env.KFP_TEST_SERVER_BEARER) auth.bearer ??= process.env.KFP_TEST_SERVER_BEARER;
  if (auth.cookie ?? process.env.KFP_TEST_SERVER_COOKIE) auth.cookie ??= process.env.KFP_TEST_SERVER_COOKIE;
  if (auth.bearer || auth.cookie || auth.namespaces) options.requireAuth = auth;
  const server = await startKfpTestServer(options);
  console.log(`KFP_TEST_SERVER_URL=${server.url}`);
  const stop = () => {
    server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  cli(process.argv.slice(2)).catch((error) => {
    console.error(`kfp-test-server: ${(error as Error).message}`);
    process.exit(2);
  });
}
