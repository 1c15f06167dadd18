import { describe, expect, it } from 'vitest';
import { confusionMatrix, curves, numberOf, perClassScores, scalarMetrics } from './metrics';

describe('metrics documents', () => {
  const m = { f1: 0.9, accuracy: 0.95, confusion_matrix: [[5, 1], [0, 4]], precision_per_class: [0.8, 1.0], note: 'x' };

  it('reads numbers and skips the rest', () => {
    expect(numberOf(m, 'f1')).toBe(0.9);
    expect(numberOf(m, 'note')).toBeNull();
    expect(numberOf(null, 'f1')).toBeNull();
    expect(scalarMetrics(m).map((e) => e[0])).toEqual(['accuracy', 'f1']);
  });

  it('finds a square confusion matrix and per-class arrays only where they are', () => {
    expect(confusionMatrix(m)).toEqual([[5, 1], [0, 4]]);
    expect(confusionMatrix({ confusion_matrix: [[1, 2]] })).toBeNull();
    expect(confusionMatrix({ f1: 1 })).toBeNull();
    expect(perClassScores(m)).toEqual({ names: ['precision_per_class'], rows: [[0.8], [1.0]] });
    expect(perClassScores({ f1: 1 })).toBeNull();
  });

  it('turns tuning logs into one curve per numeric key, by step', () => {
    const c = curves([{ step: 10, epoch: 0, loss: 1.5 }, { step: 20, epoch: 1, loss: 0.9, eval_f1: 0.7 }]);
    expect([...c.keys()]).toEqual(['loss', 'eval_f1']);
    expect(c.get('loss')).toEqual([{ x: 10, y: 1.5 }, { x: 20, y: 0.9 }]);
    expect(c.get('eval_f1')).toEqual([{ x: 20, y: 0.7 }]);
  });
});
