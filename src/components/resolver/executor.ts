import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Executor, ExecutorContext } from '../../dsl/component';
import { MetadataStore } from '../../metadata/store';
import { UserError } from '../../util/errors';
import { latestBlessedModel } from './strategy';

/**
 * Resolution needs the metadata store. Orchestrators that pass it as `context.metadata` are used
 * as they are; otherwise the store is the default one of the pipeline root the outputs live in
 * (`<pipelineRoot>/<componentId>/<output>/<execution>` → `<pipelineRoot>/metadata.sqlite`).
 */
type ContextWithMetadata = ExecutorContext<unknown> & { metadata?: MetadataStore };

function openStore(context: ContextWithMetadata): { store: MetadataStore; close: boolean } {
  if (context.metadata) return { store: context.metadata, close: false };
  const outputUri = context.outputs.model[0]?.uri;
  const file = outputUri ? path.resolve(outputUri, '..', '..', '..', 'metadata.sqlite') : '';
  if (!file || !fs.existsSync(file)) {
    throw new UserError(
      'Resolver cannot find the metadata store of this pipeline.',
      'keep the metadata store at its default place (<pipelineRoot>/metadata.sqlite) or run the Resolver with an orchestrator that passes the store.',
    );
  }
  return { store: new MetadataStore(file, { readonly: true }), close: true };
}

export const resolverExecutor: Executor<{ strategyClass: string }> = async (context) => {
  const { store, close } = openStore(context as ContextWithMetadata);
  try {
    const found = latestBlessedModel(store, context.pipelineName);
    // The outputs are existing artifacts: replace the fresh ones the launcher staged.
    const model = context.outputs.model as unknown as unknown[];
    const blessing = context.outputs.modelBlessing as unknown as unknown[];
    model.splice(0, model.length, ...(found ? [found.model] : []));
    blessing.splice(0, blessing.length, ...(found ? [found.blessing] : []));
    context.log(found ? `latest blessed model: #${found.model.id} (${found.model.uri})` : 'no blessed model yet');
  } finally {
    if (close) store.close();
  }
};
