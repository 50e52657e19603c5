/**
 * The tfx-ts JupyterLab plugin: wires the "Deploy to Kubeflow" side panel (panel/), its command,
 * the notebook toolbar button and the settings. Widgets live in their own modules.
 */
import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, ToolbarButton } from '@jupyterlab/apputils';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookTracker, NotebookActions, type INotebookModel, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import type { IDisposable } from '@lumino/disposable';


import { DeployController } from './panel/controller';
import { kubeflowIcon } from './panel/icon';
import { DeployModel } from './panel/model';
import { DeployPanel } from './panel/panel';
import { NotebookTarget } from './panel/target';
import { CommandIDs, PLUGIN_ID } from './tokens';

export { BridgeClient, BridgeError } from './bridge/client';
export * from './tokens';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Deploy the notebook\'s TFX pipeline to Kubeflow Pipelines from a side panel.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ISettingRegistry, IStateDB, ICommandPalette, ILayoutRestorer],
  activate: async (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    settingRegistry: ISettingRegistry | null,
    state: IStateDB | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    let settings: ISettingRegistry.ISettings | null = null;
    if (settingRegistry) {
      try {
        settings = await settingRegistry.load(PLUGIN_ID);
      } catch (e) {
        console.warn('tfx-ts: settings could not be loaded; the panel will not remember them.', e);
      }
    }
    const target = new NotebookTarget({
      notebooks: tracker,
      cellExecuted: NotebookActions.executed,
      cellRunner: async (widget, code) => {
        // The tracker's widgets are NotebookPanels: a new code cell below the active one, run in the notebook's kernel.
        const panel = widget as NotebookPanel;
        const notebook = panel.content;
        NotebookActions.insertBelow(notebook);
        NotebookActions.changeCellType(notebook, 'code');
        notebook.activeCell?.model.sharedModel.setSource(code);
        app.shell.activateById(panel.id);
        await NotebookActions.run(notebook, panel.sessionContext);
      }
    });
    const controller = new DeployController({ model: new DeployModel(settings, state), target });
    const panel = new DeployPanel(controller);
    app.shell.add(panel, 'right', { rank: 900, type: 'tfx-ts Deploy' });
    restorer?.add(panel, panel.id);

    app.commands.addCommand(CommandIDs.openDeployPanel, {
      label: 'Deploy notebook pipeline to Kubeflow',
      caption: 'Open the tfx-ts panel to compile, upload and run the notebook\'s pipeline on Kubeflow Pipelines',
      icon: kubeflowIcon,
      execute: () => {
        app.shell.activateById(panel.id);
      }
    });
    palette?.addItem({ command: CommandIDs.openDeployPanel, category: 'Kubeflow' });

    app.docRegistry.addWidgetExtension('Notebook', new ToolbarButtonExtension(app));
  }
};

/** Adds the "Deploy to Kubeflow" button to every notebook's toolbar. */
class ToolbarButtonExtension
  implements DocumentRegistry.IWidgetExtension<NotebookPanel, INotebookModel>
{
  constructor(private readonly _app: JupyterFrontEnd) {}

  createNew(panel: NotebookPanel): IDisposable {
    const button = new ToolbarButton({
      className: 'tfx-DeployButton',
      icon: kubeflowIcon,
      tooltip: 'Deploy notebook pipeline to Kubeflow',
      onClick: () => {
        void this._app.commands.execute(CommandIDs.openDeployPanel);
      }
    });
    if (!panel.toolbar.insertAfter('cellType', 'tfx-ts-deploy', button)) {
      panel.toolbar.addItem('tfx-ts-deploy', button);
    }
    return button;
  }
}

export default plugin;
