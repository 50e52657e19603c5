/**
 * The deploy panel in a real JupyterLab: its sidebar icon, its fields, the palette command,
 * settings that persist across a reload, and secrets that do not.
 */
import * as fs from 'fs';
import * as path from 'path';

import type { Browser } from 'playwright-core';

import {
  expectThemeShown,
  launchBrowser,
  openDeployPanel,
  openLab,
  panelScreenshot,
  screenshot,
  setTheme,
  startLab,
  unexpectedErrors,
  waitForLab,
  type LabServer
} from './harness';

let server: LabServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startLab(), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
}, 60_000);

test('Lab loads with the tfx-ts panel in the right sidebar, showing its fields', async () => {
  const { page, errors } = await openLab(browser, server);
  const tab = page.locator('.jp-SideBar.jp-mod-right .lm-TabBar-tab[data-id="tfx-ts-deploy-panel"]');
  await tab.waitFor({ state: 'visible' });
  expect(await tab.getAttribute('title')).toBe('Deploy notebook pipeline to Kubeflow');
  // The icon is our SVG.
  expect(await tab.locator('svg').count()).toBeGreaterThan(0);

  await tab.click();
  const panel = page.locator('#tfx-ts-deploy-panel');
  await panel.waitFor({ state: 'visible' });
  for (const label of ['KFP endpoint', 'Namespace', 'Authentication', 'Experiment', 'Pipeline name', 'Image']) {
    await expect(panel.getByLabel(label, { exact: true }).isVisible()).resolves.toBe(true);
  }
  for (const name of ['Compile', 'Upload', 'Run']) {
    const button = panel.getByRole('button', { name, exact: true });
    await expect(button.isVisible()).resolves.toBe(true);
    // Nothing to deploy without a notebook.
    await expect(button.isDisabled()).resolves.toBe(true);
  }
  const notice = panel.locator('.tfx-Notice[data-code="NO_NOTEBOOK"]');
  await notice.waitFor({ state: 'visible' });
  expect(await notice.textContent()).toContain('No notebook is active');

  // The auth mode decides which secret field is shown.
  const auth = panel.getByLabel('Authentication', { exact: true });
  await auth.selectOption('bearer');
  await expect(panel.getByLabel('Bearer token', { exact: true }).isVisible()).resolves.toBe(true);
  await expect(panel.getByLabel('Cookie', { exact: true }).isVisible()).resolves.toBe(false);
  await auth.selectOption('serviceAccount');
  await expect(panel.getByLabel('Service-account token path', { exact: true }).isVisible()).resolves.toBe(true);
  await expect(panel.getByLabel('Bearer token', { exact: true }).isVisible()).resolves.toBe(false);
  await auth.selectOption('none');

  await screenshot(page, 'panel-light');
  await panelScreenshot(page, 'panel-light-detail');
  await setTheme(page, 'dark');
  // The harness's check of the shown theme can fail: the dark page is not taken for the light theme.
  await expect(expectThemeShown(page, 'light')).rejects.toThrow(/does not show the light theme/);
  await panelScreenshot(page, 'panel-dark-detail');
  await setTheme(page, 'light');
  expect(unexpectedErrors(errors)).toEqual([]);
  await page.close();
}, 180_000);

test('the palette lists "Deploy notebook pipeline to Kubeflow" and it opens the panel', async () => {
  const { page } = await openLab(browser, server);
  // After `restored`, the empty workspace opens the Launcher, which takes the focus: a palette opened
  // before that closes again on blur. Wait for the Launcher to hold the focus, as a user would see it.
  await page.waitForFunction(() => !!document.activeElement?.closest('.jp-Launcher'));
  await page.keyboard.press('Control+Shift+C');
  const palette = page.locator('.jp-ModalCommandPalette');
  await palette.waitFor({ state: 'visible' });
  await page.keyboard.type('Deploy notebook pipeline');
  const item = palette.locator('.lm-CommandPalette-item', { hasText: 'Deploy notebook pipeline to Kubeflow' });
  await item.first().waitFor({ state: 'visible' });
  expect(await item.first().getAttribute('data-command')).toBe('tfx-ts:open-deploy-panel');
  await page.keyboard.press('Enter');
  await page.locator('#tfx-ts-deploy-panel').waitFor({ state: 'visible' });
  await page.close();
}, 120_000);

test('settings persist across a reload; secrets do not', async () => {
  const { page } = await openLab(browser, server);
  let panel = await openDeployPanel(page);
  const endpoint = 'http://127.0.0.1:8888/pipeline';

  const saved = page.waitForResponse(
    r => r.url().includes('/lab/api/settings/tfx-ts-labextension') && r.request().method() === 'PUT' && r.ok()
  );
  await panel.getByLabel('KFP endpoint', { exact: true }).fill(endpoint);
  await panel.getByLabel('KFP endpoint', { exact: true }).press('Tab');
  await saved;

  const savedAuth = page.waitForResponse(
    r => r.url().includes('/lab/api/settings/tfx-ts-labextension') && r.request().method() === 'PUT' && r.ok()
  );
  await panel.getByLabel('Authentication', { exact: true }).selectOption('bearer');
  await savedAuth;
  await panel.getByLabel('Bearer token', { exact: true }).fill('very-secret-token');

  await page.reload();
  await waitForLab(page);
  panel = await openDeployPanel(page);
  await expect(panel.getByLabel('KFP endpoint', { exact: true }).inputValue()).resolves.toBe(endpoint);
  await expect(panel.getByLabel('Authentication', { exact: true }).inputValue()).resolves.toBe('bearer');
  // The token was kept in memory only.
  await expect(panel.getByLabel('Bearer token', { exact: true }).inputValue()).resolves.toBe('');

  // On disk: the endpoint is in the user settings, the token is nowhere.
  const settingsFile = path.join(server.stateDir, 'user_settings', 'tfx-ts-labextension', 'plugin.jupyterlab-settings');
  const text = fs.readFileSync(settingsFile, 'utf-8');
  expect(text).toContain(endpoint);
  const everything = readAll(server.stateDir);
  expect(everything).not.toContain('very-secret-token');
  await page.close();
}, 180_000);

test('endpoint profiles: save the connection under a name, pick it back, never with the token', async () => {
  const { page, errors } = await openLab(browser, server);
  const panel = await openDeployPanel(page);
  const endpoint = panel.getByLabel('KFP endpoint', { exact: true });
  const profile = panel.getByLabel('Profile', { exact: true });
  // Resolves when the server has written settings holding `text` (saves are chained; wait for the one that matters).
  const settingsSaved = (text: string) =>
    page.waitForResponse(
      r =>
        r.url().includes('/lab/api/settings/tfx-ts-labextension') &&
        r.request().method() === 'PUT' &&
        r.ok() &&
        (JSON.parse(r.request().postData() ?? '{}').raw ?? '').includes(text)
    );

  // Two clusters, each saved as a profile through JupyterLab's input dialog.
  const saveAs = async (name: string) => {
    await panel.getByRole('button', { name: 'Save profile' }).click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('input').fill(name);
    // The request that carries the profile (debounced saves of the fields may come first).
    const saved = settingsSaved(`"activeProfile": "${name}"`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await saved;
    await page.waitForFunction(n => (document.getElementById('tfx-ts-profile') as HTMLSelectElement | null)?.value === n, name);
  };
  await endpoint.fill('https://staging.example.com/pipeline');
  await panel.getByLabel('Namespace', { exact: true }).fill('team-a');
  await panel.getByLabel('Authentication', { exact: true }).selectOption('bearer');
  await panel.getByLabel('Bearer token', { exact: true }).fill('staging-secret-token');
  await saveAs('staging');
  await expect(profile.inputValue()).resolves.toBe('staging');

  await endpoint.fill('http://127.0.0.1:8888/pipeline');
  await endpoint.press('Tab');
  // Edited away from the saved values: the profile is shown as changed.
  await expect(profile.locator('option:checked').innerText()).resolves.toBe('staging (changed)');
  await panel.getByLabel('Namespace', { exact: true }).fill('');
  await panel.getByLabel('Authentication', { exact: true }).selectOption('none');
  await saveAs('local');
  await expect(profile.locator('option').allInnerTexts()).resolves.toEqual(['No profile', 'local', 'staging']);

  // Picking a profile fills the connection and forgets the other cluster's token.
  const picked = settingsSaved('"activeProfile": "staging"');
  await profile.selectOption('staging');
  await page.waitForFunction(() => (document.getElementById('tfx-ts-endpoint') as HTMLInputElement).value === 'https://staging.example.com/pipeline');
  await expect(panel.getByLabel('Namespace', { exact: true }).inputValue()).resolves.toBe('team-a');
  await expect(panel.getByLabel('Authentication', { exact: true }).inputValue()).resolves.toBe('bearer');
  await expect(panel.getByLabel('Bearer token', { exact: true }).inputValue()).resolves.toBe('');
  await panelScreenshot(page, 'panel-profiles-light');

  // Saved in the user settings (where the settings editor shows them), without any token.
  const settingsFile = path.join(server.stateDir, 'user_settings', 'tfx-ts-labextension', 'plugin.jupyterlab-settings');
  await picked;
  const saved = fs.readFileSync(settingsFile, 'utf-8');
  expect(saved.match(/"name": "[^"]*"/g)).toEqual(['"name": "local"', '"name": "staging"']);
  expect(saved).toContain('"activeProfile": "staging"');
  expect(readAll(server.stateDir)).not.toContain('staging-secret-token');

  // Kept across a reload.
  await page.reload();
  await waitForLab(page);
  const again = await openDeployPanel(page);
  await expect(again.getByLabel('Profile', { exact: true }).inputValue()).resolves.toBe('staging');
  await again.getByRole('button', { name: 'Delete profile' }).click();
  await expect(again.getByLabel('Profile', { exact: true }).locator('option').allInnerTexts()).resolves.toEqual(['No profile', 'local']);
  expect(unexpectedErrors(errors)).toEqual([]);
  await page.close();
}, 180_000);

function readAll(dir: string): string {
  let out = '';
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    out += entry.isDirectory() ? readAll(p) : fs.readFileSync(p, 'utf-8');
  }
  return out;
}
