/**
 * Giving memory back after a huge request. V8 grows its heap for a 1e6-instance predict (the
 * parsed JSON alone is hundreds of MB) and, on an idle server, does not collect it: RSS stayed at
 * the peak for good. A full collection once the server is idle again returns it. Node exposes
 * no API for that except the `gc` function behind --expose-gc, which we switch on at run time
 * (v8.setFlagsFromString before the function is first taken from a fresh context); where that
 * fails, nothing happens and V8 collects on its own schedule.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let collect: (() => void) | undefined | null = null;

function gcFunction(): (() => void) | undefined {
  if (collect !== null) return collect;
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return (collect = existing);
  try {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  } catch {
    collect = undefined;
  }
  return collect;
}

/** Runs a full garbage collection; false when the runtime does not allow it. */
export function fullGc(): boolean {
  const gc = gcFunction();
  if (!gc) return false;
  gc();
  return true;
}

/**
 * Collects once after large requests, when no other large request is running: call `begin(bytes)`
 * when a request body has been read and `end()` when its answer is sent.
 */
export class LargeRequestReclaimer {
  private active = 0;
  private pending = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly thresholdBytes = 4 * 1024 * 1024,
    private readonly idleMs = 250,
  ) {}

  begin(bytes: number): boolean {
    if (bytes < this.thresholdBytes) return false;
    this.active++;
    if (this.timer) clearTimeout(this.timer);
    return true;
  }

  end(): void {
    this.active = Math.max(0, this.active - 1);
    this.pending = true;
    if (this.active > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.active === 0 && this.pending) {
        this.pending = false;
        fullGc();
      }
    }, this.idleMs);
    this.timer.unref();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
