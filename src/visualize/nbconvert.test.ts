import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { statisticsBundle } from './statistics-view';
import { generateStatistics } from '../stats/generate';
import { sharedData, tempDir } from '../testing/fixtures';
import type { MimeBundle } from './registry';
import { launchChromium, openHtml } from './testing-browser';

/**
 * The static fallback where notebooks are read without a kernel or our extension: nbconvert's HTML
 * (JupyterLab's own output styles around it). Two views in one notebook switch histograms
 * independently, with no JavaScript.
 */
jest.setTimeout(120_000);

const JUPYTER = process.env.TFX_TS_JUPYTER ?? '/usr/bin/jupyter';
let browser: Browser;
let bundles: MimeBundle[];
let numeric: number;

beforeAll(async () => {
  if (!fs.existsSync(JUPYTER))
    throw new Error(`This test needs Debian's jupyter-nbconvert at ${JUPYTER} (apt-get install jupyter-nbconvert) or TFX_TS_JUPYTER.`);
  browser = await launchChromium();
  const tutorial = path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial');
  const train = await generateStatistics({ path: path.join(tutorial, 'train.csv'), name: 'train' });
  const evalStats = await generateStatistics({ path: path.join(tutorial, 'eval.csv'), name: 'eval' });
  bundles = [
    await statisticsBundle([{ statistics: train }, { statistics: evalStats }], { title: 'both splits' }),
    await statisticsBundle([{ statistics: train }], { title: 'train' }),
  ];
  numeric = train.datasets[0].features.filter((f) => f.numStats).length;
});
afterAll(async () => {
  await browser?.close();
});

function notebook(bundles: MimeBundle[]): object {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: bundles.map((bundle, i) => ({
      cell_type: 'code',
      id: `cell-${i}`,
      metadata: {},
      execution_count: i + 1,
      source: 'await context.show(statisticsGen.outputs.statistics);',
      outputs: [{ output_type: 'display_data', metadata: {}, data: bundle }],
    })),
  };
}

test.each(['light', 'dark'])('nbconvert HTML (%s theme): the views render, and each switches on its own', async (theme) => {
  const dir = tempDir('tfx-ts-nbconvert-');
  fs.writeFileSync(path.join(dir, 'views.ipynb'), JSON.stringify(notebook(bundles)));
  execFileSync(JUPYTER, ['nbconvert', '--to', 'html', `--HTMLExporter.theme=${theme}`, 'views.ipynb'], { cwd: dir, stdio: 'pipe' });
  const page = await openHtml(browser, fs.readFileSync(path.join(dir, 'views.html'), 'utf8'), { width: 1200 });
  const views = page.locator('.tfx-ts-statistics');
  expect(await views.count()).toBe(2);
  expect(await views.nth(0).locator('[data-chart="standard"] svg').count()).toBe(numeric);

  await views.nth(1).locator('label', { hasText: 'Quantiles' }).click();
  expect(await views.nth(1).locator('[data-chart="quantiles"]').first().isVisible()).toBe(true);
  expect(await views.nth(1).locator('[data-chart="standard"]').first().isVisible()).toBe(false);
  expect(await views.nth(0).locator('[data-chart="standard"]').first().isVisible()).toBe(true);

  // JupyterLab's output table styles (centred, fixed layout, right-aligned, striped) do not leak in.
  const style = await views
    .nth(0)
    .locator('table.tfx-ts-numeric')
    .evaluate((table) => {
      const row = table.querySelector('tbody tr:nth-child(2)')!;
      return {
        layout: getComputedStyle(table).tableLayout,
        align: getComputedStyle(row.querySelector('th')!).textAlign,
        background: getComputedStyle(row).backgroundColor,
      };
    });
  expect(style).toEqual({ layout: 'auto', align: 'left', background: 'rgba(0, 0, 0, 0)' });
  // Legible on the theme's background: text contrasts with the page.
  const contrast = await page.evaluate(() => {
    const lum = (css: string) => {
      const [r, g, b] = css.match(/[\d.]+/g)!.map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    const cell = document.querySelector('.tfx-ts-statistics td[data-stat="mean"]')!;
    let bgElement: Element | null = cell;
    let bg = 'rgba(0, 0, 0, 0)';
    while (bgElement && /rgba\(0, 0, 0, 0\)|transparent/.test(bg)) {
      bg = getComputedStyle(bgElement).backgroundColor;
      bgElement = bgElement.parentElement;
    }
    return Math.abs(lum(getComputedStyle(cell).color) - lum(bg));
  });
  expect(contrast).toBeGreaterThan(0.5);

  // The view's script runs in nbconvert's HTML: hovering a bucket shows its range and each split's count and share.
  const band = views.nth(0).locator('tr[data-feature="fare"] [data-chart="standard"] svg [data-tip]').first();
  await band.hover({ force: true });
  const tip = views.nth(0).locator('.tfx-ts-tooltip');
  await tip.waitFor({ state: 'visible' });
  expect(await tip.innerText()).toMatch(/^[\d.,]+ to [\d.,]+\ntrain: ≈?[\d,]+ \([^)]*%\)\neval: ≈?[\d,]+ \([^)]*%\)$/);
  // A narrow page (a phone, a side-by-side window): the tables fit, charts go below the numbers.
  await page.setViewportSize({ width: 700, height: 800 });
  const overflow = await page.locator('.tfx-ts-scroll').evaluateAll((els) => els.map((e) => e.scrollWidth - e.clientWidth));
  expect(overflow.every((o) => o <= 1)).toBe(true);
  await page.close();
});
