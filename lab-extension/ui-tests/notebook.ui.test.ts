/**
 * A tslab notebook in JupyterLab: markdown renders, the kernel starts, a cell's output shows, and
 * the notebook toolbar has the "Deploy to Kubeflow" button that opens the panel.
 */
import type { Browser } from 'playwright-core';

import {
  launchBrowser,
  notebook,
  openLab,
  openNotebook,
  runAllCells,
  screenshot,
  startLab,
  TIMEOUTS,
  unexpectedErrors,
  type LabServer
} from './harness';

let server: LabServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startLab({
      'hello.ipynb': notebook([
        { markdown: '# Taxi tips\n\nWill the rider tip **more than 20%**?' },
        'const answer: number = 6 * 7;\nconsole.log(`hello from tslab ${answer}`);'
      ])
    }),
    launchBrowser()
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

test('a tslab notebook runs a cell and shows its output', async () => {
  const { page, errors } = await openLab(browser, server);
  await openNotebook(page, 'hello.ipynb');
  await runAllCells(page);
  const output = page.locator('.jp-OutputArea-output', { hasText: 'hello from tslab 42' });
  await output.first().waitFor({ state: 'visible', timeout: TIMEOUTS.output });

  // The kernel is the TypeScript one.
  const kernelName = await page.evaluate(
    () => (window as any).jupyterapp.shell.currentWidget.sessionContext.session.kernel.name
  );
  expect(kernelName).toBe('tslab');

  // Markdown cells render as HTML (JupyterLab's markdown parser plugin is there).
  const heading = page.locator('.jp-MarkdownCell .jp-RenderedMarkdown h1');
  await expect(heading.innerText()).resolves.toContain('Taxi tips');
  await expect(page.locator('.jp-MarkdownCell .jp-RenderedMarkdown strong').innerText()).resolves.toBe('more than 20%');

  // The toolbar button opens the deploy panel.
  const button = page.locator('.jp-NotebookPanel-toolbar .tfx-DeployButton');
  await button.waitFor({ state: 'visible' });
  await button.locator('button').first().click();
  await page.locator('#tfx-ts-deploy-panel').waitFor({ state: 'visible' });
  await screenshot(page, 'notebook-with-panel');
  expect(unexpectedErrors(errors)).toEqual([]);
  await page.close();
}, 240_000);
