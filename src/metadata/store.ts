import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Artifact, artifactTypeByName, PropertyValue } from '../dsl/artifact';
import { UserError } from '../util/errors';

/**
 * An ML-Metadata-style store on SQLite: artifact/execution/context types, artifacts, executions,
 * contexts (pipeline, run), attributions/associations and INPUT/OUTPUT events.
 *
 * Concurrency: WAL + busy timeout, and every multi-row change in one IMMEDIATE transaction, so
 * two processes sharing a store serialize their writes instead of corrupting it. A crash leaves at
 * worst an execution in RUNNING with no outputs; `reapAbandoned` marks it FAILED on the next open.
 */
export type ExecutionState = 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CACHED';
export type EventType = 'INPUT' | 'OUTPUT';

export interface ExecutionRecord {
  id: number;
  type: string;
  componentId: string;
  state: ExecutionState;
  cacheKey: string | null;
  properties: Record<string, unknown>;
  error: string | null;
  pid: number | null;
  host: string | null;
  createTime: number;
  updateTime: number;
}

export interface EventRecord {
  executionId: number;
  artifactId: number;
  type: EventType;
  key: string;
  index: number;
}

export interface LineageGraph {
  artifacts: Artifact[];
  executions: ExecutionRecord[];
  events: EventRecord[];
}

const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS artifact_types (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, properties TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS execution_types (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS context_types (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS artifacts (
  id INTEGER PRIMARY KEY, type_id INTEGER NOT NULL REFERENCES artifact_types(id), uri TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'LIVE', properties TEXT NOT NULL, custom_properties TEXT NOT NULL,
  create_time INTEGER NOT NULL, update_time INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS executions (
  id INTEGER PRIMARY KEY, type_id INTEGER NOT NULL REFERENCES execution_types(id), component_id TEXT NOT NULL,
  state TEXT NOT NULL, cache_key TEXT, properties TEXT NOT NULL, error TEXT, pid INTEGER, host TEXT,
  create_time INTEGER NOT NULL, update_time INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS executions_cache_key ON executions(cache_key, state);
CREATE TABLE IF NOT EXISTS contexts (
  id INTEGER PRIMARY KEY, type_id INTEGER NOT NULL REFERENCES context_types(id), name TEXT NOT NULL,
  create_time INTEGER NOT NULL, UNIQUE (type_id, name));
CREATE TABLE IF NOT EXISTS attributions (context_id INTEGER NOT NULL REFERENCES contexts(id), artifact_id INTEGER NOT NULL REFERENCES artifacts(id), PRIMARY KEY (context_id, artifact_id));
CREATE TABLE IF NOT EXISTS associations (context_id INTEGER NOT NULL REFERENCES contexts(id), execution_id INTEGER NOT NULL REFERENCES executions(id), PRIMARY KEY (context_id, execution_id));
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY, artifact_id INTEGER NOT NULL REFERENCES artifacts(id), execution_id INTEGER NOT NULL REFERENCES executions(id),
  type TEXT NOT NULL CHECK (type IN ('INPUT','OUTPUT')), key TEXT NOT NULL, idx INTEGER NOT NULL, time INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS events_artifact ON events(artifact_id);
CREATE INDEX IF NOT EXISTS events_execution ON events(execution_id);
`;

interface ArtifactRow {
  id: number;
  type: string;
  uri: string;
  state: string;
  properties: string;
  custom_properties: string;
}
interface ExecutionRow {
  id: number;
  type: string;
  component_id: string;
  state: ExecutionState;
  cache_key: string | null;
  properties: string;
  error: string | null;
  pid: number | null;
  host: string | null;
  create_time: number;
  update_time: number;
}

export interface StoreOptions {
  /** Open for reading only (lineage, views): nothing is created, migrated or reaped. */
  readonly?: boolean;
  /** How long a write waits for another process's transaction (default 30 s). */
  busyTimeoutMs?: number;
}

export class MetadataStore {
  private readonly db: Database.Database;
  /** Set when a read-only store had to be read from a private copy (see openReadOnly). */
  private snapshotDir?: string;

  constructor(
    readonly path: string,
    options: StoreOptions = {},
  ) {
    const timeout = options.busyTimeoutMs ?? 30_000;
    if (options.readonly) {
      this.db = this.openReadOnly(path, timeout);
      return;
    }
    try {
      fs.mkdirSync(dirnameOf(path), { recursive: true });
      this.db = new Database(path, { timeout });
    } catch (error) {
      throw explainStoreError(error, path);
    }
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.immediate(() => {
        this.db.exec(DDL);
        const row = this.db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
        if (!row) this.db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
        else if (row.version !== SCHEMA_VERSION)
          throw new UserError(
            `Metadata store ${path} has schema version ${row.version}; this tfx-ts expects ${SCHEMA_VERSION}.`,
            'open it with the tfx-ts version that wrote it, or give this pipeline a new pipeline root.',
          );
      });
      this.reapAbandoned();
    } catch (error) {
      this.db.close();
      throw explainStoreError(error, path);
    }
  }

  /**
   * Read-only: SQLite's read-only mode. A WAL store in a directory this user cannot write (no -shm
   * file can be made there) cannot be opened even read-only; it is then read from a private copy.
   */
  private openReadOnly(file: string, timeout: number): Database.Database {
    if (!fs.existsSync(file))
      throw new UserError(`Metadata store ${file} does not exist.`, 'pass the metadata.sqlite of a pipeline that ran (<pipelineRoot>/metadata.sqlite).');
    const open = (f: string) => {
      const db = new Database(f, { readonly: true, fileMustExist: true, timeout });
      try {
        db.prepare('SELECT version FROM schema_version').get();
        return db;
      } catch (error) {
        db.close();
        throw error;
      }
    };
    try {
      return open(file);
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!/^SQLITE_(CANTOPEN|READONLY)/.test(code)) throw explainStoreError(error, file);
    }
    try {
      this.snapshotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-store-'));
      const copy = path.join(this.snapshotDir, 'metadata.sqlite');
      for (const suffix of ['', '-wal']) if (fs.existsSync(file + suffix)) fs.copyFileSync(file + suffix, copy + suffix);
      return open(copy);
    } catch (error) {
      this.removeSnapshot();
      throw explainStoreError(error, file);
    }
  }

  private removeSnapshot(): void {
    if (this.snapshotDir) fs.rmSync(this.snapshotDir, { recursive: true, force: true });
    this.snapshotDir = undefined;
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.removeSnapshot();
  }

  /** Runs fn in one BEGIN IMMEDIATE transaction (writers queue on the busy timeout instead of failing). */
  immediate<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private typeId(table: 'artifact_types' | 'execution_types' | 'context_types', name: string, properties?: object): number {
    const found = this.db.prepare(`SELECT id FROM ${table} WHERE name = ?`).get(name) as { id: number } | undefined;
    if (found) return found.id;
    if (table === 'artifact_types') {
      return Number(this.db.prepare('INSERT INTO artifact_types (name, properties) VALUES (?, ?)').run(name, JSON.stringify(properties ?? {})).lastInsertRowid);
    }
    return Number(this.db.prepare(`INSERT INTO ${table} (name) VALUES (?)`).run(name).lastInsertRowid);
  }

  /** Get or create a context (type "pipeline" / "run" / "component"). */
  context(type: string, name: string): number {
    return this.immediate(() => {
      const typeId = this.typeId('context_types', type);
      const found = this.db.prepare('SELECT id FROM contexts WHERE type_id = ? AND name = ?').get(typeId, name) as { id: number } | undefined;
      if (found) return found.id;
      return Number(this.db.prepare('INSERT INTO contexts (type_id, name, create_time) VALUES (?, ?, ?)').run(typeId, name, Date.now()).lastInsertRowid);
    });
  }

  /** Registers a RUNNING execution with its input events, associated with the given contexts. */
  startExecution(args: {
    type: string;
    componentId: string;
    cacheKey: string | null;
    properties: Record<string, unknown>;
    inputs: Record<string, Artifact[]>;
    contextIds: number[];
  }): number {
    return this.immediate(() => {
      const now = Date.now();
      const typeId = this.typeId('execution_types', args.type);
      const id = Number(
        this.db
          .prepare(
            'INSERT INTO executions (type_id, component_id, state, cache_key, properties, pid, host, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(typeId, args.componentId, 'RUNNING', args.cacheKey, JSON.stringify(args.properties), process.pid, os.hostname(), now, now).lastInsertRowid,
      );
      for (const contextId of args.contextIds) this.db.prepare('INSERT OR IGNORE INTO associations VALUES (?, ?)').run(contextId, id);
      this.insertEvents(id, 'INPUT', args.inputs, now);
      return id;
    });
  }

  private insertEvents(executionId: number, type: EventType, artifacts: Record<string, Artifact[]>, now: number): void {
    const insert = this.db.prepare('INSERT INTO events (artifact_id, execution_id, type, key, idx, time) VALUES (?, ?, ?, ?, ?, ?)');
    for (const [key, list] of Object.entries(artifacts)) {
      list.forEach((artifact, index) => {
        if (artifact.id === undefined) throw new Error(`${type} artifact ${key}[${index}] is not registered in the metadata store.`);
        insert.run(artifact.id, executionId, type, key, index, now);
      });
    }
  }

  /**
   * Publishes outputs and marks the execution COMPLETE (or CACHED) in one transaction: either all
   * output artifacts become visible with their events, or none does.
   */
  publishExecution(executionId: number, state: 'COMPLETE' | 'CACHED', outputs: Record<string, Artifact[]>, contextIds: number[]): void {
    this.immediate(() => {
      const now = Date.now();
      for (const list of Object.values(outputs)) {
        for (const artifact of list) {
          if (artifact.id === undefined) {
            const typeId = this.typeId('artifact_types', artifact.type.name, artifact.type.properties);
            artifact.id = Number(
              this.db
                .prepare('INSERT INTO artifacts (type_id, uri, state, properties, custom_properties, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?)')
                .run(typeId, artifact.uri, 'LIVE', JSON.stringify(artifact.properties), JSON.stringify(artifact.customProperties), now, now).lastInsertRowid,
            );
          }
          for (const contextId of contextIds) this.db.prepare('INSERT OR IGNORE INTO attributions VALUES (?, ?)').run(contextId, artifact.id);
        }
      }
      this.insertEvents(executionId, 'OUTPUT', outputs, now);
      this.db.prepare('UPDATE executions SET state = ?, update_time = ? WHERE id = ?').run(state, now, executionId);
    });
  }

  failExecution(executionId: number, error: string): void {
    this.immediate(() => {
      this.db.prepare("UPDATE executions SET state = 'FAILED', error = ?, update_time = ? WHERE id = ?").run(error.slice(0, 20_000), Date.now(), executionId);
    });
  }

  /** Executions left RUNNING by a process of this host that no longer exists are marked FAILED. */
  reapAbandoned(): number {
    const host = os.hostname();
    const running = this.db.prepare("SELECT id, pid FROM executions WHERE state = 'RUNNING' AND host = ?").all(host) as { id: number; pid: number }[];
    let reaped = 0;
    for (const { id, pid } of running) {
      if (pid !== process.pid && !processAlive(pid)) {
        this.failExecution(id, `abandoned: process ${pid} ended while the executor was running`);
        reaped++;
      }
    }
    return reaped;
  }

  /** Latest COMPLETE execution with this cache key whose outputs are all still on disk. */
  findCachedOutputs(cacheKey: string): { executionId: number; outputs: Record<string, Artifact[]> } | undefined {
    const candidates = this.db.prepare("SELECT id FROM executions WHERE cache_key = ? AND state = 'COMPLETE' ORDER BY id DESC").all(cacheKey) as {
      id: number;
    }[];
    for (const { id } of candidates) {
      const outputs = this.eventArtifacts(id, 'OUTPUT');
      const all = Object.values(outputs).flat();
      if (all.length > 0 && all.every((artifact) => fs.existsSync(artifact.uri))) return { executionId: id, outputs };
    }
    return undefined;
  }

  eventArtifacts(executionId: number, type: EventType): Record<string, Artifact[]> {
    const rows = this.db
      .prepare('SELECT e.key AS key, e.idx AS idx, e.artifact_id AS artifact_id FROM events e WHERE e.execution_id = ? AND e.type = ? ORDER BY e.key, e.idx')
      .all(executionId, type) as { key: string; idx: number; artifact_id: number }[];
    const result: Record<string, Artifact[]> = {};
    for (const row of rows) (result[row.key] ??= []).push(this.getArtifact(row.artifact_id));
    return result;
  }

  getArtifact(id: number): Artifact {
    const row = this.db
      .prepare(
        'SELECT a.id, t.name AS type, a.uri, a.state, a.properties, a.custom_properties FROM artifacts a JOIN artifact_types t ON t.id = a.type_id WHERE a.id = ?',
      )
      .get(id) as ArtifactRow | undefined;
    if (!row) throw new Error(`No artifact with id ${id} in the metadata store ${this.path}.`);
    return toArtifact(row);
  }

  getExecution(id: number): ExecutionRecord {
    const row = this.db.prepare('SELECT x.*, t.name AS type FROM executions x JOIN execution_types t ON t.id = x.type_id WHERE x.id = ?').get(id) as
      ExecutionRow | undefined;
    if (!row) throw new Error(`No execution with id ${id} in the metadata store ${this.path}.`);
    return toExecution(row);
  }

  executions(filter: { state?: ExecutionState; componentId?: string; contextId?: number } = {}): ExecutionRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.state) {
      where.push('x.state = ?');
      params.push(filter.state);
    }
    if (filter.componentId) {
      where.push('x.component_id = ?');
      params.push(filter.componentId);
    }
    if (filter.contextId !== undefined) {
      where.push('x.id IN (SELECT execution_id FROM associations WHERE context_id = ?)');
      params.push(filter.contextId);
    }
    const sql = `SELECT x.*, t.name AS type FROM executions x JOIN execution_types t ON t.id = x.type_id ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY x.id`;
    return (this.db.prepare(sql).all(...params) as ExecutionRow[]).map(toExecution);
  }

  artifacts(filter: { type?: string; contextId?: number } = {}): Artifact[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.type) {
      where.push('t.name = ?');
      params.push(filter.type);
    }
    if (filter.contextId !== undefined) {
      where.push('a.id IN (SELECT artifact_id FROM attributions WHERE context_id = ?)');
      params.push(filter.contextId);
    }
    const sql = `SELECT a.id, t.name AS type, a.uri, a.state, a.properties, a.custom_properties FROM artifacts a JOIN artifact_types t ON t.id = a.type_id ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY a.id`;
    return (this.db.prepare(sql).all(...params) as ArtifactRow[]).map(toArtifact);
  }

  /** The execution that produced an artifact (its OUTPUT event), if any. */
  producerOf(artifactId: number): ExecutionRecord | undefined {
    const row = this.db
      .prepare(
        "SELECT e.execution_id FROM events e JOIN executions x ON x.id = e.execution_id WHERE e.artifact_id = ? AND e.type = 'OUTPUT' AND x.state != 'CACHED' ORDER BY e.id LIMIT 1",
      )
      .get(artifactId) as { execution_id: number } | undefined;
    return row ? this.getExecution(row.execution_id) : undefined;
  }

  /** Everything upstream of an artifact: its producer, that execution's inputs, their producers, ... */
  lineage(artifactId: number): LineageGraph {
    const artifacts = new Map<number, Artifact>();
    const executions = new Map<number, ExecutionRecord>();
    const events: EventRecord[] = [];
    const queue = [artifactId];
    while (queue.length > 0) {
      const id = queue.shift()!;
      if (artifacts.has(id)) continue;
      artifacts.set(id, this.getArtifact(id));
      // A CACHED execution re-announces outputs another execution produced: lineage follows the producer.
      const rows = this.db
        .prepare(
          "SELECT e.execution_id FROM events e JOIN executions x ON x.id = e.execution_id WHERE e.artifact_id = ? AND e.type = 'OUTPUT' AND x.state != 'CACHED'",
        )
        .all(id) as { execution_id: number }[];
      for (const { execution_id } of rows) {
        if (executions.has(execution_id)) continue;
        executions.set(execution_id, this.getExecution(execution_id));
        const executionEvents = this.db
          .prepare('SELECT execution_id, artifact_id, type, key, idx FROM events WHERE execution_id = ? ORDER BY id')
          .all(execution_id) as {
          execution_id: number;
          artifact_id: number;
          type: EventType;
          key: string;
          idx: number;
        }[];
        for (const e of executionEvents) {
          events.push({ executionId: e.execution_id, artifactId: e.artifact_id, type: e.type, key: e.key, index: e.idx });
          if (e.type === 'INPUT') queue.push(e.artifact_id);
          else if (!artifacts.has(e.artifact_id)) artifacts.set(e.artifact_id, this.getArtifact(e.artifact_id));
        }
      }
    }
    return {
      artifacts: [...artifacts.values()].sort((a, b) => a.id! - b.id!),
      executions: [...executions.values()].sort((a, b) => a.id - b.id),
      events,
    };
  }

  /** Sets a custom property of an artifact (e.g. ModelBlessing's `blessed`). */
  setCustomProperty(artifactId: number, key: string, value: PropertyValue): void {
    this.immediate(() => {
      const artifact = this.getArtifact(artifactId);
      artifact.customProperties[key] = value;
      this.db
        .prepare('UPDATE artifacts SET custom_properties = ?, update_time = ? WHERE id = ?')
        .run(JSON.stringify(artifact.customProperties), Date.now(), artifactId);
    });
  }

  integrityCheck(): string {
    return (this.db.pragma('integrity_check', { simple: true }) as string) ?? 'unknown';
  }
}

function toArtifact(row: ArtifactRow): Artifact {
  const artifact = new Artifact(artifactTypeByName(row.type), row.uri);
  artifact.id = row.id;
  artifact.properties = JSON.parse(row.properties);
  artifact.customProperties = JSON.parse(row.custom_properties);
  return artifact;
}

function toExecution(row: ExecutionRow): ExecutionRecord {
  return {
    id: row.id,
    type: row.type,
    componentId: row.component_id,
    state: row.state,
    cacheKey: row.cache_key,
    properties: JSON.parse(row.properties),
    error: row.error,
    pid: row.pid,
    host: row.host,
    createTime: row.create_time,
    updateTime: row.update_time,
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function dirnameOf(file: string): string {
  return path.dirname(path.resolve(file));
}

/**
 * SQLite's failure on opening a store as one UserError with the file and what to do. A locked
 * store is valid and in use: the advice is to wait for (or stop) the process using it, never to
 * remove it.
 */
export function explainStoreError(error: unknown, file: string): Error {
  if (error instanceof UserError) return error;
  const code = (error as { code?: string }).code ?? '';
  const reason = (error as Error).message;
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) {
    const holders = runningHolders(file);
    return new UserError(
      `Metadata store ${file} is in use by another process${holders ? ` (${holders})` : ''}: it held the store locked for the whole wait.`,
      `wait for that process to finish (or stop it${holders ? ', e.g. kill <pid>' : ''}) and run again. Do not delete the store: it is valid, only busy.`,
    );
  }
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) {
    return new UserError(
      `Metadata store ${file} is damaged or not a tfx-ts metadata store (SQLite: ${reason}).`,
      `restore ${path.basename(file)} from a backup if you have one; otherwise move it aside (mv ${file} ${file}.damaged) and run again: a new store is created, the artifacts stay on disk but their lineage and cache entries are lost.`,
    );
  }
  if (/^SQLITE_READONLY/.test(code)) {
    return new UserError(
      `Metadata store ${file} cannot be written (read-only file, directory or file system).`,
      'runs need a writable store: make the file and its directory writable, or use another pipeline root. Commands that only read (tfx-ts lineage) work on a read-only store.',
    );
  }
  if (/^SQLITE_CANTOPEN/.test(code)) {
    return new UserError(
      `Metadata store ${file} cannot be opened (${reason}).`,
      'check that its directory exists and this user may read (and, for runs, write) it.',
    );
  }
  if (/^SQLITE_(FULL|IOERR)/.test(code)) {
    return new UserError(
      `Metadata store ${file} could not be written: ${code === 'SQLITE_FULL' ? 'the disk is full' : reason}.`,
      'free some disk space and run again.',
    );
  }
  const fsCode = (error as NodeJS.ErrnoException).code;
  if (fsCode === 'EACCES' || fsCode === 'EPERM' || fsCode === 'EROFS') {
    return new UserError(`Metadata store ${file} cannot be created: ${reason}.`, 'use a pipeline root in a directory this user may write.');
  }
  return new UserError(
    `Cannot open the metadata store at ${file}: ${reason}.`,
    'point metadataPath at a tfx-ts metadata store (SQLite file) this user may read and write.',
  );
}

/** Live processes of this host with a RUNNING execution in the store: who most likely holds it. */
function runningHolders(file: string): string | undefined {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 0 });
    try {
      const rows = db.prepare("SELECT id, component_id AS componentId, pid FROM executions WHERE state = 'RUNNING' AND host = ?").all(os.hostname()) as {
        id: number;
        componentId: string;
        pid: number;
      }[];
      const alive = rows.filter((r) => r.pid !== process.pid && processAlive(r.pid));
      if (alive.length === 0) return undefined;
      return alive.map((r) => `pid ${r.pid}, running ${r.componentId} as execution ${r.id}`).join('; ');
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}
