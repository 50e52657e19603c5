import type { Command } from 'commander';
import { UserError } from '../../util/errors';

/** `tfx-ts export --saved-model`: a pushed model for TensorFlow's own serving (src/serving/saved-model-export.ts). */
export function registerExportCommands(program: Command): void {
  program
    .command('export')
    .description('Export a model bundle for other runtimes: --saved-model writes a TensorFlow SavedModel (serving_default over tf.Example)')
    .argument('<model>', 'a model bundle (Trainer …/Format-Serving or a pushed <base>/<name>/<version>), or <base>/<name> for its latest version')
    .option('--saved-model', 'write a TensorFlow SavedModel (needs Python with tensorflow and tensorflowjs: requirements/tfjs.txt)')
    .requiredOption('-o, --output <dir>', 'the SavedModel directory to create (must not exist, or be empty)')
    .option('--python <interpreter>', 'Python with tensorflow and tensorflowjs (default: $TFX_TS_TFJS_PYTHON, else python3)')
    .action(async (model: string, flags: { savedModel?: boolean; output: string; python?: string }) => {
      if (!flags.savedModel) throw new UserError('Say which format to export.', 'pass --saved-model (the only export format so far).');
      const { exportSavedModel } = await import('../../serving/saved-model-export');
      const { output, bundle } = await exportSavedModel({ model, output: flags.output, python: flags.python });
      console.log(`SavedModel of ${bundle} written to ${output} (signature serving_default: serialized tf.Example in)`);
    });
}
