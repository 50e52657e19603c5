import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { tempDir } from '../testing/fixtures';
import { launchChromium } from '../visualize/testing-browser';
import { selectBackend } from '../model/backend';
import { ModelBundle, saveServingModel } from '../model/bundle';

/** The model bundle is plain tfjs LayersModel files: a browser loads it with tf.loadLayersModel and gets the same scores. */
describe('model bundle in a browser', () => {
  it('loads with tf.loadLayersModel in Chromium and predicts what the Node bundle predicts', async () => {
    await selectBackend();
    const dir = tempDir('tfx-ts-browser-');
    const x = tf.input({ shape: [1], name: 'x' });
    const c = tf.input({ shape: [1], name: 'c' });
    const hidden = tf.layers
      .dense({ units: 4, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })
      .apply(x) as tf.SymbolicTensor;
    const wide = tf.layers
      .flatten()
      .apply(
        tf.layers.embedding({ inputDim: 5, outputDim: 1, embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 2 }) }).apply(c),
      ) as tf.SymbolicTensor;
    const deep = tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(hidden) as tf.SymbolicTensor;
    const output = tf.layers.activation({ activation: 'sigmoid' }).apply(tf.layers.add().apply([deep, wide])) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [x, c], outputs: output });
    await saveServingModel(model, path.join(dir, 'bundle'));
    const rows = [
      { x: 0.5, c: 1 },
      { x: -2, c: 4 },
      { x: 3, c: 0 },
    ];
    const bundle = await ModelBundle.load(path.join(dir, 'bundle'));
    const expected = Array.from(bundle.predict(rows).values);
    bundle.dispose();

    const files: Record<string, string> = {
      '/tf.min.js': require.resolve('@tensorflow/tfjs/dist/tf.min.js'),
      '/bundle/model.json': path.join(dir, 'bundle', 'model.json'),
      '/bundle/weights.bin': path.join(dir, 'bundle', 'weights.bin'),
    };
    const server = http.createServer((req, res) => {
      const file = files[req.url ?? ''];
      if (req.url === '/') return res.end('<!doctype html><script src="/tf.min.js"></script>');
      if (!file) {
        res.statusCode = 404;
        return res.end();
      }
      res.end(fs.readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/`);
      const scores = await page.evaluate(
        async ({ url, rows }) => {
          const tfjs = (window as unknown as { tf: typeof tf }).tf;
          const loaded = await tfjs.loadLayersModel(url);
          const out = loaded.predict([tfjs.tensor2d(rows.map((r) => [r.x])), tfjs.tensor2d(rows.map((r) => [r.c]))]) as tf.Tensor;
          return Array.from(await out.data());
        },
        { url: `${base}/bundle/model.json`, rows },
      );
      expect(scores).toHaveLength(3);
      scores.forEach((s, i) => expect(s).toBeCloseTo(expected[i], 5));
    } finally {
      await browser.close();
      server.close();
    }
  }, 60_000);
});
