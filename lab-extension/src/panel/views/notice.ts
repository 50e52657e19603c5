/**
 * Draws a notice (panel/notices.ts): title, the error code, message, hint, and folded kernel output.
 */
import { h } from '../../dom';
import type { INotice } from '../notices';

export function renderNotice(notice: INotice): HTMLElement {
  return h(
    'div',
    {
      class: `tfx-Notice tfx-mod-${notice.kind}`,
      role: notice.kind === 'error' ? 'alert' : 'status',
      'data-code': notice.code
    },
    h(
      'div',
      { class: 'tfx-Notice-title' },
      notice.title,
      // Codes of errors help when reporting them; panel-made notices keep theirs in data-code.
      notice.code && notice.kind === 'error' && /^[A-Z_]+$/.test(notice.code) && !PANEL_CODES.has(notice.code)
        ? h('code', { class: 'tfx-Notice-code' }, notice.code)
        : null
    ),
    notice.message ? h('div', { class: 'tfx-Notice-message' }, notice.message) : null,
    notice.hint ? h('div', { class: 'tfx-Notice-hint' }, notice.hint) : null,
    notice.details
      ? h('details', { class: 'tfx-Notice-details' }, h('summary', null, 'Kernel output'), h('pre', null, notice.details))
      : null
  );
}

/** Codes the panel gives its own notices (not errors a user would report). */
const PANEL_CODES = new Set(['INVALID_FIELDS', 'NOT_READY', 'COMPILED', 'UPLOADED', 'RUN_STARTED']);

/** A coloured badge for a run or task state. */
export function stateBadge(state: string): HTMLElement {
  const s = (state || 'UNKNOWN').toUpperCase();
  const kind =
    s === 'SUCCEEDED'
      ? 'success'
      : s === 'FAILED' || s === 'ERROR'
        ? 'error'
        : s === 'CANCELED' || s === 'CANCELING' || s === 'SKIPPED'
          ? 'neutral'
          : 'running';
  return h('span', { class: `tfx-Badge tfx-mod-${kind}`, 'data-state': s }, s);
}

/** A labelled form row with an inline error line (shown when the controller marks the field). */
export function field(id: string, label: string, control: HTMLElement, help?: string): { node: HTMLElement; error: HTMLElement } {
  const error = h('div', { class: 'tfx-DeployPanel-fieldError', id: `${id}-error`, role: 'alert', hidden: true });
  const node = h(
    'div',
    { class: 'tfx-DeployPanel-field', 'data-field': id },
    h('label', { for: id, class: 'tfx-DeployPanel-label' }, label),
    control,
    help ? h('div', { class: 'tfx-DeployPanel-help' }, help) : null,
    error
  );
  return { node, error };
}

/** Show or clear a field's inline error and mark its input invalid. */
export function markField(row: { node: HTMLElement; error: HTMLElement }, message: string | undefined): void {
  row.error.textContent = message ?? '';
  row.error.hidden = !message;
  row.node.classList.toggle('tfx-mod-invalid', !!message);
  const input = row.node.querySelector('input, select');
  if (input) {
    if (message) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', row.error.id);
    } else {
      input.removeAttribute('aria-invalid');
    }
  }
}

export function textInput(id: string, label: string, attrs: Record<string, string> = {}): HTMLInputElement {
  return h('input', {
    id,
    class: 'jp-mod-styled tfx-DeployPanel-input',
    type: 'text',
    'aria-label': label,
    autocomplete: 'off',
    spellcheck: 'false',
    ...attrs
  });
}

/** A select with a theme-coloured caret. */
export function selectWrap(select: HTMLSelectElement): HTMLElement {
  return h('div', { class: 'tfx-DeployPanel-selectWrap' }, select);
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return iso;
  }
  return d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}
