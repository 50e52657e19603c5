import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { OPS } from './ops';
import { applyTransformGraph, ApplyOptions, RawColumns, RawRow, TransformedBatch } from './apply';
import { DType, GRAPH_FILE, outputByName, parseTransformGraph, RawFeature, TransformGraph } from './graph';

/**
 * TFT's TFTransformOutput: read access to a finished transform graph for module files (vocabulary
 * sizes for embeddings, feature types) plus `transformRawFeatures`, which is applyTransformGraph.
 */
export class TransformOutput {
  constructor(
    readonly graph: TransformGraph,
    readonly location?: string,
  ) {}

  /** Loads `transform_graph.json` from a TransformGraph artifact directory, a model bundle, or the file itself. */
  static load(location: string): TransformOutput {
    const file = fs.existsSync(location) && fs.statSync(location).isDirectory() ? path.join(location, GRAPH_FILE) : location;
    if (!fs.existsSync(file))
      throw new UserError(`No transform graph at ${file}.`, 'pass the TransformGraph artifact directory written by the Transform component.');
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UserError(`Transform graph ${file} is not valid JSON: ${(error as Error).message}.`);
    }
    return new TransformOutput(parseTransformGraph(json, file, new Set(Object.keys(OPS))), location);
  }

  /** Names of the transformed features, in the order preprocessingFn returned them. */
  get transformedFeatureNames(): string[] {
    return this.graph.outputs.map((o) => o.name);
  }

  transformedFeatureType(name: string): DType {
    return outputByName(this.graph, name).dtype;
  }

  /** Raw features (name + type) the graph reads. */
  rawFeatureSpec(): RawFeature[] {
    return [...this.graph.rawFeatures];
  }

  /** Vocabulary behind a computeAndApplyVocabulary / applyVocabulary output. */
  vocabulary(outputName: string): string[] {
    const node = this.graph.nodes[outputByName(this.graph, outputName).node];
    if (node.op === 'compute_and_apply_vocabulary') return [...((node.analysis?.vocabulary as string[]) ?? [])];
    if (node.op === 'apply_vocabulary') return [...(node.attrs.vocabulary as string[])];
    throw new UserError(`Transformed feature "${outputName}" is not a vocabulary lookup (it is ${node.op}).`);
  }

  /**
   * Number of distinct integer values a categorical output can take (TFT's
   * num_buckets_for_transformed_feature): vocabulary + OOV buckets, quantile buckets, hash buckets.
   */
  numBucketsForTransformedFeature(outputName: string): number {
    const node = this.graph.nodes[outputByName(this.graph, outputName).node];
    switch (node.op) {
      case 'compute_and_apply_vocabulary':
        return ((node.analysis?.vocabulary as string[]) ?? []).length + (node.attrs.numOovBuckets as number);
      case 'apply_vocabulary':
        return (node.attrs.vocabulary as string[]).length + ((node.attrs.numOovBuckets as number) ?? 0);
      case 'bucketize':
        return ((node.analysis?.boundaries as number[]) ?? []).length + 1;
      case 'apply_buckets':
        return (node.attrs.boundaries as number[]).length + 1;
      case 'hash_strings':
        return node.attrs.hashBuckets as number;
      default:
        throw new UserError(
          `Transformed feature "${outputName}" (${node.op}) has no known number of buckets.`,
          'use a vocabulary, bucketize, applyBuckets or hashStrings output, or give the size yourself.',
        );
    }
  }

  transformRawFeatures(examples: RawRow[] | RawColumns, options?: ApplyOptions): TransformedBatch {
    return applyTransformGraph(this.graph, examples, options);
  }
}
