import { ApiError } from '../api';
import { h } from '../dom';

/** PostgreSQL's refusal as the page shows it: message, SQLSTATE and hint. */
export function errorBox(e: unknown): HTMLElement {
  if (e instanceof ApiError) {
    const f = e.failure;
    return h('div', { class: 'error', role: 'alert' },
      h('strong', {}, f.error),
      f.sqlstate ? h('span', { class: 'sqlstate' }, ` SQLSTATE ${f.sqlstate}`) : null,
      f.hint ? h('div', { class: 'hint' }, `Hint: ${f.hint}`) : null);
  }
  return h('div', { class: 'error', role: 'alert' }, String(e));
}
