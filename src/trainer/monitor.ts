import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MimeBundle } from '../visualize/registry';
import type { TrainingEvent, TrainingPoint } from './session';
import { downsample, TrainingCurves, trainingBundle } from '../visualize/training-view';

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
      liveView?: (bundle: MimeBundle) => void;
      progress?: (fraction: number, message: string) => void;
      title?: string;
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
    this.drawing = this.drawing.then(async () => {
      this.sinks.liveView!(await trainingBundle(curves, { title: this.sinks.title }));
    }).catch(() => undefined);
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
