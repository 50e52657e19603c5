import * as path from 'node:path';
import type { Executor } from '../../dsl/component';
import { joinUri } from '../../io/storage';
import { SERVING_MODEL_SUBDIR } from '../../model/format';
import { fetchLatestPushedModel } from '../pusher/pushed-versions';

export const pushedModelResolverExecutor: Executor<{ baseDirectory: string; modelName: string }> = async (context) => {
  const { baseDirectory, modelName } = context.parameters;
  const output = context.outputs.model[0];
  const found = await fetchLatestPushedModel(baseDirectory, modelName, path.join(output.uri, SERVING_MODEL_SUBDIR), context.log);
  if (!found) {
    // Nothing to publish: consumers see no artifact, as when a Resolver finds no blessed model.
    (context.outputs.model as unknown as unknown[]).splice(0);
    context.log(`no complete pushed model under ${joinUri(baseDirectory, modelName)} yet: no baseline (as on a first run)`);
    return;
  }
  Object.assign(output.customProperties, {
    pushed_destination: found.uri,
    pushed_version: String(found.version),
    ...(found.source?.model ? { pushed_model: found.source.model } : {}),
  });
  context.log(`latest pushed model: version ${found.version} (${found.uri}), checksums verified`);
};
