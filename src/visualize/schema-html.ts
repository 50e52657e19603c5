import type { FeatureComparator, Schema, SchemaFeature } from '../schema/types';
import { escapeHtml, formatNumber, viewElement } from './html';

/**
 * The schema view: TFDV's `display_schema` tables (feature name, type, presence, valency, domain;
 * then each string domain's values), with the same wording TFDV uses, plus environments and
 * drift/skew comparators when the schema sets any.
 */

export interface SchemaFeatureRow {
  name: string;
  type: string;
  presence: string;
  valency: string;
  domain: string;
  environments: string;
  comparators: string;
  deprecated: boolean;
}

export interface SchemaDomainRow {
  domain: string;
  values: string[];
}

export interface SchemaViewModel {
  features: SchemaFeatureRow[];
  domains: SchemaDomainRow[];
  defaultEnvironments: string[];
}

const quote = (text: string) => `'${text.replace(/'/g, "\\'")}'`;

/** TFDV: "required" when min_fraction is 1, "optional" when presence is set otherwise, empty when unset. */
export function presenceOf(feature: SchemaFeature): string {
  if (!feature.presence) return '';
  return Number(feature.presence.minFraction) === 1 ? 'required' : 'optional';
}

/** TFDV: "single" for value_count [1,1], else "[min,max]" with 0 / inf for unset ends; fixed shapes as "shape [d,...]". */
export function valencyOf(feature: SchemaFeature): string {
  const count = feature.valueCount;
  if (count) {
    // Numbers may arrive as proto3-JSON strings ("1").
    if (Number(count.min) === 1 && Number(count.max) === 1) return 'single';
    return `[${count.min ?? 0},${count.max !== undefined ? `${count.max}]` : 'inf)'}`;
  }
  // infer_feature_shape writes `shape` instead of value_count (TFDV shows nothing; the shape says more).
  if (feature.shape) return `shape [${(feature.shape.dim ?? []).map((d) => d.size).join(',')}]`;
  return '';
}

/** TFDV shows BYTES features with a string domain as STRING. */
export function typeOf(feature: SchemaFeature): string {
  const type = feature.type ?? 'TYPE_UNKNOWN';
  if (type === 'BYTES' && (feature.domain !== undefined || feature.stringDomain !== undefined)) return 'STRING';
  return type;
}

function minMax(min: string | undefined, max: string | undefined): string {
  if (min !== undefined && max !== undefined) return `${min}; ${max}`;
  return min ?? max ?? '-';
}

/** The domain cell as TFDV words it; a feature's own string domain is listed with the global ones. */
export function domainOf(feature: SchemaFeature): { text: string; values?: SchemaDomainRow } {
  if (feature.domain !== undefined) return { text: quote(feature.domain) };
  if (feature.intDomain) {
    const d = feature.intDomain;
    return { text: minMax(d.min !== undefined ? `min: ${d.min}` : undefined, d.max !== undefined ? `max: ${d.max}` : undefined) };
  }
  if (feature.floatDomain) {
    const d = feature.floatDomain;
    const min = d.min !== undefined ? `min: ${formatNumber(d.min)}` : d.disallowInf ? undefined : 'min: -inf';
    const max = d.max !== undefined ? `max: ${formatNumber(d.max)}` : d.disallowInf ? undefined : 'max: inf';
    return { text: minMax(min, max) };
  }
  if (feature.stringDomain) {
    const name = quote(feature.stringDomain.name || `${feature.name}_domain`);
    return { text: name, values: { domain: name, values: feature.stringDomain.value ?? [] } };
  }
  if (feature.boolDomain) return { text: 'bool' };
  for (const kind of ['naturalLanguageDomain', 'imageDomain', 'midDomain', 'urlDomain', 'timeDomain', 'timeOfDayDomain', 'structDomain'] as const) {
    if (feature[kind] !== undefined) return { text: kind.replace(/Domain$/, '').replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`) };
  }
  return { text: '-' };
}

function environmentsOf(feature: SchemaFeature): string {
  const parts: string[] = [];
  if (feature.inEnvironment?.length) parts.push(`only ${feature.inEnvironment.join(', ')}`);
  if (feature.notInEnvironment?.length) parts.push(`not in ${feature.notInEnvironment.join(', ')}`);
  return parts.join('; ');
}

function comparatorText(kind: string, comparator: FeatureComparator | undefined): string[] {
  if (!comparator) return [];
  const parts: string[] = [];
  if (comparator.infinityNorm?.threshold !== undefined) parts.push(`${kind} L-infinity ≤ ${comparator.infinityNorm.threshold}`);
  if (comparator.jensenShannonDivergence?.threshold !== undefined) parts.push(`${kind} Jensen-Shannon ≤ ${comparator.jensenShannonDivergence.threshold}`);
  if (comparator.normalizedAbsDifference?.threshold !== undefined)
    parts.push(`${kind} normalized abs. difference ≤ ${comparator.normalizedAbsDifference.threshold}`);
  return parts;
}

export function schemaViewModel(schema: Schema): SchemaViewModel {
  const domains: SchemaDomainRow[] = (schema.stringDomain ?? []).map((d) => ({ domain: quote(d.name ?? ''), values: d.value ?? [] }));
  const features = (schema.feature ?? []).map((feature) => {
    const domain = domainOf(feature);
    if (domain.values) domains.push(domain.values);
    return {
      name: feature.name,
      type: typeOf(feature),
      presence: presenceOf(feature),
      valency: valencyOf(feature),
      domain: domain.text,
      environments: environmentsOf(feature),
      comparators: [...comparatorText('drift', feature.driftComparator), ...comparatorText('skew', feature.skewComparator)].join('; '),
      deprecated: feature.deprecated === true || feature.lifecycleStage === 'DEPRECATED',
    };
  });
  return { features, domains, defaultEnvironments: schema.defaultEnvironment ?? [] };
}

export function schemaHtml(model: SchemaViewModel, options: { title?: string; id?: string } = {}): string {
  const withEnvironments = model.features.some((f) => f.environments);
  const withComparators = model.features.some((f) => f.comparators);
  const head =
    '<thead><tr><th scope="col">Feature name</th><th scope="col">Type</th><th scope="col">Presence</th><th scope="col">Valency</th><th scope="col">Domain</th>' +
    (withEnvironments ? '<th scope="col">Environments</th>' : '') +
    (withComparators ? '<th scope="col">Drift / skew</th>' : '') +
    '</tr></thead>';
  const rows = model.features.map(
    (f) =>
      `<tr data-feature="${escapeHtml(f.name)}"><td class="tfx-ts-feature-cell">${escapeHtml(f.name)}${f.deprecated ? ' <span class="tfx-ts-badge tfx-ts-severity-UNKNOWN">deprecated</span>' : ''}</td>` +
      `<td data-stat="type">${escapeHtml(f.type)}</td><td data-stat="presence">${escapeHtml(f.presence)}</td><td data-stat="valency">${escapeHtml(f.valency)}</td><td data-stat="domain">${escapeHtml(f.domain)}</td>` +
      (withEnvironments ? `<td data-stat="environments">${escapeHtml(f.environments)}</td>` : '') +
      (withComparators ? `<td data-stat="comparators">${escapeHtml(f.comparators)}</td>` : '') +
      '</tr>',
  );
  const featuresTable = model.features.length
    ? `<div class="tfx-ts-scroll"><table class="tfx-ts-table tfx-ts-schema-features">${head}<tbody>${rows.join('')}</tbody></table></div>`
    : '<p class="tfx-ts-muted">The schema has no features.</p>';
  const domainsTable = model.domains.length
    ? `<h4 class="tfx-ts-section">Domains (${model.domains.length})</h4><div class="tfx-ts-scroll"><table class="tfx-ts-table tfx-ts-schema-domains"><thead><tr><th scope="col">Domain</th><th scope="col">Values</th></tr></thead><tbody>${model.domains
        .map(
          (d) =>
            `<tr data-domain="${escapeHtml(d.domain)}"><td class="tfx-ts-feature-cell">${escapeHtml(d.domain)}</td><td class="tfx-ts-domain-values">${escapeHtml(d.values.map(quote).join(', '))}</td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '';
  const environments = model.defaultEnvironments.length
    ? `<p class="tfx-ts-muted">Default environments: ${escapeHtml(model.defaultEnvironments.join(', '))}</p>`
    : '';
  return viewElement(
    'schema',
    options.title,
    `<h4 class="tfx-ts-section">Features (${model.features.length})</h4>${featuresTable}${environments}${domainsTable}`,
    options.id,
  );
}
