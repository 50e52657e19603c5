import type { Executor } from '../../dsl/component';
import { loadSchema } from '../../schema/io';
import type { Schema } from '../../schema/types';
import type { RawFeature } from '../../transform/graph';
import { runTransform } from '../../transform/run';
import { UserError } from '../../util/errors';

interface TransformParameters {
  moduleFile: string;
  preprocessingFn: string;
  splitsConfig: { analyze: string[]; transform?: string[] };
  materialize: boolean;
}

export const transformExecutor: Executor<TransformParameters> = async (context) => {
  const p = context.parameters;
  const examples = context.inputs.examples[0];
  const splits = examples.splitNames;
  for (const split of p.splitsConfig.analyze) {
    if (!splits.includes(split))
      throw new UserError(
        `Transform: the examples have no "${split}" split to analyze (they have: ${splits.join(', ') || 'none'}).`,
        'set splitsConfig.analyze to existing splits.',
      );
  }
  const transformSplits = p.splitsConfig.transform ?? splits;
  const schema = context.inputs.schema?.[0];
  const { graph } = await runTransform({
    moduleFile: p.moduleFile,
    preprocessingFn: p.preprocessingFn,
    examplesUri: examples.uri,
    analyzeSplits: p.splitsConfig.analyze,
    transformSplits,
    graphDir: context.outputs.transformGraph[0].uri,
    transformedExamplesUri: p.materialize ? context.outputs.transformedExamples[0].uri : undefined,
    schemaFeatures: schema ? schemaRawFeatures(loadSchema(schema)) : undefined,
    progress: (fraction, message) => context.progress(fraction, message),
    log: (message) => context.log(message),
  });
  const transformed = context.outputs.transformedExamples[0];
  transformed.splitNames = p.materialize ? transformSplits : [];
  transformed.properties.span = examples.properties.span ?? 0;
  transformed.properties.version = examples.properties.version ?? 0;
  transformed.customProperties.transformed = 1;
  context.outputs.transformGraph[0].customProperties.num_outputs = graph.outputs.length;
};

export function schemaRawFeatures(schema: Schema): RawFeature[] {
  return schema.feature
    .filter((f) => f.type === 'INT' || f.type === 'FLOAT' || f.type === 'BYTES')
    .map((f) => ({ name: f.name, dtype: f.type === 'INT' ? 'int' : f.type === 'FLOAT' ? 'float' : 'string' }));
}
