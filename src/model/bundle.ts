import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { formatZodError, UserError } from '../util/errors';
import { applyTransformGraph, RawColumns, RawRow, requiredRawFeatures } from '../transform/apply';
import { DType, GRAPH_FILE, GRAPH_FORMAT, RawFeature, TransformGraph } from '../transform/graph';
import { OPS } from '../transform/ops';
import { parseTransformGraph } from '../transform/graph';
import { TransformOutput } from '../transform/transform-output';
import { selectBackend } from './backend';
import { DenseStack, denseForward, isBinaryClassifier, planDenseStack } from './dense-stack';
import { planWideDeepStructure, WideDeepPredictor } from './wide-deep';

/**
 * A model bundle (the Model artifact's `Format-Serving` directory and what Pusher copies):
 *   model.json + weights.bin   the tfjs LayersModel (loads in a browser with tf.loadLayersModel)
 *   transform_graph.json       the transform graph, applied to raw examples before the model
 *   signature.json             raw feature names/types in, scores out (TF Serving's serving_default)
 * Evaluator and the model server both predict through ModelBundle.predict, so they give the same scores.
 */
import { MODEL_JSON, SIGNATURE_FILE, SIGNATURE_FORMAT, WEIGHTS_FILE } from './format';

export { MODEL_JSON, SIGNATURE_FILE, SIGNATURE_FORMAT, WEIGHTS_FILE };

export type Problem = 'binary_classification' | 'multiclass_classification' | 'regression';

export interface ModelSignature {
  format: typeof SIGNATURE_FORMAT;
  version: 1;
  signatureName: 'serving_default';
  problem: Problem;
  /** Raw features a prediction request carries (the label is not among them). */
  inputs: RawFeature[];
  /** Transformed features the model consumes, in the model's input order. */
  modelInputs: string[];
  /** One output: shape per example. */
  outputs: { name: string; dtype: 'float32'; shape: number[] }[];
  /** The transformed label the model was trained on (Evaluator's default labelKey). */
  labelKey?: string;
  createdAt: string;
  tfjsVersion: string;
}

const signatureSchema = z.object({
  format: z.literal(SIGNATURE_FORMAT),
  version: z.literal(1),
  signatureName: z.literal('serving_default'),
  problem: z.enum(['binary_classification', 'multiclass_classification', 'regression']),
  inputs: z.array(z.object({ name: z.string().min(1), dtype: z.enum(['int', 'float', 'string']) })),
  modelInputs: z.array(z.string().min(1)).min(1),
  outputs: z.array(z.object({ name: z.string(), dtype: z.literal('float32'), shape: z.array(z.number().int()) })).length(1),
  labelKey: z.string().optional(),
  createdAt: z.string(),
  tfjsVersion: z.string(),
});

export interface SaveOptions {
  /** The TransformGraph (artifact directory or TransformOutput) the model's inputs come from. */
  transformOutput?: TransformOutput | string;
  /** The label the model was trained on (recorded for the Evaluator). */
  labelKey?: string;
}

/** Writes a model bundle; returns its signature. Called by module files at the end of runFn. */
export async function saveServingModel(model: tf.LayersModel, dir: string, options: SaveOptions = {}): Promise<ModelSignature> {
  if (!dir) throw new UserError('saveServingModel needs a directory.', 'pass fnArgs.servingModelDir.');
  const transform = typeof options.transformOutput === 'string' ? TransformOutput.load(options.transformOutput) : options.transformOutput;
  const modelInputs = [...model.inputNames];
  const graph = transform ? transform.graph : identityGraph(modelInputs);
  for (const name of modelInputs) {
    if (!graph.outputs.some((o) => o.name === name)) {
      throw new UserError(
        `Model input "${name}" is not an output of the transform graph, so serving could not compute it.`,
        `name model inputs after transformed features: ${graph.outputs.map((o) => o.name).join(', ')}.`,
      );
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData ? Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData)) : Buffer.alloc(0);
      fs.writeFileSync(path.join(dir, WEIGHTS_FILE), weights);
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      };
      fs.writeFileSync(path.join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
    }),
  );
  fs.writeFileSync(path.join(dir, GRAPH_FILE), JSON.stringify(graph));
  const outputShape = model.outputs[0].shape.slice(1).map((d) => d ?? -1);
  const units = outputShape[outputShape.length - 1] ?? 1;
  const lastConfig = model.layers[model.layers.length - 1].getConfig() as { activation?: string };
  const problem: Problem = isBinaryClassifier(model)
    ? 'binary_classification'
    : units > 1 && lastConfig.activation === 'softmax'
      ? 'multiclass_classification'
      : 'regression';
  const signature: ModelSignature = {
    format: SIGNATURE_FORMAT,
    version: 1,
    signatureName: 'serving_default',
    problem,
    inputs: requiredRawFeatures(graph, modelInputs),
    modelInputs,
    outputs: [{ name: model.outputNames[0] ?? 'output_0', dtype: 'float32', shape: outputShape }],
    ...(options.labelKey ? { labelKey: options.labelKey } : {}),
    createdAt: new Date().toISOString(),
    tfjsVersion: tf.version_layers,
  };
  fs.writeFileSync(path.join(dir, SIGNATURE_FILE), JSON.stringify(signature, null, 1));
  return signature;
}

/** A model trained on raw numeric columns: the "transform" passes them through. */
function identityGraph(names: string[]): TransformGraph {
  const rawFeatures = names.map((name) => ({ name, dtype: 'float' as DType }));
  return {
    format: GRAPH_FORMAT,
    version: 1,
    rawFeatures,
    nodes: names.map((name, id) => ({ id, op: 'input', args: [], attrs: { name }, dtype: 'float' as DType })),
    outputs: names.map((name, id) => ({ name, node: id, dtype: 'float' as DType, rawInputs: [name] })),
  };
}

export interface Predictions {
  numRows: number;
  /** Row-major scores, `width` per example. */
  values: Float32Array;
  width: number;
}

export class ModelBundle {
  /** Set when the model is a plain dense stack: predictions then skip the layers engine. */
  private readonly dense: DenseStack | undefined;
  private readonly denseOrder: number[] = [];
  /** Set when the model is wide & deep (the taxi model): the dense tower on fused kernels, embeddings looked up in JS. */
  private readonly wideDeep: { predictor: WideDeepPredictor; deepOrder: number[]; wideOrder: number[] } | undefined;

  constructor(
    readonly dir: string,
    readonly model: tf.LayersModel,
    readonly graph: TransformGraph,
    readonly signature: ModelSignature,
  ) {
    const stack = planDenseStack(model);
    if (stack && stack.features.every((f) => signature.modelInputs.includes(f))) {
      this.dense = stack;
      this.denseOrder = stack.features.map((f) => signature.modelInputs.indexOf(f));
    }
    const plan = this.dense ? undefined : planWideDeepStructure(model);
    if (plan && [...plan.deepFeatures, ...plan.wide.map((w) => w.feature)].every((f) => signature.modelInputs.includes(f))) {
      this.wideDeep = {
        predictor: new WideDeepPredictor(plan),
        deepOrder: plan.deepFeatures.map((f) => signature.modelInputs.indexOf(f)),
        wideOrder: plan.wide.map((w) => signature.modelInputs.indexOf(w.feature)),
      };
    }
  }

  /** Loads and validates a bundle directory (the edge for models on disk). */
  static async load(dir: string): Promise<ModelBundle> {
    const absolute = path.resolve(dir);
    for (const file of [MODEL_JSON, WEIGHTS_FILE, SIGNATURE_FILE, GRAPH_FILE]) {
      if (!fs.existsSync(path.join(absolute, file))) {
        throw new UserError(
          `${absolute} is not a tfx-ts model bundle: ${file} is missing.`,
          "point at a Trainer's model (…/Format-Serving) or a pushed version directory (<base>/<model>/<version>).",
        );
      }
    }
    const signatureJson = readJson(path.join(absolute, SIGNATURE_FILE));
    const parsed = signatureSchema.safeParse(signatureJson);
    if (!parsed.success) throw new UserError(`${path.join(absolute, SIGNATURE_FILE)} is not a valid signature: ${formatZodError(parsed.error)}.`);
    const graph = parseTransformGraph(readJson(path.join(absolute, GRAPH_FILE)), path.join(absolute, GRAPH_FILE), new Set(Object.keys(OPS)));
    const modelJson = readJson(path.join(absolute, MODEL_JSON)) as {
      modelTopology: object;
      trainingConfig?: tf.io.TrainingConfig;
      weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
    };
    const weights = fs.readFileSync(path.join(absolute, WEIGHTS_FILE));
    await selectBackend();
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest.flatMap((m) => m.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
      }),
    );
    return new ModelBundle(absolute, model, graph, parsed.data as ModelSignature);
  }

  /** Model inputs (transformed features) for raw examples: the same applyTransformGraph as everywhere. */
  transformedInputs(examples: RawRow[] | RawColumns): { numRows: number; inputs: Float32Array[] } {
    const batch = applyTransformGraph(this.graph, examples, { outputs: this.signature.modelInputs });
    const inputs = this.signature.modelInputs.map((name) => {
      const values = batch.features[name];
      if (Array.isArray(values)) throw new UserError(`Model input "${name}" is a string feature; the model needs numbers.`);
      return Float32Array.from(values);
    });
    return { numRows: batch.numRows, inputs };
  }

  /** Scores for raw examples (rows or columns), in batches. */
  predict(examples: RawRow[] | RawColumns, batchSize = 4096): Predictions {
    const { numRows, inputs } = this.transformedInputs(examples);
    return this.predictTransformed(numRows, inputs, batchSize);
  }

  predictTransformed(numRows: number, inputs: Float32Array[], batchSize = 4096): Predictions {
    const width = Math.max(
      1,
      this.signature.outputs[0].shape.reduce((a, b) => a * Math.max(b, 1), 1),
    );
    const values = new Float32Array(numRows * width);
    if (this.dense) {
      const columns = this.denseOrder.map((i) => inputs[i]);
      const k = columns.length;
      for (let start = 0; start < numRows; start += batchSize) {
        const end = Math.min(numRows, start + batchSize);
        const matrix = new Float32Array((end - start) * k);
        for (let j = 0; j < k; j++) for (let i = start; i < end; i++) matrix[(i - start) * k + j] = columns[j][i];
        values.set(denseForward(this.dense, matrix, end - start), start * width);
      }
      return { numRows, values, width };
    }
    if (this.wideDeep) {
      const { predictor, deepOrder, wideOrder } = this.wideDeep;
      const columns = deepOrder.map((i) => inputs[i]);
      const k = columns.length;
      for (let start = 0; start < numRows; start += batchSize) {
        const end = Math.min(numRows, start + batchSize);
        const matrix = new Float32Array((end - start) * k);
        for (let j = 0; j < k; j++) for (let i = start; i < end; i++) matrix[(i - start) * k + j] = columns[j][i];
        values.set(
          predictor.predict(
            matrix,
            wideOrder.map((i) => inputs[i].subarray(start, end)),
            end - start,
          ),
          start * width,
        );
      }
      return { numRows, values, width };
    }
    for (let start = 0; start < numRows; start += batchSize) {
      const end = Math.min(numRows, start + batchSize);
      const out = tf.tidy(() => {
        const xs = inputs.map((column) => tf.tensor2d(column.subarray(start, end), [end - start, 1]));
        return (this.model.predictOnBatch(xs.length === 1 ? xs[0] : xs) as tf.Tensor).dataSync() as Float32Array;
      });
      values.set(out, start * width);
    }
    return { numRows, values, width };
  }

  dispose(): void {
    this.model.dispose();
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file} is not valid JSON: ${(error as Error).message}.`);
  }
}
