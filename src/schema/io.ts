/**
 * TFDV's load_schema_text / write_schema_text, plus JSON: the format follows the file extension
 * (.json → proto3 JSON; anything else, e.g. .pbtxt, → protobuf text format).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { Artifact } from '../dsl/artifact';
import { formatZodError, UserError } from '../util/errors';
import { formatSchemaText, MAX_NESTING_DEPTH, parseSchemaText } from './pbtxt';
import type { Schema } from './types';
import { writeFileAtomic } from '../util/atomic';

/** TFX's file name inside a Schema artifact. */
export const SCHEMA_FILE_NAME = 'schema.pbtxt';

const int64 = z.union([
  z.number().int(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);
const presence = z.object({ minFraction: z.number().optional(), minCount: int64.optional() }).passthrough();
const featureSchema: z.ZodType = z.lazy(() =>
  z
    .object({
      name: z.string({ required_error: 'every feature needs a name' }),
      type: z.enum(['TYPE_UNKNOWN', 'BYTES', 'INT', 'FLOAT', 'STRUCT']).optional(),
      presence: presence.optional(),
      valueCount: z.object({ min: int64.optional(), max: int64.optional() }).passthrough().optional(),
      shape: z
        .object({ dim: z.array(z.object({ size: int64, name: z.string().optional() }).passthrough()).default([]) })
        .passthrough()
        .optional(),
      domain: z.string().optional(),
      structDomain: z
        .object({ feature: z.array(featureSchema).optional() })
        .passthrough()
        .optional(),
      inEnvironment: z.array(z.string()).optional(),
      notInEnvironment: z.array(z.string()).optional(),
    })
    .passthrough(),
);

const schemaSchema = z
  .object({
    feature: z.array(featureSchema).default([]),
    stringDomain: z.array(z.object({ name: z.string().optional(), value: z.array(z.string()).default([]) }).passthrough()).optional(),
    defaultEnvironment: z.array(z.string()).optional(),
  })
  .passthrough();

/** Validates a parsed JSON value as a Schema and checks it is consistent (one type per feature name, known domains). */
export function parseSchemaJson(value: unknown, source = 'schema'): Schema {
  checkJsonDepth(value, source);
  const parsed = schemaSchema.safeParse(value);
  if (!parsed.success) {
    throw new UserError(
      `${source} is not a TFDV Schema: ${formatZodError(parsed.error)}`,
      'pass a schema written by SchemaGen or `tfx-ts schema infer` ({"feature": [{"name", "type", ...}]}).',
    );
  }
  const schema = parsed.data as unknown as Schema;
  checkSchemaConsistency(schema, source);
  return schema;
}

/**
 * Refuses JSON nested deeper than protobuf's recursion limit (100 messages; as protobuf's JSON
 * parser), naming where, before the recursive validation below could run out of stack. Iterative.
 */
function checkJsonDepth(value: unknown, source: string): void {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value: v, depth, path: where } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > 2 * MAX_NESTING_DEPTH + 1) {
      // Each struct_domain level is two JSON levels (structDomain → feature[i]).
      throw new UserError(
        `${source} is nested too deeply at ${where || '(top)'}: more than ${MAX_NESTING_DEPTH} messages deep (protobuf's recursion limit, which TFDV's parser applies too).`,
        'flatten the schema: nest structDomain features fewer than 100 levels deep.',
      );
    }
    if (Array.isArray(v)) v.forEach((item, i) => stack.push({ value: item, depth, path: `${where}[${i}]` }));
    else for (const [key, item] of Object.entries(v)) stack.push({ value: item, depth: depth + 1, path: where ? `${where}.${key}` : key });
  }
}

/** A schema that names one feature twice with different types cannot be validated against. */
export function checkSchemaConsistency(schema: Schema, source = 'schema'): void {
  const seen = new Map<string, string | undefined>();
  for (const feature of schema.feature) {
    if (seen.has(feature.name)) {
      const first = seen.get(feature.name);
      const detail = first !== feature.type ? `as ${first ?? 'no type'} and as ${feature.type ?? 'no type'}` : 'twice';
      throw new UserError(`${source} declares feature "${feature.name}" ${detail}.`, 'keep one feature entry per name with a single type.');
    }
    seen.set(feature.name, feature.type);
  }
  const domains = new Set((schema.stringDomain ?? []).map((d) => d.name));
  for (const feature of schema.feature) {
    if (feature.domain && !domains.has(feature.domain)) {
      throw new UserError(
        `${source}: feature "${feature.name}" refers to string_domain "${feature.domain}", which the schema does not define.`,
        `add string_domain { name: "${feature.domain}" value: ... } or remove the domain line.`,
      );
    }
  }
}

export function parseSchema(text: string, source: string): Schema {
  if (source.toLowerCase().endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UserError(
        `${source} is not valid JSON: ${(error as Error).message}`,
        'write the schema as proto3 JSON, or use a .pbtxt file for the text format.',
      );
    }
    return parseSchemaJson(json, source);
  }
  const schema = parseSchemaText(text, source);
  checkSchemaConsistency(schema, source);
  return schema;
}

/** TFDV's load_schema_text (or JSON by extension). */
export function readSchema(file: string): Schema {
  const absolute = path.resolve(file);
  if (!fs.existsSync(absolute))
    throw new UserError(`Schema file ${absolute} does not exist.`, 'infer one with `tfx-ts schema infer stats.json -o schema.pbtxt`.');
  return parseSchema(fs.readFileSync(absolute, 'utf8'), absolute);
}

export function formatSchema(schema: Schema, file: string): string {
  return file.toLowerCase().endsWith('.json') ? `${JSON.stringify(schema, null, 2)}\n` : formatSchemaText(schema);
}

/** TFDV's write_schema_text (or JSON by extension). */
export function writeSchema(schema: Schema, file: string): void {
  writeFileAtomic(file, formatSchema(schema, file));
}

/** The schema of a Schema artifact (`<uri>/schema.pbtxt`). */
export function loadSchema(artifact: Artifact): Schema {
  return readSchema(path.join(artifact.uri, SCHEMA_FILE_NAME));
}
