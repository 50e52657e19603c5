import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckSession } from '../data/duckdb';
import { loadUserModule, requireExport } from '../util/module-loader';
import { UserError } from '../util/errors';
import { applyTransformGraph } from './apply';
import { analyzeTransformGraph } from './analyze';
import { describeExamples, readExampleColumns, splitFiles, writeExampleColumns } from './example-io';
import { GRAPH_FILE, RawFeature, TransformGraph } from './graph';
import { PreprocessingFn, tracePreprocessingFn } from './tft';

export interface TransformRunArgs {
  moduleFile: string;
  /** Export name of the preprocessing function (TFX: preprocessing_fn). */
  preprocessingFn: string;
  examplesUri: string;
  /** Splits the analyzers see (TFX splits_config.analyze). */
  analyzeSplits: string[];
  /** Splits to materialize as transformed examples (TFX splits_config.transform). */
  transformSplits: string[];
  graphDir: string;
  /** Where transformed examples go; omitted when materialize is off. */
  transformedExamplesUri?: string;
  /** Feature types from a Schema artifact, which win over the Parquet column types. */
  schemaFeatures?: RawFeature[];
  progress?: (fraction: number, message: string) => void;
  log?: (message: string) => void;
}

export interface TransformRunResult {
  graph: TransformGraph;
  transformedCounts: Record<string, number>;
}

/** Trace the module's preprocessingFn, analyze over the train split in DuckDB, write the graph, materialize splits. */
export async function runTransform(args: TransformRunArgs): Promise<TransformRunResult> {
  const progress = args.progress ?? (() => undefined);
  const module = loadUserModule(args.moduleFile);
  const fn = requireExport<PreprocessingFn>(module, args.preprocessingFn, path.resolve(args.moduleFile));
  return DuckSession.with(async (db) => {
    const analyzeFiles = args.analyzeSplits.flatMap((s) => splitFiles(args.examplesUri, s));
    const rawFeatures = mergeSchemaTypes(await describeExamples(db, analyzeFiles), args.schemaFeatures);
    progress(0.05, 'tracing preprocessingFn');
    const traced = await tracePreprocessingFn(fn, rawFeatures, `preprocessingFn in ${path.basename(args.moduleFile)}`);
    progress(0.15, `analyzing ${args.analyzeSplits.join('+')} in DuckDB`);
    const graph = await analyzeTransformGraph(traced, db, analyzeFiles);
    fs.mkdirSync(args.graphDir, { recursive: true });
    fs.writeFileSync(path.join(args.graphDir, GRAPH_FILE), JSON.stringify(graph, null, 1));
    args.log?.(`analyzed ${graph.analyzedExamples} examples; ${graph.outputs.length} transformed features`);
    const transformedCounts: Record<string, number> = {};
    if (args.transformedExamplesUri) {
      for (const [index, split] of args.transformSplits.entries()) {
        progress(0.4 + (0.6 * index) / args.transformSplits.length, `transforming split ${split}`);
        const files = splitFiles(args.examplesUri, split);
        const needed = graph.rawFeatures.filter((f) => graph.outputs.some((o) => o.rawInputs.includes(f.name)));
        const raw = await readExampleColumns(db, files, needed);
        const batch = applyTransformGraph(graph, raw);
        await writeExampleColumns(db, path.join(args.transformedExamplesUri, `Split-${split}`, 'data.parquet'), batch.numRows, batch.features, batch.dtypes);
        transformedCounts[split] = batch.numRows;
        args.log?.(`split ${split}: ${batch.numRows} transformed examples`);
      }
    }
    progress(1, 'done');
    return { graph, transformedCounts };
  });
}

/** Schema types win (a curated schema may say INT where the data happened to parse as DOUBLE), but must not contradict the data's kind. */
function mergeSchemaTypes(fromData: RawFeature[], fromSchema?: RawFeature[]): RawFeature[] {
  if (!fromSchema) return fromData;
  return fromData.map((feature) => {
    const declared = fromSchema.find((f) => f.name === feature.name);
    if (!declared) return feature;
    if ((declared.dtype === 'string') !== (feature.dtype === 'string')) {
      throw new UserError(
        `Feature "${feature.name}" is ${declared.dtype.toUpperCase()} in the schema but ${feature.dtype} in the examples.`,
        'fix the schema (SchemaGen output or your curated schema) or the data.',
      );
    }
    return { name: feature.name, dtype: declared.dtype === 'int' && feature.dtype === 'float' ? 'float' : declared.dtype };
  });
}
