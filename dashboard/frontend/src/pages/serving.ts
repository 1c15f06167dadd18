import { get, type Meter } from '../api';
import { formatNumber } from '../chart';
import { h, table } from '../dom';
import { formatBytes, loadedModels } from '../serving-models';

const tags = (m: Meter) => Object.entries(m.tags).map(([k, v]) => `${k}=${v}`).join(' ');

/** The sidecar's meters, read again every two seconds while the page is open. */
export async function servingPage(root: HTMLElement, isCurrent: () => boolean): Promise<void> {
  const draw = async () => {
    const { meters, read_at } = await get<{ meters: Meter[]; read_at: number }>('/api/serving');
    const timers = meters.filter((m) => m.type === 'timer');
    const summaries = meters.filter((m) => m.type === 'summary');
    const values = meters.filter((m) => m.type === 'counter' || m.type === 'gauge');
    const loaded = loadedModels(meters);
    root.replaceChildren(
      h('section', { class: 'card' },
        h('h1', {}, 'Serving'),
        h('p', { class: 'small' }, `read ${new Date(read_at).toISOString().slice(11, 19)} UTC; refreshed every 2 s`),
        h('h2', {}, 'Loaded models'),
        loaded.measured
          ? table(['model', 'cache', 'device', 'memory'], loaded.models.map((m) => [m.model, m.cache, m.device, formatBytes(m.bytes)]),
            { id: 'loaded-models' })
          : h('p', { class: 'hint', id: 'loaded-models' },
            'This sidecar does not report device and memory per model (gauge pgml_model_memory_bytes); models loaded per cache: ',
            loaded.counts.length === 0 ? 'none reported' : loaded.counts.map((c) => `${c.cache} ${c.loaded}`).join(', '), '.'),
        h('h2', {}, 'Calls and latency'),
        timers.length === 0 ? h('p', { class: 'empty' }, 'No model calls yet.')
          : table(['meter', 'tags', 'calls', 'mean ms', 'max ms'], timers.map((m) => [m.name, tags(m), m.count ?? 0,
            formatNumber(m.mean_ms), formatNumber(m.max_ms)]), { id: 'timers' }),
        h('h2', {}, 'Batch sizes'),
        summaries.length === 0 ? h('p', { class: 'empty' }, 'No batches yet.')
          : table(['meter', 'tags', 'batches', 'mean', 'max', 'rows'], summaries.map((m) => [m.name, tags(m), m.count ?? 0,
            formatNumber(m.mean), formatNumber(m.max), formatNumber(m.total)]), { id: 'batches' }),
        h('h2', {}, 'Loaded models, memory and counts'),
        table(['meter', 'tags', 'value', 'unit'], values.map((m) => [m.name, tags(m), formatNumber(m.value ?? null), m.unit ?? '']),
          { id: 'gauges' })));
  };
  await draw();
  const timer = setInterval(() => {
    if (!isCurrent()) { clearInterval(timer); return; }
    draw().catch(() => clearInterval(timer));
  }, 2000);
}
