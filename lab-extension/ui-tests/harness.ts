/**
 * UI-test harness: starts JupyterLab as users install it (`jupyter lab`, JupyterLab 4.6 from PyPI,
 * with the tfx-ts extension pip-installed from its Python package: scripts/lab-ui-env.sh, run by
 * scripts/test-setup/20-lab-extension.sh, exports TFX_TS_VENV_LAB_UI) on a free 127.0.0.1 port with
 * a temporary notebook directory, opens it in Chromium (playwright-core), and offers the few helpers
 * the tests share (open a notebook, run it, switch theme, take screenshots).
 *
 * The tslab kernelspec comes from the repository's test Jupyter path (.jupyter-test/share/jupyter),
 * where lab-extension/scripts/build.sh registers it.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

import { chromium, type Browser, type Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const LAB_EXTENSION_DIR = path.join(REPO_ROOT, 'lab-extension');
export const SCREENSHOT_DIR = path.join(LAB_EXTENSION_DIR, 'ui-tests', 'screenshots');
export const JUPYTER_TEST_PREFIX = path.join(REPO_ROOT, '.jupyter-test');
export const KERNELS_DIR = path.join(JUPYTER_TEST_PREFIX, 'share', 'jupyter', 'kernels');
/** The environment JupyterLab runs from (the extension pip-installed in it). */
export const LAB_ENV = process.env.TFX_TS_VENV_LAB_UI ?? path.join(REPO_ROOT, '.venv', 'lab-ui');
export const PYTHON = path.join(LAB_ENV, 'bin', 'python');
export const CHROMIUM = '/usr/bin/chromium';

/** Generous time limits: a cold kernel start on a busy 2-core machine can take a while. */
export const TIMEOUTS = {
  serverStart: 60_000,
  labReady: 90_000,
  kernelIdle: 90_000,
  output: 60_000,
  ui: 30_000
};

export interface LabServer {
  url: string;
  port: number;
  /** The notebook directory (server root). */
  rootDir: string;
  /** User settings and workspaces. */
  stateDir: string;
  /** Server log file. */
  logFile: string;
  stop(): Promise<void>;
}

export type Files = Record<string, string | object>;

/** Check that the test setup has run; throw a message that says what to do otherwise. */
export function checkPrerequisites(): void {
  const missing: string[] = [];
  if (!fs.existsSync(path.join(LAB_ENV, 'share', 'jupyter', 'labextensions', 'tfx-ts-labextension', 'package.json'))) {
    missing.push(`JupyterLab with the pip-installed extension in ${LAB_ENV}`);
  }
  if (!fs.existsSync(path.join(KERNELS_DIR, 'tslab', 'kernel.json'))) {
    missing.push('the tslab kernelspec in .jupyter-test/share/jupyter/kernels/tslab');
  }
  for (const exe of [PYTHON, CHROMIUM]) {
    if (!fs.existsSync(exe)) {
      missing.push(exe);
    }
  }
  if (missing.length > 0) {
    throw new Error(
      `UI tests need ${missing.join(', ')}. Run: bash lab-extension/scripts/build.sh && bash scripts/lab-ui-env.sh .venv/lab-ui` +
        ' (npm test does both) and apt-get install chromium.'
    );
  }
}

/** Write files (strings as is, objects as JSON) under `dir`. */
export function writeFiles(dir: string, files: Files): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Start the test JupyterLab server with a fresh temporary root directory holding `files`.
 */
export async function startLab(files: Files = {}): Promise<LabServer> {
  checkPrerequisites();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfx-ts-ui-'));
  const rootDir = path.join(tmp, 'notebooks');
  const stateDir = path.join(tmp, 'state');
  const pidFile = path.join(tmp, 'server.pid');
  const logFile = path.join(tmp, 'server.log');
  fs.mkdirSync(rootDir, { recursive: true });
  writeFiles(rootDir, files);

  // Only the kernelspecs come from the test Jupyter path: the extension must come from its Python
  // package (share/jupyter in the environment's prefix), not from a `tfx-ts setup` link.
  const jupyterPath = path.join(tmp, 'jupyter-path');
  fs.mkdirSync(jupyterPath, { recursive: true });
  fs.symlinkSync(KERNELS_DIR, path.join(jupyterPath, 'kernels'), 'dir');
  const configDir = path.join(tmp, 'config');
  // No news prompt and no update check: nothing but 127.0.0.1 is reached.
  writeFiles(configDir, {
    'labconfig/page_config.json': {
      disabledExtensions: { '@jupyterlab/apputils-extension:announcements': true }
    }
  });

  const port = await freePort();
  const log = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    PYTHON,
    [
      '-m',
      'jupyterlab',
      '--no-browser',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      '--ServerApp.allow_root=True',
      '--IdentityProvider.token=',
      '--ServerApp.password=',
      `--ServerApp.root_dir=${rootDir}`,
      `--LabApp.user_settings_dir=${path.join(stateDir, 'user_settings')}`,
      `--LabApp.workspaces_dir=${path.join(stateDir, 'workspaces')}`,
      // window.jupyterapp, for the tests' commands and waits.
      '--LabApp.expose_app_in_browser=True',
      '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
      '--LabApp.news_url=None'
    ],
    {
      cwd: rootDir,
      // Without JEST_WORKER_ID: the kernels are a user's processes, loading .ts module files through tsx.
      env: {
        ...withoutJestMarkers(process.env),
        JUPYTER_PATH: jupyterPath,
        JUPYTER_DATA_DIR: path.join(tmp, 'data'),
        JUPYTER_RUNTIME_DIR: path.join(tmp, 'runtime'),
        JUPYTER_CONFIG_DIR: configDir,
        JUPYTER_CONFIG_PATH: configDir,
        IPYTHONDIR: path.join(tmp, 'ipython'),
        PYTHONNOUSERSITE: '1'
      },
      stdio: ['ignore', log, log]
    }
  );
  fs.writeFileSync(pidFile, String(child.pid));
  fs.closeSync(log);
  let exited: number | null = null;
  child.on('exit', code => {
    exited = code ?? -1;
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + TIMEOUTS.serverStart;
  while (!(await httpOk(`${url}/api/status`))) {
    if (exited !== null || Date.now() > deadline) {
      const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf-8') : '';
      try {
        child.kill('SIGKILL');
      } catch {
        /* gone */
      }
      throw new Error(
        `The test JupyterLab server did not start (${exited !== null ? `exit code ${exited}` : 'timeout'}). Log:\n${text.slice(-4000)}`
      );
    }
    await sleep(200);
  }

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) {
      return;
    }
    stopped = true;
    // Shut the kernels down through the API so no kernel process outlives the server.
    try {
      const res = await fetch(`${url}/api/kernels`, { signal: AbortSignal.timeout(5000) });
      const kernels = (await res.json()) as { id: string }[];
      await Promise.all(
        kernels.map(k => fetch(`${url}/api/kernels/${k.id}`, { method: 'DELETE', signal: AbortSignal.timeout(10_000) }))
      );
    } catch {
      /* server already gone */
    }
    const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf-8').trim()) : child.pid;
    if (!pid) {
      return;
    }
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    const until = Date.now() + 10_000;
    while (alive() && exited === null && Date.now() < until) {
      await sleep(100);
    }
    if (alive() && exited === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    // TFX_TS_UI_KEEP=1 keeps the notebooks, state and server log for a look after the run.
    if (process.env.TFX_TS_UI_KEEP !== '1') {
      fs.rmSync(tmp, { recursive: true, force: true });
    } else {
      console.log(`UI test files kept in ${tmp}`);
    }
  };
  return { url, port, rootDir, stateDir, logFile, stop };
}

/** Launch Chromium without network besides 127.0.0.1. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic'
    ]
  });
}

export interface LabPage {
  page: Page;
  /** Page errors and console errors seen so far. */
  errors: string[];
}

/** Open JupyterLab in a new page and wait until the application is restored. */
export async function openLab(
  browser: Browser,
  server: LabServer,
  // 1280x720 by default: the smallest screen the panel and the views are checked at.
  options: { path?: string; reset?: boolean; viewport?: { width: number; height: number } } = {}
): Promise<LabPage> {
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 720 } });
  page.setDefaultTimeout(TIMEOUTS.ui);
  const errors: string[] = [];
  page.on('pageerror', e => errors.push(`pageerror: ${e.message}`));
  // Name failed requests, so a "Failed to load resource" console error says which one.
  page.on('response', r => {
    if (r.status() >= 400) {
      errors.push(`response: ${r.status()} ${r.url()}`);
    }
  });
  page.on('console', m => {
    if (m.type() === 'error') {
      errors.push(`console: ${m.text()}`);
    }
  });
  // Nothing but the test server may be reached.
  await page.route(/^(?!http:\/\/127\.0\.0\.1:\d+\/)/, route => route.abort());
  // `?reset` starts from an empty workspace (no notebooks restored from an earlier page).
  await page.goto(`${server.url}/lab${options.path ?? ''}${options.reset === false ? '' : '?reset'}`);
  await waitForLab(page);
  return { page, errors };
}

/** Wait until the app is restored (JupyterLab's `app.restored`, exposed by expose_app_in_browser). */
export async function waitForLab(page: Page): Promise<void> {
  await page.waitForFunction(() => !!(window as any).jupyterapp?.restored, undefined, {
    timeout: TIMEOUTS.labReady
  });
  await page.evaluate(() => (window as any).jupyterapp.restored);
}

/** Run a JupyterLab command in the page. */
export async function execCommand(page: Page, id: string, args: Record<string, unknown> = {}): Promise<unknown> {
  return page.evaluate(
    async ([cmd, a]) => {
      const app = (window as any).jupyterapp;
      const result = await app.commands.execute(cmd, a);
      return result && typeof result === 'object' ? null : result;
    },
    [id, args] as const
  );
}

function withoutJestMarkers(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.JEST_WORKER_ID;
  return copy;
}

/** Switch between the light and the dark theme; throws unless the page shows it (see expectThemeShown). */
export async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await execCommand(page, 'apputils:change-theme', {
    theme: theme === 'dark' ? 'JupyterLab Dark' : 'JupyterLab Light'
  });
  await page.waitForSelector(`body[data-jp-theme-light="${theme === 'dark' ? 'false' : 'true'}"]`, {
    state: 'attached'
  });
  // Let the theme's CSS apply.
  await page.waitForTimeout(500);
  await expectThemeShown(page, theme);
}

/** JupyterLab's own chrome: the menu bar, the open left side panel (file browser), the status bar. */
const THEME_CHROME = ['#jp-menu-panel', '#jp-left-stack > .lm-Widget:not(.lm-mod-hidden)', '#jp-main-statusbar'];

/**
 * The screenshot, not only the computed style, must show the theme: for each part of JupyterLab's
 * chrome, the colour most of its pixels have in a screenshot (decoded by the page's own canvas)
 * must be its computed background and as light or dark as the theme. Computed colours alone do
 * not prove what a screenshot shows, and a dark screenshot is easy to misjudge by eye.
 */
export async function expectThemeShown(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const problems: string[] = [];
  let checked = 0;
  for (const selector of THEME_CHROME) {
    const part = page.locator(selector).first();
    if (!(await part.isVisible().catch(() => false))) continue;
    const png = await part.screenshot();
    const { shown, computed } = await part.evaluate(async (el, b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      const counts = new Map<string, number>();
      for (let i = 0; i < data.length; i += 4) {
        const key = `${data[i]},${data[i + 1]},${data[i + 2]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const mostly = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
      // The background the element paints: its own, or the nearest ancestor's when it is transparent.
      let computed = 'rgba(0, 0, 0, 0)';
      for (let e: Element | null = el; e && /^rgba\(.*, 0\)$|^transparent$/.test(computed); e = e.parentElement) {
        computed = getComputedStyle(e).backgroundColor;
      }
      return { shown: mostly.split(',').map(Number), computed };
    }, png.toString('base64'));
    checked++;
    const expected = (computed.match(/[\d.]+/g) ?? []).map(Number);
    const lightness = (shown[0] + shown[1] + shown[2]) / 3;
    const sameAsComputed = expected.length >= 3 && shown.every((v, i) => Math.abs(v - expected[i]) <= 2);
    if (!sameAsComputed || (theme === 'dark' ? lightness > 100 : lightness < 155)) {
      problems.push(`${selector} shows rgb(${shown.join(', ')}), its computed background is ${computed}`);
    }
  }
  if (checked === 0 || problems.length > 0) {
    throw new Error(
      `The page does not show the ${theme} theme: ${problems.join('; ') || 'none of ' + THEME_CHROME.join(', ') + ' is visible'}.`
    );
  }
}

/** A notebook cell: code as a string, or a markdown cell. */
export type Cell = string | { markdown: string };

/** A notebook (nbformat 4) with code (and markdown) cells, for the tslab kernel by default. */
export function notebook(
  cells: Cell[],
  kernel: { name: string; display_name: string; language: string } = {
    name: 'tslab',
    display_name: 'TypeScript',
    language: 'typescript'
  }
): object {
  return {
    cells: cells.map(cell =>
      typeof cell === 'string'
        ? { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: cell }
        : { cell_type: 'markdown', metadata: {}, source: cell.markdown }
    ),
    metadata: {
      kernelspec: kernel,
      language_info: { name: kernel.language }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}

/** Open a notebook and wait until its kernel is idle. */
export async function openNotebook(page: Page, notebookPath: string): Promise<void> {
  await execCommand(page, 'docmanager:open', { path: notebookPath });
  await page.waitForFunction(
    p => (window as any).jupyterapp.shell.currentWidget?.context?.path === p,
    notebookPath,
    { timeout: TIMEOUTS.ui }
  );
  await waitForKernelIdle(page);
}

/** Wait until the current notebook's kernel exists and is idle. */
export async function waitForKernelIdle(page: Page, timeout = TIMEOUTS.kernelIdle): Promise<void> {
  await page.waitForFunction(
    () => {
      const w = (window as any).jupyterapp.shell.currentWidget;
      const kernel = w?.sessionContext?.session?.kernel;
      return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
    },
    undefined,
    { timeout, polling: 200 }
  );
}

/** Run all cells of the current notebook and wait until the kernel is idle again. */
export async function runAllCells(page: Page): Promise<void> {
  await execCommand(page, 'notebook:run-all-cells');
  // The run is queued first; wait for every cell to get an execution result.
  await page.waitForFunction(
    () => {
      const w = (window as any).jupyterapp.shell.currentWidget;
      const kernel = w?.sessionContext?.session?.kernel;
      const cells: any[] = w?.content?.widgets ?? [];
      const pending = cells.some(c => c.model?.type === 'code' && c.node.classList.contains('jp-mod-pending'));
      return !!kernel && kernel.status === 'idle' && !pending;
    },
    undefined,
    { timeout: TIMEOUTS.output, polling: 250 }
  );
}

/** Open the tfx-ts side panel through its command; returns the panel locator. */
export async function openDeployPanel(page: Page) {
  await execCommand(page, 'tfx-ts:open-deploy-panel');
  const panel = page.locator('#tfx-ts-deploy-panel');
  await panel.waitFor({ state: 'visible' });
  return panel;
}

/** Save a screenshot into lab-extension/ui-tests/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string, locator?: { screenshot: Page['screenshot'] }): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await (locator ?? page).screenshot({ path: file });
  return file;
}

/**
 * Screenshot of the whole deploy panel (the viewport grows to the panel's height for the shot,
 * so nothing below the fold is cut off).
 */
export async function panelScreenshot(page: Page, name: string): Promise<string> {
  const panel = page.locator('#tfx-ts-deploy-panel');
  const viewport = page.viewportSize() ?? { width: 1280, height: 720 };
  const height = await panel.evaluate(el => el.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height + 120) });
  await page.waitForTimeout(300);
  const file = await screenshot(page, name, panel);
  await page.setViewportSize(viewport);
  return file;
}

/** Errors worth failing a test for: every page error and console error (nothing filtered). */
export function unexpectedErrors(errors: string[]): string[] {
  return errors;
}

/** On failure: a screenshot and the panel's text in lab-extension/ui-tests/test-results/ (not committed). */
export async function saveFailure(page: Page, name: string): Promise<void> {
  const dir = path.join(LAB_EXTENSION_DIR, 'ui-tests', 'test-results');
  fs.mkdirSync(dir, { recursive: true });
  try {
    await page.screenshot({ path: path.join(dir, `${name}.png`) });
    const text = await page.locator('#tfx-ts-deploy-panel').innerText({ timeout: 2000 }).catch(() => '');
    fs.writeFileSync(path.join(dir, `${name}.txt`), text);
  } catch {
    /* the page may be gone */
  }
}

/**
 * The notebook folder gets node_modules laid out as `npm install tfx-ts` does: tfx-ts (its
 * package.json and built dist) with its dependencies hoisted beside it, not inside it.
 */
export function installLikeNpm(nodeModules: string): void {
  fs.mkdirSync(path.join(nodeModules, 'tfx-ts'), { recursive: true });
  for (const entry of ['package.json', 'dist']) fs.symlinkSync(path.join(REPO_ROOT, entry), path.join(nodeModules, 'tfx-ts', entry));
  for (const entry of fs.readdirSync(path.join(REPO_ROOT, 'node_modules'))) {
    if (entry === 'tfx-ts' || entry === '.bin' || entry.startsWith('.')) continue;
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', entry), path.join(nodeModules, entry));
  }
}
