import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { LocalDagRunner } from '../../orchestration/local/runner';
import { loadPipelineModule } from '../../orchestration/pipeline-module';

/** `tfx-ts run <pipeline-module.ts>`: the local runner with a progress bar and per-component status. */
export function registerRunCommands(program: Command): void {
  program
    .command('run')
    .description('Run a whole pipeline on this machine (TFX LocalDagRunner)')
    .argument('<pipeline-module>', 'a .ts/.js file exporting createPipeline() that returns a Pipeline')
    .option('--pipeline-root <dir>', 'where artifacts and the metadata store go (overrides the module)')
    .option('--no-cache', 'run every component even when a cached result exists')
    .action(async (moduleFile: string, options: { pipelineRoot?: string; cache: boolean }) => {
      const pipeline = await loadPipelineModule(moduleFile, { pipelineRoot: options.pipelineRoot });
      console.log(`Pipeline ${pipeline.pipelineName}: ${pipeline.components.length} components, root ${pipeline.pipelineRoot}`);
      const tty = Boolean(process.stdout.isTTY);
      let bar: SingleBar | undefined;
      const started = Date.now();
      const { results } = await new LocalDagRunner()
        .run(pipeline, {
          enableCache: options.cache === false ? false : undefined,
          reporter: {
            onStart: (component, executionId) => {
              if (tty) {
                bar = new SingleBar(
                  { format: `  ${component.id.padEnd(20)} [{bar}] {percentage}% {message}`, hideCursor: true, clearOnComplete: true },
                  Presets.shades_classic,
                );
                bar.start(100, 0, { message: `execution ${executionId}` });
              }
            },
            onProgress: (_component, fraction, message) => bar?.update(Math.round(fraction * 100), { message: message ?? '' }),
            onLog: (component, message) => {
              if (!tty) console.log(`  [${component.id}] ${message}`);
            },
            onFinish: (component, result) => {
              bar?.stop();
              bar = undefined;
              console.log(`✔ ${component.id.padEnd(20)} ${result.state.padEnd(8)} execution ${result.executionId}  ${(result.durationMs / 1000).toFixed(2)} s`);
              for (const [key, artifacts] of Object.entries(result.outputs)) {
                for (const artifact of artifacts) console.log(`    ${key}: ${artifact.uri}`);
              }
            },
          },
        })
        .catch((error) => {
          bar?.stop();
          throw error;
        });
      const cached = results.filter((r) => r.state === 'CACHED').length;
      console.log(
        `Done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${results.length - cached} ran, ${cached} cached. Metadata: ${pipeline.metadataPath}`,
      );
    });
}
