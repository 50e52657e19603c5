import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RawInputError } from '../transform/apply';
import type { RawRow } from '../transform/apply';
import type { ModelBundle, Predictions } from '../model/bundle';
import { UserError } from '../util/errors';
import { ModelRepository, resolveModelDir } from './repository';
import { LargeRequestReclaimer } from './memory';
import { metadataResponse, parsePredictRequest, predictResponseText, ServingError, statusResponse } from './rest';

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
  /** Time a client has to send its request headers (default 10 s). */
  headersTimeoutMs?: number;
  /** Time a client has to send its whole request body once headers are in (default 30 s): a trickled body is cut with 408. */
  bodyTimeoutMs?: number;
  /** Open connections at most; more are closed on accept (default 512). */
  maxConnections?: number;
  /** Request body bytes held in memory by all requests together; beyond it new requests get 503 (default 4 × maxBodyBytes, at least 64 MiB). */
  maxInflightBytes?: number;
  /** Failed version loads: first retry delay (default 1 s, doubling) and retries before giving up (default 5). */
  retryBaseMs?: number;
  maxLoadRetries?: number;
  log?: (message: string) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_CONNECTIONS = 512;
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
  private inflightBytes = 0;
  private readonly reclaimer = new LargeRequestReclaimer();
  /** Counters for logs and the soak test: what was refused and why. */
  readonly counters = { requests: 0, bodyTimeouts: 0, tooLarge: 0, overloaded: 0, connectionsRefused: 0 };

  constructor(readonly options: ModelServerOptions) {
    if (!NAME.test(options.modelName) || options.modelName.includes('..')) {
      throw new UserError(`Model name "${options.modelName}" is not allowed.`, 'use letters, digits, "_", "-" and "." (no path separators).');
    }
    this.repository = new ModelRepository(resolveModelDir(options.modelBasePath, options.modelName), {
      log: options.log,
      retryBaseMs: options.retryBaseMs,
      maxLoadRetries: options.maxLoadRetries,
    });
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('The server is not listening.');
    return `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  }

  async start(): Promise<this> {
    await this.repository.refresh();
    const headersTimeout = this.options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    // Node checks headersTimeout/requestTimeout on this interval: keep it well under the timeouts.
    this.server = http.createServer({ headersTimeout, requestTimeout: 0, connectionsCheckingInterval: Math.min(1000, headersTimeout / 2) }, (req, res) => {
      this.counters.requests++;
      this.handle(req, res).catch((error) => send(res, 500, { error: `Internal error: ${(error as Error).message}` }));
    });
    this.server.keepAliveTimeout = 65_000;
    this.server.maxConnections = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.server.on('drop', () => {
      this.counters.connectionsRefused++;
    });
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
    this.reclaimer.dispose();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const route = parseRoute(req.method ?? 'GET', req.url ?? '/');
      if (route.name !== this.options.modelName) {
        throw new ServingError(
          404,
          `Servable not found for request: ${route.version !== undefined ? `Specific(${route.name}, ${route.version})` : `Latest(${route.name})`}`,
        );
      }
      if (route.action === 'status') {
        // TF Serving reports every version it knows, failed ones with their error.
        const versions = this.repository.status(route.version);
        if (versions.length === 0)
          throw new ServingError(
            404,
            route.version !== undefined
              ? `Could not find version ${route.version} of model ${route.name}`
              : `Could not find any versions of model ${route.name}`,
          );
        return send(res, 200, statusResponse(versions));
      }
      const loaded = this.repository.current;
      if (!loaded) throw new ServingError(404, `Servable not found for request: Latest(${route.name}): no version of the model has been loaded yet`);
      if (route.version !== undefined && route.version !== loaded.version) {
        const failure = this.repository.failure(route.version);
        throw new ServingError(404, `Servable not found for request: Specific(${route.name}, ${route.version})${failure ? `: ${failure}` : ''}`);
      }
      if (route.action === 'metadata') return send(res, 200, metadataResponse(route.name, loaded.version, loaded.bundle.signature));
      let body: string | undefined = await this.readBody(req, res);
      const large = this.reclaimer.begin(body.length);
      try {
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch (error) {
          throw new ServingError(400, `JSON Parse error: ${(error as Error).message}`);
        }
        body = undefined; // the text can go while the examples are predicted
        const request = parsePredictRequest(json, loaded.bundle.signature);
        json = undefined;
        const predictions = await this.predict(loaded.bundle, request.rows);
        sendText(res, 200, predictResponseText(request.format, predictions));
      } finally {
        if (large) this.reclaimer.end();
      }
    } catch (error) {
      if (error instanceof ServingError) {
        if (error.closeConnection) return refuseAndClose(req, res, error.status, error.message);
        return send(res, error.status, { error: error.message });
      }
      if (error instanceof RawInputError || (error as Error).name === 'RawInputError')
        return send(res, 400, { error: (error as Error).message.replace(/\n {2}Fix: /, ' ') });
      throw error;
    }
  }

  /**
   * The request body, within limits that hold whatever the client does: a declared Content-Length
   * over the limit is refused before any byte is read (413, connection closed, the body never
   * read); a body still arriving after bodyTimeoutMs is cut (408); bytes held by all requests
   * together stay under maxInflightBytes (503 with Retry-After beyond it).
   */
  private readBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<string> {
    const limit = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const inflightLimit = this.options.maxInflightBytes ?? Math.max(64 * 1024 * 1024, 4 * limit);
    const timeoutMs = this.options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) {
        this.counters.tooLarge++;
        reject(new ServingError(413, `Request body too large: ${declared} bytes (limit ${limit}).`, true));
        return;
      }
      const reserved = Number.isFinite(declared) ? declared : 0;
      if (this.inflightBytes + reserved > inflightLimit) {
        this.counters.overloaded++;
        res.setHeader('Retry-After', '1');
        reject(new ServingError(503, `The server is busy: ${this.inflightBytes} request bytes in flight (limit ${inflightLimit}). Retry later.`, true));
        return;
      }
      let held = reserved;
      this.inflightBytes += held;
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = (error?: ServingError, body?: string) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        req.off('data', onData);
        this.inflightBytes -= held;
        held = 0;
        if (error) reject(error);
        else resolve(body!);
      };
      const timer = setTimeout(() => {
        this.counters.bodyTimeouts++;
        finish(new ServingError(408, `Request body not received within ${timeoutMs / 1000} s (${size} bytes arrived).`, true));
      }, timeoutMs);
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          this.counters.tooLarge++;
          finish(new ServingError(413, `Request body too large: more than ${limit} bytes.`, true));
          return;
        }
        if (size > held) {
          // Chunked bodies (no Content-Length) are counted as they arrive.
          if (this.inflightBytes + (size - held) > inflightLimit) {
            this.counters.overloaded++;
            res.setHeader('Retry-After', '1');
            finish(new ServingError(503, `The server is busy: too many request bytes in flight (limit ${inflightLimit}). Retry later.`, true));
            return;
          }
          this.inflightBytes += size - held;
          held = size;
        }
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.on('end', () => {
        const body = Buffer.concat(chunks, size);
        chunks.length = 0;
        finish(undefined, body.toString('utf8'));
      });
      // 'close' also follows every complete body: build the error only when it is one (an Error's stack trace costs ~15 µs a request).
      req.on('error', () => done || finish(new ServingError(400, 'The request body could not be read (connection error).', true)));
      req.on('close', () => done || finish(new ServingError(400, 'The client closed the connection before sending the whole body.', true)));
    });
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

/**
 * Answers and closes the connection without reading the rest of the body (Node would otherwise
 * read and discard it to keep the connection alive). The socket stops reading at once, so a client
 * pushing a huge body is held back by TCP flow control; it is destroyed shortly after the answer.
 */
function refuseAndClose(req: http.IncomingMessage, res: http.ServerResponse, status: number, message: string): void {
  req.socket.pause();
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  const text = JSON.stringify({ error: message });
  res.shouldKeepAlive = false;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
  res.end(text, () => {
    // Half-close, then give the client a moment to read the answer before the socket goes.
    req.socket.end();
    setTimeout(() => req.socket.destroy(), 1000).unref();
  });
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
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
