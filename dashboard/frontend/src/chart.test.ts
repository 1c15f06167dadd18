import { describe, expect, it } from 'vitest';
import { formatNumber, layoutChart, layoutScatter } from './chart';

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

describe('layoutScatter', () => {
  it('places one point per pair, both axes on one range, a perfect prediction on the diagonal', () => {
    const l = layoutScatter([1, 2, 3], [1, 2.5, 3], 400, 400);
    expect(l.points).toHaveLength(3);
    const d = l.diagonal;
    const diagonalY = (x: number) => d.y1 + ((x - d.x1) * (d.y2 - d.y1)) / (d.x2 - d.x1);
    expect(l.points[0].y).toBeCloseTo(diagonalY(l.points[0].x)); // actual = predicted: on the diagonal
    expect(l.points[1].y).toBeLessThan(diagonalY(l.points[1].x)); // over-predicted: above it
    expect(l.points[2].x).toBeGreaterThan(l.points[0].x); // larger actual: further right
    for (const p of l.points) {
      expect(p.x).toBeGreaterThanOrEqual(l.plot.left);
      expect(p.x).toBeLessThanOrEqual(l.plot.right);
    }
    expect(l.ticks).toHaveLength(5);
  });
});
