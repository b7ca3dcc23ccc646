/**
 * The published classification of a leaderboard row (the dataset card's "Agent Comparison Summary"):
 * valid for comparison, wrong metric, missing human metric, or patch failure. Pure.
 *
 * - patch failure: the agent has no metrics at all (whatever the reason; the card lumps them);
 * - wrong metric: the agent has metrics, but not the mode's primary one (e.g. throughput for serving);
 * - missing human metric: the agent has the primary metric, the human does not;
 * - valid for comparison: agent and human both have the primary metric.
 */

import { primaryMetricOf } from './primary.js';
import { metricColumn, V5_METRICS, type V5Metric, type V5Row } from './schema.js';

/** A row's status on the card. */
export type PublishedStatus =
  | 'valid_for_comparison'
  | 'wrong_metric'
  | 'missing_human_metric'
  | 'patch_failure';

/** Classification of one row, or why it cannot be classified. */
export type RowClass =
  | { ok: true; status: PublishedStatus; metric: V5Metric; basis: string }
  | { ok: false; reason: string };

function has(row: V5Row, phase: 'baseline' | 'human' | 'agent', metric: V5Metric): boolean {
  const v = row[metricColumn(phase, metric)];
  return typeof v === 'number' && Number.isFinite(v);
}

/** Classifies a row as the card does. */
export function classifyPublishedRow(row: V5Row, fallbackCommand?: string | null): RowClass {
  const primary = primaryMetricOf(row, fallbackCommand);
  if (!primary.ok) return { ok: false, reason: primary.reason };
  const m = primary.metric;
  const agentAny = V5_METRICS.some((x) => has(row, 'agent', x));
  let status: PublishedStatus;
  if (!agentAny) status = 'patch_failure';
  else if (!has(row, 'agent', m)) status = 'wrong_metric';
  else if (!has(row, 'human', m)) status = 'missing_human_metric';
  else status = 'valid_for_comparison';
  return { ok: true, status, metric: m, basis: primary.basis };
}
