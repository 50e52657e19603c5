import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as protobuf from 'protobufjs';
import * as jsYaml from 'js-yaml';
import { checkProtoJson, loadProto, ProtoJsonError } from './kfp-protojson';

/**
 * KFP's own API definitions, read at run time from the KFP samples folder (Apache-2.0 files of the
 * kubeflow/pipelines repository, kept beside the project as test data, never copied into it):
 * `api/pipeline_spec.proto` for pipeline specs and `api/*.swagger.json` for the REST bodies.
 * Location: `$KFP_SAMPLES_DIR`, else `<repo>/../shared/data/kfp_samples`.
 */
export function kfpSamplesDir(): string {
  const fromEnv = process.env.KFP_SAMPLES_DIR;
  const dir = fromEnv ? path.resolve(fromEnv) : path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'kfp_samples');
  if (!fs.existsSync(path.join(dir, 'api', 'pipeline_spec.proto'))) {
    throw new Error(
      `KFP's API definitions are not at ${dir} (api/pipeline_spec.proto). Set KFP_SAMPLES_DIR to a folder with api/pipeline_spec.proto and api/*.swagger.json from kubeflow/pipelines.`,
    );
  }
  return dir;
}

/** An upload the API server refuses; message and details as its `{error_message, error_details}`. */
export class SpecRejectedError extends Error {
  /** `template`: refused by the template parser (KFP wraps it as a "template creation error"). */
  constructor(
    message: string,
    readonly details: string,
    readonly template = true,
  ) {
    super(message);
    this.name = 'SpecRejectedError';
  }
}

export interface ParsedUpload {
  spec: Record<string, unknown>;
  platformSpec?: Record<string, unknown>;
}

const PIPELINE_NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;

let protoRoot: protobuf.Root | undefined;
function pipelineSpecRoot(): protobuf.Root {
  protoRoot ??= loadProto(path.join(kfpSamplesDir(), 'api', 'pipeline_spec.proto'));
  return protoRoot;
}

/**
 * The API server's reading of an uploaded file (backend/src/apiserver/template: template.New →
 * NewV2SpecTemplate, then ResourceManager's ValidatePipelineName), in the same order and with the
 * same messages. A YAML document is a pipeline spec when it parses as PipelineSpec with a name and a
 * root; when no document does, the server only says "unknown template format", so the reason the
 * document failed (the protojson error) goes into the details.
 */
export function parsePipelineUpload(text: string): ParsedUpload {
  const root = pipelineSpecRoot();
  // KFP's util.NewInvalidInputErrorWithDetails(ErrorInvalidPipelineSpec, reason) prints like this.
  const invalid = (reason: string, details = reason) => new SpecRejectedError(`InvalidInputError: ${reason}: pipeline spec is invalid`, details);
  const invalidName = (reason: string) => new SpecRejectedError(`Invalid input error: ${reason}`, reason, false);
  // js-yaml, not the project's `yaml`: Go's yaml.v3 (and PyYAML) read the under-indented continuation
  // lines of double-quoted scalars that the KFP SDK writes, which `yaml` refuses under YAML 1.2's rule.
  // The core schema resolves plain scalars as yaml.v3 does (no timestamps, yes/no are strings).
  const documents: Record<string, unknown>[] = [];
  let decodeError: string | undefined;
  try {
    jsYaml.loadAll(
      text,
      (value) => {
        if (value && typeof value === 'object' && !Array.isArray(value)) documents.push(value as Record<string, unknown>);
      },
      { schema: jsYaml.CORE_SCHEMA },
    );
  } catch (error) {
    decodeError = (error as Error).message;
  }
  const reasons: string[] = [];
  const canonical = new Map<Record<string, unknown>, Record<string, unknown>>();
  const isPipelineSpec = (value: Record<string, unknown>): boolean => {
    let spec: Record<string, unknown>;
    try {
      spec = checkProtoJson(root, 'ml_pipelines.PipelineSpec', value);
    } catch (error) {
      if (!(error instanceof ProtoJsonError)) throw error;
      reasons.push(error.message);
      return false;
    }
    const info = spec.pipelineInfo as { name?: unknown } | undefined;
    if (!info?.name) {
      reasons.push('pipelineInfo.name is empty');
      return false;
    }
    if (!spec.root) {
      reasons.push('root is empty');
      return false;
    }
    canonical.set(value, spec);
    return true;
  };
  const specs = documents.filter(isPipelineSpec);
  if (specs.length === 0) {
    throw invalid(
      'unknown template format',
      `no YAML document is a KFP v2 PipelineSpec: ${decodeError ?? (reasons.join('; ') || 'the file has no YAML mapping')}`,
    );
  }
  if (decodeError) throw invalid(`unable to decode yaml document: ${decodeError}`);
  if (specs.length > 1) throw invalid('multiple pipeline specs provided');
  const spec = canonical.get(specs[0])!;
  if (spec.schemaVersion !== '2.1.0')
    throw invalid(`KFP only supports schema version 2.1.0, but the pipeline spec has version ${String(spec.schemaVersion ?? '')}`);
  let platformSpec: Record<string, unknown> | undefined;
  for (const document of documents) {
    if (document === specs[0]) continue;
    let platform: Record<string, unknown>;
    try {
      platform = checkProtoJson(root, 'ml_pipelines.PlatformSpec', document);
    } catch {
      continue; // as the server: a document that is neither spec nor platform spec is ignored
    }
    if (!(platform.platforms as Record<string, unknown> | undefined)?.kubernetes) continue;
    if (platformSpec) throw invalid('multiple platform specs provided');
    platformSpec = platform;
  }
  const name = String((spec.pipelineInfo as { name: string }).name);
  if (name.length > 128) throw invalidName("pipeline's name must contain no more than 128 characters");
  if (!PIPELINE_NAME.test(name))
    throw invalidName("pipeline's name must contain only lowercase alphanumeric characters or '-' and must start with alphanumeric characters");
  return { spec, ...(platformSpec ? { platformSpec } : {}) };
}

// ---- REST bodies, checked against the v2beta1 swagger definitions with protojson's rules ----

interface SwaggerSchema {
  type?: string;
  format?: string;
  $ref?: string;
  enum?: string[];
  properties?: Record<string, SwaggerSchema>;
  additionalProperties?: SwaggerSchema | boolean;
  items?: SwaggerSchema;
}

let definitions: Record<string, SwaggerSchema> | undefined;
function swaggerDefinitions(): Record<string, SwaggerSchema> {
  if (!definitions) {
    const file = path.join(kfpSamplesDir(), 'api', 'kfp_api_single_file.swagger.json');
    definitions = (JSON.parse(fs.readFileSync(file, 'utf8')) as { definitions: Record<string, SwaggerSchema> }).definitions;
  }
  return definitions;
}

/** A body grpc-gateway would refuse (HTTP 400, code 3): the message is protojson's. */
export class BodyRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BodyRejectedError';
  }
}

/**
 * Checks a JSON request body against a v2beta1 definition (e.g. "v2beta1Run") as grpc-gateway's
 * protojson unmarshaler with DiscardUnknown false (KFP's CustomMarshaler) does: proto or JSON field
 * names, unknown fields refused, enum names checked, int64 as number or string, null = unset.
 */
export function checkRequestBody(definition: string, body: unknown): void {
  checkSwagger({ $ref: `#/definitions/${definition}` }, body, '');
}

function checkSwagger(schema: SwaggerSchema, value: unknown, where: string): void {
  const fail = (reason: string): never => {
    throw new BodyRejectedError(`proto: ${reason}${where ? ` (at ${where})` : ''}`);
  };
  if (schema.$ref) {
    const name = schema.$ref.replace('#/definitions/', '');
    const target = swaggerDefinitions()[name];
    if (!target) throw new Error(`swagger definition ${name} not found`);
    return checkSwagger(target, value, where);
  }
  if (schema.enum) {
    if (typeof value === 'string' ? !schema.enum.includes(value) : !(typeof value === 'number' && Number.isInteger(value))) {
      fail(`invalid value for enum field: ${JSON.stringify(value)} (one of ${schema.enum.join(', ')})`);
    }
    return;
  }
  switch (schema.type) {
    case 'object': {
      if (schema.properties) {
        if (!value || typeof value !== 'object' || Array.isArray(value)) fail(`expected a JSON object, got ${JSON.stringify(value)}`);
        const byName = new Map<string, [string, SwaggerSchema]>();
        for (const [key, property] of Object.entries(schema.properties)) {
          byName.set(key, [key, property]);
          byName.set(
            key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
            [key, property],
          );
        }
        const seen = new Set<string>();
        for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
          const found = byName.get(key);
          if (!found) fail(`unknown field "${key}"`);
          if (seen.has(found![0])) fail(`duplicate field "${key}"`);
          seen.add(found![0]);
          if (item !== null) checkSwagger(found![1], item, where ? `${where}.${key}` : key);
        }
        return;
      }
      if (!value || typeof value !== 'object' || Array.isArray(value))
        fail(`expected a JSON object (google.protobuf.Struct or map), got ${JSON.stringify(value)}`);
      const additional = schema.additionalProperties;
      if (additional && typeof additional === 'object' && (additional.type || additional.$ref)) {
        for (const [key, item] of Object.entries(value as Record<string, unknown>)) checkSwagger(additional, item, `${where}.${key}`);
      }
      return;
    }
    case 'array':
      if (!Array.isArray(value)) fail(`expected a JSON array, got ${JSON.stringify(value)}`);
      (value as unknown[]).forEach((item, i) => checkSwagger(schema.items ?? {}, item, `${where}[${i}]`));
      return;
    case 'string':
      if (schema.format === 'int64' || schema.format === 'uint64') {
        if (!(typeof value === 'number' && Number.isInteger(value)) && !(typeof value === 'string' && /^-?[0-9]+$/.test(value)))
          fail(`invalid value for int64 field: ${JSON.stringify(value)}`);
        return;
      }
      if (typeof value !== 'string') fail(`invalid value for string field: ${JSON.stringify(value)}`);
      if (schema.format === 'date-time' && Number.isNaN(Date.parse(value as string))) fail(`invalid google.protobuf.Timestamp value ${JSON.stringify(value)}`);
      if (schema.format === 'byte' && !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value as string)) fail(`invalid value for bytes field: ${JSON.stringify(value)}`);
      return;
    case 'integer':
      if (!(typeof value === 'number' && Number.isInteger(value)) && !(typeof value === 'string' && /^-?[0-9]+$/.test(value)))
        fail(`invalid value for integer field: ${JSON.stringify(value)}`);
      return;
    case 'number':
      if (typeof value !== 'number' && !(typeof value === 'string' && /^(NaN|-?Infinity|-?[0-9.eE+-]+)$/.test(value)))
        fail(`invalid value for number field: ${JSON.stringify(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail(`invalid value for bool field: ${JSON.stringify(value)}`);
      return;
    default:
      return; // {} = google.protobuf.Value: any JSON
  }
}
