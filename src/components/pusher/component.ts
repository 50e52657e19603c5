import { z } from 'zod';
import { standardArtifacts } from '../../dsl/artifact';
import { BaseComponent, defineComponent } from '../../dsl/component';

/**
 * TFX's Pusher: copies a blessed model bundle to `<baseDirectory>/<modelName>/<version>/`
 * (version = unix seconds, TF Serving's layout), where `tfx-ts serve` picks it up. A model whose
 * blessing says "not blessed" is not pushed.
 */
export const Pusher = defineComponent({
  type: 'Pusher',
  version: '1',
  inputs: {
    model: { type: standardArtifacts.Model },
    modelBlessing: { type: standardArtifacts.ModelBlessing, optional: true },
  },
  outputs: { pushedModel: { type: standardArtifacts.PushedModel } },
  parameters: z
    .object({
      pushDestination: z
        .object({
          filesystem: z.object({ baseDirectory: z.string().min(1, 'pushDestination.filesystem.baseDirectory must name a directory') }).strict(),
        })
        .strict(),
      /** Directory (and served model) name under baseDirectory; default: the pipeline name. */
      modelName: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'modelName may use letters, digits, "_", "-" and "." and must not start with "."')
        .optional(),
    })
    .strict(),
  executor: async () => (await import('./executor')).pusherExecutor,
});

/**
 * Where a Pusher of this pipeline puts its models (`<baseDirectory>/<modelName>/<version>/`), or
 * undefined for a component that is not a Pusher: where a later run finds the latest pushed model.
 */
export function pushLocationOf(component: BaseComponent, pipelineName: string): { baseDirectory: string; modelName: string } | undefined {
  if (component.spec !== Pusher.spec) return undefined;
  const parameters = component.parameters as { pushDestination: { filesystem: { baseDirectory: string } }; modelName?: string };
  return { baseDirectory: parameters.pushDestination.filesystem.baseDirectory, modelName: parameters.modelName ?? pipelineName };
}
