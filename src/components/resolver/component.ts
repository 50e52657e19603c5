import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { BaseComponent, defineComponent, InputArgs, MetadataStoreSubstitute } from '../../dsl/component';
import { isObjectStoreUri, joinUri } from '../../io/storage';
import { pushLocationOf } from '../pusher/component';
import { PushedModelResolver } from './pushed-model';

/** TFX's resolver strategies (tfx.dsl.experimental.*); pass one as `strategyClass`. */
export const LatestBlessedModelStrategy = 'LatestBlessedModelStrategy' as const;

const ResolverComponent = defineComponent({
  type: 'Resolver',
  version: '1',
  inputs: {},
  outputs: {
    model: { type: standardArtifacts.Model },
    modelBlessing: { type: standardArtifacts.ModelBlessing },
  },
  parameters: z
    .object({
      strategyClass: z.literal(LatestBlessedModelStrategy, {
        errorMap: () => ({ message: 'strategyClass must be LatestBlessedModelStrategy (the one resolver strategy tfx-ts has)' }),
      }),
    })
    .strict(),
  executor: async () => (await import('./executor')).resolverExecutor,
  withoutMetadataStore: latestPushedInstead,
});

/**
 * Without the metadata store (Kubeflow), the latest blessed model is the latest model the
 * pipeline's Pusher pushed (it pushes blessed models only), read from its destination at run time.
 */
function latestPushedInstead(node: BaseComponent, pipeline: { pipelineName: string; components: readonly BaseComponent[] }): MetadataStoreSubstitute {
  const pushers = pipeline.components.flatMap((c) => {
    const location = pushLocationOf(c, pipeline.pipelineName);
    return location ? [{ id: c.id, ...location }] : [];
  });
  const leftOut = `${node.id} (Resolver) is left out on Kubeflow, where the pipeline's metadata store is the cluster's ML Metadata`;
  if (pushers.length === 0)
    return {
      explanation: `${leftOut}, and the pipeline has no Pusher whose pushed models could be the baseline: its consumers run without it, as on a first run.`,
    };
  if (pushers.length > 1)
    return {
      explanation: `${leftOut}, and the pipeline has ${pushers.length} Pushers (${pushers.map((p) => p.id).join(', ')}), so which pushed model is the baseline is ambiguous: its consumers run without it, as on a first run.`,
    };
  const [pusher] = pushers;
  const where = joinUri(pusher.baseDirectory, pusher.modelName);
  const replacement = new PushedModelResolver({ baseDirectory: pusher.baseDirectory, modelName: pusher.modelName }).withId(node.id);
  const lost = isObjectStoreUri(pusher.baseDirectory)
    ? ''
    : ` ${pusher.id} pushes to ${pusher.baseDirectory}, which is not object storage: a pod's files are gone when it ends, so no run will find an earlier model; push to s3://, minio:// or gs://.`;
  return {
    replacement,
    explanation: `${node.id} (Resolver) runs on Kubeflow as a lookup of the latest model ${pusher.id} pushed (the newest complete, checksum-verified version under ${where}), since the pipeline's metadata store is the cluster's ML Metadata; until a model is pushed, its consumers run without a baseline, as on a first run.${lost}`,
  };
}

/**
 * TFX's Resolver node: finds existing artifacts in the metadata store instead of producing new
 * ones. With LatestBlessedModelStrategy its outputs are the latest blessed model and its blessing
 * (empty on the first run), wired to the Evaluator's `baselineModel`. It never comes from cache:
 * what is latest changes between runs.
 */
export class Resolver extends ResolverComponent {
  constructor(args: InputArgs<Record<never, never>> & { strategyClass: typeof LatestBlessedModelStrategy }) {
    super(args);
    this.enableCache = false;
  }
}
