/**
 * The "Deploy to Kubeflow" side panel: a Lumino widget that only composes the pieces.
 *
 * - NotebookTarget (target.ts): the active notebook, its kernel and what its InteractiveContext ran;
 * - DeployController (controller.ts): validation, compile / upload / run, the run monitor, recent runs;
 * - section views (views/): header, the sticky action bar, the form, components, run, YAML, recent runs.
 */
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { h, replaceChildren } from '../dom';
import { DEPLOY_PANEL_ID } from '../tokens';
import type { DeployController } from './controller';
import { kubeflowIcon } from './icon';
import { ActionBar } from './views/action-bar';
import { ComponentsView } from './views/components-view';
import { ConnectionView } from './views/connection-view';
import { ParametersView } from './views/parameters-view';
import { RecentRunsView, RunView, YamlView } from './views/results-view';
import { TargetView } from './views/target-view';

export class DeployPanel extends Widget {
  constructor(readonly controller: DeployController) {
    super();
    this.id = DEPLOY_PANEL_ID;
    this.addClass('tfx-DeployPanel');
    this.title.icon = kubeflowIcon;
    this.title.caption = 'Deploy notebook pipeline to Kubeflow';
    const target = new TargetView(controller.target);
    const actions = new ActionBar(controller);
    const form = new ConnectionView(controller);
    const parameters = new ParametersView(controller);
    const components = new ComponentsView(controller);
    const run = new RunView(controller);
    const yaml = new YamlView(controller);
    const recent = new RecentRunsView(controller);
    this._views = [target, actions, form, parameters, components, run, yaml, recent];
    // Header and action bar first (the bar sticks to the top while the rest scrolls).
    replaceChildren(
      this.node,
      target.node,
      target.notices,
      actions.node,
      h('div', { class: 'tfx-DeployPanel-body' }, form.node, parameters.node, components.node, run.node, yaml.node, recent.node)
    );
  }

  /** Ask the kernel again which pipeline the notebook ran. */
  refresh(): Promise<void> {
    return this.controller.target.describe();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    for (const view of this._views) {
      view.dispose?.();
    }
    this.controller.dispose();
    this.controller.target.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.controller.target.setActive(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.controller.target.setActive(false);
  }

  private _views: { dispose?: () => void }[];
}
