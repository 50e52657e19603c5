import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/errors';
import { loadUserModule, requireExport } from '../util/module-loader';
import { selectBackend } from '../model/backend';
import { dataAccessor } from './dataset';
import type { FnArgs } from './fn-args';
import { MODEL_JSON, SIGNATURE_FILE } from '../model/format';
import type { ModelSignature } from '../model/bundle';
import { TrainingMonitor } from './monitor';
import { withSeededMathRandom } from './random';
import { runInTrainingSession } from './session';
import type { TrainingCurves } from '../protocol/view-models';
import { splitFiles } from '../transform/example-io';

export { SERVING_MODEL_SUBDIR } from '../model/format';

export interface TrainerRunArgs {
  moduleFile: string;
  runFn: string;
  examplesUri: string;
  trainSplits: string[];
  evalSplits: string[];
  trainSteps: number;
  evalSteps?: number;
  transformGraphDir?: string;
  schemaFile?: string;
  hyperparameters: Record<string, unknown>;
  customConfig: Record<string, unknown>;
  seed: number;
  servingModelDir: string;
  modelRunDir: string;
  /** Receives the training curves while training (a notebook renders them as the live view). */
  liveView?: (curves: TrainingCurves) => void | Promise<void>;
  progress?: (fraction: number, message: string) => void;
  log?: (message: string) => void;
}

export interface TrainerRunResult {
  signature: ModelSignature;
  curves: TrainingCurves;
  backend: string;
}

/** Loads the module file, builds FnArgs, runs runFn seeded and inside a training session, checks it saved a bundle. */
export async function runTrainer(args: TrainerRunArgs): Promise<TrainerRunResult> {
  const log = args.log ?? (() => undefined);
  const backend = await selectBackend(log);
  const module = loadUserModule(args.moduleFile);
  const file = path.resolve(args.moduleFile);
  const runFn = requireExport<(fnArgs: FnArgs) => unknown>(module, args.runFn, file);
  const fnArgs: FnArgs = {
    trainFiles: args.trainSplits.flatMap((s) => splitFiles(args.examplesUri, s)),
    evalFiles: args.evalSplits.flatMap((s) => splitFiles(args.examplesUri, s)),
    trainSteps: args.trainSteps,
    evalSteps: args.evalSteps,
    schemaFile: args.schemaFile,
    schemaPath: args.schemaFile,
    transformOutput: args.transformGraphDir,
    transformGraphPath: args.transformGraphDir,
    servingModelDir: args.servingModelDir,
    modelRunDir: args.modelRunDir,
    hyperparameters: { ...args.hyperparameters },
    customConfig: { ...args.customConfig },
    dataAccessor,
    seed: args.seed,
  };
  fs.mkdirSync(args.modelRunDir, { recursive: true });
  const monitor = new TrainingMonitor({ liveView: args.liveView, progress: args.progress });
  log(`running ${args.runFn} from ${path.basename(file)} (seed ${args.seed})`);
  try {
    await withSeededMathRandom(args.seed, () =>
      runInTrainingSession({ logDir: args.modelRunDir, seed: args.seed, report: monitor.report, log }, async () => {
        await runFn(fnArgs);
      }),
    );
  } catch (error) {
    if (error instanceof UserError || (error as Error)?.name === 'UserError' || (error as Error)?.name === 'NotSupportedError') throw error;
    const err = error as Error;
    const wrapped = new UserError(`${args.runFn} in ${path.basename(file)} threw: ${err?.message ?? String(error)}`);
    wrapped.stack = `${wrapped.message}\n${(err?.stack ?? '').split('\n').slice(1).join('\n')}`;
    throw wrapped;
  } finally {
    await monitor.finish(args.modelRunDir);
  }
  for (const name of [MODEL_JSON, SIGNATURE_FILE]) {
    if (!fs.existsSync(path.join(args.servingModelDir, name))) {
      throw new UserError(
        `${args.runFn} in ${path.basename(file)} finished without saving a model to fnArgs.servingModelDir.`,
        'end runFn with `await saveServingModel(model, fnArgs.servingModelDir, { transformOutput: fnArgs.transformOutput })`.',
      );
    }
  }
  const signature = JSON.parse(fs.readFileSync(path.join(args.servingModelDir, SIGNATURE_FILE), 'utf8')) as ModelSignature;
  return { signature, curves: monitor.curves, backend };
}
