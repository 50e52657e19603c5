/**
 * tfdv.visualize_statistics on our statistics: TFDV's get_statistics_html (what visualize_statistics
 * displays) reads our FeatureStats.pb and embeds it, base64, as Facets Overview's proto input. The
 * embedded proto must be exactly ours (decoded here with our own decoder, compared field by field),
 * for one dataset and for a train/eval comparison.
 *
 * Rendering: the HTML loads the webcomponents polyfill (cdnjs) and Facets itself
 * (raw.githubusercontent.com, as an HTML import, which only the polyfill can load in today's
 * Chromium) into an iframe. Tests have no network, so in Chromium here the iframe is created, the
 * polyfill's request fails, Facets is never requested, <facets-overview> is never defined and
 * nothing of Facets is drawn: an empty frame. The test checks exactly that (and saves a screenshot), so a TFDV change that
 * made the page self-contained would show up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeStatisticsBinary } from '../../src/stats/feature-stats-pb';
import { runCli } from '../../src/testing/cli';
import { sharedData, tempDir } from '../../src/testing/fixtures';
import { externalRequests, launchChromium, openHtml } from '../../src/visualize/testing-browser';
import { runOracle } from './oracle';

/** The base64 DatasetFeatureStatisticsList inside get_statistics_html's output. */
function embeddedStatistics(html: string) {
  const match = /<facets-overview proto-input="([A-Za-z0-9+/=]+)">/.exec(html);
  if (!match) throw new Error(`no <facets-overview proto-input=…> in TFDV's HTML: ${html.slice(0, 400)}`);
  return decodeStatisticsBinary(Buffer.from(match[1], 'base64'));
}

describe('tfdv.visualize_statistics on our FeatureStats.pb (real TFDV)', () => {
  jest.setTimeout(600_000);
  const dir = tempDir('tfx-ts-facets-');
  const tutorial = path.join(sharedData, 'chicago_taxi', 'tfdv_tutorial');
  const pb = (split: string) => path.join(dir, `${split}.pb`);
  let oracle: { single: string; comparison: string };

  beforeAll(async () => {
    for (const split of ['train', 'eval']) {
      const result = await runCli('stats', path.join(tutorial, `${split}.csv`), '-o', pb(split), '--name', split);
      if (result.code !== 0) throw new Error(`tfx-ts stats ${split}: ${result.err}`);
    }
    oracle = await runOracle('facets_oracle', { lhs: pb('train'), rhs: pb('eval') });
  }, 600_000);

  it('embeds exactly our statistics, one dataset', () => {
    const ours = decodeStatisticsBinary(fs.readFileSync(pb('train')));
    const embedded = embeddedStatistics(oracle.single);
    expect(embedded.datasets).toHaveLength(1);
    expect(embedded.datasets[0].numExamples).toBeGreaterThan(1000);
    // get_statistics_html names a lone dataset after its lhs_name argument ('lhs_statistics' by default).
    expect(embedded).toEqual({ datasets: [{ ...ours.datasets[0], name: 'lhs_statistics' }] });
  });

  it('embeds both of our datasets, in order, for a train/eval comparison', () => {
    const embedded = embeddedStatistics(oracle.comparison);
    const train = decodeStatisticsBinary(fs.readFileSync(pb('train')));
    const evalStats = decodeStatisticsBinary(fs.readFileSync(pb('eval')));
    expect(embedded.datasets.map((d) => d.name)).toEqual(['train', 'eval']);
    expect(embedded.datasets).toEqual([train.datasets[0], evalStats.datasets[0]]);
  });

  it('renders in Chromium only as far as the network allows: offline, Facets never loads', async () => {
    const browser = await launchChromium();
    try {
      const page = await openHtml(browser, oracle.comparison, { width: 1000, height: 620 });
      await page.waitForTimeout(2000);
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(frame).toBeDefined();
      const state = await frame!.evaluate(() => ({
        overview: document.querySelectorAll('facets-overview').length,
        defined: Boolean(customElements.get('facets-overview')),
        shadowContent: (document.querySelector('facets-overview') as HTMLElement | null)?.shadowRoot?.innerHTML.length ?? 0,
        text: document.body.innerText.trim(),
      }));
      expect(state).toEqual({ overview: 1, defined: false, shadowContent: 0, text: '' });
      // Only the polyfill is requested: Chromium dropped native HTML imports (M80), so Facets'
      // <link rel="import"> is fetched by the polyfill alone, which never arrived.
      expect(externalRequests(page)).toEqual(['https://cdnjs.cloudflare.com/ajax/libs/webcomponentsjs/1.3.3/webcomponents-lite.js']);
      await page.screenshot({ path: path.join(dir, 'facets-offline.png') });
      console.log(`screenshot: ${path.join(dir, 'facets-offline.png')}`);
    } finally {
      await browser.close();
    }
  });
});
