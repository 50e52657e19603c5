import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a running Trainer offers the training loop its module file starts: where TensorBoard
 * events go, the seed, and a sink for progress (live curves). `fit()` finds it without the user
 * passing anything, the way Keras callbacks get wired by TFX's run_fn conventions.
 */

export type TrainingEvent =
  | { kind: 'start'; totalSteps: number; examples: number; batchSize: number; backend: string }
  | { kind: 'step'; step: number; totalSteps: number; epoch: number; loss: number }
  | { kind: 'epoch'; step: number; epoch: number; train: Record<string, number>; validation?: Record<string, number> }
  | { kind: 'end'; step: number; seconds: number; examplesPerSecond: number };

export interface TrainingSession {
  /** TensorBoard log directory (fnArgs.modelRunDir). */
  logDir?: string;
  seed: number;
  report?(event: TrainingEvent): void;
  log?(message: string): void;
}

const storage = new AsyncLocalStorage<TrainingSession>();

export function runInTrainingSession<T>(session: TrainingSession, fn: () => Promise<T>): Promise<T> {
  return storage.run(session, fn);
}

export function currentTrainingSession(): TrainingSession | undefined {
  return storage.getStore();
}
