/**
 * The leaderboard of isobench's own rows (a run's rows.ext.jsonl): per agent and model, attempts,
 * hard successes (credited, at least matching the human), true successes (hard and on target, when
 * judged), valid rate (the task held here and the speed verdict counts), failures by class, the
 * median agent-vs-human estimate, and cost per attempt and per hard success.
 */
import type { ExtendedRow } from './run-rows.js';

/** One agent's line. */
export interface RunAgentSummary {
  readonly agent: string;
  readonly model: string;
  readonly attempts: number;
  readonly hardSuccess: number;
  /** null when no row was judged */
  readonly trueSuccess: number | null;
  readonly quadrants: Readonly<Record<string, number>>;
  readonly judgeFailures: number;
  readonly valid: number;
  readonly failures: Readonly<Record<string, number>>;
  /** median of the agent-vs-human estimates (percent), over rows that have one */
  readonly medianVsHuman: number | null;
  readonly costUsd: number | null;
  readonly costPerAttempt: number | null;
  readonly costPerHardSuccess: number | null;
  readonly tokens: { readonly input: number; readonly output: number };
}

const median = (xs: number[]): number | null => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Summaries per agent and model, best first by hard successes (then median vs human). */
export function runLeaderboard(rows: readonly ExtendedRow[]): RunAgentSummary[] {
  const groups = new Map<string, ExtendedRow[]>();
  for (const r of rows) {
    const k = `${r.agent}\u0000${r.model}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out: RunAgentSummary[] = [];
  for (const list of groups.values()) {
    const first = list[0] as ExtendedRow;
    const hard = list.filter(
      (r) => r.credited && (r.verdict === 'beats_human' || r.verdict === 'matches_human'),
    );
    const judged = list.filter((r) => r.judge?.status === 'judged');
    const quadrants: Record<string, number> = {};
    for (const r of list) if (r.quadrant) quadrants[r.quadrant] = (quadrants[r.quadrant] ?? 0) + 1;
    const failures: Record<string, number> = {};
    for (const r of list) if (r.failureClass) failures[r.failureClass] = (failures[r.failureClass] ?? 0) + 1;
    const costs = list.map((r) => r.effort?.costUsd).filter((c): c is number => typeof c === 'number');
    const cost = costs.length ? costs.reduce((a, b) => a + b, 0) : null;
    out.push({
      agent: first.agent,
      model: first.model,
      attempts: list.length,
      hardSuccess: hard.length,
      trueSuccess: judged.length ? (quadrants.true_success ?? 0) : null,
      quadrants,
      judgeFailures: list.filter((r) => r.judge?.status === 'judge_failed').length,
      valid: list.filter((r) => r.taskValidHere && r.credited).length,
      failures,
      medianVsHuman: median(
        list.map((r) => r.agentVsHuman?.estimate).filter((x): x is number => typeof x === 'number'),
      ),
      costUsd: cost,
      costPerAttempt: cost === null ? null : cost / list.length,
      costPerHardSuccess: cost === null || hard.length === 0 ? null : cost / hard.length,
      tokens: {
        input: list.reduce((n, r) => n + (r.effort?.inputTokens ?? 0), 0),
        output: list.reduce((n, r) => n + (r.effort?.outputTokens ?? 0), 0),
      },
    });
  }
  return out.sort(
    (a, b) => b.hardSuccess - a.hardSuccess || (b.medianVsHuman ?? -1e9) - (a.medianVsHuman ?? -1e9),
  );
}
