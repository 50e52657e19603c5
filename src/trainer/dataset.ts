import * as path from 'node:path';
import { DuckSession } from '../data/duckdb';
import { UserError } from '../util/errors';
import { applyTransformGraph } from '../transform/apply';
import { describeExamples, readExampleColumns } from '../transform/example-io';
import type { ColumnValues } from '../transform/ops';
import { TransformOutput } from '../transform/transform-output';

/**
 * The Trainer's input (TFX's DataAccessor.tf_dataset_factory): Parquet examples → one Float32Array
 * per feature and one for the label, in memory, ready to be sliced into batches without copying.
 * Raw examples go through applyTransformGraph; examples Transform already materialized are read
 * as they are (they were written by the same function).
 */
export interface DatasetOptions {
  /** Batch size the model trains with (TFX TensorFlowDatasetOptions.batch_size). */
  batchSize?: number;
  /** Transformed (or raw) feature holding the label. */
  labelKey?: string;
  /** Features to load (default: every transformed feature except the label). */
  featureKeys?: string[];
}

export class ExampleDataset {
  constructor(
    readonly numExamples: number,
    readonly features: Readonly<Record<string, Float32Array>>,
    readonly label: Float32Array | undefined,
    readonly options: Readonly<DatasetOptions> & { source: string },
  ) {}

  get featureKeys(): string[] {
    return Object.keys(this.features);
  }

  get batchSize(): number {
    return this.options.batchSize ?? 256;
  }

  /** Loads Parquet files; applies the transform graph when they hold raw examples. */
  static async fromFiles(files: readonly string[], options: DatasetOptions = {}, transformOutput?: TransformOutput | string): Promise<ExampleDataset> {
    if (!Array.isArray(files) || files.length === 0)
      throw new UserError('tfDatasetFactory needs at least one Parquet file (fnArgs.trainFiles / fnArgs.evalFiles).');
    if (options.batchSize !== undefined && (!Number.isInteger(options.batchSize) || options.batchSize <= 0)) {
      throw new UserError(`batchSize must be a positive integer, got ${options.batchSize}.`);
    }
    const transform = typeof transformOutput === 'string' ? TransformOutput.load(transformOutput) : transformOutput;
    const source = files.length === 1 ? files[0] : `${files.length} files under ${path.dirname(files[0])}`;
    return DuckSession.with(async (db) => {
      const available = await describeExamples(db, files);
      const availableNames = available.map((f) => f.name);
      const labelKey = options.labelKey;
      const featureKeys = options.featureKeys ?? (transform ? transform.transformedFeatureNames : availableNames).filter((k) => k !== labelKey);
      const wanted = labelKey ? [...featureKeys, labelKey] : featureKeys;
      let columns: Record<string, ColumnValues>;
      let numRows: number;
      if (wanted.every((k) => availableNames.includes(k))) {
        const raw = await readExampleColumns(
          db,
          files,
          available.filter((f) => wanted.includes(f.name)),
        );
        ({ columns, numRows } = raw);
      } else if (transform) {
        for (const key of wanted) {
          if (!transform.transformedFeatureNames.includes(key)) {
            throw new UserError(
              `"${key}" is neither a column of ${source} nor an output of the transform graph.`,
              `use one of the transformed features: ${transform.transformedFeatureNames.join(', ')}.`,
            );
          }
        }
        const needed = transform.graph.rawFeatures.filter((f) =>
          wanted.some((k) => transform.graph.outputs.find((o) => o.name === k)!.rawInputs.includes(f.name)),
        );
        for (const f of needed) {
          if (!availableNames.includes(f.name)) {
            throw new UserError(
              `The examples ${source} lack raw feature "${f.name}", which the transform graph needs for ${wanted.filter((k) => transform.graph.outputs.find((o) => o.name === k)!.rawInputs.includes(f.name)).join(', ')}.`,
              labelKey && needed.length ? `check that the data has the label column and every feature preprocessingFn reads.` : undefined,
            );
          }
        }
        const raw = await readExampleColumns(db, files, needed);
        const batch = applyTransformGraph(transform.graph, raw, { outputs: wanted });
        ({ numRows } = batch);
        columns = batch.features;
      } else {
        const missing = wanted.filter((k) => !availableNames.includes(k));
        throw new UserError(
          `The examples ${source} have no column ${missing.map((m) => `"${m}"`).join(', ')}.`,
          `columns are: ${availableNames.join(', ')}. Pass fnArgs.transformOutput to compute transformed features from raw examples.`,
        );
      }
      if (numRows === 0) throw new UserError(`The examples ${source} are empty.`, 'the split needs examples to train or evaluate on.');
      const features: Record<string, Float32Array> = {};
      for (const key of featureKeys) features[key] = toFloat32(key, columns[key], source);
      const label = labelKey ? toFloat32(labelKey, columns[labelKey], source) : undefined;
      return new ExampleDataset(numRows, features, label, { ...options, source });
    });
  }
}

function toFloat32(name: string, values: ColumnValues, source: string): Float32Array {
  if (Array.isArray(values)) {
    throw new UserError(
      `Feature "${name}" holds strings; a model needs numbers.`,
      `encode it in preprocessingFn, e.g. tft.computeAndApplyVocabulary(inputs.${name}) or tft.hashStrings(inputs.${name}, 100).`,
    );
  }
  const out = new Float32Array(values.length);
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) missing++;
    out[i] = v;
  }
  if (missing > 0) {
    throw new UserError(
      `Feature "${name}" has ${missing} missing (NaN) value(s) in ${source}; a model cannot train on them.`,
      `fill them in preprocessingFn, e.g. inputs.${name}.fillMissing(0), or drop those rows in ExampleGen.`,
    );
  }
  return out;
}

/** TFX's fn_args.data_accessor. */
export interface DataAccessor {
  tfDatasetFactory(files: readonly string[], options?: DatasetOptions, transformOutput?: TransformOutput | string): Promise<ExampleDataset>;
}

export const dataAccessor: DataAccessor = {
  tfDatasetFactory: (files, options, transformOutput) => ExampleDataset.fromFiles(files, options, transformOutput),
};
