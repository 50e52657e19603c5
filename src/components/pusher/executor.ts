import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Executor } from '../../dsl/component';
import { SERVING_MODEL_SUBDIR } from '../../model/format';
import { computeChecksums, CHECKSUMS_FILE, writeChecksums } from '../../serving/checksums';
import { writeDirectoryAtomic } from '../../util/atomic';
import { UserError } from '../../util/errors';
import { isObjectStoreUri, joinUri, storeFor, uploadDirectory } from '../../io/storage';
import { checksumsText, PUSH_COMPLETE, pushedVersions } from './pushed-versions';

interface PusherParameters {
  pushDestination: { filesystem: { baseDirectory: string } };
  modelName?: string;
}

export const PUSH_RECORD = 'push.json';

/** Next free version number: unix seconds, bumped past existing versions (two pushes in one second). */
export function nextVersion(modelDir: string, nowSeconds = Math.floor(Date.now() / 1000)): number {
  const existing = fs.existsSync(modelDir)
    ? fs
        .readdirSync(modelDir)
        .filter((d) => /^\d+$/.test(d))
        .map(Number)
    : [];
  return Math.max(nowSeconds, ...existing.map((v) => v + 1));
}

export const pusherExecutor: Executor<PusherParameters> = async (context) => {
  const model = context.inputs.model[0];
  const blessing = context.inputs.modelBlessing?.[0];
  const pushed = context.outputs.pushedModel[0];
  const record = (properties: Record<string, string | number>) => {
    Object.assign(pushed.customProperties, properties);
    fs.writeFileSync(path.join(pushed.uri, PUSH_RECORD), JSON.stringify({ ...properties, model: model.uri, modelId: model.id }, null, 1));
  };
  if (blessing && Number(blessing.customProperties.blessed) !== 1) {
    context.log(`model #${model.id} is not blessed (blessing #${blessing.id}); not pushing`);
    record({ pushed: 0 });
    return;
  }
  const source = path.join(model.uri, SERVING_MODEL_SUBDIR);
  if (!fs.existsSync(source)) throw new UserError(`Model ${model.uri} has no ${SERVING_MODEL_SUBDIR} bundle to push.`, 'push a model produced by the Trainer.');
  const modelName = context.parameters.modelName ?? context.pipelineName;
  const base = context.parameters.pushDestination.filesystem.baseDirectory;
  if (isObjectStoreUri(base)) {
    // A bucket (KFP): the pod's filesystem is gone after the task, the bucket is what serving reads.
    const modelDir = joinUri(base, modelName);
    const version = Math.max(Math.floor(Date.now() / 1000), ...(await pushedVersions(modelDir)).map((v) => v + 1));
    const destination = joinUri(modelDir, String(version));
    // Objects have no atomic directory rename: the bundle's files go first, then their checksums,
    // the version's completion marker last; readers (fetchLatestPushedModel) only trust versions
    // with the marker whose files match the checksums.
    const manifest = computeChecksums(source);
    await uploadDirectory(source, destination);
    await storeFor(destination).write(joinUri(destination, CHECKSUMS_FILE), checksumsText(manifest));
    await storeFor(destination).write(joinUri(destination, PUSH_COMPLETE), JSON.stringify({ modelId: model.id ?? null, model: model.uri }));
    context.log(`pushed model #${model.id} to ${destination}`);
    record({ pushed: 1, pushed_destination: destination, pushed_version: String(version) });
    return;
  }
  const modelDir = path.resolve(base, modelName);
  fs.mkdirSync(modelDir, { recursive: true });
  // A model server loads every new version directory; the same model pushed again (a re-run that
  // re-evaluated, a run without cache) must not become one.
  const latest = latestVersion(modelDir);
  if (latest !== undefined && holdsSameFiles(path.join(modelDir, String(latest)), source)) {
    const existing = path.join(modelDir, String(latest));
    context.log(`model #${model.id} is already the latest version ${latest} (${existing}), file for file; no new version`);
    record({ pushed: 1, pushed_destination: existing, pushed_version: String(latest) });
    return;
  }
  const version = nextVersion(modelDir);
  const destination = path.join(modelDir, String(version));
  // Copied into a hidden staging directory, checksummed, fsync'ed, then renamed: a model server
  // polling the directory never sees a half-copied version, and it loads one only when the files
  // match the manifest written here.
  writeDirectoryAtomic(destination, (staging) => {
    fs.cpSync(source, staging, { recursive: true });
    writeChecksums(staging);
  });
  context.log(`pushed model #${model.id} to ${destination}`);
  record({ pushed: 1, pushed_destination: destination, pushed_version: String(version) });
};

function latestVersion(modelDir: string): number | undefined {
  const versions = fs
    .readdirSync(modelDir)
    .filter((d) => /^\d+$/.test(d) && fs.statSync(path.join(modelDir, d)).isDirectory())
    .map(Number);
  return versions.length ? Math.max(...versions) : undefined;
}

/** Every file of the bundle `source` is in `dir` with the same bytes (the checksum manifest written beside them does not count). */
function holdsSameFiles(dir: string, source: string): boolean {
  for (const entry of fs.readdirSync(source, { withFileTypes: true })) {
    const a = path.join(source, entry.name);
    const b = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!fs.existsSync(b) || !fs.statSync(b).isDirectory() || !holdsSameFiles(b, a)) return false;
    } else {
      if (!fs.existsSync(b) || fs.statSync(b).size !== fs.statSync(a).size || !fs.readFileSync(a).equals(fs.readFileSync(b))) return false;
    }
  }
  return true;
}
