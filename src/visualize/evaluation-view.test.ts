import type { Browser } from 'playwright-core';
import type { EvaluationResult } from '../evaluator/evaluate';
import { candidateIsBaseline, evaluationBundle } from './evaluation-view';
import { launchChromium, openHtml } from './testing-browser';

/**
 * The evaluation view in Chromium: a slice table with example counts that can be filtered to a
 * minimum count without JavaScript, and "the candidate is the baseline" said once (no ±0 lines).
 */
function result(baselineModelId: number | undefined): EvaluationResult {
  const slice = (name: string, key: [string, string][], exampleCount: number, auc: number, baselineAuc?: number) => ({
    key,
    name,
    exampleCount,
    metrics: { example_count: exampleCount, auc, binary_accuracy: auc - 0.1 },
    ...(baselineAuc !== undefined ? { baselineMetrics: { example_count: exampleCount, auc: baselineAuc, binary_accuracy: baselineAuc - 0.1 } } : {}),
  });
  const withBaseline = baselineModelId !== undefined;
  return {
    format: 'tfx-ts.ModelEvaluation',
    version: 1,
    evalConfig: { modelSpecs: [], slicingSpecs: [], metricsSpecs: [] },
    splits: ['eval'],
    numExamples: 1101,
    problem: 'binary_classification',
    labelKey: 'tips',
    candidate: { uri: '/m/7', modelId: 7 },
    ...(withBaseline ? { baseline: { uri: `/m/${baselineModelId}`, modelId: baselineModelId } } : {}),
    metricNames: ['example_count', 'auc', 'binary_accuracy'],
    slices: [
      slice('Overall', [], 1101, 0.9, withBaseline ? 0.85 : undefined),
      slice('hour:1', [['hour', '1']], 1000, 0.91, withBaseline ? 0.86 : undefined),
      slice('hour:2', [['hour', '2']], 95, 0.8, withBaseline ? 0.8 : undefined),
      slice('hour:3', [['hour', '3']], 6, 0.7, withBaseline ? 0.7 : undefined),
    ],
    validation: { ok: true, checks: [], failures: [], skipped: [] },
  } as unknown as EvaluationResult;
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

test('slices show their example count and can be filtered to a minimum count', async () => {
  const bundle = await evaluationBundle(result(3));
  const page = await openHtml(browser, String(bundle['text/html']));
  const visible = (): Promise<string[]> =>
    page
      .locator('tr[data-slice]')
      .evaluateAll((rows) => rows.filter((r) => (r as HTMLElement).offsetParent !== null).map((r) => r.getAttribute('data-slice') ?? ''));
  expect(await visible()).toEqual(['Overall', 'hour:1', 'hour:2', 'hour:3']);
  expect(await page.locator('tr[data-slice="hour:3"] td').first().textContent()).toBe('6');
  await page.locator('label', { hasText: '≥ 10 examples' }).click();
  expect(await visible()).toEqual(['Overall', 'hour:1', 'hour:2']);
  await page.locator('label', { hasText: '≥ 100 examples' }).click();
  expect(await visible()).toEqual(['Overall', 'hour:1']);
  await page.locator('label', { hasText: 'all' }).click();
  expect(await visible()).toHaveLength(4);
  // A real baseline: the change is the second line of each cell.
  expect(await page.locator('tr[data-slice="Overall"] td .tfx-ts-muted').first().textContent()).toBe('+0.05');
  expect(await page.locator('[data-role="same-model"]').count()).toBe(0);
  await page.close();
});

test('when the candidate is the baseline the view says so once, with no ±0 lines', async () => {
  const same = result(7);
  expect(candidateIsBaseline(same)).toBe(true);
  expect(candidateIsBaseline(result(3))).toBe(false);
  expect(candidateIsBaseline(result(undefined))).toBe(false);
  const page = await openHtml(browser, String((await evaluationBundle(same))['text/html']));
  expect(await page.locator('[data-role="same-model"]').count()).toBe(1);
  expect(await page.locator('[data-role="same-model"]').textContent()).toContain('The candidate is the baseline: model #7');
  expect(await page.locator('td .tfx-ts-muted').count()).toBe(0);
  expect(await page.locator('h4', { hasText: 'change vs baseline' }).count()).toBe(0);
  await page.close();
});
