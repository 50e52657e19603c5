import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';

/**
 * Strict proto3 JSON parsing driven by a .proto file read at run time, with the semantics of Go's
 * `protojson.Unmarshal` (DiscardUnknown: false), which is what the KFP API server applies to uploaded
 * pipeline specs and, through grpc-gateway, to request bodies.
 *
 * protobufjs parses the .proto file; its reflection (types, fields, oneofs, maps, enums) drives the
 * walk below. protobufjs's own `fromObject` cannot be the judge: it ignores unknown keys, coerces
 * values and has no JSON mapping for Duration/Struct/Value. @bufbuild/protobuf implements the mapping
 * (conformance tested) but needs compiled descriptors, and protobufjs's descriptor export writes
 * relative type names it cannot resolve; so the rules of the proto3 JSON mapping are applied here,
 * each one as the Go implementation applies it (field names: JSON name or proto name; unknown and
 * duplicate fields refused; one member per oneof; null = unset except for Value; enum names checked;
 * 32/64-bit integers from numbers or strings; booleans only true/false; Duration "1.5s";
 * Struct/Value/ListValue any JSON).
 */

export class ProtoJsonError extends Error {
  constructor(
    readonly fieldPath: string,
    readonly reason: string,
  ) {
    super(`proto: ${reason}${fieldPath ? ` (at ${fieldPath})` : ''}`);
    this.name = 'ProtoJsonError';
  }
}

/** google/rpc/status.proto is imported by pipeline_spec.proto but is not one of protobufjs's bundled files. */
const RPC_STATUS_PROTO =
  'syntax = "proto3"; package google.rpc; import "google/protobuf/any.proto";' +
  ' message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }';

/** Loads a .proto file (and the well-known types it imports) into a protobufjs Root, names as in the file. */
export function loadProto(protoPath: string): protobuf.Root {
  if (!fs.existsSync(protoPath)) throw new Error(`proto file not found: ${protoPath}`);
  const root = new protobuf.Root();
  root.loadSync('google/protobuf/any.proto', { keepCase: true });
  protobuf.parse(RPC_STATUS_PROTO, root, { keepCase: true });
  root.files.push('google/rpc/status.proto');
  const resolvePath = root.resolvePath.bind(root);
  root.resolvePath = (origin, target) => (target === 'google/rpc/status.proto' ? target : resolvePath(origin, target));
  root.loadSync(path.resolve(protoPath), { keepCase: true });
  root.resolveAll();
  return root;
}

/**
 * Checks `value` (a parsed JSON value) against message type `typeName` of `root`; throws
 * ProtoJsonError. Returns the value with every field under its JSON name (what protojson.Marshal
 * writes back), nulls of unset fields dropped.
 */
export function checkProtoJson(root: protobuf.Root, typeName: string, value: unknown): Record<string, unknown> {
  const type = root.lookupType(typeName);
  return checkMessage(type, value, '') as Record<string, unknown>;
}

const INT32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32 = new Set(['uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64']);
const UINT64 = new Set(['uint64', 'fixed64']);
const WRAPPERS: Record<string, string> = {
  '.google.protobuf.DoubleValue': 'double',
  '.google.protobuf.FloatValue': 'float',
  '.google.protobuf.Int64Value': 'int64',
  '.google.protobuf.UInt64Value': 'uint64',
  '.google.protobuf.Int32Value': 'int32',
  '.google.protobuf.UInt32Value': 'uint32',
  '.google.protobuf.BoolValue': 'bool',
  '.google.protobuf.StringValue': 'string',
  '.google.protobuf.BytesValue': 'bytes',
};
const MAX_DURATION_SECONDS = 315_576_000_000;

const at = (base: string, key: string | number): string => (typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : JSON.stringify(v));

/** protoc's default JSON name: lowerCamelCase of the proto field name. */
function jsonName(field: protobuf.Field): string {
  const explicit = (field.options as Record<string, unknown> | undefined)?.json_name;
  if (typeof explicit === 'string') return explicit;
  return field.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const fieldIndex = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();
function fieldsByName(type: protobuf.Type): Map<string, protobuf.Field> {
  let index = fieldIndex.get(type);
  if (!index) {
    index = new Map();
    for (const field of type.fieldsArray) index.set(jsonName(field), field);
    for (const field of type.fieldsArray) if (!index.has(field.name)) index.set(field.name, field);
    fieldIndex.set(type, index);
  }
  return index;
}

function checkMessage(type: protobuf.Type, value: unknown, where: string): unknown {
  if (checkWellKnown(type, value, where)) return value;
  if (!isObject(value)) throw new ProtoJsonError(where, `message ${type.fullName.slice(1)} must be a JSON object, got ${describe(value)}`);
  const seenFields = new Set<number>();
  const seenOneofs = new Map<string, string>();
  const byName = fieldsByName(type);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const field = byName.get(key);
    const here = at(where, key);
    if (!field) throw new ProtoJsonError(where, `unknown field "${key}" in ${type.fullName.slice(1)}`);
    if (seenFields.has(field.id)) throw new ProtoJsonError(here, `duplicate field "${key}"`);
    seenFields.add(field.id);
    field.resolve();
    const resolved = field.resolvedType;
    const isValueType = resolved instanceof protobuf.Type && resolved.fullName === '.google.protobuf.Value';
    const isNullValue = resolved instanceof protobuf.Enum && resolved.fullName === '.google.protobuf.NullValue';
    // protojson: null means "not set", except for fields whose type gives null a meaning.
    if (item === null && !(isValueType && !field.repeated && !field.map) && !isNullValue) continue;
    const name = jsonName(field);
    if (field.map) {
      out[name] = checkMap(field as unknown as protobuf.MapField, item, here);
    } else if (field.repeated) {
      if (!Array.isArray(item)) throw new ProtoJsonError(here, `repeated field "${key}" must be a JSON array, got ${describe(item)}`);
      out[name] = item.map((element, i) => checkSingular(field, element, at(here, i)));
    } else {
      const oneof = field.partOf;
      if (oneof) {
        const previous = seenOneofs.get(oneof.name);
        if (previous !== undefined)
          throw new ProtoJsonError(here, `error parsing "${key}", oneof ${type.fullName.slice(1)}.${oneof.name} is already set (by "${previous}")`);
        seenOneofs.set(oneof.name, key);
      }
      out[name] = checkSingular(field, item, here);
    }
  }
  return out;
}

function checkMap(field: protobuf.MapField, value: unknown, where: string): Record<string, unknown> {
  if (!isObject(value)) throw new ProtoJsonError(where, `map field "${field.name}" must be a JSON object, got ${describe(value)}`);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    checkMapKey(field.keyType, key, at(where, key));
    if (item === null && !(field.resolvedType instanceof protobuf.Type && field.resolvedType.fullName === '.google.protobuf.Value')) {
      throw new ProtoJsonError(at(where, key), 'map value must not be null');
    }
    out[key] = checkSingular(field, item, at(where, key));
  }
  return out;
}

function checkMapKey(keyType: string, key: string, where: string): void {
  if (keyType === 'string') return;
  if (keyType === 'bool') {
    if (key !== 'true' && key !== 'false') throw new ProtoJsonError(where, `invalid value for bool key: "${key}"`);
    return;
  }
  checkScalar(keyType, key, where, true);
}

function checkSingular(field: protobuf.FieldBase, value: unknown, where: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return checkMessage(resolved, value, where);
  if (resolved instanceof protobuf.Enum) checkEnum(resolved, value, where);
  else checkScalar(field.type, value, where, false);
  return value;
}

function checkEnum(type: protobuf.Enum, value: unknown, where: string): void {
  if (type.fullName === '.google.protobuf.NullValue' && value === null) return;
  if (typeof value === 'string') {
    if (!(value in type.values))
      throw new ProtoJsonError(where, `invalid value for enum field ${type.fullName.slice(1)}: "${value}" (one of ${Object.keys(type.values).join(', ')})`);
    return;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) return; // open enums take unknown numbers
  throw new ProtoJsonError(where, `invalid value for enum field ${type.fullName.slice(1)}: ${describe(value)}`);
}

function checkScalar(type: string, value: unknown, where: string, fromMapKey: boolean): void {
  const bad = (what: string): never => {
    throw new ProtoJsonError(where, `invalid value for ${type} field: ${describe(value)}${what ? ` (${what})` : ''}`);
  };
  switch (type) {
    case 'string':
      if (typeof value !== 'string') bad('a JSON string is required');
      return;
    case 'bool':
      if (typeof value !== 'boolean') bad('true or false');
      return;
    case 'bytes':
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) bad('base64 text');
      return;
    case 'double':
    case 'float': {
      if (typeof value === 'string') {
        if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return;
        if (value.trim() !== value || value === '' || !Number.isFinite(Number(value))) bad('a number');
        return;
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) bad('a number');
      if (type === 'float' && Math.abs(value as number) > 3.4028234663852886e38) bad('out of float range');
      return;
    }
    default: {
      const signed = INT32.has(type) || INT64.has(type);
      const bits = INT32.has(type) || UINT32.has(type) ? 32 : INT64.has(type) || UINT64.has(type) ? 64 : 0;
      if (!bits) throw new ProtoJsonError(where, `unsupported field type ${type}`);
      let n: bigint;
      if (typeof value === 'number' && !fromMapKey) {
        if (!Number.isInteger(value)) bad('an integer');
        n = BigInt(value);
      } else if (typeof value === 'string') {
        // Go accepts integers as JSON strings, including exponent forms that are integral ("1e3").
        if (value.trim() !== value || !/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/.test(value)) bad('an integer');
        const parsed = Number(value);
        if (!Number.isInteger(parsed)) bad('an integer');
        n = /^-?[0-9]+$/.test(value) ? BigInt(value) : BigInt(parsed);
      } else {
        return bad('an integer');
      }
      const min = signed ? -(2n ** BigInt(bits - 1)) : 0n;
      const max = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
      if (n < min || n > max) bad(`out of ${type} range`);
    }
  }
}

/** The proto3 JSON mapping's special forms. Returns true when `type` is a well-known type (checked). */
function checkWellKnown(type: protobuf.Type, value: unknown, where: string): boolean {
  const name = type.fullName;
  if (!name.startsWith('.google.protobuf.')) return false;
  switch (name) {
    case '.google.protobuf.Struct':
      if (!isObject(value)) throw new ProtoJsonError(where, `google.protobuf.Struct must be a JSON object, got ${describe(value)}`);
      checkJsonValue(value, where);
      return true;
    case '.google.protobuf.Value':
      checkJsonValue(value, where);
      return true;
    case '.google.protobuf.ListValue':
      if (!Array.isArray(value)) throw new ProtoJsonError(where, `google.protobuf.ListValue must be a JSON array, got ${describe(value)}`);
      checkJsonValue(value, where);
      return true;
    case '.google.protobuf.Duration': {
      const match = typeof value === 'string' ? /^(-)?([0-9]+)(?:\.([0-9]{1,9}))?s$/.exec(value) : null;
      if (!match)
        throw new ProtoJsonError(where, `invalid google.protobuf.Duration value ${describe(value)} (seconds with an "s" suffix, e.g. "300s" or "1.5s")`);
      if (Number(match[2]) > MAX_DURATION_SECONDS) throw new ProtoJsonError(where, `google.protobuf.Duration value ${value} out of range`);
      return true;
    }
    case '.google.protobuf.Timestamp':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
        throw new ProtoJsonError(where, `invalid google.protobuf.Timestamp value ${describe(value)} (RFC 3339)`);
      }
      return true;
    case '.google.protobuf.FieldMask':
      if (typeof value !== 'string') throw new ProtoJsonError(where, `invalid google.protobuf.FieldMask value ${describe(value)}`);
      return true;
    case '.google.protobuf.Any':
      if (!isObject(value) || typeof value['@type'] !== 'string') throw new ProtoJsonError(where, 'google.protobuf.Any needs an "@type"');
      throw new ProtoJsonError(where, `google.protobuf.Any of ${value['@type']} cannot be checked here`);
    default:
      if (WRAPPERS[name]) {
        checkScalar(WRAPPERS[name], value, where, false);
        return true;
      }
      return false;
  }
}

/** Any JSON value (Struct/Value/ListValue): finite numbers only, as JSON itself. */
function checkJsonValue(value: unknown, where: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ProtoJsonError(where, `google.protobuf.Value cannot hold ${value}`);
    return;
  }
  if (Array.isArray(value)) return value.forEach((v, i) => checkJsonValue(v, at(where, i)));
  if (isObject(value)) return Object.entries(value).forEach(([k, v]) => checkJsonValue(v, at(where, k)));
  throw new ProtoJsonError(where, `not a JSON value: ${String(value)}`);
}
