/**
 * The whole deploy story with real parts: the penguin quickstart notebook runs cell by cell under
 * the real tslab kernel, the panel asks that kernel's real tfx-ts bridge for the pipeline, and
 * compiles, uploads and runs it against the KFP-API-compatible test server on 127.0.0.1 (the only
 * stand-in: Kubernetes cannot run here). The server's recorded requests are asserted, and the run's
 * status moves to SUCCEEDED in the panel when the server says so.
 */
import * as fs from 'fs';
import * as path from 'path';

import type { Browser, Locator } from 'playwright-core';

import { startKfpTestServer, type KfpTestServer } from '../../src/testing/kfp-test-server';
import {
  installLikeNpm,
  launchBrowser,
  openDeployPanel,
  openLab,
  openNotebook,
  panelScreenshot,
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

const TOKEN = 'ui-test-bearer-token';
const NAMESPACE = 'kubeflow-user-example-com';

let lab: LabServer;
let kfp: KfpTestServer;
let browser: Browser;

beforeAll(async () => {
  [lab, kfp, browser] = await Promise.all([
    startLab({ 'penguin/penguin_quickstart.ipynb': fs.readFileSync(path.join(REPO_ROOT, 'notebooks', 'penguin_quickstart.ipynb'), 'utf-8') }),
    startKfpTestServer({ pathPrefix: '/pipeline', requireAuth: { bearer: TOKEN } }),
    launchBrowser()
  ]);
  installLikeNpm(path.join(lab.rootDir, 'penguin', 'node_modules'));
  // An experiment that already exists on the server, for the panel to offer.
  const response = await fetch(`${kfp.url}/apis/v2beta1/experiments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ display_name: 'penguin-experiments', namespace: NAMESPACE })
  });
  expect(response.status).toBe(200);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await kfp?.close();
  await lab?.stop();
}, 60_000);

function field(panel: Locator, label: string): Locator {
  return panel.getByLabel(label, { exact: true });
}

test('run the quickstart notebook, then compile, upload and run it on Kubeflow from the panel and watch the run succeed', async () => {
  const { page, errors } = await openLab(browser, lab, { viewport: { width: 1280, height: 720 } });
  try {
    await openNotebook(page, 'penguin/penguin_quickstart.ipynb');
    await runAllCells(page);
    // The inline views rendered in Lab from the real run.
    await page.locator('.jp-OutputArea-output', { hasText: 'culmen_length_mm' }).first().waitFor({ timeout: TIMEOUTS.output });
    // The views are the kernel's HTML (one view, the same as in nbconvert), charts included, and
    // the notebook stores no JSON copy of them.
    await page.locator('.jp-OutputArea-output .tfx-ts-view.tfx-ts-statistics svg').first().waitFor({ state: 'visible' });
    await page.locator('.jp-OutputArea-output .tfx-ts-view.tfx-ts-schema table').first().waitFor({ state: 'visible' });
    // JupyterLab runs the view's script for outputs of this session (trusted): sorting and search show.
    const stats = page.locator('.jp-OutputArea-output .tfx-ts-view.tfx-ts-statistics').first();
    await stats.locator('[data-role="tools"]').waitFor({ state: 'visible' });
    await stats.locator('[data-role="sort"]').selectOption('missing');
    await stats.locator('[data-role="search"]').fill('culmen');
    const shown = await stats.locator('tr.tfx-ts-feature:not([hidden])').evaluateAll(rows => rows.map(r => r.getAttribute('data-feature')));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every(name => name!.includes('culmen'))).toBe(true);
    await stats.locator('[data-role="search"]').fill('');
    const mimeTypes = await page.evaluate(() => {
      const cells: any[] = (window as any).jupyterapp.shell.currentWidget.content.widgets;
      const types = new Set<string>();
      for (const cell of cells) {
        const outputs = cell.model.type === 'code' ? cell.model.outputs : null;
        for (let i = 0; i < (outputs?.length ?? 0); i++) Object.keys(outputs.get(i).data ?? {}).forEach(t => types.add(t));
      }
      return [...types].sort();
    });
    expect(mimeTypes.filter(t => t.endsWith('+json'))).toEqual([]);
    expect(mimeTypes).toContain('text/html');
    await page.locator('.jp-OutputArea-output .tfx-ts-view.tfx-ts-statistics').first().scrollIntoViewIfNeeded();
    await screenshot(page, 'quickstart-notebook-light');
    await setTheme(page, 'dark');
    await screenshot(page, 'quickstart-notebook-dark');
    await setTheme(page, 'light');

    const panel = await openDeployPanel(page);
    // describe(): exactly the components the notebook ran (the section is collapsed by default).
    await panel.locator('.tfx-DeployPanel-components > summary').click();
    const rows = panel.locator('.tfx-ComponentsTable tbody tr');
    await rows.nth(3).waitFor({ state: 'visible', timeout: TIMEOUTS.output });
    const tableText = await panel.locator('.tfx-ComponentsTable').innerText();
    for (const id of ['CsvExampleGen', 'StatisticsGen', 'SchemaGen', 'ExampleValidator']) expect(tableText).toContain(id);
    expect(await field(panel, 'Pipeline name').getAttribute('placeholder')).toBe('penguin');

    await field(panel, 'KFP endpoint').fill(kfp.url);
    await field(panel, 'Namespace').fill(NAMESPACE);
    await field(panel, 'Authentication').selectOption('bearer');

    // A wrong token first: KFP's 401 is shown and explained, naming the auth mode, not the token.
    await field(panel, 'Bearer token').fill('not-the-token');
    await panel.getByRole('button', { name: 'Load experiments' }).click();
    const unauthorized = panel.locator('.tfx-Notice[data-code="UNAUTHORIZED"]').first();
    await unauthorized.waitFor({ state: 'visible', timeout: TIMEOUTS.output });
    expect(await unauthorized.innerText()).toMatch(/bearer/i);
    expect(await unauthorized.innerText()).not.toContain('not-the-token');
    await panelScreenshot(page, 'deploy-unauthorized-light');

    await field(panel, 'Bearer token').fill(TOKEN);
    await panel.getByRole('button', { name: 'Load experiments' }).click();
    await panel.locator('#tfx-ts-experiment option[value="penguin-experiments"]').waitFor({ state: 'attached', timeout: TIMEOUTS.output });
    await field(panel, 'Experiment').selectOption('penguin-experiments');
    await field(panel, 'Memory for StatisticsGen').fill('2Gi');
    await field(panel, 'Memory for StatisticsGen').press('Tab');

    // Compile: the real compiler's YAML.
    await panel.getByRole('button', { name: 'Compile', exact: true }).click();
    // The compiled pipeline arrives collapsed (the action bar says what happened); opened, the YAML.
    await panel.locator('.tfx-DeployPanel-yaml > summary').waitFor({ state: 'visible', timeout: TIMEOUTS.output });
    await panel.locator('.tfx-DeployPanel-yaml > summary').click();
    const yaml = panel.locator('.tfx-DeployPanel-yamlText');
    await yaml.waitFor({ state: 'visible' });
    const yamlText = await yaml.innerText();
    expect(yamlText).toContain('schemaVersion: 2.1.0');
    expect(yamlText).toContain('comp-csv-example-gen');
    expect(yamlText).not.toContain(TOKEN);

    // Upload, then Run.
    await panel.getByRole('button', { name: 'Upload', exact: true }).click();
    await panel.locator('.tfx-Notice.tfx-mod-success').first().waitFor({ timeout: TIMEOUTS.output });
    await panel.getByRole('button', { name: 'Run', exact: true }).click();
    const runSection = panel.locator('.tfx-DeployPanel-run');
    await runSection.waitFor({ state: 'visible', timeout: TIMEOUTS.output });

    // What the server received: a multipart upload in field `uploadfile` holding the notebook's pipeline, and a run.
    const upload = kfp.received.find(r => r.method === 'POST' && r.path.endsWith('/apis/v2beta1/pipelines/upload') && r.status === 200);
    expect(upload).toBeDefined();
    const files = (upload!.body as { files: { field: string; text: string }[] }).files;
    expect(files[0].field).toBe('uploadfile');
    expect(files[0].text).toContain('statistics-gen');
    expect(files[0].text).toMatch(/memory/i);
    expect(upload!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const createRun = kfp.received.find(r => r.method === 'POST' && r.path.endsWith('/apis/v2beta1/runs') && r.status === 200);
    expect(createRun).toBeDefined();
    expect(kfp.runs).toHaveLength(1);
    const runId = kfp.runs[0].run_id;
    expect(kfp.experiments.find(e => e.display_name === 'penguin-experiments')!.experiment_id).toBe(
      (createRun!.body as { experiment_id: string }).experiment_id
    );

    // Live status: the panel follows what the server says, to SUCCEEDED.
    await runSection.locator('.tfx-Badge').first().waitFor({ timeout: TIMEOUTS.output });
    kfp.setRunState(runId, 'RUNNING', [
      { name: 'csv-example-gen', state: 'SUCCEEDED' },
      { name: 'statistics-gen', state: 'RUNNING' }
    ]);
    await runSection.locator('.tfx-DeployPanel-runHeader .tfx-Badge[data-state="RUNNING"]').waitFor({ timeout: 30_000 });
    await panelScreenshot(page, 'deploy-running-light');
    kfp.setRunState(runId, 'SUCCEEDED', ['csv-example-gen', 'statistics-gen', 'schema-gen', 'example-validator'].map(name => ({ name, state: 'SUCCEEDED' })));
    await runSection.locator('.tfx-DeployPanel-runHeader .tfx-Badge[data-state="SUCCEEDED"]').waitFor({ timeout: 30_000 });
    expect(await runSection.getByRole('link', { name: 'Open in the KFP UI' }).getAttribute('href')).toBe(`${kfp.url}/#/runs/details/${runId}`);
    await panelScreenshot(page, 'deploy-succeeded-light');
    await screenshot(page, 'deploy-succeeded-full-light');

    // At 1280x720 with the default sidebar width, after a run (the longest the panel gets): the
    // action bar, with the run's state, stays on screen while the panel body is scrolled.
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.waitForTimeout(500);
    await panel.locator('.tfx-DeployPanel-yaml > summary').scrollIntoViewIfNeeded();
    await panel.evaluate(el => el.scrollTo(0, el.scrollHeight));
    await page.waitForTimeout(300);
    expect(await panel.evaluate(el => el.scrollTop)).toBeGreaterThan(0);
    for (const name of ['Compile', 'Upload', 'Run']) {
      const box = (await panel.getByRole('button', { name, exact: true }).boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(720);
    }
    const badge = (await panel.locator('.tfx-DeployPanel-runBadge .tfx-Badge[data-state="SUCCEEDED"]').boundingBox())!;
    expect(badge.y + badge.height).toBeLessThanOrEqual(720);
    await screenshot(page, 'deploy-succeeded-1280-light');
    await setTheme(page, 'dark');
    await screenshot(page, 'deploy-succeeded-1280-dark');
    await setTheme(page, 'light');

    // The token went to the server and nowhere else: not the settings, the workspace, the notebook.
    await page.waitForTimeout(1500);
    expect(grepDir(lab.stateDir, TOKEN)).toEqual([]);
    expect(grepDir(lab.rootDir, TOKEN)).toEqual([]);

    // A kernel restart forgets the InteractiveContext: the old components, the YAML and the last
    // action's notice go; the buttons are disabled with the reason until the cells run again.
    await expect(panel.locator('.tfx-DeployPanel-yamlText').count()).resolves.toBe(1);
    // What Kernel › Restart does once its confirmation dialog is accepted.
    await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.sessionContext.restartKernel());
    await panel
      .locator('.tfx-DeployPanel-reason', { hasText: 'Run the notebook\'s InteractiveContext cells first.' })
      .waitFor({ state: 'visible', timeout: TIMEOUTS.kernelIdle });
    await expect(panel.getByRole('button', { name: 'Run', exact: true }).isDisabled()).resolves.toBe(true);
    await expect(panel.locator('.tfx-DeployPanel-actionNotice .tfx-Notice').count()).resolves.toBe(0);
    await expect(panel.locator('.tfx-DeployPanel-yamlText').count()).resolves.toBe(0);
    await expect(panel.locator('.tfx-ComponentsTable').innerText()).resolves.toContain('No components yet');
    await panelScreenshot(page, 'deploy-after-restart-light');
    expect(unexpectedErrors(errors)).toEqual([]);
  } catch (error) {
    await saveFailure(page, 'deploy-real-flow');
    // The notebook's own outputs say more than a timeout does.
    const outputs = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.jp-Cell')).map((cell, i) => `[${i}] ${(cell.querySelector('.jp-OutputArea') as HTMLElement | null)?.innerText?.slice(0, 400) ?? ''}`)
    );
    throw new Error(`${(error as Error).message}\nnotebook outputs:\n${outputs.join('\n')}`);
  } finally {
    await page.close();
  }
}, 600_000);

function grepDir(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') {
          walk(p);
        }
      } else if (fs.statSync(p).size < 5_000_000 && fs.readFileSync(p, 'utf-8').includes(needle)) {
        hits.push(p);
      }
    }
  };
  walk(dir);
  return hits;
}
