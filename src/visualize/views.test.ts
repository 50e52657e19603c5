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
import { MimeTypes } from '../protocol/mime';
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

  test('the bundle carries the statistics, their charts, and a static fallback', () => {
    const payload = bundle[MimeTypes.statistics] as DatasetFeatureStatisticsList & { vegaLite: { usermeta: { tfxTs: { chart: string; feature: string } } }[] };
    expect(payload.datasets.map((d) => d.name)).toEqual(statisticsArtifact.splitNames);
    expect(payload.datasets).toEqual(stored.datasets);
    const numeric = stored.datasets[0].features.filter((f) => f.numStats).map(featureNameOf);
    const standard = payload.vegaLite.filter((s) => s.usermeta.tfxTs.chart === 'standard').map((s) => s.usermeta.tfxTs.feature);
    expect(standard).toEqual(numeric);
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
        if (feature.numStats) {
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

  test('each numeric feature has a histogram; the switch shows quantiles instead', async () => {
    const p = await page(bundle);
    const numeric = stored.datasets[0].features.filter((f) => f.numStats).map(featureNameOf);
    for (const name of numeric) {
      await expect(p.locator(`tr[data-feature="${name}"] [data-chart="standard"] svg`).isVisible()).resolves.toBe(true);
      await expect(p.locator(`tr[data-feature="${name}"] [data-chart="quantiles"] svg`).isVisible()).resolves.toBe(false);
    }
    await p.locator('label', { hasText: 'Quantiles' }).click();
    for (const name of numeric) {
      await expect(p.locator(`tr[data-feature="${name}"] [data-chart="standard"]`).isVisible()).resolves.toBe(false);
      await expect(p.locator(`tr[data-feature="${name}"] [data-chart="quantiles"] svg`).isVisible()).resolves.toBe(true);
    }
    await p.locator('label', { hasText: 'Standard' }).click();
    await expect(p.locator(`tr[data-feature="${numeric[0]}"] [data-chart="standard"] svg`).isVisible()).resolves.toBe(true);
    await p.close();
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
    expect((bundle[MimeTypes.schema] as { feature: unknown[] }).feature).toEqual(schema.feature);
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
    expect((bundle[MimeTypes.anomalies] as { anomalyInfo: unknown }).anomalyInfo).toEqual(anomalies.anomalyInfo);
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
