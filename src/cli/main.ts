import { Command, CommanderError } from 'commander';
import { UserError } from '../util/errors';

type Register = (program: Command) => void;
type Area = { commands: string[]; register: () => Promise<Register> };

/**
 * Each area adds its commands through one register function (commands/<area>.ts), listed here with
 * the top-level command names it defines. A run loads only the area of the command it names, so
 * `tfx-ts stats` does not load the Kubeflow compiler, Vega or the metadata store (≈ 0.3 s of
 * start-up); help, an unknown command, or a name shared by two areas registers every area.
 */
const AREAS: Area[] = [
  { commands: ['run'], register: async () => (await import('./commands/run')).registerRunCommands },
  { commands: ['lineage'], register: async () => (await import('./commands/metadata')).registerMetadataCommands },
  { commands: ['setup'], register: async () => (await import('./commands/setup')).registerSetupCommands },
  { commands: ['run', 'run-executor', 'pipeline', 'template', 'datasets'], register: async () => (await import('./commands/kfp')).registerKfpCommands },
  { commands: ['report'], register: async () => (await import('./commands/report')).registerReportCommands },
  { commands: ['stats', 'schema', 'validate'], register: async () => (await import('./commands/tfdv')).registerTfdvCommands },
  { commands: ['serve', 'predict'], register: async () => (await import('./commands/serving')).registerServingCommands },
  { commands: ['export'], register: async () => (await import('./commands/export')).registerExportCommands },
];

/** The program with every command, or (given argv) only the areas defining argv's command. */
export async function buildProgram(argv?: string[]): Promise<Command> {
  const program = new Command('tfx-ts')
    .description("TensorFlow Extended's pipeline components in TypeScript: notebooks, local runs, Kubeflow Pipelines")
    .version(require('../../package.json').version)
    .showHelpAfterError()
    .exitOverride();
  const name = argv?.slice(2).find((a) => !a.startsWith('-'));
  const areas = AREAS.filter((a) => name !== undefined && a.commands.includes(name));
  for (const area of areas.length > 0 ? areas : AREAS) (await area.register())(program);
  return program;
}

/** Entry point; returns the process exit code. User errors print one clear message, no stack. */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const err = error as Error;
    if (err instanceof UserError || err.name === 'UserError' || err.name === 'NotSupportedError') {
      console.error(`error: ${err.message}`);
      return 2;
    }
    console.error(`error: ${err.message}`);
    if (process.env.TFX_TS_DEBUG) console.error(err.stack);
    return 1;
  }
}
