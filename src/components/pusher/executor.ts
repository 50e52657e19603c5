import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Executor } from '../../dsl/component';
import { SERVING_MODEL_SUBDIR } from '../../model/format';
import { writeChecksums } from '../../serving/checksums';
import { writeDirectoryAtomic } from '../../util/atomic';
import { UserError } from '../../util/errors';

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
  const modelDir = path.resolve(context.parameters.pushDestination.filesystem.baseDirectory, modelName);
  fs.mkdirSync(modelDir, { recursive: true });
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
