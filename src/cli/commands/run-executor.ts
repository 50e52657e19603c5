import * as fs from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../../util/errors';
import { loadUserModule } from '../../util/module-loader';
import { parseExecutorInput, runExecutorFromInput } from '../../orchestration/kubeflow/container-entrypoint';
import { enterCodePackage, fetchCodePackage } from '../../orchestration/kubeflow/code-package';

/**
 * `tfx-ts run-executor --executor-input {{$}} --component-type <type>`: the command every compiled
 * KFP task runs in its container (the counterpart of TFX's kubeflow_v2_run_executor).
 */
export function registerRunExecutorCommand(program: Command): void {
  program
    .command('run-executor')
    .description('Run one component executor inside a Kubeflow Pipelines task (the container entrypoint)')
    .requiredOption('--executor-input <json>', "KFP's ExecutorInput JSON (the {{$}} placeholder), or @file.json")
    .requiredOption('--component-type <type>', 'the component type to run, e.g. CsvExampleGen')
    .option('--component-id <id>', 'the component id in the pipeline')
    .option('--pipeline-name <name>', 'the pipeline name')
    .option('--component-module <file...>', 'module files that define custom component types (paths relative to the working directory)')
    .option('--code-package <uri>', "the pipeline's code package (.tar.gz on object storage): fetched, checked and unpacked, then the working directory")
    .option('--code-sha256 <hex>', 'the sha256 the code package must have')
    .action(
      async (options: {
        executorInput: string;
        componentType: string;
        componentId?: string;
        pipelineName?: string;
        componentModule?: string[];
        codePackage?: string;
        codeSha256?: string;
      }) => {
        if (options.codePackage) {
          if (!options.codeSha256) throw new UserError('--code-package needs --code-sha256.', 'compile the pipeline again; the compiler writes both.');
          const started = Date.now();
          const dir = await fetchCodePackage(options.codePackage, options.codeSha256);
          enterCodePackage(dir);
          console.log(
            `[${options.componentId ?? options.componentType}] code package ${options.codePackage} (sha256 ${options.codeSha256.slice(0, 12)}…) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
          );
        }
        // The standard component types, for componentSpecByType (custom ones come from --component-module).
        await import('../../components/standard');
        for (const file of options.componentModule ?? []) loadUserModule(file);
        const text = options.executorInput.startsWith('@') ? readInputFile(options.executorInput.slice(1)) : options.executorInput;
        const input = parseExecutorInput(text);
        const started = Date.now();
        const id = options.componentId ?? options.componentType;
        console.log(`[${id}] running ${options.componentType} executor`);
        const output = await runExecutorFromInput(input, {
          componentType: options.componentType,
          componentId: options.componentId,
          pipelineName: options.pipelineName,
        });
        for (const [key, list] of Object.entries(output.artifacts)) {
          for (const artifact of list.artifacts) console.log(`[${id}] output ${key}: ${artifact.uri} ${JSON.stringify(artifact.metadata)}`);
        }
        console.log(`[${id}] done in ${((Date.now() - started) / 1000).toFixed(1)} s; executor output written to ${input.outputs.outputFile}`);
      },
    );
}

function readInputFile(file: string): string {
  if (!fs.existsSync(file)) throw new UserError(`Executor input file ${file} does not exist.`, 'pass the JSON itself or @<existing file>.');
  return fs.readFileSync(file, 'utf8');
}
