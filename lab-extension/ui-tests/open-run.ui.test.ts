/**
 * The panel's run parameters and "Open in notebook", with real parts: a notebook whose Trainer
 * takes a RuntimeParameter runs under the real tslab kernel; the panel shows the parameter as a
 * field, marks a wrong value, and Run sends the value (asserted on the KFP test server's run). The
 * run's data tasks then really run through `tfx-ts run-executor` with KFP's output layout on a real
 * S3 server (SeaweedFS), the run is finished on the test server, and "Open in notebook" makes the
 * kernel download the outputs and show the views in a new cell.
 */
import * as fs from 'fs';
import * as path from 'path';

import type { Browser, Locator, Page } from 'playwright-core';

import { main } from '../../src/cli/main';
import { uploadDirectory } from '../../src/io/storage';
import { localPathForUri } from '../../src/orchestration/kubeflow/container-entrypoint';
import { openRunCellCode } from '../../src/protocol/bridge';
import { executorInputFor, outputUri, resolvedCommandLine, taskOrder, type SimulatedRun } from '../../src/testing/kfp-driver';
import { startKfpTestServer, type KfpTestServer } from '../../src/testing/kfp-test-server';
import { createS3Bucket, objectStoreServers, type ObjectStoreServers } from '../../src/testing/object-stores';
import {
  installLikeNpm,
  launchBrowser,
  notebook,
  openDeployPanel,
  openLab,
  openNotebook,
  panelScreenshot,
  runAllCells,
  saveFailure,
  screenshot,
  setTheme,
  startLab,
  TIMEOUTS,
  unexpectedErrors,
  type LabServer
} from './harness';

const TOKEN = 'open-run-ui-SECRET-token';
const BUCKET = 'open-run-ui';
const ROOT = `s3://${BUCKET}/root`;

let lab: LabServer;
let kfp: KfpTestServer;
let stores: ObjectStoreServers;
let browser: Browser;
let runCache: string;

// CommonJS: here a .ts module file beside the notebook (a folder without package.json) failed to load
// in the kernel ("Unexpected token '{'" from Node's ES module compiler); that is outside this test.
const TRAINER_MODULE = `import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf, saveServingModel, type FnArgs } from 'tfx-ts/trainer';

/** A one-weight model, saved without training: what matters here is the step count the run parameter sets. */
export async function runFn(fnArgs: FnArgs): Promise<void> {
  const input = tf.input({ shape: [1], name: 'culmen_length_mm' });
  const output = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(input) as tf.SymbolicTensor;
  await saveServingModel(tf.model({ inputs: input, outputs: output }), fnArgs.servingModelDir);
  fs.writeFileSync(path.join(fnArgs.servingModelDir, 'steps.json'), JSON.stringify({ steps: fnArgs.trainSteps }));
}
`;

beforeAll(async () => {
  // The kernel (a child of the Lab server) inherits the object store endpoints and its own run cache.
  stores = await objectStoreServers({ s3: true, gcs: false });
  await createS3Bucket(stores.s3Endpoint, BUCKET);
  runCache = fs.mkdtempSync(path.join(require('os').tmpdir(), 'tfx-ts-run-cache-'));
  process.env.TFX_TS_RUN_CACHE = runCache;
  [lab, kfp, browser] = await Promise.all([
    startLab({
      'open/trainer.ts': TRAINER_MODULE,
      'open/open_run.ipynb': notebook([
        'import { InteractiveContext, CsvExampleGen, StatisticsGen, SchemaGen, ExampleValidator, Trainer, RuntimeParameter, writeBundledCsv } from "tfx-ts";\n' +
          'await writeBundledCsv("penguins", "data/penguins");\n' +
          'const context = new InteractiveContext({ pipelineName: "penguin-open" });',
        'const exampleGen = new CsvExampleGen({ inputBase: "data/penguins" });\nawait context.run(exampleGen);\n' +
          'const statisticsGen = new StatisticsGen({ examples: exampleGen.outputs.examples });\nawait context.run(statisticsGen);\n' +
          'const schemaGen = new SchemaGen({ statistics: statisticsGen.outputs.statistics });\nawait context.run(schemaGen);\n' +
          'await context.run(new ExampleValidator({ statistics: statisticsGen.outputs.statistics, schema: schemaGen.outputs.schema }));',
        'const trainSteps = new RuntimeParameter({ name: "train_steps", ptype: "int", default: 20, description: "Training steps." });\n' +
          'const trainer = new Trainer({ examples: exampleGen.outputs.examples, moduleFile: "trainer.ts", trainArgs: { numSteps: trainSteps } });\n' +
          'await context.run(trainer);'
      ])
    }),
    startKfpTestServer({ pathPrefix: '/pipeline', requireAuth: { bearer: TOKEN } }),
    launchBrowser()
  ]);
  installLikeNpm(path.join(lab.rootDir, 'open', 'node_modules'));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await kfp?.close();
  await lab?.stop();
  await stores?.close();
  if (runCache) {
    fs.rmSync(runCache, { recursive: true, force: true });
  }
}, 60_000);

function field(panel: Locator, label: string): Locator {
  return panel.getByLabel(label, { exact: true });
}

/** What the cluster does for a run: each data task runs in its pod, and the launcher uploads its outputs. */
async function executeOnCluster(run: SimulatedRun, projectDir: string): Promise<string[]> {
  const mountRoot = fs.mkdtempSync(path.join(require('os').tmpdir(), 'tfx-ts-mount-'));
  process.env.TFX_TS_KFP_MOUNT_ROOT = mountRoot;
  const ran: string[] = [];
  // Relative inputs resolve against the image's working directory, which holds the notebook's folder.
  const cwd = process.cwd();
  process.chdir(projectDir);
  const lines: string[] = [];
  const spies = (['log', 'error', 'warn'] as const).map(m => jest.spyOn(console, m).mockImplementation((...a) => void lines.push(a.map(String).join(' '))));
  try {
    for (const task of taskOrder(run.spec)) {
      // The Trainer's module file lives in the notebook folder; its outputs have no notebook view.
      if (task === 'trainer') {
        continue;
      }
      const code = await main(['node', ...resolvedCommandLine(run, task)]);
      if (code !== 0) {
        throw new Error(`task ${task} failed:\n${lines.slice(-20).join('\n')}`);
      }
      for (const key of Object.keys(executorInputFor(run, task).outputs.artifacts ?? {})) {
        const uri = outputUri(run, task, key);
        if (fs.existsSync(localPathForUri(uri, mountRoot))) {
          await uploadDirectory(localPathForUri(uri, mountRoot), uri);
        }
      }
      ran.push(task);
    }
  } finally {
    process.chdir(cwd);
    spies.forEach(s => s.mockRestore());
    delete process.env.TFX_TS_KFP_MOUNT_ROOT;
  }
  return ran;
}

async function shots(page: Page, name: string, panelOnly: boolean): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    if (panelOnly) {
      await panelScreenshot(page, `${name}-${theme}`);
    } else {
      await screenshot(page, `${name}-${theme}`);
    }
  }
  await setTheme(page, 'light');
}

test('a RuntimeParameter is a validated panel field whose value reaches the run; a finished run opens in the notebook', async () => {
  const { page, errors } = await openLab(browser, lab, { viewport: { width: 1280, height: 720 } });
  try {
    await openNotebook(page, 'open/open_run.ipynb');
    await runAllCells(page);
    const panel = await openDeployPanel(page);

    // The parameter, as describe lists it: name, type and default.
    const parameters = panel.locator('.tfx-DeployPanel-parameters');
    await parameters.waitFor({ state: 'visible', timeout: TIMEOUTS.output });
    const steps = field(panel, 'train_steps');
    expect(await steps.getAttribute('placeholder')).toBe('20 (default; whole number)');
    expect(await parameters.locator('.tfx-DeployPanel-typeChip').innerText()).toBe('int');
    expect(await parameters.innerText()).toContain('Sets Trainer.trainArgs.numSteps.');

    // A wrong type is marked on the field as typed, with the fix.
    await steps.fill('lots');
    const error = panel.locator('#tfx-ts-parameter-train_steps-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.innerText()).toBe('"lots" is not an integer (train_steps is int): type e.g. 100, or clear the field for the default 20.');
    expect(await steps.getAttribute('aria-invalid')).toBe('true');
    await field(panel, 'KFP endpoint').fill(kfp.url);
    await field(panel, 'Authentication').selectOption('bearer');
    await field(panel, 'Bearer token').fill(TOKEN);
    await parameters.scrollIntoViewIfNeeded();
    await shots(page, 'parameters-invalid-1280', false);
    await panel.getByRole('button', { name: 'Run', exact: true }).click();
    await panel.locator('.tfx-DeployPanel-actionNotice .tfx-Notice[data-code="INVALID_FIELDS"]').waitFor({ state: 'visible' });
    expect(kfp.runs).toHaveLength(0);

    // Fixed: the mark goes, and the run on the server carries the value as an integer.
    await steps.fill('7');
    await error.waitFor({ state: 'hidden' });
    await panel.getByRole('button', { name: 'Run', exact: true }).click();
    const runSection = panel.locator('.tfx-DeployPanel-run');
    await runSection.waitFor({ state: 'visible', timeout: TIMEOUTS.output });
    expect(kfp.runs).toHaveLength(1);
    const stored = kfp.runs[0] as unknown as { run_id: string; runtime_config: { parameters?: Record<string, unknown>; pipeline_root?: string } };
    expect(stored.runtime_config.parameters).toEqual({ train_steps: 7 });
    const runId = stored.run_id;

    // The cluster runs it: the data tasks write to its pipeline root on S3, where KFP's driver puts outputs.
    const spec = kfp.pipelines[0].versions[0].spec;
    expect(spec.root.inputDefinitions!.parameters!.train_steps).toMatchObject({ parameterType: 'NUMBER_INTEGER', defaultValue: 20 });
    const ran = await executeOnCluster({ spec, pipelineRoot: ROOT, runId, workDir: fs.mkdtempSync(path.join(lab.rootDir, '..', 'work-')), launcherLayout: true, parameters: { train_steps: 7 } }, path.join(lab.rootDir, 'open'));
    expect(ran).toEqual(['csv-example-gen', 'statistics-gen', 'schema-gen', 'example-validator']);
    // The run names the root it wrote to (as a run created with runtime_config.pipeline_root does).
    stored.runtime_config.pipeline_root = ROOT;
    kfp.setRunState(runId, 'SUCCEEDED', taskOrder(spec).map(name => ({ name, state: 'SUCCEEDED' })));
    await runSection.locator('.tfx-DeployPanel-runHeader .tfx-Badge[data-state="SUCCEEDED"]').waitFor({ timeout: 30_000 });

    // Open in notebook: the kernel downloads the outputs; a new cell shows the views.
    const cellsBefore = await page.locator('.jp-Notebook .jp-Cell').count();
    const open = runSection.getByRole('button', { name: 'Open in notebook' });
    await open.click();
    const opened = runSection.locator('.tfx-DeployPanel-openNotice .tfx-Notice[data-code="RUN_OPENED"]');
    await opened.waitFor({ state: 'visible', timeout: TIMEOUTS.output });
    expect(await opened.innerText()).toContain('3 views (statistics, schema, anomalies) in a new cell below the active one.');
    await page.locator('.jp-OutputArea-output .tfx-ts-kfp-run').waitFor({ state: 'visible', timeout: TIMEOUTS.output });
    expect(await page.locator('.jp-Notebook .jp-Cell').count()).toBe(cellsBefore + 1);
    const source = await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.getSource());
    expect(source).toBe(openRunCellCode(runId, kfp.url));
    const newCell = page.locator('.jp-Notebook .jp-Cell').nth(cellsBefore);
    await newCell.locator('.tfx-ts-view.tfx-ts-statistics').first().waitFor({ state: 'visible' });
    await newCell.locator('.tfx-ts-view.tfx-ts-schema').first().waitFor({ state: 'visible' });
    expect(await newCell.locator('.tfx-ts-kfp-run').innerText()).toContain(runId);
    await newCell.locator('.tfx-ts-kfp-run').scrollIntoViewIfNeeded();
    await shots(page, 'open-run-notebook-1280', false);
    await shots(page, 'open-run-panel', true);

    // The token went to the server only: not into the notebook, its cell, the settings.
    await page.evaluate(() => (window as any).jupyterapp.commands.execute('docmanager:save'));
    await page.waitForTimeout(1000);
    expect(fs.readFileSync(path.join(lab.rootDir, 'open', 'open_run.ipynb'), 'utf-8')).not.toContain(TOKEN);
    expect(unexpectedErrors(errors)).toEqual([]);
  } catch (error) {
    await saveFailure(page, 'open-run');
    const outputs = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.jp-Cell')).map((cell, i) => `[${i}] ${(cell.querySelector('.jp-OutputArea') as HTMLElement | null)?.innerText?.slice(0, 400) ?? ''}`)
    );
    throw new Error(`${(error as Error).message}\nnotebook outputs:\n${outputs.join('\n')}`);
  } finally {
    await page.close();
  }
}, 600_000);
