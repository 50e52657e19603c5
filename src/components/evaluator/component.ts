import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { baselineIsCandidate } from './baseline';
import { defineComponent } from '../../dsl/component';
import { evalConfigSchema } from '../../evaluator/eval-config';

/**
 * TFX's Evaluator (TFMA): metrics per slice for the candidate model and, when a Resolver found
 * one, the latest blessed model as baseline; thresholds decide the ModelBlessing.
 */
export const Evaluator = defineComponent({
  type: 'Evaluator',
  version: '1',
  inputs: {
    examples: { type: standardArtifacts.Examples },
    model: { type: standardArtifacts.Model },
    baselineModel: { type: standardArtifacts.Model, optional: true },
    schema: { type: standardArtifacts.Schema, optional: true },
  },
  outputs: {
    evaluation: { type: standardArtifacts.ModelEvaluation },
    blessing: { type: standardArtifacts.ModelBlessing },
  },
  parameters: z
    .object({
      evalConfig: evalConfigSchema.default({}),
      /** Splits to evaluate on (TFX example_splits). */
      exampleSplits: z.array(z.string().min(1)).min(1).default(['eval']),
    })
    .strict(),
  executor: async () => (await import('./executor')).evaluatorExecutor,
  // A re-run whose Resolver now returns the candidate itself as baseline is the same evaluation: cached.
  // (The first run's Resolver found nothing: its baselineModel input was the empty list.)
  cacheInputs: (inputs) => (baselineIsCandidate(inputs.baselineModel?.[0], inputs.model?.[0]) ? { ...inputs, baselineModel: [] } : inputs),
});
