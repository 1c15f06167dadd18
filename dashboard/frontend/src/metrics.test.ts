import { describe, expect, it } from 'vitest';
import { classNames, confusionMatrix, curves, numberOf, perClassScores, scalarMetrics, testPredictions } from './metrics';

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
    expect(perClassScores(m)).toEqual({ names: ['precision'], rows: [[0.8], [1.0]] });
    expect(perClassScores({ f1: 1 })).toBeNull();
  });

  it('names the classes from metrics.classes, or by index', () => {
    expect(classNames({ classes: ['false', 'true'] }, 2)).toEqual(['false', 'true']);
    expect(classNames({ classes: ['a'] }, 2)).toEqual(['0', '1']);
    expect(perClassScores({ classes: ['a', 'b'], support_per_class: [3, 4], f1_per_class: [0.5, 1], recall_per_class: [1, 0.25] }))
      .toEqual({ names: ['recall', 'f1', 'support'], rows: [[1, 0.5, 3], [0.25, 1, 4]] });
  });

  it('reads a regression test split\'s pairs only when they are well formed', () => {
    expect(testPredictions({ test_predictions: { rows: 3, actual: [1, 2, 3], predicted: [1.5, 2, 2.5] } }))
      .toEqual({ rows: 3, actual: [1, 2, 3], predicted: [1.5, 2, 2.5] });
    expect(testPredictions({ test_predictions: { rows: 3, actual: [1, 2], predicted: [1] } })).toBeNull();
    expect(testPredictions({ r2: 0.5 })).toBeNull();
  });

  it('turns tuning logs into one curve per numeric key, by step', () => {
    const c = curves([{ step: 10, epoch: 0, loss: 1.5 }, { step: 20, epoch: 1, loss: 0.9, eval_f1: 0.7 }]);
    expect([...c.keys()]).toEqual(['loss', 'eval_f1']);
    expect(c.get('loss')).toEqual([{ x: 10, y: 1.5 }, { x: 20, y: 0.9 }]);
    expect(c.get('eval_f1')).toEqual([{ x: 20, y: 0.7 }]);
  });
});
