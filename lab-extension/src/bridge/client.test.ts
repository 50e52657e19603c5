/**
 * The two sides of the kernel bridge agree: the panel's BridgeClient talks to the kernel's real
 * labBridge (src/notebook/lab-bridge.ts) through a kernel stand-in that runs the very code the
 * client sends (`await require("tfx-ts").labBridge.<method>(<JSON>)`) and streams what the bridge
 * prints back as stdout. A renamed method, a changed marker, an option the kernel refuses or an
 * error code the panel does not know fails here.
 */
import { labBridge } from '../../../src/notebook/lab-bridge';
import { BRIDGE_METHODS, KERNEL_ERROR_CODES, PANEL_ERROR_CODES } from '../protocol';
import { BridgeClient, BridgeError, type BridgeKernel } from './client';

/** Runs a bridge call the way tslab would: parse the call, run labBridge, capture console.log. */
function kernelRunningLabBridge(): BridgeKernel & { sent: string[] } {
  const sent: string[] = [];
  const kernel = {
    sent,
    requestExecute(content: { code: string }) {
      sent.push(content.code);
      const match = /^await require\("tfx-ts"\)\.labBridge\.(\w+)\((.*)\)$/s.exec(content.code);
      const future: any = { onIOPub: undefined, dispose() {} };
      future.done = (async () => {
        await Promise.resolve();
        const emit = (text: string) => future.onIOPub?.({ header: { msg_type: 'stream' }, content: { name: 'stdout', text } });
        if (!match || !(match[1] in labBridge)) {
          future.onIOPub?.({ header: { msg_type: 'error' }, content: { ename: 'TypeError', evalue: `labBridge.${match?.[1]} is not a function`, traceback: [] } });
          return { content: { status: 'error' } };
        }
        const log = console.log;
        console.log = (...args: unknown[]) => emit(`${args.join(' ')}\n`);
        try {
          await (labBridge as any)[match[1]](match[2] ? JSON.parse(match[2]) : undefined);
        } finally {
          console.log = log;
        }
        return { content: { status: 'ok' } };
      })();
      return future;
    }
  };
  return kernel as any;
}

test('every method the panel may call exists in the kernel and answers in the protocol', async () => {
  const kernel = kernelRunningLabBridge();
  const client = new BridgeClient(kernel);
  // No InteractiveContext in this process: describe answers with the protocol's error code.
  await expect(client.call('describe')).rejects.toMatchObject({ code: 'NO_INTERACTIVE_CONTEXT' });
  expect(kernel.sent[0]).toBe('await require("tfx-ts").labBridge.describe()');
  for (const method of BRIDGE_METHODS) {
    expect(typeof (labBridge as Record<string, unknown>)[method]).toBe('function');
  }
});

test('options the panel builds are the ones the kernel accepts, and refusals come back as INVALID_OPTIONS', async () => {
  const client = new BridgeClient(kernelRunningLabBridge());
  const error = await client
    .call('run', { endpoint: 'http://127.0.0.1:9/pipeline', authMode: 'none', experimentName: '', components: { Trainer: { cpu: 'lots' } } })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BridgeError);
  expect((error as BridgeError).code).toBe('INVALID_OPTIONS');
  expect((error as BridgeError).message).toMatch(/cpu must be a Kubernetes CPU quantity/);
});

test('every error code either side raises is declared by the protocol', () => {
  const declared = new Set<string>([...KERNEL_ERROR_CODES, ...PANEL_ERROR_CODES]);
  // The panel's own codes (client.ts) are typed as the protocol's BridgeErrorCode; these are the ones it raises.
  for (const code of ['NO_KERNEL', 'BRIDGE_UNAVAILABLE', 'KERNEL_ERROR', 'KERNEL_TIMEOUT', 'NO_BRIDGE_OUTPUT', 'BAD_BRIDGE_OUTPUT']) {
    expect(declared.has(code)).toBe(true);
  }
});
