import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { schemaBundle } from './schema-view';
import { readSchema } from '../schema/io';
import type { Schema } from '../schema/types';
import { sharedData } from '../testing/fixtures';
import { MimeTypes } from '../protocol/mime';
import { domainOf, schemaViewModel } from './schema-html';
import { launchChromium, openHtml } from './testing-browser';

/** The schema view on the curated schemas TFX ships (taxi, penguins), imported unchanged. */
jest.setTimeout(60_000);

const schemas: Record<string, string> = {
  taxi: path.join(sharedData, 'chicago_taxi', 'user_provided_schema', 'schema.pbtxt'),
  'penguins raw': path.join(sharedData, 'penguins', 'schema', 'raw', 'schema.pbtxt'),
  'penguins user provided': path.join(sharedData, 'penguins', 'schema', 'user_provided', 'schema.pbtxt'),
};

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(Object.entries(schemas))('%s schema', (_name, file) => {
  let schema: Schema;
  beforeAll(() => {
    schema = readSchema(file);
  });

  test('rows follow display_schema: required iff min_fraction is 1, single iff value_count is [1,1]', () => {
    const model = schemaViewModel(schema);
    expect(model.features.map((f) => f.name)).toEqual(schema.feature.map((f) => f.name));
    schema.feature.forEach((feature, i) => {
      const row = model.features[i];
      expect(row.presence).toBe(feature.presence ? (feature.presence.minFraction === 1 ? 'required' : 'optional') : '');
      if (feature.valueCount) {
        const single = feature.valueCount.min === 1 && feature.valueCount.max === 1;
        expect(row.valency === 'single').toBe(single);
        if (!single)
          expect(row.valency).toBe(`[${feature.valueCount.min ?? 0},${feature.valueCount.max ?? 'inf)'}${feature.valueCount.max !== undefined ? ']' : ''}`);
      }
      if (feature.domain) expect(row.domain).toBe(`'${feature.domain}'`);
      if (feature.intDomain?.min !== undefined) expect(row.domain).toContain(`min: ${feature.intDomain.min}`);
      expect(row.type).toBe(feature.type === 'BYTES' && (feature.domain || feature.stringDomain) ? 'STRING' : feature.type);
    });
  });

  test('every string domain is listed with all its values', async () => {
    const bundle = schemaBundle(schema, { title: 'schema' });
    const page = await openHtml(browser, String(bundle['text/html']));
    const domains = [
      ...(schema.stringDomain ?? []).map((d) => ({ name: d.name!, values: d.value })),
      ...schema.feature.filter((f) => f.stringDomain).map((f) => ({ name: domainOf(f).text.slice(1, -1), values: f.stringDomain!.value })),
    ];
    expect(await page.locator('.tfx-ts-schema-domains tbody tr').count()).toBe(domains.length);
    for (const domain of domains) {
      const text = await page.locator(`.tfx-ts-schema-domains tr[data-domain="'${domain.name}'"] .tfx-ts-domain-values`).textContent();
      expect(text).toBe(domain.values.map((v) => `'${v}'`).join(', '));
    }
    expect((bundle[MimeTypes.schema] as Schema).feature).toEqual(schema.feature);
    expect(String(bundle['text/plain'])).toContain(`Schema: ${schema.feature.length} features`);
    await page.close();
  });
});

test('environments and drift/skew comparators get their own columns when the schema sets them', async () => {
  const schema = readSchema(schemas.taxi);
  const tips = schema.feature.find((f) => f.name === 'tips')!;
  tips.notInEnvironment = ['SERVING'];
  schema.defaultEnvironment = ['TRAINING', 'SERVING'];
  schema.feature.find((f) => f.name === 'payment_type')!.skewComparator = { infinityNorm: { threshold: 0.01 } };
  schema.feature.find((f) => f.name === 'company')!.driftComparator = { jensenShannonDivergence: { threshold: 0.05 } };
  const page = await openHtml(browser, String(schemaBundle(schema)['text/html']));
  expect(await page.locator('tr[data-feature="tips"] [data-stat="environments"]').textContent()).toBe('not in SERVING');
  expect(await page.locator('tr[data-feature="payment_type"] [data-stat="comparators"]').textContent()).toBe('skew L-infinity ≤ 0.01');
  expect(await page.locator('tr[data-feature="company"] [data-stat="comparators"]').textContent()).toBe('drift Jensen-Shannon ≤ 0.05');
  expect(await page.locator('text=Default environments: TRAINING, SERVING').count()).toBe(1);
  await page.close();
});
