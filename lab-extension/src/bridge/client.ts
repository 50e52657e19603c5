/**
 * The panel's side of the kernel bridge (docs/lab-bridge.md).
 *
 * Each call is one silent execute request in the notebook's kernel,
 * `await require("tfx-ts").labBridge.<method>(<JSON options>)`. The bridge prints one line,
 * `__TFX_TS_BRIDGE__` + JSON, which this module finds among the request's stream messages.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';

import {
  BRIDGE_MODULE,
  bridgeCode,
  BridgeOutputError,
  parseBridgeAnswer,
  type BridgeAnswer,
  type BridgeErrorCode,
  type BridgeMethod,
  type BridgeMethods
} from '../protocol';

export { BRIDGE_MARKER, bridgeCode } from '../protocol';

/** Default time to wait for the kernel's answer. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** An error from the bridge or from talking to the kernel; shown verbatim with its hint. */
export class BridgeError extends Error {
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
    readonly hint?: string,
    /** Extra output the kernel wrote (stderr), for the details view. */
    readonly details?: string
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

/** The minimal kernel surface the client needs (a Kernel.IKernelConnection fits). */
export type BridgeKernel = Pick<Kernel.IKernelConnection, 'requestExecute'>;

export interface IBridgeClientOptions {
  /** Milliseconds to wait for each answer (default 60 s). */
  timeoutMs?: number;
  /** The module to require in the kernel (default "tfx-ts"). */
  moduleName?: string;
}

/**
 * Find the answer line in what a bridge call wrote to stdout (the protocol's parser); a marker
 * line that is not an answer becomes a BridgeError with code BAD_BRIDGE_OUTPUT.
 */
export function parseBridgeOutput(stdout: string): BridgeAnswer | undefined {
  try {
    return parseBridgeAnswer(stdout);
  } catch (e) {
    if (e instanceof BridgeOutputError) {
      throw new BridgeError(
        e.code,
        'The kernel printed a bridge answer that is not valid.',
        'The tfx-ts package in the kernel may be a different version than this extension; update both.',
        e.message
      );
    }
    throw e;
  }
}

/** Strip ANSI colour codes from kernel output. */
function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

/** The first meaningful line of an error output. */
function firstErrorLine(text: string): string {
  const lines = stripAnsi(text)
    .split(/\r?\n/)
    .map(l => l.trim())
    .filter(l => l.length > 0);
  const withError = lines.find(l => /error/i.test(l));
  return withError ?? lines[0] ?? '';
}

/**
 * Turn a failed execution with no marker line into a clear error.
 */
function explainFailure(stderr: string, moduleName: string): BridgeError {
  const text = stripAnsi(stderr);
  if (
    new RegExp(`Cannot find module ['"]${moduleName.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')}['"]`).test(
      text
    )
  ) {
    return new BridgeError(
      'BRIDGE_UNAVAILABLE',
      `The notebook's kernel cannot load the "${moduleName}" package.`,
      `Install it where the notebook lives (npm install ${moduleName}) or run "tfx-ts setup", then restart the kernel.`,
      text.trim()
    );
  }
  if (/labBridge/.test(text) && /(undefined|not a function)/.test(text)) {
    return new BridgeError(
      'BRIDGE_UNAVAILABLE',
      `The "${moduleName}" package in the kernel has no labBridge.`,
      `Update ${moduleName} in the notebook's folder to a version that matches this extension, then restart the kernel.`,
      text.trim()
    );
  }
  const line = firstErrorLine(text);
  return new BridgeError(
    'KERNEL_ERROR',
    line ? `The kernel failed to run the bridge call: ${line}` : 'The kernel failed to run the bridge call.',
    'Check that the notebook uses a TypeScript (tslab) kernel and that tfx-ts is installed; see the details below.',
    text.trim() || undefined
  );
}

/**
 * Calls the tfx-ts bridge in one kernel. Calls are serialized: the next call starts when the
 * previous one has answered (a kernel runs one request at a time anyway).
 */
export class BridgeClient {
  constructor(
    readonly kernel: BridgeKernel,
    options: IBridgeClientOptions = {}
  ) {
    this._timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this._moduleName = options.moduleName ?? BRIDGE_MODULE;
  }

  /** Call a bridge method; resolves with its result or rejects with a `BridgeError`. */
  call<M extends BridgeMethod>(
    method: M,
    options?: BridgeMethods[M]['options'],
    timeoutMs = this._timeoutMs
  ): Promise<BridgeMethods[M]['result']> {
    const next = this._queue.then(() =>
      this._callWithRetry(method, options, timeoutMs)
    ) as Promise<BridgeMethods[M]['result']>;
    // Keep the queue going whatever the outcome.
    this._queue = next.then(
      () => undefined,
      () => undefined
    );
    return next;
  }

  private async _callWithRetry(
    method: BridgeMethod,
    options: unknown,
    timeoutMs: number
  ): Promise<unknown> {
    // tslab aborts requests that arrive within ~200 ms after a failed cell; retry those once.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this._callOnce(method, options, timeoutMs);
      } catch (e) {
        if (e instanceof AbortedError && attempt < 2) {
          await new Promise(resolve => setTimeout(resolve, 400));
          continue;
        }
        if (e instanceof AbortedError) {
          throw new BridgeError(
            'KERNEL_ERROR',
            'The kernel aborted the bridge call.',
            'A cell failed just before; run the action again.'
          );
        }
        throw e;
      }
    }
  }

  private async _callOnce(
    method: BridgeMethod,
    options: unknown,
    timeoutMs: number
  ): Promise<unknown> {
    const code = bridgeCode(method, options, this._moduleName);
    let stdout = '';
    let stderr = '';
    let future: Kernel.IShellFuture<
      KernelMessage.IExecuteRequestMsg,
      KernelMessage.IExecuteReplyMsg
    >;
    try {
      future = this.kernel.requestExecute(
        {
          code,
          silent: true,
          store_history: false,
          allow_stdin: false,
          stop_on_error: false
        },
        true
      );
    } catch (e) {
      throw new BridgeError(
        'NO_KERNEL',
        `The notebook's kernel is not available: ${(e as Error).message}`,
        'Start or restart the kernel (Kernel menu), then try again.'
      );
    }
    future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
      const type = msg.header.msg_type;
      if (type === 'stream') {
        const content = msg.content as KernelMessage.IStreamMsg['content'];
        if (content.name === 'stdout') {
          stdout += content.text;
        } else {
          stderr += content.text;
        }
      } else if (type === 'error') {
        const content = msg.content as KernelMessage.IErrorMsg['content'];
        stderr += `${content.ename}: ${content.evalue}\n${(content.traceback ?? []).join('\n')}\n`;
      }
    };

    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new BridgeError(
            'KERNEL_TIMEOUT',
            `The kernel did not answer within ${Math.round(timeoutMs / 1000)} s.`,
            'The kernel may be busy running a cell or may have died. Wait until it is idle (or interrupt/restart it) and try again.'
          )
        );
      }, timeoutMs);
    });

    let reply: KernelMessage.IExecuteReplyMsg;
    try {
      reply = await Promise.race([future.done, timeout]);
    } catch (e) {
      if (e instanceof BridgeError) {
        future.dispose();
        throw e;
      }
      throw new BridgeError(
        'NO_KERNEL',
        `The kernel stopped before answering: ${(e as Error)?.message ?? e}`,
        'The kernel was restarted or shut down. Start it again, re-run the notebook, and retry.'
      );
    } finally {
      if (timer !== undefined) {
        clearTimeout(timer);
      }
    }

    const status = reply.content.status as string;
    const answer = parseBridgeOutput(stdout);
    if (answer) {
      if (answer.ok) {
        return answer.result;
      }
      const err = answer.error ?? {};
      throw new BridgeError(
        err.code ?? 'KFP_ERROR',
        err.message ?? 'The bridge reported an error without a message.',
        err.hint,
        stderr.trim() || undefined
      );
    }
    if (status === 'abort' || status === 'aborted') {
      throw new AbortedError();
    }
    if (status === 'error' || stderr.trim()) {
      throw explainFailure(stderr, this._moduleName);
    }
    throw new BridgeError(
      'NO_BRIDGE_OUTPUT',
      'The kernel ran the bridge call but printed no answer.',
      'The tfx-ts package in the kernel may be a different version than this extension; update both and restart the kernel.',
      stdout.trim().slice(0, 2000) || undefined
    );
  }

  private _queue: Promise<void> = Promise.resolve();
  private _timeoutMs: number;
  private _moduleName: string;
}

/** Internal: the kernel answered `abort`. */
class AbortedError extends Error {}
