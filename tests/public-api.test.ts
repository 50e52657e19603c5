import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The public API (as TFX's tfx.v1): curated entry points mapped in package.json, internals not
 * exported, and tfjs loaded only by the entry points that train or load a model.
 */
const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
};
const SUBPATHS = ['tfdv', 'transform', 'trainer', 'evaluator', 'serving', 'kubeflow', 'protocol'];

describe('public API', () => {
  it('maps every entry point to a compiled file and its types, for exports-aware and node10 resolution', () => {
    expect(Object.keys(pkg.exports).sort()).toEqual(['.', './package.json', ...SUBPATHS.map((s) => `./${s}`)].sort());
    for (const sub of SUBPATHS) {
      expect(pkg.exports[`./${sub}`]).toEqual({ types: `./dist/api/${sub}.d.ts`, default: `./dist/api/${sub}.js` });
      expect(fs.existsSync(path.join(root, 'src', 'api', `${sub}.ts`))).toBe(true);
      expect(pkg.typesVersions['*'][sub]).toEqual([`dist/api/${sub}.d.ts`]);
    }
    expect(
      fs
        .readdirSync(path.join(root, 'src', 'api'))
        .map((f) => f.replace(/\.ts$/, ''))
        .sort(),
    ).toEqual([...SUBPATHS].sort());
  });

  it('keeps internals out of the main entry point', async () => {
    const api = (await import('../src/index')) as Record<string, unknown>;
    for (const name of ['InteractiveContext', 'Pipeline', 'CsvExampleGen', 'Trainer', 'LocalDagRunner', 'registerStandardViews', 'labBridge'])
      expect(api[name]).toBeDefined();
    for (const internal of [
      'tf',
      'getCurrentInteractiveContext',
      'launchComponent',
      'BRIDGE_MARKER',
      'fit',
      'ModelBundle',
      'compilePipeline',
      'exportPipeline',
    ]) {
      expect({ internal, exported: internal in api }).toEqual({ internal, exported: false });
    }
  });

  it('loads tfjs only through the entry points that train or load a model', () => {
    const script = `
      const loaded = () => Object.keys(require.cache).some((k) => k.includes('@tensorflow'));
      const result = {};
      for (const entry of ['index', 'api/tfdv', 'api/transform', 'api/kubeflow', 'api/protocol', 'api/trainer']) {
        require('./src/' + entry + '.ts');
        result[entry] = loaded();
      }
      console.log(JSON.stringify(result));`;
    const run = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: root, encoding: 'utf8', timeout: 240_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!)).toEqual({
      index: false,
      'api/tfdv': false,
      'api/transform': false,
      'api/kubeflow': false,
      'api/protocol': false,
      'api/trainer': true,
    });
  }, 300_000);
});
