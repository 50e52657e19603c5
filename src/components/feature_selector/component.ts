import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { defineComponent } from '../../dsl/component';

/**
 * Feature selection (tfx-addons' FeatureSelector, the pipeline step seed 003 lists): scores every
 * feature of a split against the label and keeps the top `k` (or those scoring at least
 * `threshold`). Output: a FeatureSelection artifact with the selected list and all scores.
 * Optional in a pipeline: nothing downstream requires it.
 */
export const FeatureSelector = defineComponent({
  type: 'FeatureSelector',
  version: '1',
  inputs: { examples: { type: standardArtifacts.Examples } },
  outputs: { featureSelection: { type: standardArtifacts.FeatureSelection } },
  parameters: z
    .object({
      /** The label column (raw, or transformed when fed Transform's transformed examples). */
      labelKey: z.string().min(1, 'labelKey must name the label column'),
      /** Keep this many best features (default 10). */
      k: z.number().int().positive('k must be a positive integer').optional(),
      /** Or keep every feature scoring at least this. */
      threshold: z.number().nonnegative().optional(),
      scoreFunction: z.enum(['mutual_info', 'f_classif', 'correlation']).default('mutual_info'),
      /** Features to score (default: every column except the label). */
      features: z.array(z.string().min(1)).min(1).optional(),
      split: z.string().min(1).default('train'),
      /** Equal-frequency bins for float features under mutual_info. */
      bins: z.number().int().min(2).max(1000).default(10),
    })
    .strict()
    .refine((p) => !(p.k !== undefined && p.threshold !== undefined), 'give k or threshold, not both'),
  executor: async () => (await import('./executor')).featureSelectorExecutor,
});
