import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainingCurves, TrainingPoint } from '../protocol/view-models';
import type { TrainingEvent } from './session';

import { CURVES_FILE } from '../model/format';

export { CURVES_FILE };

/**
 * Turns training events into curves, a throttled live view (at most one redraw per `intervalMs`,
 * plus the first and the last) and progress, and keeps the curves for the ModelRun artifact.
 */
export class TrainingMonitor {
  private readonly points: TrainingPoint[] = [];
  private status: TrainingCurves['status'] = { step: 0, totalSteps: 0, done: false };
  private lastDraw = 0;
  private drawing: Promise<void> = Promise.resolve();
  private drawn = 0;

  constructor(
    private readonly sinks: {
      /** Receives the curves so far; the caller renders them (the trainer knows no view). */
      liveView?: (curves: TrainingCurves) => void | Promise<void>;
      progress?: (fraction: number, message: string) => void;
      intervalMs?: number;
    },
  ) {}

  readonly report = (event: TrainingEvent): void => {
    switch (event.kind) {
      case 'start':
        this.status = { ...this.status, totalSteps: event.totalSteps, backend: event.backend, step: 0, done: false };
        break;
      case 'step':
        this.status.step = event.step;
        this.points.push({ step: event.step, epoch: event.epoch, split: 'train', metric: 'loss', value: event.loss });
        this.sinks.progress?.(event.step / Math.max(1, event.totalSteps), `step ${event.step}/${event.totalSteps} loss ${event.loss.toFixed(4)}`);
        break;
      case 'epoch':
        for (const [metric, value] of Object.entries(event.validation ?? {})) {
          this.points.push({ step: event.step, epoch: event.epoch, split: 'validation', metric, value });
        }
        break;
      case 'end':
        Object.assign(this.status, { step: event.step, done: true, seconds: event.seconds, examplesPerSecond: event.examplesPerSecond });
        break;
    }
    const now = Date.now();
    if (event.kind === 'end' || this.drawn === 0 || now - this.lastDraw >= (this.sinks.intervalMs ?? 1000)) {
      this.lastDraw = now;
      this.draw();
    }
  };

  get curves(): TrainingCurves {
    return { points: downsample(this.points), status: { ...this.status } };
  }

  private draw(): void {
    if (!this.sinks.liveView) return;
    this.drawn++;
    const curves = this.curves;
    // Rendering is async (vega); draws run one after another so the last one shown is the newest.
    this.drawing = this.drawing.then(() => this.sinks.liveView!(curves)).catch(() => undefined);
  }

  /** Waits for pending draws and writes the curves next to the TensorBoard logs. */
  async finish(modelRunDir?: string): Promise<TrainingCurves> {
    await this.drawing;
    const curves = this.curves;
    if (modelRunDir) {
      fs.mkdirSync(modelRunDir, { recursive: true });
      fs.writeFileSync(path.join(modelRunDir, CURVES_FILE), JSON.stringify(curves));
    }
    return curves;
  }
}

/** Keeps at most `max` train points per metric by averaging neighbours (rendering stays cheap for long runs). */
export function downsample(points: TrainingPoint[], max = 300): TrainingPoint[] {
  const out: TrainingPoint[] = [];
  const groups = new Map<string, TrainingPoint[]>();
  for (const p of points) {
    const key = `${p.split}:${p.metric}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(p);
  }
  for (const group of groups.values()) {
    if (group.length <= max) {
      out.push(...group);
      continue;
    }
    // Averages of neighbours, but the newest point as it is (the status line reports it).
    const size = Math.ceil((group.length - 1) / (max - 1));
    for (let i = 0; i < group.length - 1; i += size) {
      const chunk = group.slice(i, Math.min(i + size, group.length - 1));
      const last = chunk[chunk.length - 1];
      out.push({ ...last, value: chunk.reduce((sum, p) => sum + p.value, 0) / chunk.length });
    }
    out.push(group[group.length - 1]);
  }
  return out;
}
