/**
 * TFDV's infer_schema: a Schema from one dataset's statistics, feature by feature as TFDV's
 * Schema::Updater::CreateColumn does it:
 *  - type from the statistics type (STRING → BYTES);
 *  - presence: min_count 1 (0 when never present), min_fraction 1.0 when never missing;
 *  - shape `dim { size: k }` when `inferFeatureShape` and every example has exactly k values,
 *    otherwise value_count {min, max} (min = max = k when fixed, else min 1);
 *  - domains as TFDV: bool_domain for INT features within [0, 1] and "true"/"false"-like strings,
 *    an empty int_domain for strings that are all integers, and a top-level string_domain (named
 *    after the feature, values in byte order) for string features with at most
 *    `maxStringDomainSize` known values (TFDV's default 100).
 */
import type { DatasetFeatureStatistics, DatasetFeatureStatisticsList, FeatureNameStatistics } from '../stats/types';
import { commonStatsOf, featureName } from '../stats/types';
import { UserError } from '../util/errors';
import type { InferSchemaOptions, Schema, SchemaFeature, SchemaFeatureType } from './types';

/** TFDV's infer_schema default max_string_domain_size. */
export const DEFAULT_MAX_STRING_DOMAIN_SIZE = 100;

export function inferSchema(statistics: DatasetFeatureStatisticsList | DatasetFeatureStatistics, options: InferSchemaOptions = {}): Schema {
  const dataset = pickDataset(statistics);
  const schema: Schema = { feature: [] };
  for (const stats of dataset.features) {
    schema.feature.push(inferFeatureForColumn(schema, stats, options.inferFeatureShape ?? true, options.maxStringDomainSize));
  }
  return schema;
}

/**
 * TFDV's Schema::Updater::CreateColumn: the schema entry of one feature, adding its string domain
 * to `schema` when one is inferred. Domain choice in TFDV's order: bool (INT in [0, 1] or
 * "true"/"false"-like strings), int (strings that are all integers), string (≤ maxStringDomainSize values).
 */
export function inferFeatureForColumn(
  schema: Schema,
  stats: FeatureNameStatistics,
  inferFeatureShape: boolean,
  maxStringDomainSize = DEFAULT_MAX_STRING_DOMAIN_SIZE,
): SchemaFeature {
  const feature = createFeature(stats, inferFeatureShape);
  if (stats.type === 'BYTES' || (stats.stringStats?.invalidUtf8Count ?? 0) > 0) return feature;
  const values = knownStringValues(stats);
  if (isBoolCandidate(stats, values)) {
    feature.boolDomain = boolDomainOf(stats, values);
  } else if (stats.type === 'STRING' && values.length > 0 && values.every((v) => INT64_STRING.test(v))) {
    feature.intDomain = {};
  } else if (stats.type === 'STRING' && values.length > 0 && values.length <= maxStringDomainSize) {
    const name = uniqueDomainName(schema, featureName(stats));
    const sorted = [...values].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    (schema.stringDomain ??= []).push({ name, value: sorted });
    feature.domain = name;
  }
  return feature;
}

const INT64_STRING = /^\s*[+-]?\d{1,19}\s*$/;
const TRUE_VALUES = ['TRUE', 'true', 'SET', 'set', '1', ''];
const FALSE_VALUES = ['FALSE', 'false', 'CLEAR', 'clear', '0'];

/** The values the statistics list (rank histogram, else top values), as TFDV's GetStringValues. */
function knownStringValues(stats: FeatureNameStatistics): string[] {
  const s = stats.stringStats;
  if (!s) return [];
  return s.rankHistogram?.buckets?.length ? s.rankHistogram.buckets.map((b) => b.label) : (s.topValues ?? []).map((t) => t.value);
}

function isBoolCandidate(stats: FeatureNameStatistics, values: string[]): boolean {
  if (stats.type === 'INT') return Boolean(stats.numStats) && stats.numStats!.min >= 0 && stats.numStats!.max === 1;
  if (stats.type !== 'STRING' || values.length === 0 || values.length > 2) return false;
  let trueSeen = false;
  let falseSeen = false;
  for (const v of values) {
    if (!trueSeen && TRUE_VALUES.includes(v)) {
      trueSeen = true;
      continue;
    }
    if (!falseSeen && FALSE_VALUES.includes(v)) {
      falseSeen = true;
      continue;
    }
    return false;
  }
  return true;
}

function boolDomainOf(stats: FeatureNameStatistics, values: string[]): { trueValue?: string; falseValue?: string } {
  if (stats.type !== 'STRING') return {};
  const domain: { trueValue?: string; falseValue?: string } = {};
  const t = values.find((v) => TRUE_VALUES.includes(v));
  const f = values.find((v) => FALSE_VALUES.includes(v));
  if (t !== undefined) domain.trueValue = t;
  if (f !== undefined) domain.falseValue = f;
  return domain;
}

function pickDataset(statistics: DatasetFeatureStatisticsList | DatasetFeatureStatistics): DatasetFeatureStatistics {
  if (!('datasets' in statistics)) return statistics;
  if (statistics.datasets.length !== 1) {
    throw new UserError(
      `Statistics hold ${statistics.datasets.length} datasets (${statistics.datasets.map((d) => d.name).join(', ')}); a schema is inferred from exactly one.`,
      'pick one split, e.g. the "train" dataset (SchemaGen uses the train split).',
    );
  }
  return statistics.datasets[0];
}

const TYPE_OF: Record<FeatureNameStatistics['type'], SchemaFeatureType> = { INT: 'INT', FLOAT: 'FLOAT', STRING: 'BYTES', BYTES: 'BYTES', STRUCT: 'STRUCT' };

function createFeature(stats: FeatureNameStatistics, inferFeatureShape: boolean): SchemaFeature {
  const common = commonStatsOf(stats);
  const numPresent = common?.numNonMissing ?? 0;
  const feature: SchemaFeature = { name: featureName(stats), type: TYPE_OF[stats.type] };
  feature.presence = { minCount: numPresent < 1 ? 0 : 1 };
  if (!common || numPresent <= 0) return feature;
  if (common.numMissing === 0) feature.presence.minFraction = 1.0;
  const { minNumValues: min, maxNumValues: max } = common;
  if (inferFeatureShape && common.numMissing === 0 && min === max && min > 0 && stats.type !== 'STRUCT') {
    feature.shape = { dim: [{ size: min }] };
  } else if (min > 0) {
    feature.valueCount = min === max ? { min, max } : { min: 1 };
  }
  return feature;
}

function uniqueDomainName(schema: Schema, candidate: string): string {
  const names = new Set((schema.stringDomain ?? []).map((d) => d.name));
  let name = candidate;
  for (let index = 2; names.has(name); index++) name = `${candidate}${index}`;
  return name;
}
