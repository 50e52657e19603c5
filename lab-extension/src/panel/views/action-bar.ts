/**
 * The action bar, always on screen (sticky at the top of the panel): Compile / Upload / Run, why
 * they are disabled, what is in progress, the followed run's state as KFP reports it, and the
 * outcome of the last action right under the buttons that caused it.
 */
import { h, replaceChildren } from '../../dom';
import type { Action, ChangeKind, DeployController } from '../controller';
import { isTerminal } from '../controller';
import { renderNotice, stateBadge } from './notice';

export class ActionBar {
  readonly node: HTMLElement;

  constructor(private readonly _controller: DeployController) {
    const button = (action: Action, label: string, title: string, accept = false) =>
      h(
        'button',
        {
          class: `jp-Button jp-mod-styled ${accept ? 'jp-mod-accept' : 'jp-mod-reject'} tfx-DeployPanel-button`,
          type: 'button',
          'data-action': action,
          'data-title': title,
          title,
          onclick: () => void this._controller.act(action)
        },
        label
      );
    this._buttons = [
      button('compile', 'Compile', 'Compile the pipeline to KFP v2 YAML'),
      button('upload', 'Upload', 'Upload the pipeline (or a new version) to KFP'),
      button('run', 'Run', 'Upload the pipeline and start a run', true)
    ];
    this._reason = h('div', { class: 'tfx-DeployPanel-reason', 'aria-live': 'polite' });
    this._busy = h('div', { class: 'tfx-DeployPanel-busy', 'aria-live': 'polite' });
    this._run = h('div', { class: 'tfx-DeployPanel-runBadge' });
    this._notice = h('div', { class: 'tfx-DeployPanel-notices tfx-DeployPanel-actionNotice', 'aria-live': 'polite' });
    this.node = h(
      'div',
      { class: 'tfx-DeployPanel-actionBar' },
      h('div', { class: 'tfx-DeployPanel-actions' }, this._buttons, this._run),
      this._reason,
      this._busy,
      this._notice
    );
    _controller.changed.connect(this._onChanged, this);
    _controller.target.changed.connect(this._renderButtons, this);
    this._renderButtons();
    this._renderRun();
    this._renderNotice();
  }

  dispose(): void {
    this._controller.changed.disconnect(this._onChanged, this);
    this._controller.target.changed.disconnect(this._renderButtons, this);
  }

  private _onChanged(_: unknown, kind: ChangeKind): void {
    if (kind === 'busy') {
      this._renderButtons();
    } else if (kind === 'run') {
      this._renderRun();
    } else if (kind === 'notice') {
      this._renderNotice();
    }
  }

  private _renderButtons(): void {
    const c = this._controller;
    const blocked = c.target.blockedReason;
    for (const b of this._buttons) {
      b.disabled = blocked !== null || c.busy !== null;
      b.title = blocked ?? b.getAttribute('data-title') ?? b.title;
    }
    this._reason.textContent = blocked ?? '';
    this._reason.hidden = !blocked;
    this._busy.textContent = c.busyText;
    this._busy.hidden = !c.busyText;
  }

  private _renderRun(): void {
    const tracked = this._controller.trackedRun;
    if (!tracked) {
      replaceChildren(this._run);
      return;
    }
    // The badge is the state KFP reported; before the first answer the run is PENDING there too.
    const state = tracked.status ? String(tracked.status.state).toUpperCase() : 'PENDING';
    const url = tracked.status?.runUrl || tracked.run.runUrl;
    replaceChildren(
      this._run,
      h('span', { class: 'tfx-DeployPanel-muted' }, 'Run'),
      url
        ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', title: `Open run ${tracked.run.runId} in the KFP UI` }, stateBadge(state))
        : stateBadge(state),
      tracked.polling && !isTerminal(state) ? h('span', { class: 'tfx-DeployPanel-spinner', 'aria-label': 'updating' }) : null
    );
  }

  private _renderNotice(): void {
    const notice = this._controller.notice;
    replaceChildren(this._notice, notice ? renderNotice(notice) : null);
    if (notice) {
      // The action bar is sticky, but a long panel may be scrolled: keep the outcome in view.
      this._notice.scrollIntoView?.({ block: 'nearest' });
    }
  }

  private _buttons: HTMLButtonElement[];
  private _reason: HTMLElement;
  private _busy: HTMLElement;
  private _run: HTMLElement;
  private _notice: HTMLElement;
}
