import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { defineComponent } from '../../dsl/component';

const jsonRecord = z.record(z.unknown());

/**
 * TFX's Trainer (generic trainer): the module file's `runFn(fnArgs)` trains a tfjs model and
 * saves a bundle to fnArgs.servingModelDir. Training curves are shown live in the notebook and
 * written as TensorBoard event files to the ModelRun.
 */
export const Trainer = defineComponent({
  type: 'Trainer',
  version: '1',
  inputs: {
    examples: { type: standardArtifacts.Examples },
    transformGraph: { type: standardArtifacts.TransformGraph, optional: true },
    schema: { type: standardArtifacts.Schema, optional: true },
  },
  outputs: {
    model: { type: standardArtifacts.Model },
    modelRun: { type: standardArtifacts.ModelRun },
  },
  parameters: z
    .object({
      moduleFile: z.string().min(1, 'moduleFile must name a .ts or .js file exporting runFn'),
      /** Name of the exported training function (TFX run_fn). */
      runFn: z.string().min(1).default('runFn'),
      trainArgs: z
        .object({
          numSteps: z
            .number({ required_error: 'trainArgs.numSteps is required (total training steps)' })
            .int()
            .positive('trainArgs.numSteps must be a positive integer'),
          splits: z.array(z.string().min(1)).min(1).default(['train']),
        })
        .strict(),
      evalArgs: z
        .object({
          numSteps: z.number().int().positive('evalArgs.numSteps must be a positive integer').optional(),
          splits: z.array(z.string().min(1)).min(1).default(['eval']),
        })
        .strict()
        .default({}),
      hyperparameters: jsonRecord.default({}),
      customConfig: jsonRecord.default({}),
      /** Seeds initializers, dropout and shuffling (tfx-ts addition: TFX relies on tf.random.set_seed in the module). */
      seed: z.number().int().nonnegative().default(0),
    })
    .strict(),
  fileParameters: ['moduleFile'],
  executor: async () => (await import('./executor')).trainerExecutor,
});
