import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { EvaluationResult } from '../evaluator/evaluate';
import { tempDir } from '../testing/fixtures';
import { candidateIsBaseline, evaluationBundle } from './evaluation-view';
import { launchChromium, openHtml } from './testing-browser';

/**
 * The evaluation view in Chromium: pick the metric the chart and the highlighted column show and
 * filter slices by example count (no JavaScript), sort slices by any metric (with JavaScript, and
 * a note where it does not run), intervals and undefined metrics with their reasons, a table that
 * fits a narrow output, and "the candidate is the baseline" said once (no ±0 lines).
 */
function result(baselineModelId: number | undefined): EvaluationResult {
  const slice = (name: string, key: [string, string][], exampleCount: number, auc: number | null, calibration: number, baselineAuc?: number) => ({
    key,
    name,
    exampleCount,
    metrics: { example_count: exampleCount, auc, binary_accuracy: (auc ?? 0.75) - 0.1, calibration },
    ...(auc === null
      ? { notes: { auc: 'AUC is undefined: it needs positive and negative examples, and this slice has all 3 examples positive' } }
      : { confidenceIntervals: { auc: { lowerBound: auc - 0.02, upperBound: auc + 0.01, samples: 100 } } }),
    ...(baselineAuc !== undefined
      ? { baselineMetrics: { example_count: exampleCount, auc: baselineAuc, binary_accuracy: baselineAuc - 0.1, calibration } }
      : {}),
  });
  const withBaseline = baselineModelId !== undefined;
  const b = (v: number) => (withBaseline ? v : undefined);
  return {
    format: 'tfx-ts.ModelEvaluation',
    version: 1,
    evalConfig: { modelSpecs: [], slicingSpecs: [], metricsSpecs: [] },
    splits: ['eval'],
    numExamples: 1104,
    problem: 'binary_classification',
    labelKey: 'tips',
    candidate: { uri: '/m/7', modelId: 7 },
    ...(withBaseline ? { baseline: { uri: `/m/${baselineModelId}`, modelId: baselineModelId } } : {}),
    metricNames: ['example_count', 'auc', 'binary_accuracy', 'calibration'],
    slices: [
      slice('Overall', [], 1104, 0.9, 1.02, b(0.85)),
      slice('hour:1', [['hour', '1']], 1000, 0.91, 0.98, b(0.86)),
      slice('hour:2', [['hour', '2']], 95, 0.8, 1.3, b(0.8)),
      slice('hour:3', [['hour', '3']], 6, 0.7, 0.7, b(0.7)),
      slice('hour:4', [['hour', '4']], 3, null, 2.5),
    ],
    confidenceIntervals: { method: 'POISSON_BOOTSTRAP', numBootstrapSamples: 100, seed: 0, confidenceLevel: 0.95, metrics: ['auc'] },
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

const visible = (page: Page, selector: string): Promise<string[]> =>
  page.locator(selector).evaluateAll((rows) => rows.filter((r) => (r as HTMLElement).offsetParent !== null).map((r) => r.getAttribute('data-slice') ?? ''));
const tableOrder = (page: Page) => visible(page, 'tr[data-slice]');
const chartOrder = (page: Page) => visible(page, '.tfx-ts-bar-row[data-slice]');

/** A page with JavaScript off: what GitHub, an untrusted notebook or a sanitizing front end shows. */
async function openWithoutScripts(html: string, width = 1100): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 900 } });
  const page = await context.newPage();
  await page.route('**/*', (route) => route.abort());
  await page.setContent(/^\s*<!DOCTYPE/i.test(html) ? html : `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${html}</body></html>`);
  return page;
}

test('slices show their example count and can be filtered to a minimum count, in the table and the chart', async () => {
  const bundle = await evaluationBundle(result(3));
  const page = await openHtml(browser, String(bundle['text/html']));
  expect(await tableOrder(page)).toEqual(['Overall', 'hour:1', 'hour:2', 'hour:3', 'hour:4']);
  expect(await chartOrder(page)).toEqual(['Overall', 'hour:1', 'hour:2', 'hour:3', 'hour:4']);
  expect(await page.locator('tr[data-slice="hour:3"] td').first().textContent()).toBe('6');
  await page.locator('label', { hasText: '≥ 10 examples' }).click();
  expect(await tableOrder(page)).toEqual(['Overall', 'hour:1', 'hour:2']);
  expect(await chartOrder(page)).toEqual(['Overall', 'hour:1', 'hour:2']);
  await page.locator('label', { hasText: '≥ 100 examples' }).click();
  expect(await tableOrder(page)).toEqual(['Overall', 'hour:1']);
  await page.locator('label', { hasText: 'all' }).click();
  expect(await tableOrder(page)).toHaveLength(5);
  // A real baseline: the change is the last line of each cell, and the chart has baseline ticks.
  expect(await page.locator('tr[data-slice="Overall"] td .tfx-ts-change').first().textContent()).toBe('+0.05');
  expect(await page.locator('.tfx-ts-bar-base').count()).toBe(5);
  expect(await page.locator('[data-role="same-model"]').count()).toBe(0);
  await page.close();
});

test('the metric selector picks what the chart and the highlighted column show, without JavaScript', async () => {
  const page = await openWithoutScripts(String((await evaluationBundle(result(undefined)))['text/html']));
  // Sorting needs the script: its controls stay hidden and the view says so.
  expect(await page.locator('[data-role="sort-tools"]').isVisible()).toBe(false);
  expect(await page.locator('[data-role="no-js"]').textContent()).toContain('Sorting needs JavaScript');
  const state = () =>
    page.evaluate(() => {
      const view = document.querySelector('.tfx-ts-evaluation')!;
      const axis = Array.from(view.querySelectorAll('.tfx-ts-bar-axis [class*="tfx-ts-for-m"]')).find((e) => getComputedStyle(e).display !== 'none');
      const highlighted = Array.from(view.querySelectorAll('thead th'))
        .filter((th) => getComputedStyle(th).backgroundColor !== 'rgba(0, 0, 0, 0)')
        .map((th) => th.textContent);
      const row = (slice: string) => view.querySelector(`.tfx-ts-bar-row[data-slice="${slice}"]`)!;
      const bar = (slice: string) =>
        row(slice).querySelector('.tfx-ts-bar')!.getBoundingClientRect().width / row(slice).querySelector('.tfx-ts-bar-track')!.getBoundingClientRect().width;
      const text = (slice: string) => getComputedStyle(row(slice).querySelector('.tfx-ts-bar-value')!, '::after').content;
      return {
        axis: axis?.querySelector('b')?.textContent,
        highlighted,
        overall: bar('Overall'),
        hour2: bar('hour:2'),
        undefinedBar: bar('hour:4'),
        text: text('Overall'),
        undefinedText: text('hour:4'),
      };
    });
  // AUC first (the headline metric): bars on [0, 1], the interval after the value, "–" where undefined.
  const auc = await state();
  expect(auc).toMatchObject({ axis: 'auc', highlighted: ['auc'], text: '"0.9 [0.88, 0.91]"', undefinedText: '"–"', undefinedBar: 0 });
  expect(auc.overall).toBeCloseTo(0.9, 2);
  expect(auc.hour2).toBeCloseTo(0.8, 2);
  // Calibration is not a share: its axis runs to the largest value (2.5).
  await page.locator('input.tfx-ts-pick + label', { hasText: /^calibration$/ }).click();
  const calibration = await state();
  expect(calibration).toMatchObject({ axis: 'calibration', highlighted: ['calibration'], text: '"1.02"' });
  expect(calibration.overall).toBeCloseTo(1.02 / 2.5, 2);
  expect(calibration.hour2).toBeCloseTo(1.3 / 2.5, 2);
  await page.locator('input.tfx-ts-pick + label', { hasText: /^binary_accuracy$/ }).click();
  expect(await state()).toMatchObject({ axis: 'binary_accuracy', highlighted: ['binary_accuracy'], text: '"0.8"' });
  await page.context().close();
});

test('slices sort by any metric or by examples, both ways, overall first and undefined values last', async () => {
  const page = await openHtml(browser, String((await evaluationBundle(result(undefined)))['text/html']));
  expect(await page.locator('[data-role="sort-tools"]').isVisible()).toBe(true);
  expect(await page.locator('[data-role="no-js"]').count()).toBe(0);
  await page.locator('select[data-role="sort"]').selectOption('auc');
  await page.locator('select[data-role="direction"]').selectOption('ascending');
  expect(await tableOrder(page)).toEqual(['Overall', 'hour:3', 'hour:2', 'hour:1', 'hour:4']);
  // The chart follows the table.
  expect(await chartOrder(page)).toEqual(['Overall', 'hour:3', 'hour:2', 'hour:1', 'hour:4']);
  await page.locator('select[data-role="direction"]').selectOption('descending');
  expect(await tableOrder(page)).toEqual(['Overall', 'hour:1', 'hour:2', 'hour:3', 'hour:4']);
  await page.locator('select[data-role="sort"]').selectOption('calibration');
  expect(await tableOrder(page)).toEqual(['Overall', 'hour:4', 'hour:2', 'hour:1', 'hour:3']);
  await page.locator('select[data-role="sort"]').selectOption('examples');
  await page.locator('select[data-role="direction"]').selectOption('ascending');
  expect(await tableOrder(page)).toEqual(['Overall', 'hour:4', 'hour:3', 'hour:2', 'hour:1']);
  // Sorting and filtering combine.
  await page.locator('label', { hasText: '≥ 10 examples' }).click();
  expect(await chartOrder(page)).toEqual(['Overall', 'hour:2', 'hour:1']);
  await page.locator('select[data-role="sort"]').selectOption('order');
  expect(await tableOrder(page)).toEqual(['Overall', 'hour:1', 'hour:2']);
  await page.close();
});

test('intervals show under their value, an undefined AUC shows "–" with the reason, and the table fits a narrow output', async () => {
  const page = await openHtml(browser, String((await evaluationBundle(result(undefined)))['text/html']), { width: 560 });
  const overallAuc = page.locator('tr[data-slice="Overall"] td').nth(1);
  expect(await overallAuc.innerText()).toBe('0.9\n0.88–0.91');
  expect(await overallAuc.getAttribute('title')).toBe('0.9\n95% interval [0.88, 0.91]');
  const undefinedAuc = page.locator('tr[data-slice="hour:4"] td').nth(1);
  expect(await undefinedAuc.innerText()).toBe('–');
  expect(await undefinedAuc.getAttribute('title')).toMatch(/^AUC is undefined: it needs positive and negative examples/);
  expect(await page.locator('[data-role="table-notes"]').textContent()).toContain('95% confidence interval (Poisson bootstrap, 100 samples, seed 0)');
  const fit = await page.locator('.tfx-ts-slices').evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
  expect(fit.scroll).toBeLessThanOrEqual(fit.client);
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
  expect(await page.locator('td .tfx-ts-change').count()).toBe(0);
  expect(await page.locator('.tfx-ts-bar-base').count()).toBe(0);
  expect(await page.locator('[data-role="table-notes"]').textContent()).not.toContain('baseline');
  await page.close();
});

test("nbconvert's HTML: the metric selector and filter work without JavaScript, sorting with it", async () => {
  const jupyter = process.env.TFX_TS_JUPYTER ?? '/usr/bin/jupyter';
  const dir = tempDir('tfx-ts-eval-nbconvert-');
  const bundle = await evaluationBundle(result(3));
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      {
        cell_type: 'code',
        id: 'cell-0',
        metadata: {},
        execution_count: 1,
        source: 'await context.show(evaluator.outputs.evaluation);',
        outputs: [{ output_type: 'display_data', metadata: {}, data: bundle }],
      },
    ],
  };
  fs.writeFileSync(path.join(dir, 'eval.ipynb'), JSON.stringify(nb));
  execFileSync(jupyter, ['nbconvert', '--to', 'html', 'eval.ipynb'], { cwd: dir, stdio: 'pipe' });
  const html = fs.readFileSync(path.join(dir, 'eval.html'), 'utf8');
  const still = await openWithoutScripts(html);
  await still.locator('input.tfx-ts-pick + label', { hasText: /^calibration$/ }).click();
  expect(
    await still.locator('.tfx-ts-bar-axis b').evaluateAll((b) => b.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => e.textContent)),
  ).toEqual(['calibration']);
  await still.locator('label', { hasText: '≥ 100 examples' }).click();
  expect(await tableOrder(still)).toEqual(['Overall', 'hour:1']);
  expect(await still.locator('[data-role="no-js"]').isVisible()).toBe(true);
  await still.context().close();
  const page = await openHtml(browser, html);
  await page.locator('select[data-role="sort"]').selectOption('auc');
  expect(await tableOrder(page)).toEqual(['Overall', 'hour:3', 'hour:2', 'hour:1', 'hour:4']);
  await page.close();
});
