/**
 * The panel's header: which notebook and kernel the panel works on, and the notices about them
 * (no notebook, no kernel, wrong kernel, no pipeline yet). Renders from NotebookTarget.changed.
 */
import { replaceChildren, h } from '../../dom';
import type { NotebookTarget } from '../target';
import { renderNotice } from './notice';

export class TargetView {
  readonly node: HTMLElement;
  readonly notices: HTMLElement;

  constructor(private readonly _target: NotebookTarget) {
    this._line = h('div', { class: 'tfx-DeployPanel-target' });
    this.node = h('header', { class: 'tfx-DeployPanel-header' }, h('h2', { class: 'tfx-DeployPanel-title' }, 'Deploy to Kubeflow'), this._line);
    this.notices = h('div', { class: 'tfx-DeployPanel-notices tfx-DeployPanel-targetNotices' });
    _target.changed.connect(this.render, this);
    this.render();
  }

  render(): void {
    const notebook = this._target.notebook;
    if (!notebook) {
      replaceChildren(this._line, h('span', { class: 'tfx-DeployPanel-muted' }, 'No active notebook'));
    } else {
      const session = notebook.sessionContext;
      replaceChildren(
        this._line,
        h('span', { class: 'tfx-DeployPanel-notebook', title: notebook.context.path }, notebook.title.label || notebook.context.path),
        h('span', { class: 'tfx-DeployPanel-kernel' }, `${session.kernelDisplayName} · ${session.kernelDisplayStatus}`)
      );
    }
    replaceChildren(this.notices, this._target.notices.map(renderNotice));
  }

  dispose(): void {
    this._target.changed.disconnect(this.render, this);
  }

  private _line: HTMLElement;
}
