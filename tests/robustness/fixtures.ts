import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { GRAPH_FILE } from '../../src/transform/graph';
import { saveServingModel, SIGNATURE_FILE, WEIGHTS_FILE } from '../../src/model/bundle';

/**
 * A one-feature model bundle (x → sigmoid(w·x + b)) written in a second: enough for the server's
 * loading, status and hardening tests without training. `intFeature` makes x an int64 raw feature.
 */
export async function writeTinyBundle(dir: string, options: { weight?: number; intFeature?: boolean } = {}): Promise<string> {
  const input = tf.input({ shape: [1], name: 'x' });
  const dense = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'out' });
  const model = tf.model({ inputs: input, outputs: dense.apply(input) as tf.SymbolicTensor });
  dense.setWeights([tf.tensor2d([[options.weight ?? 1]]), tf.tensor1d([0])]);
  await saveServingModel(model, dir);
  model.dispose();
  if (options.intFeature) {
    const graphFile = path.join(dir, GRAPH_FILE);
    const graph = JSON.parse(fs.readFileSync(graphFile, 'utf8'));
    graph.rawFeatures = graph.rawFeatures.map((f: { name: string }) => ({ ...f, dtype: 'int' }));
    graph.nodes = graph.nodes.map((n: object) => ({ ...n, dtype: 'int' }));
    fs.writeFileSync(graphFile, JSON.stringify(graph));
    const signatureFile = path.join(dir, SIGNATURE_FILE);
    const signature = JSON.parse(fs.readFileSync(signatureFile, 'utf8'));
    signature.inputs = signature.inputs.map((f: object) => ({ ...f, dtype: 'int' }));
    fs.writeFileSync(signatureFile, JSON.stringify(signature));
  }
  return dir;
}

export { WEIGHTS_FILE };

/** A raw TCP connection to an HTTP server, for requests no HTTP client would send. */
export function connect(url: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection (or `ms` pass: then `timedOut`). */
export function readUntilClosed(socket: net.Socket, ms: number): Promise<{ text: string; timedOut: boolean; elapsedMs: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, timedOut: true, elapsedMs: Date.now() - started });
    }, ms);
    socket.on('data', (d) => {
      text += d.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, timedOut: false, elapsedMs: Date.now() - started });
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined) or `ms` pass. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, ms = 10_000, every = 25): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await sleep(every);
  }
}
