import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { tempDir, writeFile } from '../testing/fixtures';
import { TAXI_CSV } from '../testing/modeling-fixtures';
import { DATASETS, downloadDataset } from './dataset-download';

/** `tfx-ts datasets download taxi`: the public source, and what it refuses (no network: a loopback server stands in). */
describe('datasets download', () => {
  it("downloads the taxi sample from TFX's public copy (the tutorial's URL)", () => {
    expect(DATASETS.taxi.url).toBe('https://raw.githubusercontent.com/tensorflow/tfx/master/tfx/examples/chicago_taxi_pipeline/data/simple/data.csv');
  });

  it('saves what a server returns when it is the taxi CSV, and refuses an error page or a failed request', async () => {
    const csv = fs.readFileSync(TAXI_CSV, 'utf8');
    const server = http.createServer((req, res) => {
      if (req.url === '/data.csv') res.end(csv);
      else if (req.url === '/html') res.end('<!DOCTYPE html><html>rate limited</html>\n');
      else {
        res.statusCode = 404;
        res.end('not found');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const dir = tempDir();
      const ok = await downloadDataset('taxi', { destination: path.join(dir, 'data'), url: `${url}/data.csv` });
      expect(ok.rows).toBe(15002);
      expect(fs.readFileSync(ok.file, 'utf8')).toBe(csv);
      await expect(downloadDataset('taxi', { destination: path.join(dir, 'x'), url: `${url}/html` })).rejects.toThrow(
        /is not the taxi data set: its first line is "<!DOCTYPE html>/,
      );
      await expect(downloadDataset('taxi', { destination: path.join(dir, 'y'), url: `${url}/missing` })).rejects.toThrow(/failed: HTTP 404/);
      expect(fs.existsSync(path.join(dir, 'x'))).toBe(false);
    } finally {
      server.close();
    }
  });

  it('refuses unknown data sets and a --from file that is missing or is not the data', async () => {
    const dir = tempDir();
    await expect(downloadDataset('mnist', { destination: dir })).rejects.toThrow(/Unknown data set "mnist".*\n.*taxi/);
    await expect(downloadDataset('taxi', { destination: dir, from: path.join(dir, 'nope.csv') })).rejects.toThrow(/does not exist/);
    const wrong = writeFile(dir, 'wrong.csv', 'a,b\n1,2\n');
    await expect(downloadDataset('taxi', { destination: dir, from: wrong })).rejects.toThrow(/is not the taxi data set/);
  });
});
