import { UserError } from '../../util/errors';
import { AuthOptions, KfpAuth } from './auth';
import { kfpPipelineName } from './names';

/**
 * A client for the KFP API server's REST API v2beta1 (what the KFP SDK's kfp.Client calls), on
 * Node's fetch. Every failure becomes a KfpApiError whose code the CLI, deploy() and the JupyterLab
 * bridge share, with a message saying what happened and a hint saying what to do. Lists follow
 * next_page_token to the end; errors are read in both of the server's shapes (the upload handler's
 * `{error_message, error_details}`, grpc-gateway's `{code, message, details}`); pipelines and
 * versions are stored under a DNS-1123 name (a KFP with the Kubernetes pipeline store refuses
 * others) with the user's name as display name.
 */

export type KfpErrorCode = 'UNREACHABLE' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'INVALID_SPEC' | 'KFP_ERROR';

export class KfpApiError extends UserError {
  constructor(
    readonly code: KfpErrorCode,
    readonly summary: string,
    readonly hintText: string,
    readonly status?: number,
  ) {
    super(summary, hintText);
    this.name = 'KfpApiError';
  }
}

export interface KfpConnectionOptions extends AuthOptions {
  /** e.g. http://localhost:8080 (port-forward), https://<host>/pipeline (dashboard), http://ml-pipeline.kubeflow:8888 (in cluster). */
  endpoint: string;
  /** Kubeflow profile namespace (multi-user Kubeflow). */
  namespace?: string;
  timeoutMs?: number;
}

export interface KfpPipeline {
  pipeline_id: string;
  display_name?: string;
  name?: string;
  description?: string;
  created_at?: string;
  namespace?: string;
}
export interface KfpPipelineVersion {
  pipeline_id: string;
  pipeline_version_id: string;
  display_name?: string;
  name?: string;
  description?: string;
  created_at?: string;
  pipeline_spec?: unknown;
}
export interface KfpExperiment {
  experiment_id: string;
  display_name: string;
  description?: string;
  namespace?: string;
  created_at?: string;
}
export type RuntimeState = 'RUNTIME_STATE_UNSPECIFIED' | 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'SKIPPED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'PAUSED';
export interface KfpTaskDetail {
  task_id?: string;
  display_name?: string;
  state?: RuntimeState;
  create_time?: string;
  start_time?: string;
  end_time?: string;
  error?: { message?: string };
}
export interface KfpRun {
  run_id: string;
  display_name: string;
  experiment_id?: string;
  state?: RuntimeState;
  created_at?: string;
  finished_at?: string;
  pipeline_version_reference?: { pipeline_id?: string; pipeline_version_id?: string };
  runtime_config?: { parameters?: Record<string, unknown>; pipeline_root?: string };
  run_details?: { task_details?: KfpTaskDetail[] };
  /** Set when the run was created from an inline spec instead of a pipeline version. */
  pipeline_spec?: unknown;
  error?: { message?: string };
}
export interface CreateRunRequest {
  displayName: string;
  pipelineId: string;
  pipelineVersionId?: string;
  experimentId?: string;
  parameters?: Record<string, unknown>;
  pipelineRoot?: string;
  serviceAccount?: string;
  description?: string;
}

export const TERMINAL_RUN_STATES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'SKIPPED']);
const API = '/apis/v2beta1';
const PREFIX_HINT =
  "check the endpoint's path prefix: through the Kubeflow dashboard (public URL) the API lives under /pipeline, e.g. https://<host>/pipeline; " +
  'in the cluster or through `kubectl port-forward svc/ml-pipeline-ui 8080:80` use the URL without it, e.g. http://ml-pipeline.kubeflow.svc.cluster.local:8888 or http://localhost:8080.';

/** Pages asked for when listing (KFP's default is 20, its maximum 200). */
const PAGE_SIZE = 100;

interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: FormData;
  /** What the request is about, for messages ("pipeline abc", "run 123"). */
  what: string;
  /** Upload requests: a 400 means the spec was refused. */
  uploadsSpec?: boolean;
}

export class KfpClient {
  readonly endpoint: string;
  readonly namespace?: string;
  readonly auth: KfpAuth;
  private readonly timeoutMs: number;

  constructor(options: KfpConnectionOptions) {
    this.endpoint = normalizeEndpoint(options?.endpoint);
    this.namespace = options.namespace?.trim() || undefined;
    this.auth = KfpAuth.resolve(options);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The KFP UI page of a run. */
  runUrl(runId: string): string {
    return `${this.endpoint}/#/runs/details/${runId}`;
  }

  healthz(): Promise<{ commit_sha?: string; tag_name?: string; multi_user?: boolean }> {
    return this.request('GET', `${API}/healthz`, { what: 'the API server health' });
  }

  async uploadPipeline(specYaml: string, options: { name: string; description?: string }): Promise<KfpPipeline> {
    return this.request('POST', `${API}/pipelines/upload`, {
      query: { name: kfpPipelineName(options.name), display_name: options.name, description: options.description, namespace: this.namespace },
      form: specForm(specYaml, options.name),
      what: `pipeline "${options.name}"`,
      uploadsSpec: true,
    });
  }

  async uploadPipelineVersion(specYaml: string, options: { pipelineId: string; name: string; description?: string }): Promise<KfpPipelineVersion> {
    return this.request('POST', `${API}/pipelines/upload_version`, {
      query: { pipelineid: options.pipelineId, name: kfpPipelineName(options.name), display_name: options.name, description: options.description },
      form: specForm(specYaml, options.name),
      what: `a new version of pipeline ${options.pipelineId}`,
      uploadsSpec: true,
    });
  }

  /** Every pipeline (or those whose display name is `name`), newest first. */
  async listPipelines(options: { name?: string; pageSize?: number } = {}): Promise<KfpPipeline[]> {
    return this.listAll<KfpPipeline>(
      `${API}/pipelines`,
      'pipelines',
      {
        query: { namespace: this.namespace, filter: displayNameFilter(options.name), sort_by: 'created_at desc' },
        what: 'pipelines',
      },
      options.pageSize,
    );
  }

  async findPipelineByName(name: string): Promise<KfpPipeline | undefined> {
    return (await this.listPipelines({ name })).find((p) => (p.display_name ?? p.name) === name);
  }

  async getPipeline(pipelineId: string): Promise<KfpPipeline> {
    return this.request('GET', `${API}/pipelines/${encodeURIComponent(pipelineId)}`, { what: `pipeline ${pipelineId}` });
  }

  /** Every version, newest first. */
  async listPipelineVersions(pipelineId: string, options: { pageSize?: number } = {}): Promise<KfpPipelineVersion[]> {
    return this.listAll<KfpPipelineVersion>(
      `${API}/pipelines/${encodeURIComponent(pipelineId)}/versions`,
      'pipeline_versions',
      {
        query: { sort_by: 'created_at desc' },
        what: `versions of pipeline ${pipelineId}`,
      },
      options.pageSize,
    );
  }

  /** One version, with its pipeline_spec (what a run of it executed). */
  getPipelineVersion(pipelineId: string, versionId: string): Promise<KfpPipelineVersion> {
    return this.request('GET', `${API}/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(versionId)}`, {
      what: `pipeline version ${versionId}`,
    });
  }

  async deletePipelineVersion(pipelineId: string, versionId: string): Promise<void> {
    await this.request('DELETE', `${API}/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(versionId)}`, {
      what: `pipeline version ${versionId}`,
    });
  }

  /** KFP refuses to delete a pipeline that still has versions, so they go first. */
  async deletePipeline(pipelineId: string): Promise<number> {
    const versions = await this.listPipelineVersions(pipelineId);
    for (const version of versions) await this.deletePipelineVersion(pipelineId, version.pipeline_version_id);
    await this.request('DELETE', `${API}/pipelines/${encodeURIComponent(pipelineId)}`, { what: `pipeline ${pipelineId}` });
    return versions.length;
  }

  /** Every experiment (or those whose display name is `name`), newest first. */
  async listExperiments(options: { name?: string; pageSize?: number } = {}): Promise<KfpExperiment[]> {
    return this.listAll<KfpExperiment>(
      `${API}/experiments`,
      'experiments',
      {
        query: { namespace: this.namespace, filter: displayNameFilter(options.name), sort_by: 'created_at desc' },
        what: 'experiments',
      },
      options.pageSize,
    );
  }

  async findExperimentByName(name: string): Promise<KfpExperiment | undefined> {
    return (await this.listExperiments({ name })).find((e) => e.display_name === name);
  }

  createExperiment(name: string, description?: string): Promise<KfpExperiment> {
    return this.request('POST', `${API}/experiments`, {
      json: { display_name: name, ...(description ? { description } : {}), ...(this.namespace ? { namespace: this.namespace } : {}) },
      what: `experiment "${name}"`,
    });
  }

  async getOrCreateExperiment(name: string): Promise<KfpExperiment> {
    return (await this.findExperimentByName(name)) ?? this.createExperiment(name);
  }

  createRun(request: CreateRunRequest): Promise<KfpRun> {
    return this.request('POST', `${API}/runs`, {
      json: {
        display_name: request.displayName,
        ...(request.description ? { description: request.description } : {}),
        ...(request.experimentId ? { experiment_id: request.experimentId } : {}),
        pipeline_version_reference: {
          pipeline_id: request.pipelineId,
          ...(request.pipelineVersionId ? { pipeline_version_id: request.pipelineVersionId } : {}),
        },
        runtime_config: { parameters: request.parameters ?? {}, ...(request.pipelineRoot ? { pipeline_root: request.pipelineRoot } : {}) },
        ...(request.serviceAccount ? { service_account: request.serviceAccount } : {}),
      },
      what: `a run of pipeline ${request.pipelineId}`,
    });
  }

  getRun(runId: string): Promise<KfpRun> {
    return this.request('GET', `${API}/runs/${encodeURIComponent(runId)}`, { what: `run ${runId}` });
  }

  /** Every run (of one experiment, or of the namespace), newest first. */
  async listRuns(options: { experimentId?: string; pageSize?: number } = {}): Promise<KfpRun[]> {
    return this.listAll<KfpRun>(
      `${API}/runs`,
      'runs',
      {
        query: { namespace: options.experimentId ? undefined : this.namespace, experiment_id: options.experimentId, sort_by: 'created_at desc' },
        what: 'runs',
      },
      options.pageSize,
    );
  }

  /** Stops a run (KFP marks it CANCELING, then CANCELED once Argo has stopped its pods). */
  async terminateRun(runId: string): Promise<void> {
    await this.request('POST', `${API}/runs/${encodeURIComponent(runId)}:terminate`, { what: `run ${runId}` });
  }

  async deleteRun(runId: string): Promise<void> {
    await this.request('DELETE', `${API}/runs/${encodeURIComponent(runId)}`, { what: `run ${runId}` });
  }

  /** A list request followed through every page (next_page_token), as kfp.Client's callers must. */
  private async listAll<T>(path: string, key: string, options: RequestOptions, pageSize = PAGE_SIZE): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let token: string | undefined;
    do {
      // A page token carries the filter and sort of the first request; KFP wants only the token then.
      const query = token
        ? { ...options.query, filter: undefined, sort_by: undefined, page_token: token, page_size: pageSize }
        : { ...options.query, page_size: pageSize };
      const page = await this.request<Record<string, unknown>>('GET', path, { ...options, query });
      items.push(...((page[key] as T[] | undefined) ?? []));
      token = typeof page.next_page_token === 'string' && page.next_page_token ? page.next_page_token : undefined;
      if (token && seen.has(token))
        throw new KfpApiError(
          'KFP_ERROR',
          `KFP returned the same next_page_token twice while listing ${options.what}.`,
          'the API server or a proxy in front of it is answering the first page again; check the endpoint.',
        );
      if (token) seen.add(token);
    } while (token);
    return items;
  }

  private async request<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const url = new URL(this.endpoint + path);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json', ...this.auth.headers() };
    let body: string | FormData | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      body = options.form; // fetch sets multipart/form-data with its boundary
    }
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason =
        (error as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000} s` : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new KfpApiError(
        'UNREACHABLE',
        `Cannot reach the KFP API at ${this.endpoint} (${reason}).`,
        'check the endpoint URL and that the cluster is reachable from here (VPN, `kubectl port-forward -n kubeflow svc/ml-pipeline-ui 8080:80` then --endpoint http://localhost:8080).',
      );
    }
    const text = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    const json = contentType.includes('json') ? safeJson(text) : undefined;
    // The upload handler writes its errors before setting a content type (Go then sends text/plain),
    // so an error body is read as JSON whatever its content type says.
    const errorJson = (json ?? (response.ok ? undefined : safeJson(text))) as { error_message?: unknown; message?: unknown; error?: unknown } | undefined;
    const serverMessage = this.auth.redact(String(errorJson?.error_message ?? errorJson?.message ?? errorJson?.error ?? text.slice(0, 300)).trim());
    const where = `${method} ${url.pathname}`;

    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location') ?? '';
      throw new KfpApiError(
        'UNAUTHORIZED',
        `The KFP endpoint redirected ${where} to a login page${location ? ` (${safeHost(location)})` : ''}: the request was not authenticated (auth used: ${this.auth.describe()}).`,
        'pass credentials: --token / KFP_TOKEN (bearer), --cookie "authservice_session=..." from a logged-in browser, or a service-account token file.',
        response.status,
      );
    }
    if (response.status === 401) {
      throw new KfpApiError(
        'UNAUTHORIZED',
        `KFP refused ${where} as unauthenticated (401) with ${this.auth.describe()}.`,
        this.auth.mode === 'none'
          ? 'this endpoint needs credentials: pass --token / KFP_TOKEN, --cookie, or a service-account token file.'
          : 'the credentials were rejected: they may have expired; get a fresh token or cookie and try again.',
        401,
      );
    }
    if (response.status === 403) {
      throw new KfpApiError(
        'FORBIDDEN',
        `KFP refused ${where} (403 Forbidden) with ${this.auth.describe()}${this.namespace ? ` in namespace "${this.namespace}"` : ''}${serverMessage ? `: ${serverMessage}` : ''}.`,
        'the identity is known but lacks access: check --namespace (your Kubeflow profile) and that the profile grants you (or the service account) access to pipelines.',
        403,
      );
    }
    if (response.status === 404) {
      if (errorJson && typeof (errorJson.message ?? errorJson.error_message) === 'string' && !/^not found$/i.test(serverMessage)) {
        throw new KfpApiError(
          'NOT_FOUND',
          `KFP has no ${options.what}: ${serverMessage}.`,
          'check the id or name (tfx-ts pipeline list / tfx-ts run list).',
          404,
        );
      }
      throw new KfpApiError('NOT_FOUND', `No KFP API at ${this.endpoint} (${where} answered 404).`, PREFIX_HINT, 404);
    }
    if (response.status === 415) {
      throw new KfpApiError(
        'KFP_ERROR',
        `KFP refused the request body of ${where} as an unsupported media type (415): ${serverMessage}.`,
        'the API expects JSON bodies and multipart/form-data uploads; a proxy between here and KFP may be rewriting the request.',
        415,
      );
    }
    // The upload handler answers a spec the template parser refuses with 500 and an InvalidInputError.
    if (options.uploadsSpec && (response.status === 400 || (response.status === 500 && /Invalid ?input ?error/i.test(serverMessage)))) {
      throw new KfpApiError(
        'INVALID_SPEC',
        `KFP refused the pipeline spec for ${options.what}: ${serverMessage}.`,
        'compile with `tfx-ts pipeline compile` to see the spec; check that the KFP server is 2.x (it needs PipelineSpec IR, not Argo YAML).',
        response.status,
      );
    }
    if (response.status === 409) {
      throw new KfpApiError(
        'KFP_ERROR',
        `KFP: ${options.what} already exists (409): ${serverMessage}.`,
        'use another name, or `tfx-ts pipeline update` to upload a new version.',
        409,
      );
    }
    if (!response.ok) {
      throw new KfpApiError(
        'KFP_ERROR',
        `KFP answered ${response.status} to ${where}: ${serverMessage || response.statusText}.`,
        'see the message above; the API server logs (kubectl logs -n kubeflow deploy/ml-pipeline) say more.',
        response.status,
      );
    }
    if (text && json === undefined) {
      throw new KfpApiError(
        'NOT_FOUND',
        `${this.endpoint} answered ${where} with ${contentType || 'a non-JSON body'}, not the KFP API's JSON (a web page?).`,
        PREFIX_HINT,
        response.status,
      );
    }
    return (json ?? {}) as T;
  }

  toJSON(): { endpoint: string; namespace?: string; authMode: string } {
    return { endpoint: this.endpoint, namespace: this.namespace, authMode: this.auth.mode };
  }
}

function displayNameFilter(name: string | undefined): string | undefined {
  return name === undefined ? undefined : JSON.stringify({ predicates: [{ operation: 'EQUALS', key: 'display_name', string_value: name }] });
}

function specForm(specYaml: string, name: string): FormData {
  const form = new FormData();
  form.append('uploadfile', new Blob([specYaml], { type: 'application/x-yaml' }), `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.yaml`);
  return form;
}

export function normalizeEndpoint(endpoint: unknown): string {
  if (typeof endpoint !== 'string' || !endpoint.trim()) {
    throw new UserError(
      'No KFP endpoint given.',
      'pass --endpoint <url>, e.g. http://localhost:8080 (port-forward) or https://<host>/pipeline (Kubeflow dashboard).',
    );
  }
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw new UserError(`KFP endpoint "${endpoint}" is not a URL.`, 'pass e.g. http://localhost:8080 or https://<host>/pipeline.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UserError(`KFP endpoint "${endpoint}" must use http or https.`, 'pass e.g. http://localhost:8080.');
  if (url.username || url.password)
    throw new UserError('The KFP endpoint must not contain credentials.', 'pass credentials with --token or --cookie instead of in the URL.');
  if (url.search || url.hash)
    throw new UserError(`KFP endpoint "${endpoint}" must not have a query or fragment.`, 'pass only scheme, host, port and path prefix.');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function safeJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return undefined;
  }
}

function safeHost(location: string): string {
  try {
    return new URL(location).host;
  } catch {
    return 'login page';
  }
}
