/**
 * The deploy panel talking to a notebook's kernel through the tfx-ts bridge
 * (docs/lab-bridge.md): clear messages when the bridge cannot answer or the kernel is not
 * TypeScript. The whole flow with the real bridge is deploy.ui.test.ts.
 */
import type { Browser, Locator, Page } from 'playwright-core';

import {
  execCommand,
  launchBrowser,
  notebook,
  openDeployPanel,
  openLab,
  panelScreenshot,
  openNotebook,
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

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startLab({
      // No tfx-ts reachable from this folder: require("tfx-ts") fails in the kernel.
      'plain/pipeline.ipynb': notebook(['console.log("the pipeline cells would run here")']),
      'python.ipynb': notebook(['print("python")'], { name: 'python3', display_name: 'Python 3', language: 'python' })
    }),
    launchBrowser()
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

async function waitForNotice(panel: Locator, codes: string[]): Promise<Locator> {
  const selector = codes.map(c => `.tfx-Notice[data-code="${c}"]`).join(', ');
  const notice = panel.locator(selector).first();
  try {
    await notice.waitFor({ state: 'visible', timeout: TIMEOUTS.output });
  } catch (e) {
    await saveFailure(panel.page(), `notice-${codes.join('-')}`);
    throw e;
  }
  return notice;
}

test('a tslab notebook whose kernel cannot load the bridge gets a clear message', async () => {
  const { page, errors } = await openLab(browser, server);
  await openNotebook(page, 'plain/pipeline.ipynb');
  await runAllCells(page);
  const panel = await openDeployPanel(page);

  // Today require("tfx-ts") fails here; once the package is installed for the notebook, the
  // bridge answers NO_INTERACTIVE_CONTEXT instead. Both must read clearly.
  const notice = await waitForNotice(panel, ['BRIDGE_UNAVAILABLE', 'NO_INTERACTIVE_CONTEXT']);
  const text = await notice.innerText();
  const code = await notice.getAttribute('data-code');
  if (code === 'BRIDGE_UNAVAILABLE') {
    expect(text).toContain('The notebook\'s kernel cannot load the "tfx-ts" package.');
    expect(text).toContain('npm install tfx-ts');
    // The kernel's own words are one click away.
    expect(await notice.locator('details pre').textContent()).toContain('tfx-ts');
  } else {
    expect(text).toMatch(/InteractiveContext/);
  }
  // The Components section is collapsed by default; opened, it says there is nothing yet.
  await panel.locator('.tfx-DeployPanel-components > summary').click();
  expect(await panel.locator('.tfx-ComponentsTable').innerText()).toContain('No components yet');

  // The actions are disabled, with the reason under them and on each button, instead of failing
  // on click.
  const reason =
    code === 'NO_INTERACTIVE_CONTEXT'
      ? 'Run the notebook\'s InteractiveContext cells first.'
      : 'The notebook\'s pipeline could not be read (see above).';
  await panel.locator('.tfx-DeployPanel-reason', { hasText: reason }).waitFor({ state: 'visible' });
  for (const name of ['Compile', 'Upload', 'Run']) {
    const button = panel.getByRole('button', { name, exact: true });
    await expect(button.isDisabled()).resolves.toBe(true);
    await expect(button.getAttribute('title')).resolves.toBe(reason);
  }

  await screenshot(page, 'bridge-unavailable-light');
  await setTheme(page, 'dark');
  await panelScreenshot(page, 'bridge-unavailable-dark-detail');
  await setTheme(page, 'light');
  expect(unexpectedErrors(errors)).toEqual([]);
  await page.close();
}, 240_000);

test('a notebook on a non-TypeScript kernel, or with no kernel, gets a clear message', async () => {
  const { page, errors } = await openLab(browser, server);
  // First a TypeScript notebook whose kernel has no InteractiveContext (or no tfx-ts)...
  await openNotebook(page, 'plain/pipeline.ipynb');
  const panel = await openDeployPanel(page);
  const first = ['BRIDGE_UNAVAILABLE', 'NO_INTERACTIVE_CONTEXT'];
  await waitForNotice(panel, first);
  // ...then the Python one: the first notebook's notice goes, this one's comes.
  await openNotebook(page, 'python.ipynb');
  const wrong = await waitForNotice(panel, ['WRONG_KERNEL']);
  expect(await wrong.innerText()).toContain('needs the TypeScript kernel (tslab)');
  expect(await panel.locator(first.map(c => `.tfx-Notice[data-code="${c}"]`).join(', ')).count()).toBe(0);
  await expect(panel.getByRole('button', { name: 'Run', exact: true }).isDisabled()).resolves.toBe(true);
  await expect(panel.locator('.tfx-DeployPanel-reason').innerText()).resolves.toBe('Switch the notebook to the TypeScript (tslab) kernel.');
  // Back to the first notebook: the Python kernel's notice goes in turn.
  await execCommand(page, 'docmanager:open', { path: 'plain/pipeline.ipynb' });
  await waitForNotice(panel, first);
  expect(await panel.locator('.tfx-Notice[data-code="WRONG_KERNEL"]').count()).toBe(0);
  await execCommand(page, 'docmanager:open', { path: 'python.ipynb' });
  await waitForNotice(panel, ['WRONG_KERNEL']);

  expect(unexpectedErrors(errors)).toEqual([]);

  const before = errors.length;
  await shutdownKernel(page);
  const none = await waitForNotice(panel, ['NO_KERNEL']);
  expect(await none.innerText()).toContain('no running kernel');
  await panelScreenshot(page, 'no-kernel-detail');
  // Shutting the ipykernel down right after switching to its notebook can cancel the request
  // JupyterLab's own debugger plugin sends it on every notebook switch (debugInfo, to restore the
  // debugger sidebar); that plugin then logs exactly this console error. It is JupyterLab's, about
  // a kernel the test stopped on purpose; anything else after the shutdown fails the test.
  expect(
    unexpectedErrors(errors.slice(before)).filter(e => !/^console: Could not restore the debugger state: Canceled future for debug_request message before replies were done$/.test(e))
  ).toEqual([]);
  await page.close();
}, 240_000);

async function shutdownKernel(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const w = (window as any).jupyterapp.shell.currentWidget;
    await w.sessionContext.shutdown();
  });
}
