/**
 * TFDV's validate_statistics and update_schema, as TFDV's C++ does them (anomalies/schema.cc,
 * feature_util.cc, *_domain_util.cc, schema_anomalies.cc): every feature of the statistics is
 * checked against its schema entry; each check that fails yields a reason with TFDV's type, short
 * description and description text, and relaxes a copy of the schema so that it would accept the
 * data. validate_statistics reports the reasons; update_schema returns the relaxed schema.
 */
import { inferFeatureForColumn } from '../schema/infer';
import type { Schema, SchemaFeature, StringDomain } from '../schema/types';
import type { DatasetFeatureStatistics, DatasetFeatureStatisticsList, FeatureNameStatistics } from '../stats/types';
import { commonStatsOf, featureName } from '../stats/types';
import { UserError } from '../util/errors';
import { jensenShannonDivergence, lInftyDistance, sixDigits, stringValuesWithCounts } from './comparators';
import type { AnomalyInfo, AnomalyReason, AnomalyType, Anomalies, DriftSkewInfo, DriftSkewMeasurement, ValidationOptions } from './types';

type Description = AnomalyReason;

const d = (type: AnomalyType, shortDescription: string, description: string): Description => ({ type, shortDescription, description });

const DEPRECATED_STAGES = new Set(['PLANNED', 'ALPHA', 'DEPRECATED', 'DEBUG_ONLY', 'DISABLED']);

export function isDeprecated(feature: SchemaFeature): boolean {
  return Boolean(feature.deprecated) || (feature.lifecycleStage !== undefined && DEPRECATED_STAGES.has(feature.lifecycleStage));
}

function deprecate(feature: SchemaFeature): void {
  feature.lifecycleStage = 'DEPRECATED';
}

interface Context {
  schema: Schema;
  dataset: DatasetFeatureStatistics;
  environment?: string;
  previous?: DatasetFeatureStatistics;
  serving?: DatasetFeatureStatistics;
  inferFeatureShape: boolean;
}

function isInEnvironment(schema: Schema, feature: SchemaFeature, environment?: string): boolean {
  if (environment === undefined) return true;
  if (feature.inEnvironment?.includes(environment)) return true;
  if (feature.notInEnvironment?.includes(environment)) return false;
  return Boolean(schema.defaultEnvironment?.includes(environment));
}

function isExistenceRequired(schema: Schema, feature: SchemaFeature, environment?: string): boolean {
  if (isDeprecated(feature)) return false;
  if ((feature.presence?.minCount ?? 0) <= 0 && (feature.presence?.minFraction ?? 0) <= 0) return false;
  return isInEnvironment(schema, feature, environment);
}

/** Statistics type name → schema type (STRING data is BYTES in the schema). */
function schemaTypeOf(stats: FeatureNameStatistics): string {
  return stats.type === 'STRING' ? 'BYTES' : stats.type;
}

function findFeature(stats: DatasetFeatureStatistics | undefined, name: string): FeatureNameStatistics | undefined {
  return stats?.features.find((f) => featureName(f) === name);
}

interface FeatureResult {
  descriptions: Description[];
  driftSkew?: DriftSkewInfo;
}

/** TFDV's Schema::UpdateFeatureInternal for one feature that the schema has. */
function updateExistingFeature(ctx: Context, feature: SchemaFeature, stats: FeatureNameStatistics): FeatureResult {
  const descriptions: Description[] = [];
  const common = commonStatsOf(stats);
  const numPresent = common?.numNonMissing ?? 0;
  if (numPresent === 0) {
    if (isExistenceRequired(ctx.schema, feature, ctx.environment)) {
      descriptions.push(d('FEATURE_TYPE_NOT_PRESENT', 'Column dropped', 'The feature was not present in any examples.'));
      deprecate(feature);
    }
    return { descriptions };
  }
  if (!isInEnvironment(ctx.schema, feature, ctx.environment)) {
    const env = ctx.environment!;
    if (feature.notInEnvironment?.includes(env)) feature.notInEnvironment = feature.notInEnvironment.filter((e) => e !== env);
    if (!isInEnvironment(ctx.schema, feature, env)) (feature.inEnvironment ??= []).push(env);
    descriptions.push(
      d('SCHEMA_NEW_COLUMN', 'Column missing in environment', `New column ${feature.name} found in data but not in the environment ${env} in the schema.`),
    );
  }
  if (feature.valueCount && common) descriptions.push(...updateValueCount(feature, common.minNumValues, common.maxNumValues));
  if (feature.shape && common) descriptions.push(...updateShape(feature, common.minNumValues, common.maxNumValues, common.numMissing));
  if (feature.presence && common) descriptions.push(...updatePresence(feature, numPresent, ctx.dataset.numExamples, common.numMissing));
  if (schemaTypeOf(stats) !== (feature.type ?? 'TYPE_UNKNOWN')) {
    deprecate(feature);
    descriptions.push(d('UNEXPECTED_DATA_TYPE', 'Unexpected data type', `Expected data of type: ${feature.type ?? 'TYPE_UNKNOWN'} but got ${stats.type}`));
  }
  descriptions.push(...updateDomain(ctx, feature, stats));
  if (feature.uniqueConstraints) descriptions.push(...updateUniqueConstraints(feature, stats));
  const driftSkew = updateComparators(ctx, feature, stats, descriptions);
  return { descriptions, driftSkew };
}

function updateValueCount(feature: SchemaFeature, minNumValues: number, maxNumValues: number): Description[] {
  const out: Description[] = [];
  const vc = feature.valueCount!;
  if (vc.min !== undefined && minNumValues < vc.min) {
    out.push(d('FEATURE_TYPE_LOW_NUMBER_VALUES', 'Missing values', 'Some examples have fewer values than expected.'));
    if (minNumValues === 0) delete vc.min;
    else vc.min = minNumValues;
  }
  if (vc.max !== undefined && maxNumValues > vc.max) {
    out.push(d('FEATURE_TYPE_HIGH_NUMBER_VALUES', 'Superfluous values', 'Some examples have more values than expected.'));
    vc.max = maxNumValues;
  }
  return out;
}

function updateShape(feature: SchemaFeature, min: number, max: number, numMissing: number): Description[] {
  const expected = feature.shape!.dim.reduce((p, dim) => p * dim.size, 1);
  const actual = min === max && min !== 0 ? min : -1;
  if (actual <= 0 || numMissing !== 0) {
    delete feature.shape;
    return [
      d(
        'INVALID_FEATURE_SHAPE',
        'Feature shape dropped',
        "The feature has a shape, but it's not always present (if the feature is nested, then it should always be present at each nested level) or its value lengths vary.",
      ),
    ];
  }
  if (actual !== expected) {
    delete feature.shape;
    return [
      d('INVALID_FEATURE_SHAPE', 'Feature shape dropped', `The feature has fixed value length ${actual} but it's not compatible with the specified shape.`),
    ];
  }
  return [];
}

function updatePresence(feature: SchemaFeature, numPresent: number, numExamples: number, numMissing: number): Description[] {
  const out: Description[] = [];
  const presence = feature.presence!;
  if (presence.minCount !== undefined && numPresent < presence.minCount) {
    const original = presence.minCount;
    presence.minCount = Math.trunc(numPresent);
    out.push(
      d(
        'FEATURE_TYPE_LOW_NUMBER_PRESENT',
        'Column dropped',
        `The feature was present in fewer examples than expected: minimum count = ${original}, actual = ${presence.minCount}`,
      ),
    );
  }
  if (presence.minFraction !== undefined && numExamples > 0) {
    const fraction = numPresent / numExamples;
    if (fraction < presence.minFraction) {
      const original = Math.fround(presence.minFraction);
      presence.minFraction = fraction;
      out.push(
        d(
          'FEATURE_TYPE_LOW_FRACTION_PRESENT',
          'Column dropped',
          `The feature was present in fewer examples than expected: minimum fraction = ${original.toFixed(6)}, actual = ${fraction.toFixed(6)}`,
        ),
      );
    }
    if (presence.minFraction === 1.0 && numMissing !== 0) {
      presence.minFraction = 0.9999;
      out.push(
        d('FEATURE_TYPE_LOW_FRACTION_PRESENT', 'Column dropped', `The feature was expected everywhere, but was missing in ${sixDigits(numMissing)} examples.`),
      );
    }
  }
  return out;
}

function percentage(count: number, total: number): string {
  if (!total) return '?';
  const percent = (100 * count) / total;
  return percent < 1 ? '<1%' : `~${Math.floor(percent)}%`;
}

/** absl::Utf8SafeCEscape: C escapes for control characters, quotes and backslash; UTF-8 kept. */
function cEscape(s: string): string {
  return s.replace(
    // Control characters are exactly what the text format escapes.
    // eslint-disable-next-line no-control-regex
    /[\\"'\n\r\t]|[\x00-\x1f\x7f]/g,
    (c) =>
      (({ '\\': '\\\\', '"': '\\"', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' }) as Record<string, string>)[c] ??
      `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`,
  );
}

function updateStringDomain(domain: StringDomain, stats: FeatureNameStatistics, maxOffDomain: number): Description[] {
  const valid = new Set(domain.value);
  const missing = [...stringValuesWithCounts(stats)]
    .filter(([v]) => !valid.has(v))
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  const missingCount = missing.reduce((s, [, c]) => s + c, 0);
  const total = commonStatsOf(stats)?.totNumValues ?? 0;
  if (missingCount / total > maxOffDomain || (maxOffDomain === 0 && missing.length > 0)) {
    domain.value.push(...missing.map(([v]) => v));
    const list = missing.map(([v, c]) => `${cEscape(v)} (${percentage(c, total)})`).join(', ');
    return [d('ENUM_TYPE_UNEXPECTED_STRING_VALUES', 'Unexpected string values', `Examples contain values missing from the schema: ${list}. `)];
  }
  return [];
}

function updateDomain(ctx: Context, feature: SchemaFeature, stats: FeatureNameStatistics): Description[] {
  const maxOffDomain = feature.distributionConstraints?.minDomainMass !== undefined ? 1 - feature.distributionConstraints.minDomainMass : 0;
  if (feature.domain !== undefined) {
    const domain = ctx.schema.stringDomain?.find((s) => s.name === feature.domain);
    if (!domain) {
      const name = feature.domain;
      delete feature.domain;
      return [d('INVALID_DOMAIN_SPECIFICATION', 'missing domain', `missing domain: ${name}`)];
    }
    return updateStringDomain(domain, stats, maxOffDomain);
  }
  if (feature.stringDomain) return updateStringDomain(feature.stringDomain, stats, maxOffDomain);
  if (feature.intDomain) return updateIntDomain(feature, stats);
  if (feature.floatDomain) return updateFloatDomain(feature, stats);
  if (feature.boolDomain) return updateBoolDomain(feature, stats);
  return [];
}

/** TFDV's UpdateUniqueConstraints: distinct values are counted for string and categorical features only. */
function updateUniqueConstraints(feature: SchemaFeature, stats: FeatureNameStatistics): Description[] {
  const constraints = feature.uniqueConstraints!;
  const unique = stats.stringStats?.unique;
  if (unique === undefined) {
    delete feature.uniqueConstraints;
    return [
      d(
        'FEATURE_TYPE_NO_UNIQUE',
        'No unique values',
        'UniqueConstraints specified for the feature, but unique values were not counted (i.e., feature is not string or categorical).',
      ),
    ];
  }
  const out: Description[] = [];
  const min = constraints.min ?? 0;
  const max = constraints.max ?? 0;
  if (unique < min) {
    out.push(d('FEATURE_TYPE_LOW_UNIQUE', 'Low number of unique values', `Expected at least ${min} unique values but found only ${unique}.`));
    constraints.min = unique;
  }
  if (unique > max) {
    out.push(d('FEATURE_TYPE_HIGH_UNIQUE', 'High number of unique values', `Expected no more than ${max} unique values but found ${unique}.`));
    constraints.max = unique;
  }
  return out;
}

function updateIntDomain(feature: SchemaFeature, stats: FeatureNameStatistics): Description[] {
  const domain = feature.intDomain!;
  let interval: { min: number; max: number } | undefined;
  if (stats.type === 'INT' && stats.numStats) {
    interval = { min: stats.numStats.min, max: stats.numStats.max };
  } else if (stats.type === 'STRING' || stats.type === 'INT') {
    for (const value of stringValuesWithCounts(stats).keys()) {
      if (!/^\s*[+-]?\d+\s*$/.test(value)) {
        if (stats.type === 'STRING') {
          delete feature.intDomain;
          return [d('INT_TYPE_NOT_INT_STRING', 'Invalid values', `String values that were not ints were found, such as "${value}".`)];
        }
        return [];
      }
      const n = Number(value);
      interval = interval ? { min: Math.min(interval.min, n), max: Math.max(interval.max, n) } : { min: n, max: n };
    }
  }
  const out: Description[] = [];
  if (!interval) return out;
  if (domain.min !== undefined && domain.min > interval.min) {
    out.push(d('INT_TYPE_SMALL_INT', 'Out-of-range values', `Unexpectedly small value: ${interval.min}.`));
    domain.min = interval.min;
  }
  if (domain.max !== undefined && domain.max < interval.max) {
    out.push(d('INT_TYPE_BIG_INT', 'Out-of-range values', `Unexpectedly large value: ${interval.max}.`));
    domain.max = interval.max;
  }
  return out;
}

function updateFloatDomain(feature: SchemaFeature, stats: FeatureNameStatistics): Description[] {
  const domain = feature.floatDomain!;
  const out: Description[] = [];
  if (domain.disallowNan && stats.type === 'FLOAT' && (stats.numStats?.histograms ?? []).some((h) => h.numNan > 0)) {
    out.push(d('FLOAT_TYPE_HAS_NAN', 'Invalid values', 'Float feature has NaN values.'));
    domain.disallowNan = false;
  }
  if (stats.type !== 'FLOAT' || !stats.numStats) return out;
  const min = Math.fround(stats.numStats.min);
  const max = Math.fround(stats.numStats.max);
  if (domain.min !== undefined && min < domain.min) {
    out.push(
      d('FLOAT_TYPE_SMALL_FLOAT', 'Out-of-range values', `Unexpectedly low values: ${sixDigits(min)}<${sixDigits(domain.min)}(upto six significant digits)`),
    );
    domain.min = min;
  }
  if (domain.max !== undefined && max > domain.max) {
    out.push(
      d('FLOAT_TYPE_BIG_FLOAT', 'Out-of-range values', `Unexpectedly high value: ${sixDigits(max)}>${sixDigits(domain.max)}(upto six significant digits)`),
    );
    domain.max = max;
  }
  if (domain.disallowInf && (!Number.isFinite(min) || !Number.isFinite(max))) {
    out.push(d('FLOAT_TYPE_HAS_INF', 'Invalid values', 'Float feature has Inf values.'));
    domain.disallowInf = false;
  }
  return out;
}

function updateBoolDomain(feature: SchemaFeature, stats: FeatureNameStatistics): Description[] {
  if (stats.type === 'INT' && stats.numStats) {
    const { min, max } = stats.numStats;
    if (min < 0 || max > 1) {
      delete feature.boolDomain;
      feature.intDomain = { min, max };
      const such = min < 0 ? min : max;
      return [
        d(
          min < 0 ? 'BOOL_TYPE_SMALL_INT' : 'BOOL_TYPE_BIG_INT',
          'Non-boolean values',
          `Integers (such as ${sixDigits(such)}) not in {0, 1}: converting to an integer.`,
        ),
      ];
    }
    return [];
  }
  if (stats.type === 'STRING') {
    const domain = feature.boolDomain!;
    const valid = [domain.trueValue, domain.falseValue].filter((v): v is string => v !== undefined);
    for (const value of stringValuesWithCounts(stats).keys()) {
      if (!valid.includes(value)) {
        const sorted = [...new Set(valid)].sort();
        delete feature.boolDomain;
        return [
          d(
            'BOOL_TYPE_UNEXPECTED_STRING',
            'Non-boolean values',
            `Saw unexpected value "${value}" instead of ${sorted.length ? `{"${sorted.join('", "')}"}` : '{}'}.`,
          ),
        ];
      }
    }
  }
  return [];
}

function updateComparators(ctx: Context, feature: SchemaFeature, stats: FeatureNameStatistics, descriptions: Description[]): DriftSkewInfo | undefined {
  let info: DriftSkewInfo | undefined;
  const kinds = [
    { key: 'driftComparator' as const, control: ctx.previous, names: ['current', 'previous'], list: 'driftMeasurements' as const, missing: 'previous' },
    { key: 'skewComparator' as const, control: ctx.serving, names: ['training', 'serving'], list: 'skewMeasurements' as const, missing: 'serving' },
  ];
  for (const kind of kinds) {
    const comparator = feature[kind.key];
    if (!comparator) continue;
    const linf = comparator.infinityNorm?.threshold;
    const jsd = comparator.jensenShannonDivergence?.threshold;
    if (linf === undefined && jsd === undefined) continue;
    if (!kind.control) continue;
    const controlStats = findFeature(kind.control, feature.name);
    const [treatment, control] = kind.names;
    if (!controlStats) {
      if (comparator.infinityNorm) delete comparator.infinityNorm.threshold;
      if (comparator.jensenShannonDivergence) delete comparator.jensenShannonDivergence.threshold;
      descriptions.push(d('COMPARATOR_CONTROL_DATA_MISSING', `${kind.missing} data missing`, `${kind.missing} data is missing.`));
      continue;
    }
    const measurements: DriftSkewMeasurement[] = [];
    if (linf !== undefined) {
      const { value, distance } = lInftyDistance(stats, controlStats);
      measurements.push({ type: 'L_INFTY', value: distance, threshold: linf });
      if (distance > linf) {
        comparator.infinityNorm!.threshold = distance;
        descriptions.push(
          d(
            'COMPARATOR_L_INFTY_HIGH',
            `High Linfty distance between ${treatment} and ${control}`,
            `The Linfty distance between ${treatment} and ${control} is ${sixDigits(distance)} (up to six significant digits), above the threshold ${sixDigits(linf)}. The feature value with maximum difference is: ${value}`,
          ),
        );
      }
    }
    if (jsd !== undefined) {
      const divergence = jensenShannonDivergence(stats, controlStats);
      if (divergence !== undefined) {
        measurements.push({ type: 'JENSEN_SHANNON_DIVERGENCE', value: divergence, threshold: jsd });
        if (divergence > jsd) {
          descriptions.push(
            d(
              'COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH',
              `High approximate Jensen-Shannon divergence between ${treatment} and ${control}`,
              `The approximate Jensen-Shannon divergence between ${treatment} and ${control} is ${sixDigits(divergence)} (up to six significant digits), above the threshold ${sixDigits(jsd)}.`,
            ),
          );
          comparator.jensenShannonDivergence!.threshold = divergence;
        }
      }
    }
    if (measurements.length) {
      info ??= { path: { step: [feature.name] } };
      (info[kind.list] ??= []).push(...measurements);
    }
  }
  return info;
}

function datasetChecks(ctx: Context): Description[] {
  const constraints = ctx.schema.datasetConstraints;
  if (!constraints) return [];
  const out: Description[] = [];
  const n = ctx.dataset.numExamples;
  if (constraints.minExamplesCount !== undefined && n < constraints.minExamplesCount) {
    constraints.minExamplesCount = n;
    out.push(d('DATASET_LOW_NUM_EXAMPLES', 'Low num examples in dataset.', `The dataset has ${sixDigits(n)} examples, which is fewer than expected.`));
  }
  if (constraints.maxExamplesCount !== undefined && n > constraints.maxExamplesCount) {
    constraints.maxExamplesCount = n;
    out.push(d('DATASET_HIGH_NUM_EXAMPLES', 'High num examples in dataset.', `The dataset has ${sixDigits(n)} examples, which is more than expected.`));
  }
  const drift = constraints.numExamplesDriftComparator;
  if (drift && ctx.previous && (drift.maxFractionThreshold !== undefined || drift.minFractionThreshold !== undefined)) {
    const control = ctx.previous.numExamples;
    const ratio = control !== 0 ? n / control : NaN;
    if (drift.maxFractionThreshold !== undefined) {
      const threshold = drift.maxFractionThreshold;
      if (control === 0) {
        delete drift.maxFractionThreshold;
        out.push(
          d(
            'COMPARATOR_HIGH_NUM_EXAMPLES',
            'High num examples in current dataset versus the previous span, which has 0.',
            'The previous span has 0 examples, so there is a high number of examples in the current dataset versus the previous span.',
          ),
        );
      } else if (ratio > threshold) {
        drift.maxFractionThreshold = ratio;
        out.push(
          d(
            'COMPARATOR_HIGH_NUM_EXAMPLES',
            'High num examples in current dataset versus the previous span.',
            `The ratio of num examples in the current dataset versus the previous span is ${sixDigits(ratio)} (up to six significant digits), which is above the threshold ${sixDigits(threshold)}.`,
          ),
        );
      }
    }
    if (drift.minFractionThreshold !== undefined && control !== 0 && ratio < drift.minFractionThreshold) {
      const threshold = drift.minFractionThreshold;
      drift.minFractionThreshold = ratio;
      out.push(
        d(
          'COMPARATOR_LOW_NUM_EXAMPLES',
          'Low num examples in current dataset versus the previous span.',
          `The ratio of num examples in the current dataset versus the previous span is ${sixDigits(ratio)} (up to six significant digits), which is below the threshold ${sixDigits(threshold)}.`,
        ),
      );
    }
  }
  return out;
}

function toAnomalyInfo(descriptions: Description[], path?: string): AnomalyInfo {
  // TFDV reports several "new column" reasons as one.
  const filtered = descriptions.length && descriptions.every((x) => x.type === 'SCHEMA_NEW_COLUMN') ? [descriptions[0]] : descriptions;
  let unified: { shortDescription: string; description: string } = { shortDescription: '', description: '' };
  for (const x of filtered) {
    if (!unified.description) unified = { shortDescription: x.shortDescription, description: x.description };
    else if (x.description) unified = { shortDescription: 'Multiple errors', description: `${unified.description} ${x.description}` };
  }
  return { ...(path !== undefined ? { path: { step: [path] } } : {}), severity: 'ERROR', ...unified, reason: filtered };
}

function pickDataset(statistics: DatasetFeatureStatisticsList | DatasetFeatureStatistics, what: string): DatasetFeatureStatistics {
  if (!('datasets' in statistics)) return statistics;
  if (statistics.datasets.length !== 1) {
    throw new UserError(
      `${what} hold ${statistics.datasets.length} datasets (${statistics.datasets.map((x) => x.name).join(', ')}); validation takes one.`,
      'pass the statistics of a single split.',
    );
  }
  return statistics.datasets[0];
}

interface Reconciled {
  schema: Schema;
  anomalies: Map<string, FeatureResult>;
  dataset: Description[];
}

/** Runs every check on a copy of the schema (TFDV's SchemaAnomalies::FindChanges). */
function reconcile(schema: Schema, dataset: DatasetFeatureStatistics, options: ValidationOptions & { inferFeatureShape?: boolean }): Reconciled {
  const copy: Schema = structuredClone(schema);
  const ctx: Context = {
    schema: copy,
    dataset,
    environment: options.environment,
    previous: options.previousStatistics,
    serving: options.servingStatistics,
    inferFeatureShape: options.inferFeatureShape ?? false,
  };
  if (options.environment !== undefined && !(schema.defaultEnvironment ?? []).includes(options.environment)) {
    throw new UserError(
      `Environment ${options.environment} not found in the schema.`,
      `the schema's default_environment lists: ${(schema.defaultEnvironment ?? []).join(', ') || '(none)'}; add it there (e.g. default_environment: "${options.environment}").`,
    );
  }
  const anomalies = new Map<string, FeatureResult>();
  const present = new Set<string>();
  for (const stats of dataset.features) {
    const name = featureName(stats);
    present.add(name);
    const feature = copy.feature.find((f) => f.name === name);
    if (!feature) {
      const created = inferFeatureForColumn(copy, stats, ctx.inferFeatureShape);
      copy.feature.push(created);
      anomalies.set(name, { descriptions: [d('SCHEMA_NEW_COLUMN', 'New column', 'New column (column in data but not in schema)')] });
      continue;
    }
    if (isDeprecated(feature)) continue;
    const result = updateExistingFeature(ctx, feature, stats);
    if (result.descriptions.length || result.driftSkew) anomalies.set(name, result);
  }
  for (const feature of copy.feature) {
    if (present.has(feature.name)) continue;
    const original = schema.feature.find((f) => f.name === feature.name)!;
    if (!isExistenceRequired(schema, original, options.environment)) continue;
    const existing = anomalies.get(feature.name) ?? { descriptions: [] };
    existing.descriptions.push(d('SCHEMA_MISSING_COLUMN', 'Column dropped', 'Column is completely missing'));
    anomalies.set(feature.name, existing);
    deprecate(feature);
  }
  return { schema: copy, anomalies, dataset: datasetChecks(ctx) };
}

/** TFDV's validate_statistics: the anomalies of `statistics` against `schema` (drift/skew when previous/serving statistics are given). */
export function validateStatistics(
  statistics: DatasetFeatureStatisticsList | DatasetFeatureStatistics,
  schema: Schema,
  options: ValidationOptions = {},
): Anomalies {
  const dataset = pickDataset(statistics, 'Statistics');
  if (dataset.numExamples === 0) {
    throw new UserError(`Statistics of "${dataset.name}" have no examples; there is nothing to validate.`, 'compute statistics of a non-empty split.');
  }
  const reconciled = reconcile(schema, dataset, options);
  const result: Anomalies = { baseline: schema, anomalyNameFormat: 'SERIALIZED_PATH', anomalyInfo: {} };
  const driftSkewInfo: DriftSkewInfo[] = [];
  for (const [name, { descriptions, driftSkew }] of [...reconciled.anomalies].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (descriptions.length) result.anomalyInfo[name] = toAnomalyInfo(descriptions, name);
    if (driftSkew) driftSkewInfo.push(driftSkew);
  }
  if (reconciled.dataset.length) result.datasetAnomalyInfo = toAnomalyInfo(reconciled.dataset);
  if (driftSkewInfo.length) result.driftSkewInfo = driftSkewInfo;
  return result;
}

/** TFDV's update_schema: the schema relaxed so that it accepts these statistics (new features added, as SchemaGen does for later splits). */
export function updateSchema(
  schema: Schema,
  statistics: DatasetFeatureStatisticsList | DatasetFeatureStatistics,
  options: { inferFeatureShape?: boolean; environment?: string } = {},
): Schema {
  const dataset = pickDataset(statistics, 'Statistics');
  return reconcile(schema, dataset, { environment: options.environment, inferFeatureShape: options.inferFeatureShape ?? true }).schema;
}
