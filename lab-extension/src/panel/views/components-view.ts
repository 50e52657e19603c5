/**
 * The components the notebook ran (the bridge's describe result), collapsed by default, with the
 * per-component resources that go into the compiled pipeline: cpu, memory, gpu and caching.
 * Invalid values are marked on their input as typed; rows a compile warning is about are marked.
 */
import { h, replaceChildren } from '../../dom';
import type { ComponentInfo, ComponentResources } from '../../protocol';
import { resourceField, type ChangeKind, type DeployController } from '../controller';

export class ComponentsView {
  readonly node: HTMLDetailsElement;

  constructor(private readonly _controller: DeployController) {
    this._summary = h('summary', { class: 'tfx-DeployPanel-summary' }, 'Components');
    this._body = h('div', { class: 'tfx-ComponentsTable' });
    this.node = h('details', { class: 'tfx-DeployPanel-section tfx-DeployPanel-components' }, this._summary, this._body);
    _controller.target.pipelineChanged.connect(this.render, this);
    _controller.changed.connect(this._onChanged, this);
    this.render();
  }

  dispose(): void {
    this._controller.target.pipelineChanged.disconnect(this.render, this);
    this._controller.changed.disconnect(this._onChanged, this);
  }

  private _onChanged(_: unknown, kind: ChangeKind): void {
    if (kind === 'notebookState') {
      this._shown = '';
      this.render();
    } else if (kind === 'fields' || kind === 'yaml') {
      this._mark();
    }
  }

  /** Rebuilt only when the components change, so edits in progress are kept. */
  render(): void {
    const target = this._controller.target;
    const components = target.pipeline?.components ?? [];
    replaceChildren(
      this._summary,
      'Components',
      h('span', { class: 'tfx-DeployPanel-count' }, target.pipeline ? String(components.length) : target.describing ? '…' : '–')
    );
    const key = JSON.stringify(components.map(c => [c.id, c.type, c.moduleFile ?? '', c.inline]));
    if (key === this._shown && components.length > 0) {
      this._mark();
      return;
    }
    this._shown = key;
    if (components.length === 0) {
      replaceChildren(this._body, h('div', { class: 'tfx-DeployPanel-empty' }, target.describing ? 'Reading the notebook\'s pipeline…' : 'No components yet: run the notebook\'s component cells (context.run(…)).'));
      return;
    }
    const resources = this._controller.notebookState.components;
    replaceChildren(
      this._body,
      h(
        'table',
        { class: 'tfx-Table tfx-ComponentsTable-table', 'aria-label': 'Pipeline components' },
        h('colgroup', null, h('col', { class: 'tfx-col-cpu' }), h('col', { class: 'tfx-col-memory' }), h('col', { class: 'tfx-col-gpu' }), h('col', { class: 'tfx-col-cache' })),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col', title: 'CPU request in cores or millicores, e.g. 500m or 2 (empty: cluster default)' }, 'CPU'),
            h('th', { scope: 'col', title: 'Memory request with a unit, e.g. 4Gi or 512Mi (empty: cluster default)' }, 'Memory'),
            h('th', { scope: 'col', title: 'Number of GPUs, e.g. 1 (empty: none)' }, 'GPU'),
            h('th', { scope: 'col', title: 'Reuse cached results when inputs are unchanged' }, 'Cache')
          )
        ),
        components.map(c => this._row(c, resources[c.id] ?? {}))
      )
    );
    this._mark();
  }

  /** Mark invalid inputs and the rows compile warnings are about. */
  private _mark(): void {
    const errors = this._controller.fieldErrors;
    for (const input of Array.from(this._body.querySelectorAll<HTMLInputElement>('input[data-field]'))) {
      const message = errors[input.dataset.field ?? ''];
      input.classList.toggle('tfx-mod-invalid', !!message);
      if (message) {
        input.setAttribute('aria-invalid', 'true');
        input.title = message;
      } else {
        input.removeAttribute('aria-invalid');
        input.title = input.dataset.help ?? '';
      }
      const errorLine = input.closest('tbody')?.querySelector<HTMLElement>('.tfx-ComponentsTable-error');
      if (errorLine) {
        const id = input.closest('tbody')?.getAttribute('data-component') ?? '';
        const rowErrors = ['cpu', 'memory', 'gpu'].map(k => errors[resourceField(id, k as 'cpu')]).filter(Boolean);
        errorLine.textContent = rowErrors.join(' ');
        errorLine.hidden = rowErrors.length === 0;
      }
    }
    const warned = new Map<string, string>();
    for (const w of this._controller.warnings) {
      if (w.componentId) {
        warned.set(w.componentId, w.message);
      }
    }
    for (const group of Array.from(this._body.querySelectorAll<HTMLElement>('tbody[data-component]'))) {
      const message = warned.get(group.getAttribute('data-component') ?? '');
      group.classList.toggle('tfx-mod-warning', !!message);
      const badge = group.querySelector<HTMLElement>('.tfx-ComponentsTable-warning');
      if (badge) {
        badge.hidden = !message;
        badge.title = message ?? '';
      }
    }
    if (warned.size > 0 || Object.keys(errors).some(k => k.startsWith('component:'))) {
      // Whatever needs the user's eye opens the section.
      this.node.open = true;
    }
  }

  private _row(component: ComponentInfo, res: ComponentResources): HTMLElement {
    const current: ComponentResources = { ...res };
    const raw: { cpu?: string; memory?: string; gpu?: string } = {};
    const emit = () => this._controller.setResources(component.id, { ...current }, raw);
    const input = (key: 'cpu' | 'memory' | 'gpu', placeholder: string, label: string, help: string) =>
      h('input', {
        class: 'jp-mod-styled tfx-ComponentsTable-input',
        type: 'text',
        inputmode: key === 'gpu' ? 'numeric' : 'text',
        value: current[key] ?? '',
        placeholder,
        title: help,
        'data-help': help,
        'data-field': resourceField(component.id, key),
        'aria-label': `${label} for ${component.id}`,
        oninput: (e: Event) => {
          const v = (e.target as HTMLInputElement).value.trim();
          raw[key] = v;
          if (!v) {
            delete current[key];
          } else if (key === 'gpu') {
            const n = Number(v);
            if (Number.isInteger(n) && n >= 0) {
              current.gpu = n;
            } else {
              delete current.gpu;
            }
          } else {
            current[key] = v;
          }
          emit();
        }
      });
    const cache = h('input', {
      type: 'checkbox',
      checked: current.enableCache !== false,
      'aria-label': `Cache ${component.id}`,
      onchange: (e: Event) => {
        if ((e.target as HTMLInputElement).checked) {
          delete current.enableCache;
        } else {
          current.enableCache = false;
        }
        emit();
      }
    });
    // One row group per component: its name on a full-width row (narrow sidebars), then its inputs.
    return h(
      'tbody',
      { class: 'tfx-ComponentsTable-component', 'data-component': component.id },
      h(
        'tr',
        { class: 'tfx-ComponentsTable-nameRow' },
        h(
          'th',
          { scope: 'rowgroup', colspan: 4, class: 'tfx-ComponentsTable-name' },
          h('span', { class: 'tfx-ComponentsTable-id', title: component.id }, component.id),
          h(
            'span',
            { class: 'tfx-ComponentsTable-type', title: component.moduleFile ?? component.type },
            // The type only when the id does not already say it (ids default to the type name).
            component.type && component.type !== component.id ? component.type : null,
            component.moduleFile ? h('span', { class: 'tfx-ComponentsTable-module' }, component.moduleFile) : null,
            component.inline
              ? h('span', { class: 'tfx-Badge tfx-mod-warning', title: 'Defined inline in the notebook: it cannot run in a container. Move its code to a module file (.ts) and reference it by path.' }, 'inline')
              : null,
            h('span', { class: 'tfx-Badge tfx-mod-warning tfx-ComponentsTable-warning', hidden: true }, 'warning')
          )
        )
      ),
      h(
        'tr',
        { class: 'tfx-ComponentsTable-inputRow' },
        h('td', null, input('cpu', '500m', 'CPU', 'CPU request: cores ("2", "0.5") or millicores ("500m"); empty: cluster default')),
        h('td', null, input('memory', '4Gi', 'Memory', 'Memory request with a unit ("4Gi", "512Mi"); empty: cluster default')),
        h('td', null, input('gpu', '0', 'GPUs', 'Number of GPUs (1 × the cluster\'s default accelerator); empty: none')),
        h('td', { class: 'tfx-ComponentsTable-cache' }, cache)
      ),
      h('tr', { class: 'tfx-ComponentsTable-errorRow' }, h('td', { colspan: 4 }, h('div', { class: 'tfx-ComponentsTable-error tfx-DeployPanel-fieldError', role: 'alert', hidden: true })))
    );
  }

  private _summary: HTMLElement;
  private _body: HTMLElement;
  private _shown = '';
}
