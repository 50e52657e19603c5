import { UserError } from '../util/errors';
import type { RawRow } from '../transform/apply';
import type { ModelSignature, Predictions } from '../model/bundle';

/**
 * The TF Serving REST API's request and response shapes (predict, model status, metadata), kept
 * free of HTTP so the server and `tfx-ts predict` share them. Request bodies are validated here,
 * once, against the model's signature.
 */
export class ServingError extends Error {
  /** closeConnection: answer, then close without reading the rest of the request body. */
  constructor(
    readonly status: number,
    message: string,
    readonly closeConnection = false,
  ) {
    super(message);
    this.name = 'ServingError';
  }
}

export interface PredictRequest {
  format: 'row' | 'columnar';
  rows: RawRow[];
}

/** {"instances": [...]} (row format) or {"inputs": {...}} (columnar format), checked against the signature. */
export function parsePredictRequest(body: unknown, signature: ModelSignature): PredictRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ServingError(400, 'The request body must be a JSON object with "instances" (row format) or "inputs" (columnar format).');
  }
  const request = body as Record<string, unknown>;
  const known = new Set(['instances', 'inputs', 'signature_name']);
  const unknownKeys = Object.keys(request).filter((k) => !known.has(k));
  if (unknownKeys.length)
    throw new ServingError(400, `Unknown key(s) in the request: ${unknownKeys.join(', ')}. Use "instances" or "inputs" (and optionally "signature_name").`);
  if (request.signature_name !== undefined && request.signature_name !== signature.signatureName) {
    throw new ServingError(
      400,
      `Serving signature name: "${String(request.signature_name)}" not found in signature def. The model has "${signature.signatureName}".`,
    );
  }
  const hasInstances = 'instances' in request;
  const hasInputs = 'inputs' in request;
  if (hasInstances === hasInputs) {
    throw new ServingError(400, hasInstances ? 'The request has both "instances" and "inputs"; send one of them.' : "Missing 'inputs' or 'instances' key.");
  }
  const names = signature.inputs.map((f) => f.name);
  if (hasInstances) {
    const instances = request.instances;
    if (!Array.isArray(instances) || instances.length === 0) throw new ServingError(400, '"instances" must be a non-empty list of objects, one per example.');
    instances.forEach((instance, i) => checkInstance(instance, i, names));
    return { format: 'row', rows: instances as RawRow[] };
  }
  const inputs = request.inputs;
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs))
    throw new ServingError(400, '"inputs" must be an object mapping each feature to a list of values.');
  const columns = inputs as Record<string, unknown>;
  checkKeys(Object.keys(columns), names, '"inputs"');
  let length: number | undefined;
  for (const name of names) {
    const values = columns[name];
    if (!Array.isArray(values)) throw new ServingError(400, `"inputs"."${name}" must be a list of values (one per example).`);
    if (length !== undefined && values.length !== length)
      throw new ServingError(400, `"inputs" lists differ in length: "${names[0]}" has ${length} values but "${name}" has ${values.length}.`);
    length = values.length;
  }
  if (!length) throw new ServingError(400, '"inputs" holds no examples.');
  const rows = Array.from({ length }, (_, i) => Object.fromEntries(names.map((n) => [n, (columns[n] as unknown[])[i]])));
  return { format: 'columnar', rows };
}

function checkInstance(instance: unknown, index: number, names: string[]): void {
  if (instance === null || typeof instance !== 'object' || Array.isArray(instance)) {
    throw new ServingError(400, `instances[${index}] must be an object of feature values, e.g. {"${names[0] ?? 'feature'}": ...}.`);
  }
  checkKeys(Object.keys(instance), names, `instances[${index}]`);
}

function checkKeys(keys: string[], names: string[], where: string): void {
  const unknown = keys.filter((k) => !names.includes(k));
  if (unknown.length) throw new ServingError(400, `${where} has unknown feature(s): ${unknown.join(', ')}. The model's inputs are: ${names.join(', ')}.`);
  const missing = names.filter((n) => !keys.includes(n));
  if (missing.length) throw new ServingError(400, `${where} is missing feature(s): ${missing.join(', ')} (send null for a missing value).`);
}

/** {"predictions": [...]} for the row format, {"outputs": [...]} for the columnar format (one output tensor). */
export function predictResponse(format: 'row' | 'columnar', predictions: Predictions): Record<string, unknown> {
  const perExample = Array.from({ length: predictions.numRows }, (_, i) =>
    Array.from(predictions.values.subarray(i * predictions.width, (i + 1) * predictions.width)),
  );
  return format === 'row' ? { predictions: perExample } : { outputs: perExample };
}

/**
 * The same response as JSON text, written straight from the scores: no array per example, so a
 * 1e6-instance answer does not allocate a million small arrays. Identical to
 * JSON.stringify(predictResponse(...)) (NaN → null as JSON.stringify writes it).
 */
export function predictResponseText(format: 'row' | 'columnar', predictions: Predictions): string {
  const { numRows, width, values } = predictions;
  const parts: string[] = [format === 'row' ? '{"predictions":[' : '{"outputs":['];
  const rowText = (i: number) => {
    let text = '[';
    for (let j = 0; j < width; j++) {
      const v = values[i * width + j];
      text += (j ? ',' : '') + (Number.isFinite(v) ? String(v) : 'null');
    }
    return `${text}]`;
  };
  const CHUNK = 4096;
  for (let start = 0; start < numRows; start += CHUNK) {
    const rows: string[] = [];
    for (let i = start; i < Math.min(numRows, start + CHUNK); i++) rows.push(rowText(i));
    parts.push((start ? ',' : '') + rows.join(','));
  }
  parts.push(']}');
  return parts.join('');
}

/** TF Serving's GetModelStatus response. */
export function statusResponse(versions: { version: number; state: 'AVAILABLE' | 'LOADING' | 'UNLOADING' | 'END'; error?: string }[]): Record<string, unknown> {
  return {
    model_version_status: versions.map((v) => ({
      version: String(v.version),
      state: v.state,
      status: { error_code: v.error ? 'UNKNOWN' : 'OK', error_message: v.error ?? '' },
    })),
  };
}

const DTYPES: Record<string, string> = { int: 'DT_INT64', float: 'DT_FLOAT', string: 'DT_STRING' };

/** TF Serving's GetModelMetadata response (signature_def of serving_default: raw features in, scores out). */
export function metadataResponse(name: string, version: number, signature: ModelSignature): Record<string, unknown> {
  const tensor = (tensorName: string, dtype: string, dims: number[]) => ({
    dtype,
    tensor_shape: { dim: dims.map((size) => ({ size: String(size), name: '' })), unknown_rank: false },
    name: tensorName,
  });
  return {
    model_spec: { name, signature_name: '', version: String(version) },
    metadata: {
      signature_def: {
        signature_def: {
          [signature.signatureName]: {
            inputs: Object.fromEntries(signature.inputs.map((f) => [f.name, tensor(f.name, DTYPES[f.dtype], [-1])])),
            outputs: Object.fromEntries(signature.outputs.map((o) => [o.name, tensor(o.name, 'DT_FLOAT', [-1, ...o.shape])])),
            method_name: 'tensorflow/serving/predict',
          },
        },
      },
      'tfx-ts': { problem: signature.problem, modelInputs: signature.modelInputs, labelKey: signature.labelKey ?? null },
    },
  };
}

/** Reads a predict request file for `tfx-ts predict`: a request body, or a bare list of instances. */
export function requestFromFile(json: unknown): unknown {
  if (Array.isArray(json)) return { instances: json };
  if (json && typeof json === 'object') return json;
  throw new UserError('The --json file must hold {"instances": [...]}, {"inputs": {...}} or a list of instances.');
}
