import type { Command } from 'commander';
import { runSetup } from '../../setup/installer';

/** `tfx-ts setup`: the tslab kernel and the JupyterLab extension, as setup.json lists them. */
export function registerSetupCommands(program: Command): void {
  program
    .command('setup')
    .description('Register the tslab kernel and install the JupyterLab extension into the Jupyter data dir')
    .option('--prefix <dir>', 'install under <dir>/share/jupyter (default: your user Jupyter data dir)')
    .option('--uninstall', 'remove the kernelspecs and the extension again')
    .option('--test-deps', 'also install the Debian packages the test suite needs (root)')
    .action((options: { prefix?: string; uninstall?: boolean; testDeps?: boolean }) => {
      const result = runSetup(options);
      if (!options.uninstall) console.log(`Done. Start JupyterLab with JUPYTER_PATH including ${result.dataDir} if it is not a default data dir.`);
    });
}
