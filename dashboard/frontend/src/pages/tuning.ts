import { get, type TuningRun } from '../api';
import { formatNumber } from '../chart';
import { h, when } from '../dom';
import { curves } from '../metrics';

const SVG = 'http://www.w3.org/2000/svg';

function svgEl(name: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** One curve: y against step, scaled to its own range. */
function curve(name: string, points: { x: number; y: number }[]): HTMLElement {
  const w = 320, hh = 120, pad = 8;
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => pad + ((w - 2 * pad) * (x - x0)) / (x1 - x0 || 1);
  // a constant series sits in the middle rather than on the floor
  const sy = (y: number) => (y1 === y0 ? hh / 2 : hh - pad - ((hh - 2 * pad) * (y - y0)) / (y1 - y0));
  const svg = svgEl('svg', { viewBox: `0 0 ${w} ${hh}`, class: 'curve' });
  svg.append(svgEl('polyline', { points: points.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' '), class: 'trend' }));
  for (const p of points) svg.append(svgEl('circle', { cx: sx(p.x), cy: sy(p.y), r: 2.5, class: 'point' }));
  return h('figure', {}, svg, h('figcaption', {}, `${name}: ${formatNumber(ys[0])} → ${formatNumber(ys[ys.length - 1])}`));
}

export async function tuningPage(root: HTMLElement): Promise<void> {
  const runs = await get<TuningRun[]>('/api/tuning');
  root.replaceChildren(h('section', { class: 'card' }, h('h1', {}, 'Tuning runs'),
    runs.length === 0 ? h('p', { class: 'empty' }, 'No pgml.logs entries this role may read (pgml.tune writes them).') : null),
  ...runs.map((r) => h('section', { class: 'card run' },
    h('h2', {}, `${r.project ?? 'project ' + r.project_id} · model #${r.model_id ?? '—'}`),
    h('p', { class: 'small' }, `${r.entries.length} log entries from ${when(r.started)}`),
    h('div', { class: 'curves' }, [...curves(r.entries)].map(([name, pts]) => curve(name, pts))))));
}
