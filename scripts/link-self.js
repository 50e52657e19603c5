// Lets notebooks, examples and module files inside this repository `import ... from "tfx-ts"`
// exactly as a user's project does (node_modules/tfx-ts -> the package itself).
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const link = path.join(root, 'node_modules', 'tfx-ts');
try {
  const stat = fs.lstatSync(link);
  if (stat.isSymbolicLink() && path.resolve(path.dirname(link), fs.readlinkSync(link)) === root) process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch {
  /* absent */
}
fs.mkdirSync(path.dirname(link), { recursive: true });
fs.symlinkSync('..', link, 'dir');
