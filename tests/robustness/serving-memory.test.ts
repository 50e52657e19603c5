/**
 * After a huge predict the model server gives its memory back (it stayed at the peak: 1.9 GB RSS
 * after a 1e6-instance request). Runs `tfx-ts serve` as its own process (built by `npm run build`)
 * so that its RSS is its own.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, tempDir } from '../../src/testing/fixtures';
import { sleep, writeTinyBundle } from './fixtures';

jest.setTimeout(120_000);

const statusMb = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const rssMb = (pid: number) => statusMb(pid, 'VmRSS');

(process.platform === 'linux' ? it : it.skip)('returns most of the memory a 600k-instance predict took once idle', async () => {
  const dir = tempDir('tfx-ts-robust-mem-');
  await writeTinyBundle(path.join(dir, 'm', '1'));
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'bin', 'tfx-ts.js'), 'serve', '--model-base-path', dir, '--model-name', 'm', '--port', '0', '--max-body-bytes', String(200 << 20)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout!.on('data', (d) => {
        text += d;
        const m = /at (http:\/\/[^/\s]+)/.exec(text);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`server exited (${code}): ${text}`)));
    });
    const predict = async (n: number) => {
      const body = JSON.stringify({ instances: Array.from({ length: n }, (_, i) => ({ x: (i * 7919) % 100000 })) });
      const response = await fetch(`${url}/v1/models/m:predict`, { method: 'POST', body });
      expect(response.status).toBe(200);
      return ((await response.json()) as { predictions: number[][] }).predictions.length;
    };
    expect(await predict(1000)).toBe(1000);
    await sleep(500);
    const baseline = rssMb(child.pid!);
    expect(await predict(600_000)).toBe(600_000);
    // The kernel's high-water mark: sampling RSS every 20 ms could miss a short peak (one CI run saw
    // only 79 MB of it and failed the ratio below by 1 MB).
    const peak = statusMb(child.pid!, 'VmHWM');
    // The request took a lot (hundreds of MB of parsed JSON); at least a third of it comes back once
    // the server is idle: V8 and the allocator give memory back on their own schedule, so the lowest
    // RSS of the next 10 s counts (it stayed at the peak for good before the fix).
    expect(peak - baseline).toBeGreaterThan(60);
    let after = rssMb(child.pid!);
    for (let waited = 0; waited < 10_000 && after - baseline >= (peak - baseline) * 0.67; waited += 250) {
      await sleep(250);
      after = Math.min(after, rssMb(child.pid!));
    }
    expect(after - baseline).toBeLessThan((peak - baseline) * 0.67);
  } finally {
    child.kill();
  }
});
