import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { anomaliesBundle } from './anomalies-view';
import { ExampleValidator } from '../components/example_validator/component';
import { CsvExampleGen } from '../components/example_gen/component';
import { SchemaGen } from '../components/schema_gen/component';
import { StatisticsGen } from '../components/statistics_gen/component';
import { statisticsBundle } from './statistics-view';
import type { Artifact } from '../dsl/artifact';
import { InteractiveContext } from '../notebook/interactive-context';
import { inferSchema } from '../schema/infer';
import { loadSchema } from '../schema/io';
import { generateStatistics } from '../stats/generate';
import { loadStatistics } from '../stats/io';
import type { DatasetFeatureStatisticsList } from '../stats/types';
import { sharedData, tempDir } from '../testing/fixtures';
import { loadAnomalies } from '../validation/io';
import { validateStatistics } from '../validation/validate';
import { lineageBundle, lineageViewModel } from './lineage';
import type { MimeBundle } from './registry';
import { presenceOf, typeOf, valencyOf } from './schema-html';
import { featureNameOf } from './statistics-model';
import { displays, launchChromium, openHtml } from './testing-browser';

/**
 * The views as a notebook user gets them: ExampleGen → StatisticsGen → SchemaGen →
 * ExampleValidator on the real taxi sample in an InteractiveContext, each output rendered through
 * the registered views (context.render) and read back from the DOM Chromium builds.
 */

let context: InteractiveContext;
let browser: Browser;
let statisticsArtifact: Artifact;
let schemaArtifact: Artifact;
let anomaliesArtifact: Artifact;
jest.setTimeout(60_000);
const statisticsGen = () => context.components.find((c) => c.type === 'StatisticsGen')!;

beforeAll(async () => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  context = new InteractiveContext({ pipelineName: 'views-test', pipelineRoot: tempDir('tfx-ts-views-') });
  const exampleGen = new CsvExampleGen({ inputBase: path.join(sharedData, 'chicago_taxi', 'simple', 'data.csv') });
  const stats = new StatisticsGen({ examples: exampleGen.outputs.examples });
  const schemaGen = new SchemaGen({ statistics: stats.outputs.statistics });
  const validator = new ExampleValidator({ statistics: stats.outputs.statistics, schema: schemaGen.outputs.schema });
  for (const component of [exampleGen, stats, schemaGen, validator]) await context.run(component);
  statisticsArtifact = context.artifacts(stats.outputs.statistics)[0];
  schemaArtifact = context.artifacts(schemaGen.outputs.schema)[0];
  anomaliesArtifact = context.artifacts(validator.outputs.anomalies)[0];
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  context?.store.close();
  jest.restoreAllMocks();
});

async function page(bundle: MimeBundle, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  return openHtml(browser, String(bundle['text/html']), { colorScheme });
}

type Cells = Record<string, Record<string, Record<string, { text: string; title: string | null }>>>;

/** Every statistic line of the page: feature → stat → dataset → shown text and exact value (title). */
async function statisticCells(p: Page): Promise<Cells> {
  return p.evaluate(() => {
    const out: Cells = {};
    for (const row of Array.from(document.querySelectorAll('tr[data-feature]'))) {
      const feature = (out[row.getAttribute('data-feature')!] ??= {});
      for (const cell of Array.from(row.querySelectorAll('td[data-stat]'))) {
        const stat = (feature[cell.getAttribute('data-stat')!] ??= {});
        for (const line of Array.from(cell.querySelectorAll('.tfx-ts-line[data-dataset]'))) {
          stat[line.getAttribute('data-dataset')!] = { text: line.textContent ?? '', title: line.getAttribute('title') };
        }
      }
    }
    return out;
  });
}

describe('statistics view (StatisticsGen output)', () => {
  let bundle: MimeBundle;
  let stored: DatasetFeatureStatisticsList;
  beforeAll(async () => {
    bundle = await context.render(statisticsGen().outputs.statistics);
    stored = loadStatistics(statisticsArtifact);
  });

  /** Numeric features with more than one value in the splits that have values (the others are said in words). */
  const valuesOf = (name: string) =>
    stored.datasets.flatMap((d) =>
      d.features
        .filter((f) => featureNameOf(f) === name && f.numStats && f.numStats.commonStats.numNonMissing > 0)
        .map((f) => [f.numStats!.min, f.numStats!.max]),
    );
  const singleValued = () =>
    stored.datasets[0].features
      .filter((f) => f.numStats)
      .map(featureNameOf)
      .filter((name) => new Set(valuesOf(name).flat()).size === 1);
  const drawnNumeric = () =>
    stored.datasets[0].features
      .filter((f) => f.numStats)
      .map(featureNameOf)
      .filter((name) => !singleValued().includes(name));

  test('the bundle is the HTML view (one standard chart per numeric feature) and a text summary, stored once', () => {
    // No JSON copy of the statistics beside the HTML: a saved notebook keeps the data once.
    expect(Object.keys(bundle).sort()).toEqual(['text/html', 'text/plain']);
    const html = String(bundle['text/html']);
    const numeric = drawnNumeric();
    for (const name of numeric) {
      expect(html).toMatch(new RegExp(`data-feature="${name}"[^]*?data-chart="standard"><svg`));
    }
    expect(html.match(/data-chart="standard"/g)).toHaveLength(numeric.length);
    // A feature with a single value (pickup_census_tract: one row of train has it) is said in words.
    for (const name of singleValued()) expect(html).toMatch(new RegExp(`data-feature="${name}"[^]*?class="tfx-ts-single-value" data-chart="single">One value`));
    expect(singleValued().length).toBeGreaterThan(0);
    expect(String(bundle['text/html'])).toMatch(/^<style>/);
    expect(String(bundle['text/plain'])).toContain(`${stored.datasets[0].name} (`);
  });

  test('every feature shows its stored numbers for every split', async () => {
    const p = await page(bundle);
    const cells = await statisticCells(p);
    const cellLine = async (_p: Page, feature: string, stat: string, dataset: string) => cells[feature][stat][dataset];
    for (const dataset of stored.datasets) {
      for (const feature of dataset.features) {
        const name = featureNameOf(feature);
        const common = (feature.numStats ?? feature.stringStats)!.commonStats;
        const count = await cellLine(p, name, 'count', dataset.name);
        expect(Number(count.title)).toBe(common.numNonMissing);
        expect(displays(count.text, common.numNonMissing)).toBe(true);
        const missing = await cellLine(p, name, 'missing', dataset.name);
        expect(displays(missing.text, common.numMissing / dataset.numExamples)).toBe(true);
        if (common.numNonMissing === 0) {
          // No values in this split: "–", not the zeros the proto stores.
          const stat = feature.numStats ? 'mean' : 'unique';
          expect((await cellLine(p, name, stat, dataset.name)).text).toBe('–');
        } else if (feature.numStats) {
          for (const stat of ['mean', 'stdDev', 'min', 'median', 'max'] as const) {
            const shown = await cellLine(p, name, stat, dataset.name);
            expect(Number(shown.title)).toBe(feature.numStats[stat]);
            expect({ name, stat, text: shown.text, ok: displays(shown.text, feature.numStats[stat]) }).toMatchObject({ ok: true });
          }
        } else if (feature.stringStats?.topValues.length) {
          const top = await cellLine(p, name, 'top', dataset.name);
          expect(top.text).toBe(feature.stringStats.topValues[0].value);
          expect(Number((await cellLine(p, name, 'unique', dataset.name)).title)).toBe(feature.stringStats.unique);
        }
      }
    }
    await p.close();
  });

  test('each numeric feature has a histogram; the switch shows it on a log scale, or quantiles instead', async () => {
    const p = await page(bundle);
    const numeric = drawnNumeric();
    for (const name of numeric) {
      await expect(p.locator(`tr[data-feature="${name}"] [data-chart="standard"] svg`).isVisible()).resolves.toBe(true);
      await expect(p.locator(`tr[data-feature="${name}"] [data-chart="quantiles"] svg`).isVisible()).resolves.toBe(false);
    }
    await p.locator('label', { hasText: 'Log' }).click();
    for (const name of numeric) {
      await expect(p.locator(`tr[data-feature="${name}"] [data-chart="standard"]`).isVisible()).resolves.toBe(false);
      await expect(p.locator(`tr[data-feature="${name}"] [data-chart="log"] svg`).isVisible()).resolves.toBe(true);
    }
    await expect(p.locator('th', { hasText: 'Histogram (log scale)' }).isVisible()).resolves.toBe(true);
    await p.locator('label', { hasText: 'Quantiles' }).click();
    for (const name of numeric) {
      await expect(p.locator(`tr[data-feature="${name}"] [data-chart="standard"]`).isVisible()).resolves.toBe(false);
      await expect(p.locator(`tr[data-feature="${name}"] [data-chart="log"]`).isVisible()).resolves.toBe(false);
      await expect(p.locator(`tr[data-feature="${name}"] [data-chart="quantiles"] svg`).isVisible()).resolves.toBe(true);
    }
    await p.locator('label', { hasText: 'Standard' }).click();
    await expect(p.locator(`tr[data-feature="${numeric[0]}"] [data-chart="standard"] svg`).isVisible()).resolves.toBe(true);
    await p.close();
  });

  test('features sort by missing, train-eval distance and non-uniformity, and filter by a search', async () => {
    const p = await page(bundle);
    // The script shows the tools and removes the "needs JavaScript" note.
    await expect(p.locator('[data-role="tools"]').isVisible()).resolves.toBe(true);
    expect(await p.locator('[data-role="no-js"]').count()).toBe(0);
    const order = (table: string) =>
      p.locator(`table.${table} tbody > tr.tfx-ts-feature:not([hidden])`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-feature')));
    const scores = (table: string, key: string) =>
      p.locator(`table.${table} tbody > tr.tfx-ts-feature`).evaluateAll((rows, k) => rows.map((r) => Number(r.getAttribute(`data-${k}`))), key);
    const original = await order('tfx-ts-numeric');
    for (const key of ['missing', 'drift', 'nonuniformity']) {
      await p.locator('[data-role="sort"]').selectOption(key);
      const values = await scores('tfx-ts-numeric', key);
      expect(values).toEqual([...values].sort((a, b) => b - a));
      expect(values.some((v) => v > 0)).toBe(true);
    }
    await p.locator('[data-role="sort"]').selectOption('name');
    const byName = await order('tfx-ts-numeric');
    expect(byName).toEqual([...byName].sort((a, b) => a!.localeCompare(b!)));
    await p.locator('[data-role="sort"]').selectOption('order');
    expect(await order('tfx-ts-numeric')).toEqual(original);
    await p.locator('[data-role="search"]').fill('trip');
    const found = [...(await order('tfx-ts-numeric')), ...(await order('tfx-ts-categorical'))];
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((name) => name!.includes('trip'))).toBe(true);
    await p.close();
  });

  test('a narrow output (600 px, a notebook beside side panels): charts below the numbers, nothing scrolls sideways, no label clipped', async () => {
    const p = await openHtml(browser, String(bundle['text/html']), { width: 600, height: 800 });
    const overflow = await p.locator('.tfx-ts-scroll').evaluateAll((els) => els.map((e) => e.scrollWidth - e.clientWidth));
    expect(overflow.every((o) => o <= 1)).toBe(true);
    const outside = await p.evaluate(() => {
      const bad: string[] = [];
      for (const svg of Array.from(document.querySelectorAll('.tfx-ts-chart svg'))) {
        const r = svg.getBoundingClientRect();
        if (r.width === 0) continue;
        if (r.right > document.documentElement.clientWidth) bad.push(`${svg.closest('tr')?.getAttribute('data-feature')} svg`);
        for (const t of Array.from(svg.querySelectorAll('text'))) {
          const b = t.getBoundingClientRect();
          if (t.getAttribute('opacity') !== '0' && b.width > 0 && (b.left < r.left - 0.5 || b.right > r.right + 0.5))
            bad.push(`${svg.closest('tr')?.getAttribute('data-feature')}: ${t.textContent}`);
        }
      }
      return bad;
    });
    expect(outside).toEqual([]);
    // Each feature's chart sits below its numbers, within the row's width.
    const fare = p.locator('tr[data-feature="fare"]');
    const [numbers, chart] = [await fare.locator('td[data-stat="max"]').boundingBox(), await fare.locator('[data-chart="standard"] svg').boundingBox()];
    expect(chart!.y).toBeGreaterThanOrEqual(numbers!.y + numbers!.height - 1);
    await p.close();
  });

  test("hovering a bucket shows its range and each split's count (script); without JavaScript the bars carry the same text as SVG <title>", async () => {
    const p = await page(bundle);
    const band = p.locator('tr[data-feature="trip_start_hour"] [data-chart="standard"] svg [data-tip]').first();
    await band.hover({ force: true });
    const tooltip = p.locator('.tfx-ts-tooltip');
    await tooltip.waitFor({ state: 'visible' });
    const text = await tooltip.innerText();
    expect(text.split('\n')[0]).toMatch(/^0 to [\d.]+$/);
    for (const d of stored.datasets) expect(text).toMatch(new RegExp(`\n${d.name}: ≈?[\\d,]+ \\([^)]*%\\)`));
    // The browser's own tooltip does not show twice: the title moved to data-tip.
    expect(await p.locator('.tfx-ts-chart svg title').count()).toBe(0);
    await p.mouse.move(0, 0);
    await tooltip.waitFor({ state: 'hidden' });
    await p.close();

    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 800 } });
    const noJs = await context.newPage();
    await noJs.setContent(`<!DOCTYPE html><html><body>${bundle['text/html']}</body></html>`);
    const titles = await noJs.locator('tr[data-feature="trip_start_hour"] [data-chart="standard"] svg title').allTextContents();
    expect(titles.length).toBeGreaterThanOrEqual(5);
    expect(titles[0]).toBe(text);
    await context.close();
  });

  test('compareWith draws another run beside the splits, told apart by its label', async () => {
    const serving = await generateStatistics({ path: path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial', 'serving.csv'), name: 'serving' });
    const compared = await statisticsBundle([{ statistics: stored }, { statistics: serving, label: 'serving' }]);
    const p = await page(compared);
    const legend = await p.locator('.tfx-ts-legend-item').evaluateAll((items) => items.map((i) => i.getAttribute('data-dataset')));
    expect(legend).toEqual([...stored.datasets.map((d) => d.name), 'serving']);
    const fare = serving.datasets[0].features.find((f) => featureNameOf(f) === 'fare')!;
    expect(Number((await statisticCells(p)).fare.mean.serving.title)).toBe(fare.numStats!.mean);
    await p.close();
  });
});

describe('schema view (SchemaGen output)', () => {
  test('one row per schema feature with TFDV display_schema wording', async () => {
    const schema = loadSchema(schemaArtifact);
    const bundle = await context.render(context.components.find((c) => c.type === 'SchemaGen')!.outputs.schema);
    expect(Object.keys(bundle).sort()).toEqual(['text/html', 'text/plain']);
    const p = await page(bundle);
    expect(await p.locator('.tfx-ts-schema-features tbody tr').count()).toBe(schema.feature.length);
    for (const feature of schema.feature) {
      const row = p.locator(`.tfx-ts-schema-features tr[data-feature="${feature.name}"]`);
      expect(await row.locator('[data-stat="type"]').textContent()).toBe(typeOf(feature));
      expect(await row.locator('[data-stat="presence"]').textContent()).toBe(presenceOf(feature));
      expect(await row.locator('[data-stat="valency"]').textContent()).toBe(valencyOf(feature));
      if (feature.presence)
        expect(await row.locator('[data-stat="presence"]').textContent()).toBe(feature.presence.minFraction === 1 ? 'required' : 'optional');
    }
    for (const domain of schema.stringDomain ?? []) {
      const values = await p.locator(`.tfx-ts-schema-domains tr[data-domain="'${domain.name}'"] .tfx-ts-domain-values`).textContent();
      for (const value of domain.value) expect(values).toContain(`'${value}'`);
    }
    await p.close();
  });
});

describe('anomalies view (ExampleValidator output)', () => {
  test('each split is shown; clean splits say "No anomalies found." in green', async () => {
    const bySplit = loadAnomalies(anomaliesArtifact);
    const bundle = await context.render(context.components.find((c) => c.type === 'ExampleValidator')!.outputs.anomalies);
    const p = await page(bundle);
    for (const [split, anomalies] of Object.entries(bySplit)) {
      const section = p.locator(`.tfx-ts-anomalies-split[data-split="${split}"]`);
      const names = Object.keys(anomalies.anomalyInfo);
      if (names.length === 0) {
        const ok = section.locator('.tfx-ts-no-anomalies');
        expect(await ok.textContent()).toBe('No anomalies found.');
        const [r, g, b] = (await ok.evaluate((el) => getComputedStyle(el).color)).match(/\d+/g)!.map(Number);
        expect(g).toBeGreaterThan(r);
        expect(g).toBeGreaterThan(b);
      } else {
        expect(await section.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-feature')))).toEqual(names);
      }
    }
    await p.close();
  });

  test('anomalies of the TFDV tutorial eval split against the train schema: one row per feature, TFDV texts and severity', async () => {
    const tutorial = path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial');
    const train = await generateStatistics({ path: path.join(tutorial, 'train.csv'), name: 'train' });
    const evalStats = await generateStatistics({ path: path.join(tutorial, 'eval.csv'), name: 'eval' });
    const anomalies = validateStatistics(evalStats, inferSchema(train));
    const names = Object.keys(anomalies.anomalyInfo);
    expect(names.length).toBeGreaterThan(0);
    const bundle = anomaliesBundle([{ split: 'eval', anomalies }]);
    expect(Object.keys(bundle).sort()).toEqual(['text/html', 'text/plain']);
    const p = await page(bundle, 'dark');
    expect(await p.locator('.tfx-ts-no-anomalies').count()).toBe(0);
    for (const name of names) {
      const info = anomalies.anomalyInfo[name];
      const row = p.locator(`.tfx-ts-anomalies-table tr[data-feature="${name}"]`);
      expect(await row.locator('[data-stat="shortDescription"]').textContent()).toBe(info.shortDescription);
      expect(await row.locator('[data-stat="description"]').textContent()).toContain(info.description);
      expect(await row.locator('[data-stat="severity"]').textContent()).toBe(info.severity);
      for (const reason of info.reason) expect(await row.locator('[data-stat="description"] code').allTextContents()).toContain(reason.type);
    }
    await p.close();
  });
});

describe('lineage view', () => {
  test('executions and artifacts upstream of the anomalies, as a graph and tables', async () => {
    const graph = context.lineage(anomaliesArtifact);
    const model = lineageViewModel(graph);
    expect(model.edges).toHaveLength(graph.events.length);
    // Producers sit above what they produce; consumers below what they consume.
    const level = new Map(model.nodes.map((n) => [n.id, n.level]));
    for (const edge of model.edges) expect(level.get(edge.to)!).toBeGreaterThan(level.get(edge.from)!);
    const bundle = await lineageBundle(graph, { title: 'lineage' });
    const p = await page(bundle);
    expect(await p.locator('[data-chart="lineage"] svg').isVisible()).toBe(true);
    const rows = await p.locator('.tfx-ts-lineage-executions tbody tr').evaluateAll((r) => r.map((row) => row.children[1].textContent));
    expect(rows).toEqual(graph.executions.map((x) => x.componentId));
    const svgText = await p.locator('[data-chart="lineage"] svg').textContent();
    for (const execution of graph.executions) expect(svgText).toContain(execution.componentId);
    expect(await p.locator('.tfx-ts-lineage-artifacts tbody tr').count()).toBe(graph.artifacts.length);
    await p.close();
  });
});
