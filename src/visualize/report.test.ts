import * as fs from 'node:fs';
import { runCli } from '../testing/cli';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { inferSchema } from '../schema/infer';
import { writeSchema } from '../schema/io';
import { generateStatistics } from '../stats/generate';
import { writeStatistics } from '../stats/io';
import type { DatasetFeatureStatisticsList } from '../stats/types';
import type { Anomalies } from '../validation/types';
import type { Schema } from '../schema/types';
import { repoRoot, sharedData, tempDir, writeFile } from '../testing/fixtures';
import { writeAnomalies } from '../validation/io';
import { validateStatistics } from '../validation/validate';
import { featureNameOf } from './statistics-model';
import { displays, externalRequests, launchChromium, openHtml } from './testing-browser';

/**
 * `tfx-ts report` on the TFDV tutorial's taxi splits (train + eval, compared with serving), the
 * schema inferred from train and the anomalies of eval, looked at in Chromium in light and dark
 * colours. Screenshots go to docs/screenshots/ (kept in the repository: what the views look like).
 */
jest.setTimeout(120_000);

const tutorial = path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial');
const screenshots = path.join(repoRoot, 'docs', 'screenshots');

let dir: string;
let files: { statistics: string; serving: string; schema: string; anomalies: string; report: string };
let statistics: DatasetFeatureStatisticsList;
let serving: DatasetFeatureStatisticsList;
let schema: Schema;
let anomalies: Anomalies;
let browser: Browser;

const cli = runCli;

beforeAll(async () => {
  dir = tempDir('tfx-ts-report-');
  const train = await generateStatistics({ path: path.join(tutorial, 'train.csv'), name: 'train' });
  const evalStats = await generateStatistics({ path: path.join(tutorial, 'eval.csv'), name: 'eval' });
  serving = await generateStatistics({ path: path.join(tutorial, 'serving.csv'), name: 'serving' });
  statistics = { datasets: [...train.datasets, ...evalStats.datasets] };
  schema = inferSchema(train);
  anomalies = validateStatistics(evalStats, schema);
  files = {
    statistics: path.join(dir, 'stats.json'),
    serving: path.join(dir, 'serving.json'),
    schema: path.join(dir, 'schema.pbtxt'),
    anomalies: path.join(dir, 'anomalies.json'),
    report: path.join(dir, 'out', 'report.html'),
  };
  writeStatistics(statistics, files.statistics);
  writeStatistics(serving, files.serving);
  writeSchema(schema, files.schema);
  writeAnomalies(anomalies, files.anomalies);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('tfx-ts report', () => {
  let html: string;

  beforeAll(async () => {
    // Relative paths, as a user types them (the page lists them; the screenshots stay the same run after run).
    const cwd = process.cwd();
    process.chdir(dir);
    const relative = (file: string) => path.relative(dir, file);
    const result = await cli(
      'report',
      '--statistics',
      relative(files.statistics),
      '--compare',
      relative(files.serving),
      '--schema',
      relative(files.schema),
      '--anomalies',
      relative(files.anomalies),
      '-o',
      relative(files.report),
      '--title',
      'Chicago taxi: TFDV tutorial splits',
    ).finally(() => process.chdir(cwd));
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(files.report);
    html = fs.readFileSync(files.report, 'utf8');
    expect(html).toContain('<p>stats.json · serving.json · schema.pbtxt · anomalies.json</p>');
  });

  test('is one self-contained file: no script, no link, no URL to fetch', async () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    const page = await openHtml(browser, html);
    expect(externalRequests(page)).toEqual([]);
    await page.close();
  });

  async function checkReport(page: Page): Promise<void> {
    expect(await page.title()).toBe('Chicago taxi: TFDV tutorial splits');
    const datasets = [...statistics.datasets, ...serving.datasets];
    const legend = await page.locator('#statistics .tfx-ts-legend-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-dataset')));
    expect(legend).toEqual(datasets.map((d) => d.name));
    for (const dataset of datasets) {
      for (const feature of dataset.features) {
        const name = featureNameOf(feature);
        const row = page.locator(`#statistics tr[data-feature="${name}"]`);
        expect(await row.locator('th.tfx-ts-feature-name').textContent()).toContain(name);
        const count = row.locator(`td[data-stat="count"] [data-dataset="${dataset.name}"]`);
        const common = (feature.numStats ?? feature.stringStats)!.commonStats;
        expect(displays((await count.textContent()) ?? '', common.numNonMissing)).toBe(true);
        if (feature.numStats) {
          const mean = row.locator(`td[data-stat="mean"] [data-dataset="${dataset.name}"]`);
          expect(Number(await mean.getAttribute('title'))).toBe(feature.numStats.mean);
          expect(displays((await mean.textContent()) ?? '', feature.numStats.mean)).toBe(true);
        }
      }
    }
    // tips is the label: absent from serving, shown as such rather than as zeros.
    expect(await page.locator('#statistics tr[data-feature="tips"] td[data-stat="mean"] [data-dataset="serving"]').textContent()).toBe('–');
    const numeric = statistics.datasets[0].features.filter((f) => f.numStats).map(featureNameOf);
    expect(await page.locator('#statistics [data-chart="standard"] svg').count()).toBe(numeric.length);
    for (const name of numeric) {
      expect(await page.locator(`#statistics tr[data-feature="${name}"] [data-chart="standard"] svg`).isVisible()).toBe(true);
    }
    expect(await page.locator('#schema .tfx-ts-schema-features tbody tr').count()).toBe(schema.feature.length);
    const anomalyRows = await page
      .locator('#anomalies .tfx-ts-anomalies-table tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-feature')));
    expect(anomalyRows).toEqual(Object.keys(anomalies.anomalyInfo));
  }

  test('light: numbers from the statistics, a histogram per numeric feature, schema and anomalies; the switch shows quantiles', async () => {
    const page = await openHtml(browser, html, { colorScheme: 'light', width: 1100 });
    await checkReport(page);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(255, 255, 255)');
    fs.mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, 'report-light.png'), fullPage: true });

    const numeric = statistics.datasets[0].features.filter((f) => f.numStats).map(featureNameOf);
    await page.locator('#statistics label', { hasText: 'Quantiles' }).click();
    for (const name of numeric) {
      expect(await page.locator(`#statistics tr[data-feature="${name}"] [data-chart="quantiles"] svg`).isVisible()).toBe(true);
      expect(await page.locator(`#statistics tr[data-feature="${name}"] [data-chart="standard"]`).isVisible()).toBe(false);
    }
    expect(await page.locator('#statistics .tfx-ts-numeric .tfx-ts-chart-head').innerText()).toBe('Quantiles');
    await page.locator('#statistics .tfx-ts-numeric').screenshot({ path: path.join(screenshots, 'statistics-quantiles-light.png') });
    await page.close();
  });

  test("dark: the page follows the reader's dark setting and stays legible", async () => {
    const page = await openHtml(browser, html, { colorScheme: 'dark', width: 1100 });
    await checkReport(page);
    const luminance = (css: string) => {
      const [r, g, b] = css.match(/[\d.]+/g)!.map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    const colors = await page.evaluate(() => ({
      background: getComputedStyle(document.body).backgroundColor,
      text: getComputedStyle(document.querySelector('#statistics td[data-stat="mean"]')!).color,
      axis: getComputedStyle(document.querySelector('#statistics [data-chart="standard"] svg text')!).fill,
      ok: getComputedStyle(document.querySelector('.tfx-ts-report-header h1')!).color,
    }));
    expect(luminance(colors.background)).toBeLessThan(0.15);
    expect(luminance(colors.text)).toBeGreaterThan(0.6);
    // Chart text is recoloured by the stylesheet, not left black on a dark page.
    expect(luminance(colors.axis)).toBeGreaterThan(0.4);
    expect(luminance(colors.ok)).toBeGreaterThan(0.8);
    await page.screenshot({ path: path.join(screenshots, 'report-dark.png'), fullPage: true });
    await page.close();
  });

  test('--theme pins light or dark whatever the reader prefers', async () => {
    const pinned = path.join(dir, 'pinned.html');
    expect((await cli('report', '--statistics', files.statistics, '-o', pinned, '--theme', 'light')).code).toBe(0);
    const page = await openHtml(browser, fs.readFileSync(pinned, 'utf8'), { colorScheme: 'dark' });
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)');
    expect(await page.locator('#schema').count()).toBe(0);
    await page.close();
  });

  test('an ExampleStatistics directory works as --statistics (one dataset per Split-<name>)', async () => {
    const artifact = path.join(dir, 'artifact');
    for (const dataset of statistics.datasets) writeStatistics({ datasets: [dataset] }, path.join(artifact, `Split-${dataset.name}`, 'FeatureStats.json'));
    const out = path.join(dir, 'from-artifact.html');
    expect((await cli('report', '--statistics', artifact, '-o', out)).code).toBe(0);
    const page = await openHtml(browser, fs.readFileSync(out, 'utf8'));
    const legend = await page.locator('.tfx-ts-legend-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-dataset')));
    expect(legend).toEqual(statistics.datasets.map((d) => d.name).sort());
    await page.close();
  });
});

describe('tfx-ts report: bad input gets one clear error (exit 2)', () => {
  const report = () => path.join(dir, 'bad.html');

  test('missing statistics file', async () => {
    const result = await cli('report', '--statistics', path.join(dir, 'nope.json'), '-o', report());
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--statistics .*nope\.json does not exist[\s\S]*tfx-ts stats/);
  });

  test('statistics JSON of the wrong shape', async () => {
    const wrong = writeFile(dir, 'wrong.json', JSON.stringify({ features: [] }));
    const result = await cli('report', '--statistics', wrong, '-o', report());
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/is not a TFDV DatasetFeatureStatisticsList: datasets/);
  });

  test('a schema.pbtxt that does not parse names line and column', async () => {
    const broken = writeFile(dir, 'broken.pbtxt', 'feature {\n  name: "fare"\n  type: FLOAT\n  presence { min_fraction: }\n}\n');
    const result = await cli('report', '--statistics', files.statistics, '--schema', broken, '-o', report());
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/broken\.pbtxt.*4:/);
  });

  test('anomalies that are not TFDV Anomalies', async () => {
    const wrong = writeFile(dir, 'anomalies-wrong.json', JSON.stringify({ anomalyInfo: ['fare'] }));
    const result = await cli('report', '--statistics', files.statistics, '--anomalies', wrong, '-o', report());
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/is not TFDV Anomalies JSON/);
  });

  test('an output that is not .html, an unknown theme, a missing --output', async () => {
    expect((await cli('report', '--statistics', files.statistics, '-o', path.join(dir, 'r.txt'))).err).toMatch(/does not end in \.html/);
    expect((await cli('report', '--statistics', files.statistics, '-o', report(), '--theme', 'blue')).err).toMatch(
      /--theme "blue" is not a theme[\s\S]*auto, light, dark/,
    );
    const noOutput = await cli('report', '--statistics', files.statistics);
    expect(noOutput.code).not.toBe(0);
    expect(noOutput.err).toMatch(/--output/);
    expect(fs.existsSync(report())).toBe(false);
  });
});
