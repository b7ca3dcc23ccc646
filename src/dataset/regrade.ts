/**
 * `dataset regrade`: the corrected table. Metrics are re-read from the raw output wherever it holds
 * them, metric columns a row's benchmark cannot produce are cleared, names are normalised, short
 * commit hashes are expanded from the task catalogue, and every derived column is recomputed. Every
 * change is listed with its reason. Pure over the rows.
 */

import { type AuditContext, rowCommand } from './audit.js';
import { recomputeDerived, sameDerived, sameMeasurement } from './formulas.js';
import { canonicalAgent, canonicalRepo } from './names.js';
import { kindOfCommand, V5_METRICS_OF_KIND } from './primary.js';
import { readRaw } from './raw-metrics.js';
import { metricColumn, rawColumn, V5_METRICS, V5_PHASES, type V5Column, type V5Row } from './v5-schema.js';

/** The version of the change-list format. */
export const REGRADE_REPORT_VERSION = 1;

/** Why a cell changed. */
export type ChangeReason =
  | 'reread_from_raw'
  | 'not_a_metric_of_this_benchmark'
  | 'recomputed_by_formula'
  | 'name_normalised'
  | 'full_commit_hash';

/** One changed cell. `row` is the 1-based data row in the input file. */
export interface RegradeChange {
  readonly row: number;
  readonly commit: string;
  readonly agent: string;
  readonly column: V5Column;
  readonly before: unknown;
  readonly after: unknown;
  readonly reason: ChangeReason;
  readonly detail: string;
}

/** What regrading needs beyond the rows. */
export interface RegradeContext extends AuditContext {
  /** the full 40-character hash of a commit, from the task catalogue */
  readonly fullHashFor?: (commitShort: string) => string | null;
}

/** Regrades rows; returns new rows (inputs untouched) and the change list. */
export function regradeRows(
  rows: readonly V5Row[],
  rowNumbers: readonly number[],
  ctx: RegradeContext = {},
): { rows: V5Row[]; changes: RegradeChange[] } {
  const changes: RegradeChange[] = [];
  const out = rows.map((input, i) => {
    const row: V5Row = { ...input };
    const rowNo = rowNumbers[i] ?? i + 1;
    const set = (column: V5Column, after: unknown, reason: ChangeReason, detail: string) => {
      const before = row[column];
      if (before === after) return;
      (row as Record<string, unknown>)[column] = after;
      changes.push({
        row: rowNo,
        commit: input.commit_short ?? '?',
        agent: input.agent_name ?? '?',
        column,
        before,
        after,
        reason,
        detail,
      });
    };

    if (row.agent_name && canonicalAgent(row.agent_name) !== row.agent_name) {
      set('agent_name', canonicalAgent(row.agent_name), 'name_normalised', 'one spelling per agent');
    }
    if (row.repo && canonicalRepo(row.repo) !== row.repo)
      set('repo', canonicalRepo(row.repo), 'name_normalised', 'owner/name form');
    if (row.commit_hash && row.commit_hash.length !== 40) {
      const full = ctx.fullHashFor?.(row.commit_short ?? row.commit_hash) ?? null;
      if (full?.startsWith(row.commit_hash))
        set('commit_hash', full, 'full_commit_hash', 'from the task catalogue');
    }

    const perfKind = kindOfCommand(rowCommand(input, ctx).command);
    for (const phase of V5_PHASES) {
      const raw = input[rawColumn(phase)] as string | null;
      const reading = raw ? readRaw(raw, perfKind) : null;
      const kind = reading?.detected ? reading.kind : perfKind;
      if (reading?.parse.ok) {
        for (const metric of V5_METRICS) {
          const col = metricColumn(phase, metric);
          const rv = reading.values[metric];
          const v = row[col] as number | null;
          if (rv !== undefined && (v === null || !sameMeasurement(v, rv))) {
            set(col, rv, 'reread_from_raw', `the ${phase} raw output's ${reading.kind} result`);
          }
        }
      }
      if (!kind) continue;
      for (const metric of V5_METRICS) {
        if (V5_METRICS_OF_KIND[kind].includes(metric)) continue;
        const col = metricColumn(phase, metric);
        if (row[col] !== null)
          set(col, null, 'not_a_metric_of_this_benchmark', `a ${kind} benchmark prints no ${metric}`);
      }
    }

    for (const { column, value } of recomputeDerived(row)) {
      const before = row[column] as number | null;
      if (before === value) continue;
      if (before !== null && value !== null && sameDerived(before, value)) continue;
      set(
        column,
        value,
        'recomputed_by_formula',
        value === null ? 'inputs missing' : 'percent improvement over the reference, positive = better',
      );
    }
    return row;
  });
  return { rows: out, changes };
}
