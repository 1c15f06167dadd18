import { describe, expect, it } from 'vitest';
import type { Meter } from './api';
import { formatBytes, loadedModels } from './serving-models';

const gauge = (name: string, tags: Record<string, string>, value: number): Meter =>
  ({ name, description: null, unit: null, tags, type: 'gauge', value });

describe('loaded models on the serving page', () => {
  it('lists device and memory per model, largest first, where the memory gauge exists', () => {
    const l = loadedModels([
      gauge('pgml.model.memory', { model: 'intfloat/e5-small-v2', cache: 'embedding', device: 'cuda:0' }, 134217728),
      gauge('pgml.model.memory', { model: '12', cache: 'tabular' }, 2048),
      gauge('pgml.model.cache.loaded', { cache: 'embedding' }, 1),
    ]);
    expect(l.measured).toBe(true);
    expect(l.models).toEqual([
      { model: 'intfloat/e5-small-v2', cache: 'embedding', device: 'cuda:0', bytes: 134217728 },
      { model: '12', cache: 'tabular', device: 'cpu', bytes: 2048 },
    ]);
    expect(l.counts).toEqual([{ cache: 'embedding', loaded: 1 }]);
  });

  it('falls back to the per-cache counts where no per-model memory is reported', () => {
    const l = loadedModels([gauge('pgml.models.loaded', {}, 2), gauge('pgml.model.cache.loaded', { cache: 'embedding' }, 0)]);
    expect(l.measured).toBe(false);
    expect(l.models).toEqual([]);
    expect(l.counts).toEqual([{ cache: 'embedding', loaded: 0 }, { cache: 'tabular', loaded: 2 }]);
    // the tabular cache's own gauge, where there is one, is not counted twice
    const both = loadedModels([gauge('pgml.models.loaded', {}, 4), gauge('pgml.model.cache.loaded', { cache: 'tabular' }, 4)]);
    expect(both.counts).toEqual([{ cache: 'tabular', loaded: 4 }]);
  });

  it('formats bytes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(134217728)).toBe('128.0 MiB');
    expect(formatBytes(null)).toBe('—');
  });
});
