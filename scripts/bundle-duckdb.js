#!/usr/bin/env node
/**
 * Writes dist/vendor/duckdb-node-api.js: @duckdb/node-api (~120 small CommonJS modules) as one file,
 * which src/data/duckdb.ts loads when it is there. Resolving and reading the modules one by one cost
 * ~0.07 CPU-s of a `tfx-ts stats` run that takes ~0.3 s in all; one file loads in a fraction of that.
 * The native part (@duckdb/node-bindings) stays external, so the bundle and the package share one
 * DuckDB library. esbuild comes with tsx (a dependency); without it the build only says so, and the
 * package is loaded as usual.
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const outfile = path.join(root, 'dist', 'vendor', 'duckdb-node-api.js');

let esbuild;
try {
  esbuild = require('esbuild');
} catch {
  fs.rmSync(outfile, { force: true });
  console.warn('bundle-duckdb: esbuild is not installed; @duckdb/node-api will be loaded module by module.');
  process.exit(0);
}
const entry = require.resolve('@duckdb/node-api', { paths: [root] });
const { version } = JSON.parse(fs.readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8'));
esbuild.buildSync({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['@duckdb/node-bindings'],
  minifyWhitespace: true,
  minifySyntax: true,
  banner: { js: `/* @duckdb/node-api ${version} (MIT), bundled by scripts/bundle-duckdb.js */` },
  logLevel: 'warning',
});
