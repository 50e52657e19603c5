import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RawInputError } from '../transform/apply';
import type { RawRow } from '../transform/apply';
import type { ModelBundle, Predictions } from '../model/bundle';
import { UserError } from '../util/errors';
import { ModelRepository, resolveModelDir } from './repository';
import { metadataResponse, parsePredictRequest, predictResponse, ServingError, statusResponse } from './rest';

/**
 * A model server speaking a subset of TF Serving's REST API on one model:
 *   GET  /v1/models/<name>[/versions/<v>]            version status
 *   GET  /v1/models/<name>[/versions/<v>]/metadata   signature (raw features in, scores out)
 *   POST /v1/models/<name>[/versions/<v>]:predict    {"instances": [...]} or {"inputs": {...}}
 * Raw features go in; the bundle's transform graph is applied inside. Errors are TF Serving's
 * `{"error": "..."}` with a 4xx/5xx status. Requests that arrive together are predicted as one
 * batch (TF Serving's request batching), which is where throughput under load comes from.
 */
export interface ModelServerOptions {
  modelBasePath: string;
  modelName: string;
  port?: number;
  host?: string;
  /** How often to look for a newly pushed version (TF Serving: --file_system_poll_wait_seconds). */
  pollIntervalMs?: number;
  maxBodyBytes?: number;
  /** Largest number of examples predicted together. */
  maxBatchSize?: number;
  log?: (message: string) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

interface Pending {
  rows: RawRow[];
  resolve: (p: Predictions) => void;
  reject: (e: unknown) => void;
}

export class ModelServer {
  readonly repository: ModelRepository;
  private server?: http.Server;
  private timer?: NodeJS.Timeout;
  private queue: Pending[] = [];
  private flushScheduled = false;

  constructor(readonly options: ModelServerOptions) {
    if (!NAME.test(options.modelName) || options.modelName.includes('..')) {
      throw new UserError(`Model name "${options.modelName}" is not allowed.`, 'use letters, digits, "_", "-" and "." (no path separators).');
    }
    this.repository = new ModelRepository(resolveModelDir(options.modelBasePath, options.modelName), options.log);
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('The server is not listening.');
    return `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  }

  async start(): Promise<this> {
    await this.repository.refresh();
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error) => send(res, 500, { error: `Internal error: ${(error as Error).message}` }));
    });
    this.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port ?? 8501, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.timer = setInterval(() => void this.repository.refresh(), this.options.pollIntervalMs ?? 1000);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections?.();
    this.repository.dispose();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const route = parseRoute(req.method ?? 'GET', req.url ?? '/');
      if (route.name !== this.options.modelName) {
        throw new ServingError(404, `Servable not found for request: ${route.version !== undefined ? `Specific(${route.name}, ${route.version})` : `Latest(${route.name})`}`);
      }
      const loaded = this.repository.current;
      if (!loaded) throw new ServingError(404, `Servable not found for request: Latest(${route.name}): no version of the model has been loaded yet`);
      if (route.version !== undefined && route.version !== loaded.version) {
        const failure = this.repository.failure(route.version);
        throw new ServingError(404, `Servable not found for request: Specific(${route.name}, ${route.version})${failure ? `: ${failure}` : ''}`);
      }
      if (route.action === 'status') return send(res, 200, statusResponse([{ version: loaded.version, state: 'AVAILABLE' }]));
      if (route.action === 'metadata') return send(res, 200, metadataResponse(route.name, loaded.version, loaded.bundle.signature));
      const body = await readBody(req, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch (error) {
        throw new ServingError(400, `JSON Parse error: ${(error as Error).message}`);
      }
      const request = parsePredictRequest(json, loaded.bundle.signature);
      const predictions = await this.predict(loaded.bundle, request.rows);
      send(res, 200, predictResponse(request.format, predictions));
    } catch (error) {
      if (error instanceof ServingError) return send(res, error.status, { error: error.message });
      if (error instanceof RawInputError || (error as Error).name === 'RawInputError') return send(res, 400, { error: (error as Error).message.replace(/\n {2}Fix: /, ' ') });
      throw error;
    }
  }

  /** Queues rows; everything queued in the same turn of the event loop is predicted as one batch. */
  private predict(bundle: ModelBundle, rows: RawRow[]): Promise<Predictions> {
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush(bundle));
      }
    });
  }

  private flush(bundle: ModelBundle): void {
    this.flushScheduled = false;
    const maxBatch = this.options.maxBatchSize ?? 512;
    while (this.queue.length > 0) {
      const batch: Pending[] = [];
      let size = 0;
      while (this.queue.length > 0 && (batch.length === 0 || size + this.queue[0].rows.length <= maxBatch)) {
        const next = this.queue.shift()!;
        batch.push(next);
        size += next.rows.length;
      }
      if (batch.length === 1) {
        runOne(bundle, batch[0]);
        continue;
      }
      try {
        const all = bundle.predict(batch.flatMap((p) => p.rows));
        let offset = 0;
        for (const pending of batch) {
          const n = pending.rows.length;
          pending.resolve({ numRows: n, width: all.width, values: all.values.slice(offset * all.width, (offset + n) * all.width) });
          offset += n;
        }
      } catch {
        // One bad request must not fail the others, and its error must name its own examples.
        for (const pending of batch) runOne(bundle, pending);
      }
    }
  }
}

function runOne(bundle: ModelBundle, pending: Pending): void {
  try {
    pending.resolve(bundle.predict(pending.rows));
  } catch (error) {
    pending.reject(error);
  }
}

interface Route {
  name: string;
  version?: number;
  action: 'status' | 'metadata' | 'predict';
}

/** /v1/models/<name>[/versions/<v>][/metadata | :predict]; names are decoded and checked, never used as paths. */
export function parseRoute(method: string, url: string): Route {
  const pathname = url.split('?')[0];
  const match = /^\/v1\/models\/([^/:]+)(?:\/versions\/([^/:]+))?(\/metadata|:predict)?\/?$/.exec(pathname);
  if (!match) throw new ServingError(404, `Malformed request: ${method} ${pathname}`);
  let name: string;
  try {
    name = decodeURIComponent(match[1]);
  } catch {
    throw new ServingError(400, `Malformed model name in ${pathname}.`);
  }
  if (!NAME.test(name) || name.includes('..')) throw new ServingError(400, `Invalid model name "${name}": use letters, digits, "_", "-" and ".".`);
  let version: number | undefined;
  if (match[2] !== undefined) {
    if (!/^\d+$/.test(match[2])) throw new ServingError(400, `Invalid model version "${match[2]}": versions are integers.`);
    version = Number(match[2]);
  }
  const action = match[3] === ':predict' ? 'predict' : match[3] === '/metadata' ? 'metadata' : 'status';
  const expected = action === 'predict' ? 'POST' : 'GET';
  if (method !== expected) throw new ServingError(405, `Malformed request: ${method} ${pathname} (use ${expected}).`);
  return { name, version, action };
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new ServingError(413, `Request body too large: ${declared} bytes (limit ${limit}).`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new ServingError(413, `Request body too large: more than ${limit} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Starts a server (used by `tfx-ts serve` and by notebooks/tests). */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  return new ModelServer(options).start();
}
