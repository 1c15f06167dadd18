// The serving page's loaded models: device and memory per model where the sidecar reports them (the gauge
// pgml.model.memory, Prometheus pgml_model_memory_bytes, tagged model / device / cache), else the number of
// models each cache holds, with a note that this build does not measure per-model memory.

import type { Meter } from './api';

export const MODEL_MEMORY = 'pgml.model.memory';
const CACHE_LOADED = 'pgml.model.cache.loaded';
const TABULAR_LOADED = 'pgml.models.loaded';

export interface LoadedModels {
  /** One row per loaded model: model, cache, device, bytes. */
  models: { model: string; cache: string; device: string; bytes: number | null }[];
  /** Models loaded per cache, from the count gauges. */
  counts: { cache: string; loaded: number }[];
  /** Whether this sidecar reports per-model memory at all. */
  measured: boolean;
}

export function loadedModels(meters: Meter[]): LoadedModels {
  const memory = meters.filter((m) => m.name === MODEL_MEMORY);
  const models = memory.map((m) => ({
    model: m.tags.model ?? '—', cache: m.tags.cache ?? '—', device: m.tags.device ?? 'cpu',
    bytes: typeof m.value === 'number' ? m.value : null,
  })).sort((a, b) => (b.bytes ?? 0) - (a.bytes ?? 0) || a.model.localeCompare(b.model));
  const value = (m: Meter) => (typeof m.value === 'number' ? m.value : 0);
  const counts = meters.filter((m) => m.name === CACHE_LOADED).map((m) => ({ cache: m.tags.cache ?? '—', loaded: value(m) }));
  // the planner's own count of trained models, where the tabular cache has no gauge of its own (older builds)
  const tabular = meters.find((m) => m.name === TABULAR_LOADED);
  if (tabular && !counts.some((c) => c.cache === 'tabular')) counts.push({ cache: 'tabular', loaded: value(tabular) });
  counts.sort((a, b) => a.cache.localeCompare(b.cache));
  return { models, counts, measured: memory.length > 0 };
}

export function formatBytes(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let x = v;
  let u = 0;
  while (x >= 1024 && u < units.length - 1) { x /= 1024; u++; }
  return `${u === 0 ? x : x.toFixed(1)} ${units[u]}`;
}
