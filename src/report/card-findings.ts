/**
 * What the sections of the comparison with the published card share: the findings they collect,
 * how the input stands against the release (a split or not), and the grouping of causes.
 */
import { type AuditContext, rowCommand } from '../dataset/audit.js';
import type { AgentSummary } from '../dataset/leaderboard.js';
import { kindOfCommand } from '../dataset/primary.js';
import { type RawReading, readRaw } from '../dataset/raw-metrics.js';
import type { V5Metric, V5Phase, V5Row } from '../dataset/v5-schema.js';
import { metricColumn, rawColumn, V5_METRICS } from '../dataset/v5-schema.js';
import type { CardDifference, DifferenceCause, DifferenceCauseKind } from './card-types.js';

export const sortedUnique = (xs: Iterable<string>) => [...new Set(xs)].sort();

export function hasPhase(row: V5Row, phase: V5Phase, metric: V5Metric | null = null): boolean {
  return metric === null
    ? V5_METRICS.some((m) => typeof row[metricColumn(phase, m)] === 'number')
    : typeof row[metricColumn(phase, metric)] === 'number';
}

export function groupCauses(
  items: ReadonlyArray<{ kind: DifferenceCauseKind; detail: string; commit: string }>,
): DifferenceCause[] {
  const groups = new Map<string, { kind: DifferenceCauseKind; detail: string; commits: string[] }>();
  for (const it of items) {
    const k = `${it.kind}\u0000${it.detail}`;
    const g = groups.get(k) ?? { kind: it.kind, detail: it.detail, commits: [] };
    g.commits.push(it.commit);
    groups.set(k, g);
  }
  const order: DifferenceCauseKind[] = [
    'hidden_split',
    'outside_card_comparison',
    'rows_contradict_card',
    'wrong_metric_counted_as_patch_failure',
    'card_predates_its_fixes',
    'label',
    'unexplained',
  ];
  return [...groups.values()]
    .map((g) => ({ ...g, commits: [...new Set(g.commits)].sort() }))
    .sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.detail.localeCompare(b.detail));
}

/** Whether a row is one of a leaderboard line's (one of its agent and model labels). */
export function isRowOf(a: AgentSummary, r: V5Row): boolean {
  return a.labels.some((l) => l.agentName === r.agent_name && l.agentModel === r.agent_model);
}

/** A row's stored raw output of a phase and what it reads as (its kind from the perf command when the text shows none); null without one. */
export function readPhaseRaw(
  r: V5Row,
  phase: V5Phase,
  ctx: AuditContext,
): { raw: string; reading: RawReading | null } | null {
  const raw = r[rawColumn(phase)];
  if (typeof raw !== 'string' || !raw) return null;
  return { raw, reading: readRaw(raw, kindOfCommand(rowCommand(r, ctx).command)) };
}

export function listWords(xs: readonly string[]): string {
  return xs.length ? xs.join(' ') : 'none';
}

/** One commit's cause of a difference, before {@link groupCauses} groups them. */
export type CauseItem = { kind: DifferenceCauseKind; detail: string; commit: string };

/** The rows of one commit. */
export type RowsOf = (commit: string) => V5Row[];

/** What the comparison's sections collect, in the order they run. */
export interface Findings {
  readonly differences: CardDifference[];
  readonly agreements: string[];
  readonly unverifiable: string[];
}

/** How the input's commits stand against the card's and the task catalogue's. */
export interface InputSplit {
  readonly present: ReadonlySet<string>;
  /** the catalogue's commits that the input lacks */
  readonly absent: readonly string[];
  /** how many of the card's commits the input lacks */
  readonly missingCommits: number;
  /** commits of the input that the release does not name: a split cannot explain what they change */
  readonly foreign: readonly string[];
  /** how many of the card's rows the input lacks when it is a split of the release (else 0) */
  readonly heldRows: number;
  /** the hidden-split cause, in words */
  readonly detail: string;
}
