/**
 * Follows one KFP run: asks the bridge for runStatus every 2 s until the run reaches a terminal
 * state (SUCCEEDED, FAILED, CANCELED, SKIPPED), the panel stops it, or the kernel stops answering.
 */
import { Signal, type ISignal } from '@lumino/signaling';

import { TERMINAL_RUN_STATES, type ConnectionOptions, type RunStatusResult } from '../protocol';
import type { IBridge } from './target';

export const POLL_INTERVAL_MS = 2000;
/** Consecutive failed polls after which the monitor gives up. */
export const MAX_POLL_FAILURES = 5;

export interface IRunMonitorUpdate {
  status?: RunStatusResult;
  error?: unknown;
  /** True once polling has stopped (terminal state, too many errors, or stop()). */
  done: boolean;
}

export class RunMonitor {
  constructor(
    private readonly _client: IBridge,
    private readonly _connection: ConnectionOptions,
    readonly runId: string,
    private readonly _intervalMs = POLL_INTERVAL_MS
  ) {}

  get updated(): ISignal<this, IRunMonitorUpdate> {
    return this._updated;
  }

  get isRunning(): boolean {
    return this._running;
  }

  start(): void {
    if (this._running) {
      return;
    }
    this._running = true;
    void this._poll();
  }

  stop(): void {
    if (!this._running) {
      return;
    }
    this._running = false;
    if (this._timer !== undefined) {
      clearTimeout(this._timer);
      this._timer = undefined;
    }
    Signal.clearData(this);
  }

  private async _poll(): Promise<void> {
    if (!this._running) {
      return;
    }
    let done = false;
    try {
      const status = await this._client.call('runStatus', {
        ...this._connection,
        runId: this.runId
      });
      this._failures = 0;
      done = TERMINAL_RUN_STATES.has(String(status.state).toUpperCase());
      if (!this._running) {
        return;
      }
      this._updated.emit({ status, done });
    } catch (error) {
      this._failures++;
      done = this._failures >= MAX_POLL_FAILURES;
      if (!this._running) {
        return;
      }
      this._updated.emit({ error, done });
    }
    if (done) {
      this._running = false;
      return;
    }
    this._timer = setTimeout(() => void this._poll(), this._intervalMs);
  }

  private _running = false;
  private _failures = 0;
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _updated = new Signal<this, IRunMonitorUpdate>(this);
}
