// Reading scores out of a model's metrics document: the key metric, the plain numbers, and the
// tables (a confusion matrix, per-class scores) where the registry holds them.

import type { Metrics } from './api';

export function numberOf(metrics: Metrics | null | undefined, key: string): number | null {
  const v = metrics?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function scalarMetrics(metrics: Metrics | null | undefined): [string, number][] {
  return Object.entries(metrics ?? {})
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .sort((a, b) => a[0].localeCompare(b[0]));
}

/** A square matrix of counts under a key like confusion_matrix, or null. */
export function confusionMatrix(metrics: Metrics | null | undefined): number[][] | null {
  const v = metrics?.['confusion_matrix'];
  if (!Array.isArray(v) || v.length === 0) return null;
  const rows = v as unknown[];
  if (!rows.every((r) => Array.isArray(r) && r.length === rows.length && r.every((x) => typeof x === 'number'))) return null;
  return rows as number[][];
}

/** The class labels the tables are in the order of (metrics.classes), or the class indexes. */
export function classNames(metrics: Metrics | null | undefined, count: number): string[] {
  const v = metrics?.['classes'];
  if (Array.isArray(v) && v.length === count) return v.map((c) => String(c));
  return Array.from({ length: count }, (_, i) => String(i));
}

const REPORT_ORDER = ['precision_per_class', 'recall_per_class', 'f1_per_class', 'support_per_class'];

/**
 * Per-class scores: metrics whose value is an array of numbers (precision_per_class, …), by class index,
 * named without the _per_class suffix.
 */
export function perClassScores(metrics: Metrics | null | undefined): { names: string[]; rows: number[][] } | null {
  const entries = Object.entries(metrics ?? {}).filter(
    (e): e is [string, number[]] => e[0] !== 'confusion_matrix' && Array.isArray(e[1]) && e[1].length > 0
      && e[1].every((x) => typeof x === 'number'));
  if (entries.length === 0) return null;
  // jsonb keeps keys sorted by length, not as written: put scikit-learn's report order back
  const rank = (k: string) => { const i = REPORT_ORDER.indexOf(k); return i < 0 ? REPORT_ORDER.length : i; };
  entries.sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
  const classes = Math.max(...entries.map((e) => e[1].length));
  const rows = Array.from({ length: classes }, (_, c) => entries.map((e) => e[1][c]));
  return { names: entries.map((e) => e[0].replace(/_per_class$/, '')), rows };
}

/** A regression's test-split pairs (metrics.test_predictions: rows scored, and the stored actual / predicted values). */
export function testPredictions(metrics: Metrics | null | undefined): { rows: number; actual: number[]; predicted: number[] } | null {
  const v = metrics?.['test_predictions'] as { rows?: unknown; actual?: unknown; predicted?: unknown } | undefined;
  if (!v || typeof v !== 'object' || !Array.isArray(v.actual) || !Array.isArray(v.predicted)) return null;
  const actual = v.actual as unknown[];
  const predicted = v.predicted as unknown[];
  if (actual.length !== predicted.length || ![...actual, ...predicted].every((x) => typeof x === 'number')) return null;
  return { rows: typeof v.rows === 'number' ? v.rows : actual.length, actual: actual as number[], predicted: predicted as number[] };
}

/** Numeric series of a tuning run's log entries, by name, against their step (or position). */
export function curves(entries: Record<string, unknown>[]): Map<string, { x: number; y: number }[]> {
  const out = new Map<string, { x: number; y: number }[]>();
  entries.forEach((e, i) => {
    const x = typeof e.step === 'number' ? e.step : i;
    for (const [k, v] of Object.entries(e)) {
      if (k === 'step' || k === 'epoch' || typeof v !== 'number' || !Number.isFinite(v)) continue;
      if (!out.has(k)) out.set(k, []);
      out.get(k)!.push({ x, y: v });
    }
  });
  return out;
}
