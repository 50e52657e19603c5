/**
 * TFDV's Schema (tensorflow_metadata schema.proto) in its proto3-JSON shape (lowerCamelCase).
 * The same objects are written as JSON or as the protobuf text format (schema.pbtxt, snake_case
 * field names); see pbtxt.ts. int64 fields are JSON numbers here (proto3-JSON readers accept them).
 * Fields we do not interpret are still kept, so a curated schema round-trips unchanged.
 */

export type SchemaFeatureType = 'TYPE_UNKNOWN' | 'BYTES' | 'INT' | 'FLOAT' | 'STRUCT';

export type LifecycleStage = 'UNKNOWN_STAGE' | 'PLANNED' | 'ALPHA' | 'BETA' | 'PRODUCTION' | 'DEPRECATED' | 'DEBUG_ONLY' | 'DISABLED';

export interface FeaturePresence {
  /** Minimum fraction of examples that have the feature. */
  minFraction?: number;
  /** Minimum number of examples that have the feature. */
  minCount?: number;
}

export interface ValueCount {
  min?: number;
  max?: number;
}

export interface FixedShape {
  dim: { size: number; name?: string }[];
}

export interface StringDomain {
  name?: string;
  value: string[];
  isCategorical?: 'CATEGORICAL_UNSPECIFIED' | 'CATEGORICAL_YES' | 'CATEGORICAL_NO';
}

export interface IntDomain {
  name?: string;
  min?: number;
  max?: number;
  isCategorical?: boolean;
}

export interface FloatDomain {
  name?: string;
  min?: number;
  max?: number;
  disallowNan?: boolean;
  disallowInf?: boolean;
  isEmbedding?: boolean;
}

export interface BoolDomain {
  name?: string;
  trueValue?: string;
  falseValue?: string;
}

export interface DistributionConstraints {
  /** Fraction of values that must fall in the domain (TFDV default 1.0). */
  minDomainMass?: number;
}

/** Drift / skew comparator thresholds (FeatureComparator). */
export interface FeatureComparator {
  infinityNorm?: { threshold?: number };
  jensenShannonDivergence?: { threshold?: number };
  normalizedAbsDifference?: { threshold?: number };
}

export interface SchemaFeature {
  name: string;
  deprecated?: boolean;
  presence?: FeaturePresence;
  groupPresence?: FeaturePresence;
  shape?: FixedShape;
  valueCount?: ValueCount;
  valueCounts?: { valueCount: ValueCount[] };
  type?: SchemaFeatureType;
  /** Name of a top-level string_domain. */
  domain?: string;
  intDomain?: IntDomain;
  floatDomain?: FloatDomain;
  stringDomain?: StringDomain;
  boolDomain?: BoolDomain;
  structDomain?: { feature?: SchemaFeature[]; sparseFeature?: unknown[] };
  naturalLanguageDomain?: Record<string, unknown>;
  imageDomain?: Record<string, unknown>;
  midDomain?: Record<string, unknown>;
  urlDomain?: Record<string, unknown>;
  timeDomain?: Record<string, unknown>;
  timeOfDayDomain?: Record<string, unknown>;
  distributionConstraints?: DistributionConstraints;
  annotation?: Record<string, unknown>;
  skewComparator?: FeatureComparator;
  driftComparator?: FeatureComparator;
  /** The feature is in these environments only (overrides the default environments). */
  inEnvironment?: string[];
  /** The feature is in every default environment except these. */
  notInEnvironment?: string[];
  lifecycleStage?: LifecycleStage;
  uniqueConstraints?: { min?: number; max?: number };
}

export interface Schema {
  feature: SchemaFeature[];
  sparseFeature?: Record<string, unknown>[];
  weightedFeature?: Record<string, unknown>[];
  stringDomain?: StringDomain[];
  floatDomain?: FloatDomain[];
  intDomain?: IntDomain[];
  /** Environments every feature is in unless it says otherwise (e.g. ["TRAINING", "SERVING"]). */
  defaultEnvironment?: string[];
  annotation?: Record<string, unknown>;
  datasetConstraints?: {
    numExamplesDriftComparator?: { maxFractionThreshold?: number; minFractionThreshold?: number };
    numExamplesVersionComparator?: { maxFractionThreshold?: number; minFractionThreshold?: number };
    minExamplesCount?: number;
    maxExamplesCount?: number;
  };
  /** Kept as written (text format map entries); TFDV does not use it for validation. */
  tensorRepresentationGroup?: unknown;
}

/** TFDV's infer_schema options. */
export interface InferSchemaOptions {
  /** Infer `shape` for features always present with a fixed number of values, instead of `value_count` (TFDV's default: true). */
  inferFeatureShape?: boolean;
  /** Most distinct values a string feature may have and still get a string domain (TFDV's default: 100). */
  maxStringDomainSize?: number;
}
