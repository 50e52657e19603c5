import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHECKSUMS_FILE, ChecksumManifest, verifyChecksums } from '../../serving/checksums';
import { downloadPrefix, isObjectStoreUri, joinUri, storeFor } from '../../io/storage';

/**
 * The layout the Pusher writes under `<baseDirectory>/<modelName>/`, in one module for the side
 * that writes it (Pusher) and the side that reads it back (PushedModelResolver, the Evaluator's
 * baseline on Kubeflow): one directory per version (unix seconds, TF Serving's layout), the
 * bundle's files, `checksums.json` (size and SHA-256 of each file) and, on object storage, the
 * `_PUSHED` marker written last. Objects have no atomic directory rename, so a version counts only
 * once its marker is there and its files match its checksums.
 */

/** Written last into a version pushed to object storage: the version is complete. */
export const PUSH_COMPLETE = '_PUSHED';

/** Versions (unix seconds) under `<base>/<model>/` on object storage, complete or not. */
export async function pushedVersions(modelDir: string): Promise<number[]> {
  const objects = await storeFor(modelDir).list(`${modelDir}/`);
  return [
    ...new Set(
      objects
        .map((o) => /^(\d+)\//.exec(o.slice(modelDir.length + 1))?.[1])
        .filter((v): v is string => !!v)
        .map(Number),
    ),
  ];
}

function localVersions(modelDir: string): number[] {
  if (!fs.existsSync(modelDir)) return [];
  return fs
    .readdirSync(modelDir)
    .filter((d) => /^\d+$/.test(d) && fs.statSync(path.join(modelDir, d)).isDirectory())
    .map(Number);
}

export function checksumsText(manifest: ChecksumManifest): string {
  return `${JSON.stringify(manifest, null, 1)}\n`;
}

export interface FetchedPushedModel {
  /** Where the version lives: `<baseDirectory>/<modelName>/<version>`. */
  uri: string;
  version: number;
  /** What the Pusher recorded about the model it pushed (object storage: the `_PUSHED` marker). */
  source?: { model?: string; modelId?: number | null };
}

/**
 * Copies the newest complete, verified version pushed to `<baseDirectory>/<modelName>/` (local
 * or object storage) into `targetDir` (created; must not exist) and says which it was; undefined
 * when nothing usable was pushed yet. Versions without the marker (a push still uploading, or one
 * that died half-way) or whose files do not match their checksums are skipped, newest first, each
 * with a log line.
 */
export async function fetchLatestPushedModel(
  baseDirectory: string,
  modelName: string,
  targetDir: string,
  log: (message: string) => void = () => undefined,
): Promise<FetchedPushedModel | undefined> {
  const remote = isObjectStoreUri(baseDirectory);
  const modelDir = remote ? joinUri(baseDirectory, modelName) : path.resolve(baseDirectory, modelName);
  const versions = (remote ? await pushedVersions(modelDir) : localVersions(modelDir)).sort((a, b) => b - a);
  fs.mkdirSync(path.dirname(targetDir), { recursive: true });
  for (const version of versions) {
    const uri = joinUri(modelDir, String(version));
    let source: FetchedPushedModel['source'];
    if (remote) {
      const store = storeFor(uri);
      if (!(await store.exists(joinUri(uri, PUSH_COMPLETE)))) {
        log(`version ${version} at ${uri} has no ${PUSH_COMPLETE} marker (incomplete push): skipped`);
        continue;
      }
      try {
        source = JSON.parse((await store.read(joinUri(uri, PUSH_COMPLETE))).toString('utf8'));
      } catch {
        source = undefined;
      }
    }
    const staging = `${targetDir}.staging-${process.pid}-${version}`;
    fs.rmSync(staging, { recursive: true, force: true });
    if (remote) {
      await downloadPrefix(uri, staging);
      fs.rmSync(path.join(staging, PUSH_COMPLETE), { force: true });
    } else fs.cpSync(uri, staging, { recursive: true });
    const verification = verifyChecksums(staging);
    if (verification.state !== 'verified') {
      const why = verification.state === 'unverified' ? `it has no ${CHECKSUMS_FILE}` : verification.reason;
      log(`version ${version} at ${uri} is not usable (${verification.state}: ${why}): skipped`);
      fs.rmSync(staging, { recursive: true, force: true });
      continue;
    }
    fs.renameSync(staging, targetDir);
    return { uri, version, ...(source ? { source } : {}) };
  }
  return undefined;
}
