/**
 * The statistics view as a notebook user meets it in JupyterLab at 1280×720 with the tfx-ts side
 * panel open: StatisticsGen runs on the taxi sample under the real tslab kernel, and the view (the
 * kernel's HTML, trusted because this session produced it) must show its charts beside or below
 * the numbers without a horizontal scroll, unclipped axis labels, a tooltip per histogram bucket
 * whose range and counts agree with the table, sorting and search, in light and dark.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { Browser, Locator, Page } from 'playwright-core';

import {
  installLikeNpm,
  launchBrowser,
  notebook,
  openDeployPanel,
  openLab,
  openNotebook,
  REPO_ROOT,
  runAllCells,
  saveFailure,
  screenshot,
  setTheme,
  startLab,
  TIMEOUTS,
  unexpectedErrors,
  type LabServer
} from './harness';

const TAXI_DATA = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'chicago_taxi', 'simple');

let lab: LabServer;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(path.join(TAXI_DATA, 'data.csv'))) {
    throw new Error(`The statistics UI test reads the taxi sample from ${TAXI_DATA} (the shared data beside the repository).`);
  }
  const pipelineRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-ui-stats-'));
  [lab, browser] = await Promise.all([
    startLab({
      'taxi/statistics.ipynb': notebook([
        { markdown: '# Taxi statistics' },
        'import { InteractiveContext, CsvExampleGen, StatisticsGen } from "tfx-ts";\n' +
          `const context = new InteractiveContext({ pipelineName: "taxi-stats", pipelineRoot: ${JSON.stringify(pipelineRoot)} });`,
        `const exampleGen = new CsvExampleGen({ inputBase: ${JSON.stringify(TAXI_DATA)} });\nawait context.run(exampleGen);`,
        'const statisticsGen = new StatisticsGen({ examples: exampleGen.outputs.examples });\n' +
          'await context.run(statisticsGen);\nawait context.show(statisticsGen.outputs.statistics);'
      ])
    }),
    launchBrowser()
  ]);
  installLikeNpm(path.join(lab.rootDir, 'taxi', 'node_modules'));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await lab?.stop();
}, 60_000);

/** Parses a count or share as the view prints it ("≈1,234", "12.5%", "<0.1%"). */
function parseShown(text: string): number {
  const t = text.replace(/[≈,]/g, '').trim();
  if (t === '<0.1%') return 0.0005;
  return t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t);
}

/** A tooltip's lines: the range, then "dataset: count (share)" per split. */
function readTip(text: string): { range: string; counts: Record<string, { count: number; share: number }> } {
  const [range, ...lines] = text.split('\n');
  const counts: Record<string, { count: number; share: number }> = {};
  for (const line of lines) {
    const m = line.match(/^(.+): (\S+) \((\S+)\)$/);
    if (m) counts[m[1]] = { count: parseShown(m[2]), share: parseShown(m[3]) };
  }
  return { range, counts };
}

async function statCell(row: Locator, stat: string, dataset: string): Promise<string> {
  return row.locator(`td[data-stat="${stat}"] .tfx-ts-line[data-dataset="${dataset}"]`).innerText();
}

/** Every visible axis label of the row's shown charts lies inside the notebook's visible area. */
async function clippedLabels(page: Page, view: Locator): Promise<string[]> {
  const area = await page.locator('.jp-NotebookPanel .jp-WindowedPanel-outer, .jp-NotebookPanel .jp-Notebook').first().boundingBox();
  return view.evaluate((el, box) => {
    const out: string[] = [];
    for (const svg of Array.from(el.querySelectorAll('.tfx-ts-chart svg'))) {
      if ((svg as SVGElement).getBoundingClientRect().width === 0) continue;
      const chart = (svg.closest('.tfx-ts-scroll') ?? el).getBoundingClientRect();
      const limit = { left: Math.max(chart.left, box!.x), right: Math.min(chart.right, box!.x + box!.width) };
      for (const text of Array.from(svg.querySelectorAll('text'))) {
        if (text.getAttribute('opacity') === '0') continue;
        const r = text.getBoundingClientRect();
        if (r.width > 0 && (r.left < limit.left - 0.5 || r.right > limit.right + 0.5)) {
          out.push(`${svg.closest('tr')?.getAttribute('data-feature')}: "${text.textContent}"`);
        }
      }
    }
    return out;
  }, area);
}

test('statistics view at 1280×720 with the panel open: charts visible, tooltips agree with the table, sort and search', async () => {
  const { page, errors } = await openLab(browser, lab, { viewport: { width: 1280, height: 720 } });
  try {
    await openNotebook(page, 'taxi/statistics.ipynb');
    await runAllCells(page);
    const view = page.locator('.jp-OutputArea-output .tfx-ts-view.tfx-ts-statistics').first();
    await view.locator('svg').first().waitFor({ state: 'visible', timeout: TIMEOUTS.output });
    await openDeployPanel(page);
    await page.waitForTimeout(500);

    // Layout: with the panel open, the table fits the output (no horizontal scroll) and every
    // feature's chart is within the visible notebook area.
    const output = await view.boundingBox();
    const notebookArea = (await page.locator('.jp-NotebookPanel').first().boundingBox())!;
    const scrolls = await view.locator('.tfx-ts-scroll').evaluateAll(els =>
      els.map(e => ({ scroll: e.scrollWidth, client: e.clientWidth }))
    );
    for (const s of scrolls) expect(s.scroll).toBeLessThanOrEqual(s.client + 1);
    const fare = view.locator('tr.tfx-ts-feature[data-feature="fare"]');
    await fare.scrollIntoViewIfNeeded();
    const chart = (await fare.locator('[data-chart="standard"] svg').boundingBox())!;
    expect(chart.width).toBeGreaterThan(150);
    expect(chart.x).toBeGreaterThanOrEqual(output!.x - 1);
    expect(chart.x + chart.width).toBeLessThanOrEqual(Math.min(output!.x + output!.width, notebookArea.x + notebookArea.width) + 1);
    expect(await clippedLabels(page, view)).toEqual([]);

    // Tooltip: hovering each bucket of fare shows its range and every split's count and share;
    // the buckets start at the smaller min, end at the larger max, and their counts add up to
    // the table's count per split.
    const count = { train: parseShown(await statCell(fare, 'count', 'train')), eval: parseShown(await statCell(fare, 'count', 'eval')) };
    const bands = fare.locator('[data-chart="standard"] svg [data-tip]');
    const n = await bands.count();
    expect(n).toBeGreaterThanOrEqual(5);
    const tips: ReturnType<typeof readTip>[] = [];
    for (let k = 0; k < n; k++) {
      await bands.nth(k).hover({ force: true });
      const tooltip = view.locator('.tfx-ts-tooltip');
      await tooltip.waitFor({ state: 'visible' });
      tips.push(readTip(await tooltip.innerText()));
      if (k === 0) await screenshot(page, 'statistics-tooltip-1280-panel-light');
    }
    const sum = (split: 'train' | 'eval') => tips.reduce((s, t) => s + t.counts[split].count, 0);
    expect(Math.abs(sum('train') - count.train)).toBeLessThanOrEqual(n);
    expect(Math.abs(sum('eval') - count.eval)).toBeLessThanOrEqual(n);
    expect(tips.reduce((s, t) => s + t.counts.train.share, 0)).toBeCloseTo(1, 1);
    const mins = [await statCell(fare, 'min', 'train'), await statCell(fare, 'min', 'eval')].map(parseShown);
    const maxs = [await statCell(fare, 'max', 'train'), await statCell(fare, 'max', 'eval')].map(parseShown);
    expect(parseShown(tips[0].range.split(' to ')[0])).toBeCloseTo(Math.min(...mins), 2);
    expect(parseShown(tips[n - 1].range.split(' to ')[1].replace(' (inclusive)', ''))).toBeCloseTo(Math.max(...maxs), 0);
    await page.mouse.move(5, 5);
    await view.locator('.tfx-ts-tooltip').waitFor({ state: 'hidden' });

    // A single-valued feature is said in words; the all-missing split is named and shows "–".
    const tract = view.locator('tr.tfx-ts-feature[data-feature="pickup_census_tract"]');
    await expect(tract.locator('.tfx-ts-single-value').innerText()).resolves.toMatch(/^One value in train: 17\.03B/);
    await expect(tract.locator('[data-role="no-values"]').innerText()).resolves.toContain('eval: no values');
    await expect(statCell(tract, 'mean', 'eval')).resolves.toBe('–');

    // Sort by train–eval distance: rows follow their scores; search keeps only matching features.
    await view.locator('[data-role="sort"]').selectOption('drift');
    const drift = await view.locator('table.tfx-ts-numeric tr.tfx-ts-feature').evaluateAll(rows => rows.map(r => Number(r.getAttribute('data-drift'))));
    expect(drift).toEqual([...drift].sort((a, b) => b - a));
    await view.locator('[data-role="search"]').fill('trip_');
    const shown = await view.locator('tr.tfx-ts-feature:not([hidden])').evaluateAll(rows => rows.map(r => r.getAttribute('data-feature')));
    expect(shown.length).toBeGreaterThan(2);
    expect(shown.every(name => name!.includes('trip_'))).toBe(true);
    const hiddenVisible = await view.locator('tr.tfx-ts-feature[hidden] > *').evaluateAll(cells => cells.filter(c => (c as HTMLElement).offsetParent !== null).length);
    expect(hiddenVisible).toBe(0);
    await view.locator('[data-role="search"]').fill('');
    await view.locator('[data-role="sort"]').selectOption('order');

    // The log switch shows the log charts (no JavaScript involved).
    await view.locator('label', { hasText: 'Log' }).click();
    await expect(fare.locator('[data-chart="log"] svg').isVisible()).resolves.toBe(true);
    await expect(fare.locator('[data-chart="standard"] svg').isVisible()).resolves.toBe(false);
    await view.locator('label', { hasText: 'Standard' }).click();

    await view.scrollIntoViewIfNeeded();
    await page.evaluate(() => document.querySelector('.jp-OutputArea-output .tfx-ts-statistics')?.scrollIntoView());
    await screenshot(page, 'statistics-1280-panel-light');
    await setTheme(page, 'dark');
    await screenshot(page, 'statistics-1280-panel-dark');
    await fare.scrollIntoViewIfNeeded();
    await bands.nth(1).hover({ force: true });
    await view.locator('.tfx-ts-tooltip').waitFor({ state: 'visible' });
    await screenshot(page, 'statistics-tooltip-1280-panel-dark');
    await setTheme(page, 'light');
    expect(unexpectedErrors(errors)).toEqual([]);
  } catch (error) {
    await saveFailure(page, 'statistics');
    throw error;
  } finally {
    await page.close();
  }
}, 420_000);
