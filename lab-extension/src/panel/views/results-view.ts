/**
 * What the actions produced, below the form: the followed run's tasks, the compiled YAML
 * (collapsed, with a download link) and the notebook's recent runs. Each renders from the
 * controller's `changed` signal.
 */
import { h, replaceChildren } from '../../dom';
import { canOpenRun, isTerminal, type ChangeKind, type DeployController } from '../controller';
import type { IRecentRun } from '../model';
import { errorNotice } from '../notices';
import { formatTime, renderNotice, stateBadge } from './notice';

/** "Open in notebook" for a finished run, and how opening it went (next to the button that caused it). */
function openRunControls(controller: DeployController, run: IRecentRun, state: string): HTMLElement[] {
  if (!canOpenRun(state)) {
    return [];
  }
  const open = controller.openRunState;
  const mine = open?.runId === run.runId ? open : null;
  const button = h(
    'button',
    {
      class: 'jp-Button jp-mod-styled jp-mod-reject tfx-DeployPanel-openRun',
      type: 'button',
      'data-run-id': run.runId,
      title: 'Download this run\'s statistics, schema, anomalies and evaluation from the pipeline root and show them in a new notebook cell',
      onclick: () => void controller.openInNotebook(run)
    },
    mine?.busy ? 'Opening…' : 'Open in notebook'
  );
  button.disabled = !!open?.busy;
  const notice = mine?.notice ? h('div', { class: 'tfx-DeployPanel-notices tfx-DeployPanel-openNotice' }, renderNotice(mine.notice)) : null;
  return notice ? [button, notice] : [button];
}

export class RunView {
  readonly node: HTMLElement;

  constructor(private readonly _controller: DeployController) {
    this.node = h('section', { class: 'tfx-DeployPanel-section tfx-DeployPanel-run', hidden: true });
    _controller.changed.connect(this._onChanged, this);
  }

  dispose(): void {
    this._controller.changed.disconnect(this._onChanged, this);
  }

  private _onChanged(_: unknown, kind: ChangeKind): void {
    if (kind === 'run' || kind === 'open') {
      this.render();
      if (kind === 'open' && this._controller.openRunState?.runId === this._controller.trackedRun?.run.runId) {
        this.node.querySelector('.tfx-DeployPanel-openNotice')?.scrollIntoView?.({ block: 'nearest' });
      }
    }
  }

  render(): void {
    const tracked = this._controller.trackedRun;
    if (!tracked) {
      this.node.hidden = true;
      replaceChildren(this.node);
      return;
    }
    const { run, status, error, polling } = tracked;
    const state = status ? String(status.state).toUpperCase() : 'PENDING';
    const url = status?.runUrl || run.runUrl;
    const tasks = status?.tasks ?? [];
    replaceChildren(
      this.node,
      h('h3', null, 'Run'),
      h(
        'div',
        { class: 'tfx-DeployPanel-runHeader' },
        stateBadge(state),
        h('code', { class: 'tfx-DeployPanel-runId', title: run.runId }, run.runId),
        polling && !isTerminal(state) ? h('span', { class: 'tfx-DeployPanel-muted' }, 'updating every 2 s') : null
      ),
      h(
        'div',
        { class: 'tfx-DeployPanel-runLinks' },
        url ? h('a', { class: 'tfx-DeployPanel-runLink', href: url, target: '_blank', rel: 'noopener noreferrer' }, 'Open in the KFP UI') : null,
        openRunControls(this._controller, run, state)
      ),
      tasks.length > 0
        ? h(
            'table',
            { class: 'tfx-Table tfx-DeployPanel-tasks', 'aria-label': 'Run tasks' },
            h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Task'), h('th', { scope: 'col' }, 'State'))),
            h('tbody', null, tasks.map(t => h('tr', null, h('td', null, t.name), h('td', null, stateBadge(String(t.state).toUpperCase())))))
          )
        : null,
      error ? renderNotice(errorNotice('Checking the run', error)) : null,
      !polling && !isTerminal(state)
        ? h(
            'div',
            { class: 'tfx-DeployPanel-muted' },
            'Stopped following this run. ',
            h('button', { class: 'jp-Button jp-mod-minimal tfx-DeployPanel-linkButton', type: 'button', onclick: () => this._controller.follow(run) }, 'Follow again')
          )
        : null
    );
    this.node.hidden = false;
  }
}

export class YamlView {
  readonly node: HTMLDetailsElement;

  constructor(private readonly _controller: DeployController) {
    this.node = h('details', { class: 'tfx-DeployPanel-section tfx-DeployPanel-yaml', hidden: true });
    _controller.changed.connect(this._onChanged, this);
  }

  dispose(): void {
    this._controller.changed.disconnect(this._onChanged, this);
    if (this._url) {
      URL.revokeObjectURL(this._url);
    }
  }

  private _onChanged(_: unknown, kind: ChangeKind): void {
    if (kind === 'yaml') {
      this.render();
    }
  }

  render(): void {
    const yaml = this._controller.yaml;
    if (this._url) {
      URL.revokeObjectURL(this._url);
      this._url = '';
    }
    if (!yaml) {
      this.node.hidden = true;
      replaceChildren(this.node);
      return;
    }
    this._url = URL.createObjectURL(new Blob([yaml.text], { type: 'application/x-yaml' }));
    const fileName = `${(yaml.pipelineName || 'pipeline').replace(/[^A-Za-z0-9._-]+/g, '_')}.yaml`;
    replaceChildren(
      this.node,
      h('summary', { class: 'tfx-DeployPanel-summary' }, 'Compiled pipeline', h('span', { class: 'tfx-DeployPanel-count' }, `${yaml.text.split('\n').length} lines`)),
      h('a', { class: 'tfx-DeployPanel-download', href: this._url, download: fileName }, `Download ${fileName}`),
      h('pre', { class: 'tfx-DeployPanel-yamlText', tabindex: 0, 'aria-label': 'Compiled pipeline YAML', 'aria-readonly': 'true' }, yaml.text)
    );
    this.node.hidden = false;
  }

  private _url = '';
}

export class RecentRunsView {
  readonly node: HTMLElement;

  constructor(private readonly _controller: DeployController) {
    this.node = h('section', { class: 'tfx-DeployPanel-section tfx-DeployPanel-recent', hidden: true });
    _controller.changed.connect(this._onChanged, this);
  }

  dispose(): void {
    this._controller.changed.disconnect(this._onChanged, this);
  }

  private _onChanged(_: unknown, kind: ChangeKind): void {
    if (kind === 'recent' || kind === 'open') {
      this.render();
    }
  }

  render(): void {
    const runs = this._controller.notebookState.recentRuns;
    if (runs.length === 0) {
      this.node.hidden = true;
      replaceChildren(this.node);
      return;
    }
    replaceChildren(
      this.node,
      h('h3', null, 'Recent runs of this notebook'),
      h(
        'ul',
        { class: 'tfx-DeployPanel-recentList' },
        runs.map(run =>
          h(
            'li',
            { class: 'tfx-DeployPanel-recentRun', 'data-run-id': run.runId },
            stateBadge(run.state),
            run.runUrl
              ? h('a', { href: run.runUrl, target: '_blank', rel: 'noopener noreferrer', title: run.runId }, run.pipelineName || run.runId)
              : h('span', { title: run.runId }, run.pipelineName || run.runId),
            h('span', { class: 'tfx-DeployPanel-muted' }, `${run.experimentName} · ${formatTime(run.createdAt)}`),
            isTerminal(run.state)
              ? null
              : h('button', { class: 'jp-Button jp-mod-minimal tfx-DeployPanel-linkButton', type: 'button', onclick: () => this._controller.follow(run) }, 'Follow'),
            // The followed run has its button in the Run section above.
            run.runId === this._controller.trackedRun?.run.runId ? null : openRunControls(this._controller, run, run.state)
          )
        )
      )
    );
    this.node.hidden = false;
  }
}
