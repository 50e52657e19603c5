import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * `npm ci` installs exactly the lockfile: it must hold the native bindings of every platform the
 * project supports (npm picks the one matching the machine), or installs there lack DuckDB.
 */
describe('package-lock.json', () => {
  const lock = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; optional?: boolean; os?: string[]; cpu?: string[] }>;
  };

  it.each([
    ['linux', 'x64'],
    ['linux', 'arm64'],
    ['darwin', 'arm64'],
    ['darwin', 'x64'],
  ])("holds DuckDB's binding for %s-%s, at the version @duckdb/node-bindings pins", (os, cpu) => {
    const bindings = lock.packages['node_modules/@duckdb/node-bindings'];
    const entry = lock.packages[`node_modules/@duckdb/node-bindings-${os}-${cpu}`];
    expect(entry).toMatchObject({ version: bindings.version, optional: true, os: [os], cpu: [cpu] });
  });
});
