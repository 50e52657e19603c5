import * as path from 'node:path';
import { Pipeline } from '../dsl/pipeline';
import { UserError } from '../util/errors';
import { loadUserModule } from '../util/module-loader';

/**
 * A pipeline module exports `createPipeline(overrides)` (or a default function, or a `pipeline`
 * value) returning a Pipeline, as TFX templates' pipeline.py does.
 */
export async function loadPipelineModule(file: string, overrides: { pipelineRoot?: string } = {}): Promise<Pipeline> {
  const module = loadUserModule(file);
  const factory = module.createPipeline ?? module.default ?? module.pipeline;
  const value = typeof factory === 'function' ? await (factory as (o: object) => unknown)(overrides) : factory;
  if (!(value instanceof Pipeline) && !(value && (value as Pipeline).components && (value as Pipeline).pipelineName)) {
    throw new UserError(
      `Pipeline module ${path.resolve(file)} does not provide a Pipeline.`,
      'export `function createPipeline(options) { return new Pipeline({...}) }` from it.',
    );
  }
  const pipeline = value as Pipeline;
  if (overrides.pipelineRoot && pipeline.pipelineRoot !== overrides.pipelineRoot) {
    return new Pipeline({
      ...pipeline,
      pipelineRoot: overrides.pipelineRoot,
      metadataPath: path.join(overrides.pipelineRoot, 'metadata.sqlite'),
      components: pipeline.components,
    });
  }
  return pipeline;
}
