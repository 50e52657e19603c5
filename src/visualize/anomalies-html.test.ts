import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { anomaliesBundle } from './anomalies-view';
import { inferSchema } from '../schema/infer';
import { generateStatistics } from '../stats/generate';
import type { DatasetFeatureStatisticsList } from '../stats/types';
import { sharedData } from '../testing/fixtures';
import { validateStatistics } from '../validation/validate';
import { anomaliesViewModel, DATASET_ANOMALY_LABEL } from './anomalies-html';
import { MimeTypes } from '../protocol/mime';
import { displays, launchChromium, openHtml } from './testing-browser';

/** Drift (eval vs train) and skew (eval vs serving) on the TFDV tutorial's taxi splits, with comparators in the schema. */
jest.setTimeout(60_000);

const tutorial = path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial');
let train: DatasetFeatureStatisticsList;
let evalStats: DatasetFeatureStatisticsList;
let serving: DatasetFeatureStatisticsList;
let browser: Browser;

beforeAll(async () => {
  train = await generateStatistics({ path: path.join(tutorial, 'train.csv'), name: 'train' });
  evalStats = await generateStatistics({ path: path.join(tutorial, 'eval.csv'), name: 'eval' });
  serving = await generateStatistics({ path: path.join(tutorial, 'serving.csv'), name: 'serving' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

test('drift and skew measurements are listed with their thresholds; those above are flagged', async () => {
  const schema = inferSchema(train);
  schema.feature.find((f) => f.name === 'payment_type')!.skewComparator = { infinityNorm: { threshold: 0.01 } };
  schema.feature.find((f) => f.name === 'company')!.driftComparator = { infinityNorm: { threshold: 0.001 } };
  const anomalies = validateStatistics(evalStats, schema, { previousStatistics: train.datasets[0], servingStatistics: serving.datasets[0] });
  const infos = anomalies.driftSkewInfo ?? [];
  expect(infos.length).toBeGreaterThan(0);

  const model = anomaliesViewModel(anomalies, 'eval');
  const expected = infos.flatMap((info) => [
    ...(info.driftMeasurements ?? []).map((m) => ({
      feature: info.path.step.join('.'),
      kind: 'drift',
      type: m.type,
      value: m.value,
      threshold: m.threshold,
      exceeded: m.value > m.threshold,
    })),
    ...(info.skewMeasurements ?? []).map((m) => ({
      feature: info.path.step.join('.'),
      kind: 'skew',
      type: m.type,
      value: m.value,
      threshold: m.threshold,
      exceeded: m.value > m.threshold,
    })),
  ]);
  expect(model.driftSkew).toEqual(expected);
  // A comparator above its threshold is also an anomaly of that feature.
  for (const row of model.driftSkew.filter((r) => r.exceeded)) {
    expect(anomalies.anomalyInfo[row.feature].reason.map((r) => r.type)).toContain('COMPARATOR_L_INFTY_HIGH');
  }

  const page = await openHtml(browser, String(anomaliesBundle([{ split: 'eval', anomalies }])['text/html']));
  for (const row of expected) {
    const tr = page.locator(`.tfx-ts-drift-skew tr[data-feature="${row.feature}"][data-kind="${row.kind}"]`);
    expect(Number(await tr.locator('[data-stat="value"]').getAttribute('title'))).toBe(row.value);
    expect(displays((await tr.locator('[data-stat="value"]').textContent())!, row.value)).toBe(true);
    expect(await tr.locator('.tfx-ts-badge').count()).toBe(row.exceeded ? 1 : 0);
  }
  await page.close();
});

test('a dataset-level anomaly gets a row of its own, and every split keeps its section', async () => {
  const schema = inferSchema(train);
  schema.datasetConstraints = { minExamplesCount: serving.datasets[0].numExamples + 1 };
  const servingAnomalies = validateStatistics(serving, schema);
  expect(servingAnomalies.datasetAnomalyInfo?.reason.map((r) => r.type)).toContain('DATASET_LOW_NUM_EXAMPLES');
  const clean = validateStatistics(train, inferSchema(train));
  const bundle = anomaliesBundle([
    { split: 'train', anomalies: clean },
    { split: 'serving', anomalies: servingAnomalies },
  ]);
  const payload = bundle[MimeTypes.anomalies] as { splits: { name: string }[]; anomalyInfo: unknown };
  expect(payload.splits.map((s) => s.name)).toEqual(['train', 'serving']);
  expect(payload.anomalyInfo).toEqual(clean.anomalyInfo);
  const page = await openHtml(browser, String(bundle['text/html']));
  expect(await page.locator('[data-split="train"] .tfx-ts-no-anomalies').textContent()).toBe('No anomalies found.');
  const rows = await page.locator('[data-split="serving"] tbody tr').evaluateAll((r) => r.map((row) => row.getAttribute('data-feature')));
  expect(rows).toEqual([...Object.keys(servingAnomalies.anomalyInfo), DATASET_ANOMALY_LABEL]);
  expect(await page.locator(`[data-split="serving"] tr[data-feature="${DATASET_ANOMALY_LABEL}"] [data-stat="description"]`).textContent()).toContain(
    servingAnomalies.datasetAnomalyInfo!.description,
  );
  expect(String(bundle['text/plain'])).toMatch(/No anomalies found in split train\.\n\d+ anomalies in split serving:/);
  await page.close();
});
