import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { defineComponent, InputArgs } from '../../dsl/component';

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
});

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
