import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../util/errors';

/**
 * One interface for every place a pipeline reads or writes files that may live on object storage:
 * the pipeline root, the code package, ExampleGen's inputBase, Pusher's destination, a finished
 * run's artifacts. `s3://` and `minio://` go through the AWS SDK v3, `gs://` through
 * @google-cloud/storage, plain paths and `file://` through the filesystem, so callers never branch
 * on the scheme. The SDKs are loaded on first use: a local run never pays for them.
 *
 * Configuration is the SDKs' own environment (what a KFP pod or a notebook server already has):
 * - S3: credentials from the AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, IRSA);
 *   endpoint from AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or S3_ENDPOINT (S3-compatible servers);
 *   path-style addressing whenever an endpoint is set (AWS_S3_FORCE_PATH_STYLE=false turns it off).
 * - minio:// (KFP's in-cluster MinIO or any S3-compatible store): MINIO_ENDPOINT, else the S3 endpoint.
 * - GCS: Application Default Credentials; STORAGE_EMULATOR_HOST points it at an emulator.
 */
export interface ObjectStore {
  /** The object's bytes; a UserError naming the URI when it does not exist. */
  read(uri: string): Promise<Buffer>;
  write(uri: string, data: Buffer | string): Promise<void>;
  uploadFile(localFile: string, uri: string): Promise<void>;
  downloadFile(uri: string, localFile: string): Promise<void>;
  /** URIs of every object under a prefix (recursively), sorted. */
  list(prefixUri: string): Promise<string[]>;
  /** Every object under a prefix with its size and version, from the listing alone (nothing downloaded), sorted by URI. */
  listObjects(prefixUri: string): Promise<ObjectInfo[]>;
  exists(uri: string): Promise<boolean>;
}

/**
 * An object as its store's listing describes it. `version` changes whenever the content may have:
 * S3's ETag (an MD5 of the content for plain uploads), GCS's generation (new on every write), a
 * local file's modification time.
 */
export interface ObjectInfo {
  uri: string;
  size: number;
  version: string;
}

export type StorageScheme = 's3' | 'minio' | 'gs' | 'file';

const REMOTE = /^(s3|minio|gs):\/\//;

/** true for s3://, minio:// and gs:// URIs (what a KFP pod can read without a mount). */
export function isObjectStoreUri(uri: string): boolean {
  return typeof uri === 'string' && REMOTE.test(uri);
}

export function parseObjectUri(uri: string): { scheme: 's3' | 'minio' | 'gs'; bucket: string; key: string } {
  const match = /^(s3|minio|gs):\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new UserError(`${uri} is not an object storage URI.`, 'use s3://<bucket>/<path>, minio://<bucket>/<path> or gs://<bucket>/<path>.');
  return { scheme: match[1] as 's3' | 'minio' | 'gs', bucket: match[2], key: match[3] };
}

/** Joins URI or path segments with single slashes (object keys never use the platform separator). */
export function joinUri(base: string, ...parts: string[]): string {
  if (!isObjectStoreUri(base)) return path.join(base, ...parts);
  return [base.replace(/\/+$/, ''), ...parts.map((p) => p.replace(/^\/+|\/+$/g, ''))].filter(Boolean).join('/');
}

const stores = new Map<string, ObjectStore>();

/** The store that serves a URI (cached per scheme and endpoint, so connections are reused). */
export function storeFor(uri: string): ObjectStore {
  const scheme = schemeOf(uri);
  const key =
    scheme === 's3' || scheme === 'minio'
      ? `${scheme}|${s3Endpoint(scheme) ?? ''}`
      : scheme === 'gs'
        ? `gs|${process.env.STORAGE_EMULATOR_HOST ?? ''}`
        : 'file';
  let store = stores.get(key);
  if (!store) {
    store = scheme === 'file' ? new FileStore() : scheme === 'gs' ? new GcsStore() : new S3Store(scheme);
    stores.set(key, store);
  }
  return store;
}

function schemeOf(uri: string): StorageScheme {
  if (typeof uri !== 'string' || !uri) throw new UserError('A storage location is empty.', 'pass a local path or an s3://, minio:// or gs:// URI.');
  const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri);
  if (!match) return 'file';
  const scheme = match[1].toLowerCase();
  if (scheme === 's3' || scheme === 'minio' || scheme === 'gs' || scheme === 'file') return scheme;
  throw new UserError(`${uri}: the storage scheme "${scheme}://" is not supported.`, 'use a local path, file://, s3://, minio:// or gs://.');
}

function localPath(uri: string): string {
  return uri.startsWith('file://') ? fileURLToPath(uri) : path.resolve(uri);
}

function s3Endpoint(scheme: 's3' | 'minio'): string | undefined {
  const env = process.env;
  const s3 = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || env.S3_ENDPOINT || undefined;
  return scheme === 'minio' ? env.MINIO_ENDPOINT || s3 : s3;
}

/**
 * Uploads every file under a local directory to `<uri>/<relative path>`; returns how many. A file
 * (a `system.HTML` page) becomes the object at `uri` itself, as KFP's launcher uploads an output.
 */
export async function uploadDirectory(localDir: string, uri: string): Promise<number> {
  const store = storeFor(uri);
  if (fs.statSync(localDir).isFile()) {
    await store.uploadFile(localDir, uri);
    return 1;
  }
  const files = listLocalFiles(localDir);
  for (const relative of files) await store.uploadFile(path.join(localDir, relative), joinUri(uri, relative.split(path.sep).join('/')));
  return files.length;
}

/** Downloads every object under `uri` into a local directory (keys relative to the prefix); returns how many. */
export async function downloadPrefix(uri: string, localDir: string): Promise<number> {
  const store = storeFor(uri);
  const prefix = uri.replace(/\/+$/, '');
  const objects = (await store.list(prefix)).filter((o) => o === prefix || o.startsWith(`${prefix}/`));
  for (const object of objects) {
    const relative = object === prefix ? path.basename(prefix) : object.slice(prefix.length + 1);
    if (!relative || relative.endsWith('/')) continue;
    await store.downloadFile(object, path.join(localDir, ...relative.split('/')));
  }
  return objects.length;
}

function listLocalFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...listLocalFiles(dir, relative));
    else if (entry.isFile()) out.push(relative);
  }
  return out;
}

function notFound(uri: string): UserError {
  return new UserError(`${uri} does not exist.`, 'check the bucket and path (and that the credentials in the environment can read it).');
}

/** Wraps SDK failures (no credentials, unreachable endpoint, missing bucket) in one message naming the URI. */
function storageError(action: string, uri: string, error: unknown): UserError {
  const err = error as { name?: string; message?: string; code?: string | number; Code?: string };
  const detail = err.Code ?? err.name ?? err.code;
  const refused = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|fetch failed/i.test(`${err.message} ${err.code}`);
  const hint = refused
    ? 'the storage endpoint is unreachable: check AWS_ENDPOINT_URL / MINIO_ENDPOINT (S3) or STORAGE_EMULATOR_HOST (GCS emulator) and the network.'
    : /credential/i.test(err.message ?? '')
      ? 'no credentials found: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (S3, MinIO) or GOOGLE_APPLICATION_CREDENTIALS (GCS).'
      : 'check the bucket exists and the credentials in the environment may use it.';
  return new UserError(
    `Cannot ${action} ${uri}: ${detail && !String(err.message).includes(String(detail)) ? `${detail}: ` : ''}${err.message ?? String(error)}`,
    hint,
  );
}

class FileStore implements ObjectStore {
  async read(uri: string): Promise<Buffer> {
    const file = localPath(uri);
    if (!fs.existsSync(file)) throw notFound(uri);
    return fs.readFileSync(file);
  }
  async write(uri: string, data: Buffer | string): Promise<void> {
    const file = localPath(uri);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data);
  }
  async uploadFile(localFile: string, uri: string): Promise<void> {
    const file = localPath(uri);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.copyFileSync(localFile, file);
  }
  async downloadFile(uri: string, localFile: string): Promise<void> {
    fs.mkdirSync(path.dirname(localFile), { recursive: true });
    fs.copyFileSync(localPath(uri), localFile);
  }
  async list(prefixUri: string): Promise<string[]> {
    const base = localPath(prefixUri);
    if (!fs.existsSync(base)) return [];
    if (fs.statSync(base).isFile()) return [base];
    return listLocalFiles(base).map((f) => path.join(base, f));
  }
  async listObjects(prefixUri: string): Promise<ObjectInfo[]> {
    return (await this.list(prefixUri)).map((file) => {
      const stat = fs.statSync(file);
      return { uri: file, size: stat.size, version: String(stat.mtimeMs) };
    });
  }
  async exists(uri: string): Promise<boolean> {
    return fs.existsSync(localPath(uri));
  }
}

type S3Module = typeof import('@aws-sdk/client-s3');

class S3Store implements ObjectStore {
  private client?: import('@aws-sdk/client-s3').S3Client;
  private sdk?: S3Module;

  constructor(private readonly scheme: 's3' | 'minio') {}

  private connect(): { client: import('@aws-sdk/client-s3').S3Client; sdk: S3Module } {
    if (!this.client || !this.sdk) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: most runs never touch S3
      const sdk = require('@aws-sdk/client-s3') as S3Module;
      const endpoint = s3Endpoint(this.scheme);
      if (this.scheme === 'minio' && !endpoint) {
        throw new UserError('minio:// needs the MinIO endpoint.', 'set MINIO_ENDPOINT (e.g. http://minio-service.kubeflow:9000) or AWS_ENDPOINT_URL.');
      }
      const forcePathStyle = endpoint !== undefined && process.env.AWS_S3_FORCE_PATH_STYLE !== 'false';
      this.client = new sdk.S3Client({
        ...(endpoint ? { endpoint } : {}),
        forcePathStyle,
        region: process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1',
      });
      this.sdk = sdk;
    }
    return { client: this.client, sdk: this.sdk };
  }

  async read(uri: string): Promise<Buffer> {
    const { bucket, key } = parseObjectUri(uri);
    const { client, sdk } = this.connect();
    try {
      const result = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await result.Body!.transformToByteArray());
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') throw notFound(uri);
      throw storageError('read', uri, error);
    }
  }
  async write(uri: string, data: Buffer | string): Promise<void> {
    const { bucket, key } = parseObjectUri(uri);
    const { client, sdk } = this.connect();
    try {
      await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: typeof data === 'string' ? Buffer.from(data) : data }));
    } catch (error) {
      throw storageError('write', uri, error);
    }
  }
  async uploadFile(localFile: string, uri: string): Promise<void> {
    const { bucket, key } = parseObjectUri(uri);
    const { client, sdk } = this.connect();
    try {
      const size = fs.statSync(localFile).size;
      await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: fs.createReadStream(localFile), ContentLength: size }));
    } catch (error) {
      throw storageError('upload to', uri, error);
    }
  }
  async downloadFile(uri: string, localFile: string): Promise<void> {
    const { bucket, key } = parseObjectUri(uri);
    const { client, sdk } = this.connect();
    try {
      const result = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
      fs.mkdirSync(path.dirname(localFile), { recursive: true });
      const { pipeline } = await import('node:stream/promises');
      await pipeline(result.Body as NodeJS.ReadableStream, fs.createWriteStream(localFile));
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') throw notFound(uri);
      throw storageError('download', uri, error);
    }
  }
  async list(prefixUri: string): Promise<string[]> {
    return (await this.listObjects(prefixUri)).map((o) => o.uri);
  }
  async listObjects(prefixUri: string): Promise<ObjectInfo[]> {
    const { scheme, bucket, key } = parseObjectUri(prefixUri);
    const { client, sdk } = this.connect();
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }));
        for (const object of page.Contents ?? [])
          if (object.Key)
            out.push({
              uri: `${scheme}://${bucket}/${object.Key}`,
              size: Number(object.Size ?? 0),
              version: String(object.ETag ?? object.LastModified?.toISOString() ?? ''),
            });
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw storageError('list', prefixUri, error);
    }
    return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  }
  async exists(uri: string): Promise<boolean> {
    const { bucket, key } = parseObjectUri(uri);
    const { client, sdk } = this.connect();
    try {
      await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return false;
      throw storageError('look up', uri, error);
    }
  }
}

type GcsModule = typeof import('@google-cloud/storage');

class GcsStore implements ObjectStore {
  private storage?: import('@google-cloud/storage').Storage;

  private connect(): import('@google-cloud/storage').Storage {
    if (!this.storage) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: most runs never touch GCS
      const { Storage } = require('@google-cloud/storage') as GcsModule;
      const emulator = process.env.STORAGE_EMULATOR_HOST;
      if (emulator) {
        // STORAGE_EMULATOR_HOST names the emulator's host (as the Go and Python clients and
        // fake-gcs-server read it), but this library uses it verbatim as the JSON API base URL, so
        // listings and downloads went to /b/... instead of /storage/v1/b/... (404). A custom
        // apiEndpoint also means no credentials are looked up.
        const storage = new Storage({ apiEndpoint: emulator.replace(/\/+$/, '').replace(/\/storage\/v1$/, '') });
        storage.baseUrl = `${storage.apiEndpoint}/storage/v1`;
        this.storage = storage;
      } else {
        this.storage = new Storage();
      }
    }
    return this.storage;
  }

  private file(uri: string) {
    const { bucket, key } = parseObjectUri(uri);
    return this.connect().bucket(bucket).file(key);
  }

  async read(uri: string): Promise<Buffer> {
    try {
      const [data] = await this.file(uri).download();
      return data;
    } catch (error) {
      if ((error as { code?: number }).code === 404) throw notFound(uri);
      throw storageError('read', uri, error);
    }
  }
  async write(uri: string, data: Buffer | string): Promise<void> {
    try {
      await this.file(uri).save(typeof data === 'string' ? Buffer.from(data) : data, { resumable: false });
    } catch (error) {
      throw storageError('write', uri, error);
    }
  }
  async uploadFile(localFile: string, uri: string): Promise<void> {
    const { bucket, key } = parseObjectUri(uri);
    try {
      await this.connect().bucket(bucket).upload(localFile, { destination: key, resumable: false });
    } catch (error) {
      throw storageError('upload to', uri, error);
    }
  }
  async downloadFile(uri: string, localFile: string): Promise<void> {
    fs.mkdirSync(path.dirname(localFile), { recursive: true });
    try {
      await this.file(uri).download({ destination: localFile });
    } catch (error) {
      if ((error as { code?: number }).code === 404) throw notFound(uri);
      throw storageError('download', uri, error);
    }
  }
  async list(prefixUri: string): Promise<string[]> {
    return (await this.listObjects(prefixUri)).map((o) => o.uri);
  }
  async listObjects(prefixUri: string): Promise<ObjectInfo[]> {
    const { bucket, key } = parseObjectUri(prefixUri);
    try {
      // getFiles follows nextPageToken itself (autoPaginate).
      const [files] = await this.connect().bucket(bucket).getFiles({ prefix: key });
      return files
        .map((f) => ({
          uri: `gs://${bucket}/${f.name}`,
          size: Number(f.metadata.size ?? 0),
          version: String(f.metadata.generation ?? f.metadata.etag ?? f.metadata.md5Hash ?? ''),
        }))
        .sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
    } catch (error) {
      throw storageError('list', prefixUri, error);
    }
  }
  async exists(uri: string): Promise<boolean> {
    try {
      const [exists] = await this.file(uri).exists();
      return exists;
    } catch (error) {
      throw storageError('look up', uri, error);
    }
  }
}

/**
 * A local copy of what a URI names, for code that reads local files (DuckDB, the model loader):
 * a local path is returned as is; a remote object is downloaded to `<dir>/<name>`; a remote
 * prefix (a "directory") to `<dir>/<name>/...`; a glob in the last segment (`s3://b/data/*.csv`)
 * downloads the matching objects and returns the same glob inside `dir`.
 */
export async function localCopyOf(uri: string, dir: string): Promise<string> {
  if (!isObjectStoreUri(uri)) return uri;
  const store = storeFor(uri);
  const named = await objectsNamedBy(uri);
  if (named.kind === 'glob') {
    for (const object of named.objects) await store.downloadFile(object.uri, path.join(dir, object.uri.slice(named.parent.length + 1)));
    return path.join(dir, named.last);
  }
  const target = path.join(dir, named.last || 'root');
  if (named.kind === 'object') {
    await store.downloadFile(named.objects[0].uri, target);
    return target;
  }
  await downloadPrefix(named.trimmed, target);
  return target;
}

/**
 * The objects a URI names, as localCopyOf reads it: one object, every object under a prefix, or
 * the objects matching a wildcard in the last segment; a UserError when it names none. Only the
 * listing is read, so callers can tell from sizes and versions whether anything changed.
 */
export async function objectsNamedBy(
  uri: string,
): Promise<{ kind: 'object' | 'prefix' | 'glob'; objects: ObjectInfo[]; trimmed: string; parent: string; last: string }> {
  const store = storeFor(uri);
  const trimmed = uri.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  const parent = trimmed.slice(0, slash);
  const last = trimmed.slice(slash + 1);
  if (/[*?[]/.test(last)) {
    if (/[*?[]/.test(parent.replace(/^[a-z0-9]+:\/\//, '')))
      throw new UserError(`${uri} has a wildcard in a directory name.`, 'use a wildcard only in the last segment, e.g. s3://bucket/data/*.csv.');
    const matcher = new RegExp(
      `^${last
        .replace(/[.+^${}()|\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')}$`,
    );
    const objects = (await store.listObjects(`${parent}/`)).filter((o) => matcher.test(o.uri.slice(parent.length + 1)));
    if (objects.length === 0) throw new UserError(`No objects match ${uri}.`, 'check the pattern and the bucket path.');
    return { kind: 'glob', objects, trimmed, parent, last };
  }
  const listed = await store.listObjects(trimmed);
  const exact = listed.find((o) => o.uri === trimmed);
  if (exact) return { kind: 'object', objects: [exact], trimmed, parent, last };
  const under = listed.filter((o) => o.uri.startsWith(`${trimmed}/`));
  if (under.length === 0) throw notFound(uri);
  return { kind: 'prefix', objects: under, trimmed, parent, last };
}
