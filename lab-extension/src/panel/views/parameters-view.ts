/**
 * The pipeline's RuntimeParameters (the kernel's describe), one field each with its type and
 * default: what the next Run sets them to. A value that does not fit the type is marked on its
 * field as typed, with the fix; an empty field keeps the default. Hidden when the pipeline has none.
 */
import { h, replaceChildren } from '../../dom';
import type { RuntimeParameterInfo } from '../../protocol';
import { parameterField, type ChangeKind, type DeployController } from '../controller';
import { field, markField, selectWrap, textInput } from './notice';

/** What a field's placeholder says, so the expected form is visible before typing. */
function placeholder(info: RuntimeParameterInfo): string {
  const kind = info.type === 'int' ? 'whole number' : info.type === 'float' ? 'number' : info.type === 'bool' ? 'true / false' : 'text';
  return `${JSON.stringify(info.default)} (default; ${kind})`;
}

export class ParametersView {
  readonly node: HTMLElement;

  constructor(private readonly _controller: DeployController) {
    this.node = h('section', { class: 'tfx-DeployPanel-section tfx-DeployPanel-parameters', hidden: true });
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
    } else if (kind === 'fields') {
      this._mark();
    }
  }

  /** Rebuilt only when the parameters change, so a value being typed is kept. */
  render(): void {
    const parameters = this._controller.parameters;
    const key = JSON.stringify(parameters.map(p => p.info));
    if (key === this._shown) {
      this._mark();
      return;
    }
    this._shown = key;
    this._rows = {};
    if (parameters.length === 0) {
      this.node.hidden = true;
      replaceChildren(this.node);
      return;
    }
    const rows = parameters.map(({ info, value }) => {
      const id = `tfx-ts-parameter-${info.name}`;
      let control: HTMLElement;
      if (info.type === 'bool') {
        const select = h('select', { id, class: 'tfx-DeployPanel-select', 'aria-label': info.name });
        select.append(
          h('option', { value: '' }, `default (${String(info.default)})`),
          h('option', { value: 'true' }, 'true'),
          h('option', { value: 'false' }, 'false')
        );
        select.value = value;
        select.addEventListener('change', () => this._controller.setParameter(info.name, select.value));
        control = selectWrap(select);
      } else {
        const input = textInput(id, info.name, {
          placeholder: placeholder(info),
          inputmode: info.type === 'string' ? 'text' : 'decimal',
          'data-type': info.type
        });
        input.value = value;
        input.addEventListener('input', () => this._controller.setParameter(info.name, input.value));
        control = input;
      }
      const help = [info.description, info.usedBy.length ? `Sets ${info.usedBy.join(', ')}.` : ''].filter(Boolean).join(' ');
      const row = field(id, info.name, control, help || undefined);
      row.node.querySelector('label')?.append(' ', h('span', { class: 'tfx-DeployPanel-typeChip', title: `RuntimeParameter of type ${info.type}` }, info.type));
      this._rows[info.name] = row;
      return row.node;
    });
    replaceChildren(
      this.node,
      h('h3', null, 'Run parameters'),
      h('div', { class: 'tfx-DeployPanel-help' }, 'The pipeline\'s RuntimeParameters: Run sends these values; an empty field keeps the default.'),
      rows
    );
    this.node.hidden = false;
    this._mark();
  }

  private _mark(): void {
    const errors = this._controller.fieldErrors;
    for (const [name, row] of Object.entries(this._rows)) {
      markField(row, errors[parameterField(name)]);
    }
  }

  private _shown = '';
  private _rows: Record<string, { node: HTMLElement; error: HTMLElement }> = {};
}
