/**
 * The fields of tensorflow_metadata's Schema messages that the text format (schema.pbtxt) needs:
 * text-format (snake_case) name, JSON (lowerCamelCase) name, kind, repeated-ness. Fields are listed
 * in field-number order, which is the order protobuf's text printer (and so TFDV's
 * write_schema_text) uses. Messages TFDV does not interpret (annotations, sparse/weighted
 * features, natural-language/image/time domains...) are `open`: any fields are kept as they are.
 */

export type ScalarKind = 'string' | 'bool' | 'int64' | 'double' | 'enum';

export interface FieldDescriptor {
  /** Name in the text format. */
  name: string;
  /** Name in proto3 JSON. */
  json: string;
  kind: ScalarKind | 'message';
  /** For kind 'message'. */
  message?: string;
  /** For kind 'enum'. */
  values?: readonly string[];
  repeated?: boolean;
}

export interface MessageDescriptor {
  name: string;
  fields: FieldDescriptor[];
  /** Accepts any field (kept verbatim) — for messages whose content we carry but do not interpret. */
  open?: boolean;
}

const FEATURE_TYPES = ['TYPE_UNKNOWN', 'BYTES', 'INT', 'FLOAT', 'STRUCT'] as const;
const LIFECYCLE_STAGES = ['UNKNOWN_STAGE', 'PLANNED', 'ALPHA', 'BETA', 'PRODUCTION', 'DEPRECATED', 'DEBUG_ONLY', 'DISABLED', 'VALIDATION_DERIVED'] as const;
const CATEGORICAL = ['CATEGORICAL_UNSPECIFIED', 'CATEGORICAL_YES', 'CATEGORICAL_NO'] as const;

function f(name: string, kind: FieldDescriptor['kind'], extra: Partial<FieldDescriptor> = {}): FieldDescriptor {
  const json = name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return { name, json, kind, ...extra };
}
const msg = (name: string, message: string, repeated = false) => f(name, 'message', { message, repeated });
const open = (name: string): MessageDescriptor => ({ name, fields: [], open: true });

export const MESSAGES: Record<string, MessageDescriptor> = {
  Schema: {
    name: 'Schema',
    fields: [
      msg('feature', 'Feature', true),
      msg('string_domain', 'StringDomain', true),
      f('default_environment', 'string', { repeated: true }),
      msg('sparse_feature', 'SparseFeature', true),
      msg('annotation', 'Annotation'),
      msg('float_domain', 'FloatDomain', true),
      msg('int_domain', 'IntDomain', true),
      msg('dataset_constraints', 'DatasetConstraints'),
      msg('weighted_feature', 'WeightedFeature', true),
      msg('tensor_representation_group', 'TensorRepresentationGroupEntry', true),
    ],
  },
  Feature: {
    name: 'Feature',
    fields: [
      f('name', 'string'),
      f('deprecated', 'bool'),
      msg('value_count', 'ValueCount'),
      f('type', 'enum', { values: FEATURE_TYPES }),
      f('domain', 'string'),
      msg('int_domain', 'IntDomain'),
      msg('float_domain', 'FloatDomain'),
      msg('string_domain', 'StringDomain'),
      msg('bool_domain', 'BoolDomain'),
      msg('presence', 'FeaturePresence'),
      msg('distribution_constraints', 'DistributionConstraints'),
      msg('annotation', 'Annotation'),
      msg('group_presence', 'FeaturePresence'),
      msg('skew_comparator', 'FeatureComparator'),
      f('not_in_environment', 'string', { repeated: true }),
      f('in_environment', 'string', { repeated: true }),
      msg('drift_comparator', 'FeatureComparator'),
      f('lifecycle_stage', 'enum', { values: LIFECYCLE_STAGES }),
      msg('shape', 'FixedShape'),
      msg('natural_language_domain', 'NaturalLanguageDomain'),
      msg('image_domain', 'ImageDomain'),
      msg('mid_domain', 'MIDDomain'),
      msg('url_domain', 'URLDomain'),
      msg('time_domain', 'TimeDomain'),
      msg('struct_domain', 'StructDomain'),
      msg('time_of_day_domain', 'TimeOfDayDomain'),
      msg('unique_constraints', 'UniqueConstraints'),
      msg('value_counts', 'ValueCountList'),
    ],
  },
  FeaturePresence: { name: 'FeaturePresence', fields: [f('min_fraction', 'double'), f('min_count', 'int64')] },
  ValueCount: { name: 'ValueCount', fields: [f('min', 'int64'), f('max', 'int64')] },
  ValueCountList: { name: 'ValueCountList', fields: [msg('value_count', 'ValueCount', true)] },
  FixedShape: { name: 'FixedShape', fields: [msg('dim', 'Dim', true)] },
  Dim: { name: 'Dim', fields: [f('size', 'int64'), f('name', 'string')] },
  StringDomain: {
    name: 'StringDomain',
    fields: [f('name', 'string'), f('value', 'string', { repeated: true }), f('is_categorical', 'enum', { values: CATEGORICAL })],
  },
  IntDomain: {
    name: 'IntDomain',
    fields: [f('name', 'string'), f('min', 'int64'), f('max', 'int64'), f('is_categorical', 'bool')],
  },
  FloatDomain: {
    name: 'FloatDomain',
    fields: [
      f('name', 'string'),
      f('min', 'double'),
      f('max', 'double'),
      f('disallow_nan', 'bool'),
      f('disallow_inf', 'bool'),
      f('is_embedding', 'bool'),
      f('embedding_dim', 'int64'),
    ],
  },
  BoolDomain: { name: 'BoolDomain', fields: [f('name', 'string'), f('true_value', 'string'), f('false_value', 'string')] },
  StructDomain: { name: 'StructDomain', fields: [msg('feature', 'Feature', true), msg('sparse_feature', 'SparseFeature', true)] },
  DistributionConstraints: { name: 'DistributionConstraints', fields: [f('min_domain_mass', 'double')] },
  FeatureComparator: {
    name: 'FeatureComparator',
    fields: [msg('infinity_norm', 'Threshold'), msg('jensen_shannon_divergence', 'Threshold'), msg('normalized_abs_difference', 'Threshold')],
  },
  Threshold: { name: 'Threshold', fields: [f('threshold', 'double')] },
  UniqueConstraints: { name: 'UniqueConstraints', fields: [f('min', 'int64'), f('max', 'int64')] },
  DatasetConstraints: {
    name: 'DatasetConstraints',
    fields: [
      msg('num_examples_drift_comparator', 'NumericValueComparator'),
      msg('num_examples_version_comparator', 'NumericValueComparator'),
      f('min_examples_count', 'int64'),
      f('max_examples_count', 'int64'),
    ],
  },
  NumericValueComparator: { name: 'NumericValueComparator', fields: [f('min_fraction_threshold', 'double'), f('max_fraction_threshold', 'double')] },
  Annotation: open('Annotation'),
  SparseFeature: open('SparseFeature'),
  WeightedFeature: open('WeightedFeature'),
  TensorRepresentationGroupEntry: open('TensorRepresentationGroupEntry'),
  NaturalLanguageDomain: open('NaturalLanguageDomain'),
  ImageDomain: open('ImageDomain'),
  MIDDomain: open('MIDDomain'),
  URLDomain: open('URLDomain'),
  TimeDomain: open('TimeDomain'),
  TimeOfDayDomain: open('TimeOfDayDomain'),
};

export function messageDescriptor(name: string): MessageDescriptor {
  const descriptor = MESSAGES[name];
  if (!descriptor) throw new Error(`no descriptor for message ${name}`);
  return descriptor;
}
