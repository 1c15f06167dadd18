import { describe, expect, it } from 'vitest';
import { formatNumber, layoutChart } from './chart';

describe('layoutChart', () => {
  const points = [
    { id: 3, label: 'xgboost', time: 30, value: 0.9 },
    { id: 1, label: 'linear', time: 10, value: 0.5 },
    { id: 2, label: 'svm', time: 20, value: 0.7 },
  ];

  it('places one point per model, in training order, higher scores higher up', () => {
    const l = layoutChart(points, 600, 200);
    expect(l.points.map((p) => p.id)).toEqual([1, 2, 3]);
    expect(l.points[0].x).toBeLessThan(l.points[1].x);
    expect(l.points[1].x).toBeLessThan(l.points[2].x);
    expect(l.points[2].y).toBeLessThan(l.points[1].y);
    expect(l.points[1].y).toBeLessThan(l.points[0].y);
    for (const p of l.points) {
      expect(p.y).toBeGreaterThanOrEqual(l.plot.top);
      expect(p.y).toBeLessThanOrEqual(l.plot.bottom);
    }
  });

  it('keeps a single model or equal scores inside the plot', () => {
    const one = layoutChart([{ id: 1, label: 'a', time: 0, value: 0.8 }], 600, 200);
    expect(one.points[0].x).toBe((one.plot.left + one.plot.right) / 2);
    const flat = layoutChart([{ id: 1, label: 'a', time: 0, value: 1 }, { id: 2, label: 'b', time: 0, value: 1 }], 600, 200);
    expect(flat.points[0].y).toBeCloseTo(flat.points[1].y);
    expect(Number.isFinite(flat.points[0].y)).toBe(true);
  });
});

describe('formatNumber', () => {
  it('shows missing values as a dash and keeps small scores readable', () => {
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(Number.NaN)).toBe('—');
    expect(formatNumber(0.91234)).toBe('0.9123');
    expect(formatNumber(12)).toBe('12');
    expect(formatNumber(0.00001)).toBe('1.00e-5');
  });
});
