/**
 * The evaluation view in JupyterLab (trusted output of a tslab cell), at 1280x720 with the tfx-ts
 * side panel open: pick a metric, sort the slices by it, filter small slices, and the slice table
 * fits the output (no horizontal scroll). The evaluation is a real one: a small taxi model trained
 * and evaluated with bootstrap intervals in beforeAll, sliced by hour and payment type (whose
 * small slices have one class only, so their AUC is undefined). Screenshots light and dark.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { Browser, Locator, Page } from 'playwright-core';

import { evalConfigSchema } from '../../src/evaluator/eval-config';
import { evaluateModels, type EvaluationResult } from '../../src/evaluator/evaluate';
import { writeTaxiExamples } from '../../src/testing/modeling-fixtures';
import { runTrainer } from '../../src/trainer/run';
import { runTransform } from '../../src/transform/run';
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

let server: LabServer;
let browser: Browser;
let evaluation: EvaluationResult;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-ui-eval-'));

async function evaluateTaxiModel(): Promise<EvaluationResult> {
  const taxi = path.join(REPO_ROOT, 'notebooks', 'taxi');
  const examplesUri = (await writeTaxiExamples(path.join(work, 'examples'), { limit: 6000 })).uri;
  const graphDir = path.join(work, 'graph');
  await runTransform({
    moduleFile: path.join(taxi, 'preprocessing.ts'),
    preprocessingFn: 'preprocessingFn',
    examplesUri,
    analyzeSplits: ['train'],
    transformSplits: [],
    graphDir
  });
  const bundleDir = path.join(work, 'model', 'Format-Serving');
  await runTrainer({
    moduleFile: path.join(taxi, 'model.ts'),
    runFn: 'runFn',
    examplesUri,
    trainSplits: ['train'],
    evalSplits: ['eval'],
    trainSteps: 60,
    evalSteps: 5,
    transformGraphDir: graphDir,
    hyperparameters: { hiddenUnits: [8] },
    customConfig: {},
    seed: 3,
    servingModelDir: bundleDir,
    modelRunDir: path.join(work, 'run')
  });
  const config = evalConfigSchema.parse({
    modelSpecs: [{ labelKey: 'tips_xf' }],
    slicingSpecs: [{}, { featureKeys: ['trip_start_hour'] }, { featureKeys: ['payment_type'] }],
    metricsSpecs: [
      {
        metrics: ['ExampleCount', 'BinaryAccuracy', 'AUC', 'AUCPrecisionRecall', 'Precision', 'Recall', 'MeanLabel', 'MeanPrediction', 'Calibration'].map(
          className => ({ className })
        )
      }
    ],
    options: { computeConfidenceIntervals: true }
  });
  return evaluateModels({
    config,
    examplesUri,
    splits: ['eval'],
    candidate: { uri: path.join(work, 'model'), modelId: 4, bundleDir }
  });
}

beforeAll(async () => {
  evaluation = await evaluateTaxiModel();
  const evalDir = path.join(work, 'evaluation');
  fs.mkdirSync(evalDir, { recursive: true });
  fs.writeFileSync(path.join(evalDir, 'evaluation.json'), JSON.stringify(evaluation));
  [server, browser] = await Promise.all([
    startLab({
      'taxi/evaluation.ipynb': notebook([
        // What context.show(evaluator.outputs.evaluation) displays, from the artifact's file, with
        // tfx-ts installed beside the notebook as users install it.
        'import * as fs from "fs";\nimport * as tslab from "tslab";\nimport { InteractiveContext } from "tfx-ts";\n' +
          'import { evaluationBundle } from "tfx-ts/evaluator";\n' +
          'const context = new InteractiveContext({ pipelineName: "taxi" });\n' +
          `const evaluation = JSON.parse(fs.readFileSync(${JSON.stringify(path.join(evalDir, 'evaluation.json'))}, "utf8"));\n` +
          'tslab.display.html(String((await evaluationBundle(evaluation, { title: "Evaluator: evaluation" }))["text/html"]));'
      ])
    }),
    launchBrowser()
  ]);
  installLikeNpm(path.join(server.rootDir, 'taxi', 'node_modules'));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  fs.rmSync(work, { recursive: true, force: true });
}, 60_000);

/** Slice names of the rows a user sees, in order (table or chart). */
function shown(page: Page, selector: string): Promise<string[]> {
  return page
    .locator(selector)
    .evaluateAll(rows => rows.filter(r => (r as HTMLElement).offsetParent !== null).map(r => r.getAttribute('data-slice') ?? ''));
}

/** The metric values of the table's rows in order (NaN for "–"). */
function columnValues(page: Page, metric: string): Promise<number[]> {
  return page.locator('.tfx-ts-evaluation').evaluate((view, m) => {
    const headers = [...view.querySelectorAll('.tfx-ts-slices thead th')];
    const index = headers.findIndex(th => (th as HTMLElement).dataset.metric === m);
    return [...view.querySelectorAll('.tfx-ts-slices tbody tr')]
      .filter(r => (r as HTMLElement).offsetParent !== null)
      .map(r => parseFloat((r.children[index] as HTMLElement).title));
  }, metric);
}

test('in JupyterLab at 1280x720 with the panel open: select a metric, sort, filter, and the table fits', async () => {
  const { page, errors } = await openLab(browser, server);
  await openNotebook(page, 'taxi/evaluation.ipynb');
  await runAllCells(page);
  const view = page.locator('.jp-OutputArea-output .tfx-ts-evaluation');
  await view.waitFor({ state: 'visible', timeout: TIMEOUTS.output });
  await openDeployPanel(page);
  await page.waitForTimeout(500);
  try {
    await checkView(page, view);
  } catch (error) {
    await saveFailure(page, 'evaluation');
    throw error;
  }
  expect(unexpectedErrors(errors)).toEqual([]);
  await page.close();
}, 300_000);

async function checkView(page: Page, view: Locator): Promise<void> {
  // The table fits the output area: nothing hidden behind a horizontal scroll, calibration on screen.
  const fit = await page.locator('.tfx-ts-evaluation .tfx-ts-slices').evaluate(el => {
    const output = el.closest('.jp-OutputArea-output')!.getBoundingClientRect();
    const table = el.querySelector('table')!.getBoundingClientRect();
    const calibration = el.querySelector('thead th[data-metric="calibration"]')!.getBoundingClientRect();
    return {
      scroll: el.scrollWidth,
      client: el.clientWidth,
      tableRight: table.right,
      outputRight: output.right,
      outputWidth: output.width,
      calibrationRight: calibration.right,
      viewport: window.innerWidth
    };
  });
  expect(fit.scroll).toBeLessThanOrEqual(fit.client);
  expect(fit.tableRight).toBeLessThanOrEqual(fit.outputRight + 1);
  expect(fit.calibrationRight).toBeLessThanOrEqual(fit.outputRight + 1);
  console.log(`evaluation output width with the panel open: ${Math.round(fit.outputWidth)} px of ${fit.viewport}`);

  // The sort controls are there (the trusted output's script ran), the no-JavaScript note is gone.
  await expect(view.locator('[data-role="sort-tools"]').isVisible()).resolves.toBe(true);
  await expect(view.locator('[data-role="no-js"]').count()).resolves.toBe(0);

  // Intervals under AUC and accuracy, as the artifact has them.
  const overall = evaluation.slices[0];
  const aucCell = view.locator('tr[data-slice="Overall"] td').nth(2);
  const ci = overall.confidenceIntervals!.auc;
  await expect(aucCell.locator('.tfx-ts-ci').textContent()).resolves.toBe(`${ci.lowerBound.toFixed(2)}–${ci.upperBound.toFixed(2)}`);
  // A one-class slice: "–" with the reason on hover.
  const oneClass = evaluation.slices.find(s => typeof s.metrics.auc !== 'number' || !Number.isFinite(s.metrics.auc))!;
  expect(oneClass).toBeDefined();
  const undefinedCell = view.locator(`tr[data-slice="${oneClass.name}"] td`).nth(2);
  await expect(undefinedCell.innerText()).resolves.toBe('–');
  await expect(undefinedCell.getAttribute('title')).resolves.toBe(oneClass.notes!.auc);
  expect(oneClass.notes!.auc).toMatch(/^AUC is undefined: it needs positive and negative examples/);
  // A defined AUC whose bootstrap samples were too often one-class: the value, and "no interval" with the reason.
  const noInterval = evaluation.slices.find(s => Number.isFinite(s.metrics.auc as number) && s.notes?.auc);
  if (noInterval) {
    const cell = view.locator(`tr[data-slice="${noInterval.name}"] td`).nth(2).locator('.tfx-ts-ci');
    await expect(cell.innerText()).resolves.toBe('no interval');
    await expect(cell.getAttribute('title')).resolves.toBe(noInterval.notes!.auc);
  }

  // Select a metric: the chart's axis and the highlighted column follow.
  const chartMetric = () =>
    view.locator('.tfx-ts-bar-axis b').evaluateAll(bs => bs.filter(b => (b as HTMLElement).offsetParent !== null).map(b => b.textContent));
  await expect(chartMetric()).resolves.toEqual(['auc']);
  await view.locator('input.tfx-ts-pick + label', { hasText: /^binary_accuracy$/ }).click();
  await expect(chartMetric()).resolves.toEqual(['binary_accuracy']);
  const highlighted = await view
    .locator('thead th')
    .evaluateAll(ths => ths.filter(th => getComputedStyle(th).backgroundColor !== 'rgba(0, 0, 0, 0)').map(th => th.textContent));
  expect(highlighted).toEqual(['binary_accuracy']);

  // Sort by AUC ascending: the worst slice first (after Overall), undefined AUCs last; the chart follows.
  await view.locator('select[data-role="sort"]').selectOption('auc');
  await view.locator('select[data-role="direction"]').selectOption('ascending');
  const auc = await columnValues(page, 'auc');
  const defined = auc.slice(1).filter(v => !Number.isNaN(v));
  expect(defined.length).toBeGreaterThan(20);
  expect(defined).toEqual([...defined].sort((a, b) => a - b));
  expect(auc.slice(1 + defined.length).every(v => Number.isNaN(v))).toBe(true);
  const worst = evaluation.slices
    .filter(s => s.key.length > 0 && typeof s.metrics.auc === 'number')
    .sort((a, b) => (a.metrics.auc as number) - (b.metrics.auc as number))[0];
  const tableRows = await shown(page, '.tfx-ts-evaluation tr[data-slice]');
  expect(tableRows[0]).toBe('Overall');
  expect(tableRows[1]).toBe(worst.name);
  await expect(shown(page, '.tfx-ts-evaluation .tfx-ts-bar-row[data-slice]')).resolves.toEqual(tableRows);

  // Filter: slices under 100 examples leave the table and the chart.
  await view.locator('label', { hasText: '≥ 100 examples' }).click();
  const big = new Set(evaluation.slices.filter(s => s.key.length === 0 || s.exampleCount >= 100).map(s => s.name));
  const filtered = await shown(page, '.tfx-ts-evaluation tr[data-slice]');
  expect(new Set(filtered)).toEqual(big);
  await expect(shown(page, '.tfx-ts-evaluation .tfx-ts-bar-row[data-slice]')).resolves.toEqual(filtered);
  await view.locator('label', { hasText: /^all$/ }).click();

  // Screenshots: the metric picked, sorted worst first, light and dark.
  await view.locator('input.tfx-ts-pick + label', { hasText: /^auc$/ }).click();
  await view.locator('h4', { hasText: 'Metrics by slice' }).evaluate(h => h.scrollIntoView());
  await page.waitForTimeout(300);
  await screenshot(page, 'evaluation-1280-light');
  await setTheme(page, 'dark');
  // The dark theme's stylesheet applies a little after the switch: wait until the view's text is light.
  await page.waitForFunction(() => {
    const rgb = getComputedStyle(document.querySelector('.tfx-ts-evaluation')!).color.match(/\d+/g)!.map(Number);
    return rgb[0] + rgb[1] + rgb[2] > 500;
  });
  await view.locator('h4', { hasText: 'Metrics by slice' }).evaluate(h => h.scrollIntoView());
  await page.waitForTimeout(500);
  await screenshot(page, 'evaluation-1280-dark');
  // The table in the dark theme: the interval lines and the slice names stay legible.
  await view.locator('.tfx-ts-slices').evaluate(el => el.scrollIntoView());
  await page.waitForTimeout(300);
  await screenshot(page, 'evaluation-table-1280-dark');
  await setTheme(page, 'light');
}
