/**
 * The improvement formulas of the schema-v5 leaderboard: percent change over a reference, positive
 * = better, for each metric with its direction. Pure functions.
 *
 * - lower is better (latencies): (reference - value) / reference * 100
 * - higher is better (throughput): (value - reference) / reference * 100
 *
 * `human_improvement_*` and `agent_improvement_*` take the baseline as reference; `agent_vs_human_*`
 * takes the human. As in the published table, a result exists only when the reference is a positive
 * number and the value a non-zero number (a zero measurement is a failed run, not a speed).
 */
import {
  derivedColumn,
  metricColumn,
  V5_DERIVED_FAMILIES,
  V5_DERIVED_FAMILY_NAMES,
  V5_DERIVED_METRICS,
  type V5DerivedColumn,
  type V5DerivedFamily,
  type V5DerivedMetric,
  type V5Metric,
  type V5Row,
} from './schema.js';

/** Whether a smaller or a larger value is better. */
export type Better = 'lower' | 'higher';

/** Direction of every v5 metric: all latencies lower, throughput higher. */
export const V5_METRIC_BETTER: Readonly<Record<V5Metric, Better>> = {
  ttft_mean: 'lower',
  ttft_median: 'lower',
  ttft_p99: 'lower',
  tpot_mean: 'lower',
  tpot_median: 'lower',
  tpot_p99: 'lower',
  itl_mean: 'lower',
  itl_median: 'lower',
  itl_p99: 'lower',
  latency_avg: 'lower',
  throughput: 'higher',
};

/** Percent improvement of `value` over `reference` (positive = better); null when not computable. */
export function improvementPct(
  reference: number | null | undefined,
  value: number | null | undefined,
  better: Better,
): number | null {
  if (reference === null || reference === undefined || value === null || value === undefined) return null;
  if (!Number.isFinite(reference) || !Number.isFinite(value) || reference <= 0 || value === 0) return null;
  return better === 'lower'
    ? ((reference - value) / reference) * 100
    : ((value - reference) / reference) * 100;
}

/** The value a derived column must hold for this row, by the formula. */
export function derivedValue(row: V5Row, family: V5DerivedFamily, metric: V5DerivedMetric): number | null {
  const { subject, reference } = V5_DERIVED_FAMILIES[family];
  return improvementPct(
    row[metricColumn(reference, metric)],
    row[metricColumn(subject, metric)],
    V5_METRIC_BETTER[metric],
  );
}

/** Every derived column of a row, recomputed from its metric columns. */
export function recomputeDerived(row: V5Row): Array<{ column: V5DerivedColumn; value: number | null }> {
  const out: Array<{ column: V5DerivedColumn; value: number | null }> = [];
  for (const family of V5_DERIVED_FAMILY_NAMES) {
    for (const metric of V5_DERIVED_METRICS)
      out.push({ column: derivedColumn(family, metric), value: derivedValue(row, family, metric) });
  }
  return out;
}

/** Whether two stored numbers agree: exactly, up to float noise, or up to the 2-decimal rounding the logs print with. */
export function sameMeasurement(a: number, b: number): boolean {
  return Math.abs(a - b) <= 0.005 + 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

/** Whether two derived percentages agree up to float noise. */
export function sameDerived(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}
