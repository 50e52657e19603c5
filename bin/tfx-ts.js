#!/usr/bin/env node
// The CLI runs the compiled library (built by `npm install` through the `prepare` script).
const path = require('node:path');
const fs = require('node:fs');
const main = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  console.error('tfx-ts is not built yet: run `npm install` (or `npm run build`) in the tfx-ts folder first.');
  process.exit(2);
}
require(main)
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  });
