import * as fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';

/**
 * Headless Chromium for view tests: the views are HTML for people, so their tests read the DOM a
 * browser builds (and take screenshots), not strings. Test-only; playwright-core is a dev dependency.
 */
export const CHROMIUM_PATH = process.env.TFX_TS_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `View tests need Chromium at ${CHROMIUM_PATH}: install it (apt-get install chromium, or npx tfx-ts setup --test-deps) or set TFX_TS_CHROMIUM.`,
    );
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface OpenOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
}

/** A page showing `html` (a whole document or a fragment); requests to anything but the page itself fail. */
export async function openHtml(browser: Browser, html: string, options: OpenOptions = {}): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1100, height: options.height ?? 800 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const requests: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith('data:') && request.url() !== 'about:blank') requests.push(request.url());
  });
  await page.route('**/*', (route) => route.abort());
  const document = /^\s*<!DOCTYPE/i.test(html) ? html : `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${html}</body></html>`;
  await page.setContent(document, { waitUntil: 'load' });
  (page as Page & { externalRequests?: string[] }).externalRequests = requests;
  return page;
}

/** URLs the page tried to load besides itself (a self-contained view has none). */
export function externalRequests(page: Page): string[] {
  return (page as Page & { externalRequests?: string[] }).externalRequests ?? [];
}

/** Reads a number as a view displays it ("10,000", "1.408B", "3.07%", "<0.1%", "−∞") back into a value. */
export function parseDisplayed(text: string): number {
  const t = text.trim().replace(/,/g, '').replace(/−/g, '-');
  if (t === '∞') return Infinity;
  if (t === '-∞') return -Infinity;
  if (t === '<0.1%') return 0.0005;
  const percent = t.match(/^([-\d.e+]+)%$/);
  if (percent) return Number(percent[1]) / 100;
  const compact = t.match(/^([-\d.]+)([KMBT])$/);
  if (compact) return Number(compact[1]) * { K: 1e3, M: 1e6, B: 1e9, T: 1e12 }[compact[2] as 'K' | 'M' | 'B' | 'T'];
  return Number(t);
}

/** Whether a displayed number is the stored value at display precision (4 significant digits, or whole numbers). */
export function displays(text: string, value: number): boolean {
  const t = text.trim();
  if (t === '<0.1%') return value > 0 && value < 0.001;
  if (t === '>99.9%') return value > 0.999 && value < 1;
  // Percentages show one or two decimals: within half of 0.1 percentage point.
  if (t.endsWith('%')) return Math.abs(parseDisplayed(t) - value) <= 0.0005 + 1e-12;
  const shown = parseDisplayed(t);
  if (!Number.isFinite(value)) return shown === value;
  return Math.abs(shown - value) <= Math.max(6e-4 * Math.abs(value), 0.5 * (Math.abs(value) >= 1e4 && Math.abs(value) < 1e6 ? 1 : 0), 1e-12);
}
