import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** ESLint (typescript-eslint) and Prettier over the code base, as `npm run lint`: the test fails with their report. */
const root = path.resolve(__dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

describe('code style', () => {
  it('passes ESLint', () => {
    const run = spawnSync(bin('eslint'), ['.'], { cwd: root, encoding: 'utf8', timeout: 600_000 });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 660_000);

  it('is formatted as Prettier formats it (npm run format fixes it)', () => {
    const run = spawnSync(bin('prettier'), ['--check', '--log-level', 'warn', '.'], { cwd: root, encoding: 'utf8', timeout: 600_000 });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 660_000);
});
