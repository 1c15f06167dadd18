import { post, type ConsoleResult } from '../api';
import { h, table } from '../dom';
import { errorBox } from './errors';

/** Statements run on the role's connection through the sidecar, so pgml.* calls are served. */
export function consolePage(root: HTMLElement): void {
  const sql = h('textarea', { id: 'sql', rows: 6, spellcheck: 'false' }, 'SELECT pgml.version();') as HTMLTextAreaElement;
  const output = h('div', { id: 'console-output' });
  const run = async () => {
    output.replaceChildren(h('span', {}, 'running…'));
    try {
      const r = await post<ConsoleResult>('/api/sql', { sql: sql.value });
      output.replaceChildren(...r.results.map((res) => 'update_count' in res
        ? h('p', { class: 'result' }, `${res.update_count} rows affected`)
        : h('div', { class: 'result' }, table(res.columns.map((c) => c.name), res.rows.map((row) => row.map((v) => v ?? 'NULL'))),
          res.truncated ? h('p', { class: 'small' }, 'first 500 rows shown') : null)));
      if (r.results.length === 0) output.replaceChildren(h('p', {}, 'done'));
    } catch (e) {
      output.replaceChildren(errorBox(e));
    }
  };
  sql.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) run(); });
  root.replaceChildren(h('section', { class: 'card' }, h('h1', {}, 'SQL console'),
    h('p', { class: 'small' }, 'Runs through the sidecar as this role (Ctrl+Enter).'), sql,
    h('div', {}, h('button', { id: 'run-sql', onclick: run }, 'Run')), output));
}
