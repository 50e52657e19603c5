import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { defineComponent, InputArgs } from '../../dsl/component';

const PushedModelResolverComponent = defineComponent({
  type: 'PushedModelResolver',
  version: '1',
  inputs: {},
  outputs: { model: { type: standardArtifacts.Model } },
  parameters: z
    .object({
      /** The Pusher's `pushDestination.filesystem.baseDirectory` (local, s3://, minio:// or gs://). */
      baseDirectory: z.string().min(1, 'baseDirectory must name where the Pusher pushes models'),
      /** The Pusher's model name (its default: the pipeline name). */
      modelName: z.string().min(1, 'modelName must name the pushed model'),
    })
    .strict(),
  executor: async () => (await import('./pushed-model-executor')).pushedModelResolverExecutor,
});

/**
 * The latest model a Pusher pushed, read back from its destination: the newest version under
 * `<baseDirectory>/<modelName>/` that is complete (`_PUSHED` marker) and matches its checksums,
 * copied into the `model` output as a Model artifact (bundle in `Format-Serving/`). Empty when
 * nothing was pushed yet. On Kubeflow it stands in for a Resolver with LatestBlessedModelStrategy
 * (only blessed models are pushed), since KFP's metadata store is not ours to query. It never comes
 * from cache: what is latest changes between runs.
 */
export class PushedModelResolver extends PushedModelResolverComponent {
  constructor(args: InputArgs<Record<never, never>> & { baseDirectory: string; modelName: string }) {
    super(args);
    this.enableCache = false;
  }
}
