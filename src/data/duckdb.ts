import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

type DuckDbApi = typeof import('@duckdb/node-api');

/** The build's one-file copy of @duckdb/node-api (scripts/bundle-duckdb.js), beside dist/data/. */
const BUNDLED_API = path.join(__dirname, '..', 'vendor', 'duckdb-node-api.js');
let api: Promise<DuckDbApi> | undefined;

/**
 * @duckdb/node-api, from the bundled copy when the build wrote one (it loads in a fraction of the
 * time the package's ~120 modules take, which is most of a small `tfx-ts stats` run's start-up),
 * else the package itself (running from source, e.g. under Jest).
 */
function duckdbApi(): Promise<DuckDbApi> {
  api ??= fs.existsSync(BUNDLED_API) ? import(BUNDLED_API) : import('@duckdb/node-api');
  return api;
}

/**
 * One embedded DuckDB per call site, in memory, closed after use. DuckDB is the engine for reading
 * CSV/Parquet/JSON, splitting, and statistics (it measured fastest here; see DESIGN.md).
 */
export class DuckSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  static async open(options: { threads?: number; memoryLimit?: string } = {}): Promise<DuckSession> {
    const { DuckDBInstance } = await duckdbApi();
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(options.threads ?? Math.max(1, Math.min(os.cpus().length, 4))),
      ...(options.memoryLimit ? { memory_limit: options.memoryLimit } : {}),
    });
    const connection = await instance.connect();
    return new DuckSession(instance, connection);
  }

  /** Rows as plain JS objects; BIGINT/HUGEINT counts become numbers when they fit. */
  async all<T = Record<string, unknown>>(sql: string, params?: Record<string, string | number | boolean | null>): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params as never);
    return reader.getRowObjectsJS().map((row) => normalizeRow(row)) as T[];
  }

  async run(sql: string, params?: Record<string, string | number | boolean | null>): Promise<void> {
    await this.connection.run(sql, params as never);
  }

  close(): void {
    try {
      this.connection.closeSync();
    } catch {
      /* already closed */
    }
    try {
      this.instance.closeSync();
    } catch {
      /* already closed */
    }
  }

  static async with<T>(fn: (session: DuckSession) => Promise<T>, options?: { threads?: number; memoryLimit?: string }): Promise<T> {
    const session = await DuckSession.open(options);
    try {
      return await fn(session);
    } finally {
      session.close();
    }
  }
}

function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) out[key] = normalizeValue(value);
  return out;
}

function normalizeValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (Array.isArray(value)) return value.map(normalizeValue);
  return value;
}

/** SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** SQL identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
