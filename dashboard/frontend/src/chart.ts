// A scatter-and-line chart of one metric across models, drawn as SVG: one circle per model,
// placed by training time, joined in time order; and a regression's predicted-vs-actual scatter.
// The layouts are pure functions so they are tested alone.

export interface ChartPoint { id: number; label: string; time: number; value: number }

export interface PlacedPoint extends ChartPoint { x: number; y: number }

export interface ChartLayout {
  width: number; height: number; points: PlacedPoint[];
  yTicks: { y: number; label: string }[];
  plot: { left: number; top: number; right: number; bottom: number };
}

const MARGIN = { left: 56, right: 16, top: 12, bottom: 28 };

export function layoutChart(points: ChartPoint[], width = 640, height = 240): ChartLayout {
  const plot = { left: MARGIN.left, top: MARGIN.top, right: width - MARGIN.right, bottom: height - MARGIN.bottom };
  const sorted = [...points].sort((a, b) => a.time - b.time || a.id - b.id);
  let lo = Math.min(...sorted.map((p) => p.value));
  let hi = Math.max(...sorted.map((p) => p.value));
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (hi === lo) { lo -= 0.5; hi += 0.5; }
  const pad = (hi - lo) * 0.08;
  lo -= pad; hi += pad;
  // models trained in one call share a second: spread them evenly by order instead of by clock
  const n = sorted.length;
  const xOf = (i: number) => (n === 1 ? (plot.left + plot.right) / 2 : plot.left + ((plot.right - plot.left) * i) / (n - 1));
  const yOf = (v: number) => plot.bottom - ((plot.bottom - plot.top) * (v - lo)) / (hi - lo);
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = lo + (hi - lo) * f;
    return { y: yOf(v), label: formatNumber(v) };
  });
  return { width, height, plot, yTicks, points: sorted.map((p, i) => ({ ...p, x: xOf(i), y: yOf(p.value) })) };
}

export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.001 || a >= 1e6)) return v.toExponential(2);
  return Number.isInteger(v) ? String(v) : v.toFixed(a < 1 ? 4 : 3);
}

const SVG = 'http://www.w3.org/2000/svg';

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function renderChart(layout: ChartLayout, metric: string, highlight?: number | null): SVGSVGElement {
  const svg = el('svg', { viewBox: `0 0 ${layout.width} ${layout.height}`, class: 'chart', role: 'img', 'aria-label': `${metric} per model` }) as SVGSVGElement;
  const { plot } = layout;
  for (const t of layout.yTicks) {
    svg.append(el('line', { x1: plot.left, x2: plot.right, y1: t.y, y2: t.y, class: 'grid' }));
    svg.append(el('text', { x: plot.left - 6, y: t.y + 4, 'text-anchor': 'end', class: 'tick' }, t.label));
  }
  if (layout.points.length > 1) {
    svg.append(el('polyline', { points: layout.points.map((p) => `${p.x},${p.y}`).join(' '), class: 'trend' }));
  }
  for (const p of layout.points) {
    const c = el('circle', { cx: p.x, cy: p.y, r: 6, class: p.id === highlight ? 'point deployed' : 'point', 'data-model-id': p.id });
    const trained = Number.isFinite(p.time) ? ` · trained ${new Date(p.time).toISOString().slice(0, 19).replace('T', ' ')}` : '';
    c.append(el('title', {}, `model ${p.id} · ${p.label} · ${metric} ${formatNumber(p.value)}${trained}`));
    svg.append(c);
    svg.append(el('text', { x: p.x, y: plot.bottom + 18, 'text-anchor': 'middle', class: 'tick' }, `#${p.id}`));
  }
  return svg;
}

export interface ScatterLayout {
  width: number; height: number; plot: ChartLayout['plot'];
  points: { x: number; y: number; actual: number; predicted: number }[];
  /** Where each tick value sits on the horizontal (x) and vertical (y) axis. */
  ticks: { x: number; y: number; label: string }[];
  /** The diagonal predicted = actual, from corner to corner of the shared range. */
  diagonal: { x1: number; y1: number; x2: number; y2: number };
}

/** Predicted (vertical) against actual (horizontal), both axes over the same range so the diagonal is a perfect model. */
export function layoutScatter(actual: number[], predicted: number[], width = 420, height = 420): ScatterLayout {
  // a wider right margin than the metric chart's: the last horizontal tick label is centred on the plot's edge
  const plot = { left: MARGIN.left, top: MARGIN.top, right: width - 36, bottom: height - MARGIN.bottom };
  const all = [...actual, ...predicted];
  let lo = all.length ? Math.min(...all) : 0;
  let hi = all.length ? Math.max(...all) : 1;
  if (hi === lo) { lo -= 0.5; hi += 0.5; }
  const pad = (hi - lo) * 0.05;
  lo -= pad; hi += pad;
  const xOf = (v: number) => plot.left + ((plot.right - plot.left) * (v - lo)) / (hi - lo);
  const yOf = (v: number) => plot.bottom - ((plot.bottom - plot.top) * (v - lo)) / (hi - lo);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => lo + (hi - lo) * f).map((v) => ({ x: xOf(v), y: yOf(v), label: formatNumber(v) }));
  return {
    width, height, plot, ticks,
    points: actual.map((a, i) => ({ x: xOf(a), y: yOf(predicted[i]), actual: a, predicted: predicted[i] })),
    diagonal: { x1: xOf(lo), y1: yOf(lo), x2: xOf(hi), y2: yOf(hi) },
  };
}

export function renderScatter(layout: ScatterLayout): SVGSVGElement {
  const svg = el('svg', { viewBox: `0 0 ${layout.width} ${layout.height}`, class: 'chart scatter', role: 'img',
    'aria-label': 'predicted against actual on the test split' }) as SVGSVGElement;
  const { plot } = layout;
  for (const t of layout.ticks) {
    svg.append(el('line', { x1: plot.left, x2: plot.right, y1: t.y, y2: t.y, class: 'grid' }));
    svg.append(el('text', { x: plot.left - 6, y: t.y + 4, 'text-anchor': 'end', class: 'tick' }, t.label));
    svg.append(el('text', { x: t.x, y: plot.bottom + 18, 'text-anchor': 'middle', class: 'tick' }, t.label));
  }
  const d = layout.diagonal;
  svg.append(el('line', { ...d, class: 'trend' }));
  for (const p of layout.points) {
    const c = el('circle', { cx: p.x, cy: p.y, r: 3, class: 'prediction' });
    c.append(el('title', {}, `actual ${formatNumber(p.actual)} · predicted ${formatNumber(p.predicted)}`));
    svg.append(c);
  }
  return svg;
}
