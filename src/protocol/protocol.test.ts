import * as fs from 'node:fs';
import * as path from 'node:path';
import { labBridge } from '../notebook/lab-bridge';
import { KfpAuth } from '../orchestration/kubeflow/auth';
import {
  AUTH_MODES,
  AUTH_MODE_LABELS,
  BRIDGE_MARKER,
  BRIDGE_METHODS,
  BRIDGE_OPTION_SCHEMAS,
  bridgeCode,
  BridgeOutputError,
  formatBridgeAnswer,
  parseBridgeAnswer,
} from './index';

/** The kernel↔lab contract: the kernel implements exactly what the protocol declares, and the protocol stays browser-safe. */
describe('protocol', () => {
  it('the kernel bridge implements exactly the declared methods', () => {
    expect(Object.keys(labBridge).sort()).toEqual([...BRIDGE_METHODS].sort());
    expect(Object.keys(BRIDGE_OPTION_SCHEMAS).sort()).toEqual(BRIDGE_METHODS.filter((m) => m !== 'describe').sort());
  });

  it('an answer line round-trips through format and parse, and a broken one is refused', () => {
    const line = formatBridgeAnswer({ ok: false, error: { code: 'UNAUTHORIZED', message: 'no', hint: 'log in' } });
    expect(line.startsWith(BRIDGE_MARKER)).toBe(true);
    expect(parseBridgeAnswer(`noise\n${line}\n`)).toEqual({ ok: false, error: { code: 'UNAUTHORIZED', message: 'no', hint: 'log in' } });
    expect(parseBridgeAnswer('no marker here')).toBeUndefined();
    expect(() => parseBridgeAnswer(`${BRIDGE_MARKER}{not json`)).toThrow(BridgeOutputError);
    expect(() => parseBridgeAnswer(`${BRIDGE_MARKER}{"result": 1}`)).toThrow(/no "ok" field/);
  });

  it('the call the panel sends names the kernel bridge method with its options as a literal', () => {
    expect(bridgeCode('runStatus', { endpoint: 'http://x', authMode: 'none', runId: 'r' })).toBe(
      'await require("tfx-ts").labBridge.runStatus({"endpoint":"http://x","authMode":"none","runId":"r"})',
    );
    expect(bridgeCode('describe')).toBe('await require("tfx-ts").labBridge.describe()');
  });

  it('option schemas refuse what the kernel could not use', () => {
    const bad = BRIDGE_OPTION_SCHEMAS.run.safeParse({
      endpoint: 'http://x',
      authMode: 'kerberos',
      experimentName: 'e',
      components: { Trainer: { cpu: 'lots' } },
    });
    expect(bad.success).toBe(false);
    const messages = bad.success ? [] : bad.error.issues.map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'authMode must be one of none, bearer, cookie, serviceAccount',
        'cpu must be a Kubernetes CPU quantity such as "2", "0.5" or "500m"',
      ]),
    );
  });

  it('every auth mode the panel offers is one the kernel client accepts', () => {
    expect(Object.keys(AUTH_MODE_LABELS).sort()).toEqual([...AUTH_MODES].sort());
    for (const mode of AUTH_MODES) {
      const options = { authMode: mode, token: 't', cookie: 'authservice_session=c', tokenPath: __filename };
      expect(KfpAuth.resolve(options, {}).mode).toBe(mode);
    }
  });

  it('imports nothing Node-only and nothing outside itself except zod and the TFDV JSON types (the lab extension bundles it)', () => {
    const dir = __dirname;
    const allowedOutside = new Set(['../stats/types', '../schema/types', '../validation/types']);
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const [, spec] of source.matchAll(/from '([^']+)'/g)) {
        const ok =
          spec === 'zod' ||
          spec.startsWith('./') ||
          (allowedOutside.has(spec) && /import type|export type/.test(source.split('\n').find((l) => l.includes(`'${spec}'`)) ?? ''));
        expect({ file, spec, ok }).toEqual({ file, spec, ok: true });
      }
    }
    // The TFDV type files it reads types from are pure types themselves.
    for (const typeFile of allowedOutside) {
      const source = fs.readFileSync(path.join(dir, `${typeFile}.ts`), 'utf8');
      const imports = [...source.matchAll(/^import (.*) from '([^']+)'/gm)];
      expect(imports.every(([, what, spec]) => what.startsWith('type ') && spec.startsWith('../'))).toBe(true);
    }
  });
});
