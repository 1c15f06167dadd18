import { get, type Snapshot } from '../api';
import { formatNumber } from '../chart';
import { h, table, when } from '../dom';

const SVG = 'http://www.w3.org/2000/svg';

/** A histogram's bars as a small SVG, one bar per bucket. */
function histogram(counts: number[]): SVGElement {
  const w = 160, hgt = 36, max = Math.max(1, ...counts), bw = w / Math.max(1, counts.length);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('class', 'histogram');
  counts.forEach((c, i) => {
    const r = document.createElementNS(SVG, 'rect');
    const bh = (hgt * c) / max;
    r.setAttribute('x', String(i * bw + 0.5));
    r.setAttribute('y', String(hgt - bh));
    r.setAttribute('width', String(Math.max(1, bw - 1)));
    r.setAttribute('height', String(bh));
    r.append(Object.assign(document.createElementNS(SVG, 'title'), { textContent: String(c) }));
    svg.append(r);
  });
  return svg;
}

export async function snapshotPage(root: HTMLElement, id: number): Promise<void> {
  const s = await get<Snapshot>(`/api/snapshots/${id}`);
  const columns = s.columns ?? [];
  root.replaceChildren(
    h('section', { class: 'card' },
      h('h1', {}, `Snapshot #${s.id} of ${s.relation_name}`),
      h('p', {}, `label ${(s.y_column_name ?? []).join(', ') || '—'} · test ${s.test_size} (${s.test_sampling}) · ${s.status}`
        + ` · ${s.materialized ? 'materialized' : 'live table'} · ${when(s.created_at)}`),
      h('p', {}, Object.entries(s.analysis ?? {}).map(([k, v]) => `${k} ${v}`).join(' · ')),
      h('p', {}, 'Models: ', ...s.models.map((m) => h('a', { href: `#/projects/${m.project_id}`, class: 'sep' }, `#${m.id} ${m.algorithm}`)))),
    h('section', { class: 'card' },
      h('h2', {}, 'Columns (training split)'),
      columns.length === 0 ? h('p', { class: 'empty' }, 'No column statistics recorded.')
        : table(['column', 'type', 'missing', 'distinct', 'min', 'mean', 'median', 'max', 'std dev', 'histogram'],
          columns.map((c) => {
            const st = c.statistics ?? {};
            return [
              c.label ? h('strong', {}, `${c.name} (label)`) : c.name, c.pg_type ?? '—', st.missing ?? '—', st.distinct ?? '—',
              formatNumber(st.min), formatNumber(st.mean), formatNumber(st.median), formatNumber(st.max), formatNumber(st.std_dev),
              st.histogram && st.histogram.length ? histogram(st.histogram)
                : st.categories ? Object.entries(st.categories).map(([k, v]) => `${k}: ${v.members}`).join(', ') : '—',
            ];
          }), { id: 'columns' })));
}
