#!/usr/bin/env node
/**
 * Compiles each WebAssembly text module of src/ (*.wat) to dist/ (*.wasm, same path), with wabt,
 * the WebAssembly Binary Toolkit's own JavaScript build. The modules are small hand-written kernels
 * (their loaders say why); running from sources (Jest), a loader compiles the .wat itself.
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function watFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return watFiles(full);
    return entry.name.endsWith('.wat') ? [full] : [];
  });
}

(async () => {
  const wabt = await require('wabt')();
  for (const file of watFiles(path.join(root, 'src'))) {
    const module = wabt.parseWat(path.basename(file), fs.readFileSync(file, 'utf8'), { bulk_memory: true });
    const { buffer } = module.toBinary({});
    module.destroy();
    const out = path.join(root, 'dist', path.relative(path.join(root, 'src'), file)).replace(/\.wat$/, '.wasm');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, buffer);
  }
})().catch((error) => {
  console.error(`build-wasm: ${error.message}`);
  process.exit(1);
});
