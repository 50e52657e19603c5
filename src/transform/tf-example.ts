/**
 * tf.Example (tensorflow/core/example/example.proto, feature.proto) to and from our column form:
 * what TFX's ExampleGen writes into its TFRecord files, and what a Python TFX Trainer reads. Encoded
 * and decoded by protobufjs from the proto's field numbers.
 */
import * as protobuf from 'protobufjs';
import { NotSupportedError, UserError } from '../util/errors';
import type { ColumnValues } from './ops';
import type { DType } from './graph';

const DESCRIPTOR = {
  nested: {
    Example: { fields: { features: { type: 'Features', id: 1 } } },
    Features: { fields: { feature: { keyType: 'string', type: 'Feature', id: 1 } } },
    Feature: {
      oneofs: { kind: { oneof: ['bytesList', 'floatList', 'int64List'] } },
      fields: { bytesList: { type: 'BytesList', id: 1 }, floatList: { type: 'FloatList', id: 2 }, int64List: { type: 'Int64List', id: 3 } },
    },
    BytesList: { fields: { value: { rule: 'repeated', type: 'bytes', id: 1 } } },
    FloatList: { fields: { value: { rule: 'repeated', type: 'float', id: 1, options: { packed: true } } } },
    Int64List: { fields: { value: { rule: 'repeated', type: 'int64', id: 1, options: { packed: true } } } },
  },
};

let exampleType: protobuf.Type | undefined;
const example = () => (exampleType ??= protobuf.Root.fromJSON(DESCRIPTOR).lookupType('Example'));

interface DecodedFeature {
  bytesList?: { value: Uint8Array[] };
  floatList?: { value: number[] };
  int64List?: { value: (number | { toNumber(): number })[] };
}

/** Examples as columns (int64 → int, float → float, bytes → UTF-8 string); a feature absent or empty in an example is missing there. */
export interface ExampleColumns {
  numRows: number;
  columns: Record<string, ColumnValues>;
  dtypes: Record<string, DType>;
}

/**
 * Decodes serialized tf.Examples into columns. Every feature must hold at most one value per example
 * (ExampleGen's CSV/Parquet output always does); lists are refused with NotSupportedError.
 */
export function decodeExamples(records: readonly Uint8Array[], source = 'examples'): ExampleColumns {
  const type = example();
  const numRows = records.length;
  const columns: Record<string, ColumnValues> = {};
  const dtypes: Record<string, DType> = {};
  const column = (name: string, dtype: DType): ColumnValues => {
    if (!columns[name]) {
      dtypes[name] = dtype;
      columns[name] = dtype === 'string' ? new Array<string | null>(numRows).fill(null) : new Float64Array(numRows).fill(NaN);
    } else if (dtypes[name] !== dtype) {
      throw new UserError(
        `${source}: feature "${name}" is ${dtypes[name]} in one example and ${dtype} in another.`,
        'a feature must have one type in every example.',
      );
    }
    return columns[name];
  };
  records.forEach((bytes, row) => {
    let message: { features?: { feature?: Record<string, DecodedFeature> } };
    try {
      message = type.decode(bytes) as unknown as typeof message;
    } catch (error) {
      throw new UserError(
        `${source}: record ${row} is not a tf.Example (${(error as Error).message}).`,
        'ImportExampleGen reads TFRecord files of serialized tf.Example, as TFX ExampleGen writes them.',
      );
    }
    for (const [name, feature] of Object.entries(message.features?.feature ?? {})) {
      const values = feature.bytesList?.value ?? feature.floatList?.value ?? feature.int64List?.value;
      const dtype: DType = feature.bytesList ? 'string' : feature.floatList ? 'float' : 'int';
      const target = column(name, dtype);
      if (!values || values.length === 0) continue;
      if (values.length > 1)
        throw new NotSupportedError(
          `${source}: feature "${name}" holds ${values.length} values in example ${row}; reading list features`,
          'import examples with one value per feature.',
        );
      const v = values[0];
      if (dtype === 'string') (target as (string | null)[])[row] = Buffer.from(v as Uint8Array).toString('utf8');
      else (target as Float64Array)[row] = typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
    }
  });
  return { numRows, columns, dtypes };
}

/**
 * Encodes rows of columns as serialized tf.Examples. A missing value (null / NaN) is the feature with
 * an empty list of its kind, so a column with no value at all still carries its name and type.
 */
export function encodeExamples(data: ExampleColumns): Uint8Array[] {
  const type = example();
  const names = Object.keys(data.columns);
  const records: Uint8Array[] = [];
  for (let row = 0; row < data.numRows; row++) {
    const feature: Record<string, unknown> = {};
    for (const name of names) {
      const v = data.columns[name][row];
      const missing = v === null || (typeof v === 'number' && Number.isNaN(v));
      const dtype = data.dtypes[name];
      if (dtype === 'string') feature[name] = { bytesList: { value: missing ? [] : [Buffer.from(String(v), 'utf8')] } };
      else if (dtype === 'float') feature[name] = { floatList: { value: missing ? [] : [v] } };
      else feature[name] = { int64List: { value: missing ? [] : [v] } };
    }
    records.push(type.encode(type.fromObject({ features: { feature } })).finish());
  }
  return records;
}
