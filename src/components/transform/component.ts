import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { defineComponent } from '../../dsl/component';

/**
 * TFX's Transform: the module file's `preprocessingFn(inputs, tft)` is traced into a graph, its
 * analyzers run over the train split (DuckDB), and every split is materialized as transformed
 * examples. The graph artifact is what Trainer, Evaluator and the model server apply to raw rows.
 */
export const Transform = defineComponent({
  type: 'Transform',
  version: '1',
  inputs: {
    examples: { type: standardArtifacts.Examples },
    schema: { type: standardArtifacts.Schema, optional: true },
  },
  outputs: {
    transformGraph: { type: standardArtifacts.TransformGraph },
    transformedExamples: { type: standardArtifacts.Examples },
  },
  parameters: z
    .object({
      /** A .ts/.js file exporting the preprocessing function (TFX module_file). */
      moduleFile: z.string().min(1, 'moduleFile must name a .ts or .js file exporting preprocessingFn'),
      /** Name of the exported function (TFX preprocessing_fn). */
      preprocessingFn: z.string().min(1).default('preprocessingFn'),
      /** TFX splits_config: which splits the analyzers see, which get transformed. */
      splitsConfig: z
        .object({ analyze: z.array(z.string().min(1)).min(1).default(['train']), transform: z.array(z.string().min(1)).optional() })
        .default({ analyze: ['train'] }),
      /** Write transformed examples (TFX materialize); the graph is always written. */
      materialize: z.boolean().default(true),
    })
    .strict(),
  fileParameters: ['moduleFile'],
  executor: async () => (await import('./executor')).transformExecutor,
});
