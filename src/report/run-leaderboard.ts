/**
 * The leaderboard of isobench's own rows (a run's rows.ext.jsonl): per agent and model, attempts,
 * hard successes (credited, at least matching the human), true successes (hard and on target, when
 * judged), valid rate (the task held here and the speed verdict counts), failures by class, the
 * median agent-vs-human estimate, and cost per attempt and per hard success.
 */
import { median, medianInterval } from '../grade/stats.js';
import { FAILURE_CLASSES } from '../grade/taxonomy.js';
import { type Aggregates, aggregatesOf } from './aggregates.js';
import type { ReportRow } from './board-rows.js';

/** Whether a row's failure is the harness's (a known infrastructure class). */
const infraFailure = (f: string): boolean =>
  Object.entries(FAILURE_CLASSES).some(([k, c]) => k === f && c.infra);

/** One agent's line. */
export interface RunAgentSummary {
  readonly agent: string;
  readonly model: string;
  readonly attempts: number;
  /** distinct tasks attempted */
  readonly tasks: number;
  /** tasks with a hard success in at least one attempt (pass@k, k = the attempts per task) */
  readonly tasksSolved: number;
  /** the mean over tasks of the share of its attempts that are hard successes (pass@1) */
  readonly passAt1: number;
  readonly hardSuccess: number;
  /** null when no row was judged */
  readonly trueSuccess: number | null;
  readonly quadrants: Readonly<Record<string, number>>;
  readonly judgeFailures: number;
  readonly valid: number;
  readonly failures: Readonly<Record<string, number>>;
  /** median of the agent-vs-human estimates (percent), over rows that have one */
  readonly medianVsHuman: number | null;
  /** the rows with an agent-vs-human estimate (an interval) that the median is over */
  readonly vsHumanRows: number;
  /**
   * a distribution-free 95% interval for that median over the rows (order statistics with exact
   * binomial coverage, grade/stats.ts); null with fewer than 6 estimates, where none reaches 95%
   */
  readonly medianVsHumanCi: readonly [number, number] | null;
  readonly costUsd: number | null;
  readonly costPerAttempt: number | null;
  readonly costPerHardSuccess: number | null;
  readonly tokens: { readonly input: number; readonly output: number };
  /** the agents' outputs against the baseline's, by verdict (equivalent, diverged, probe_failed, unchecked) */
  readonly equivalence: Readonly<Record<string, number>>;
  /** rows with a tamper finding of severity fail, and of severity warn only */
  readonly tamper: { readonly fail: number; readonly warn: number };
  /** the field's aggregates: SWE-fficiency's speedup ratio, GSO's Opt@K and Opt_p curve (aggregates.ts) */
  readonly aggregates: Aggregates;
}

/** How the board may be sorted. */
export const RUN_SORTS = [
  'hard',
  'true',
  'solved',
  'median',
  'cost',
  'cost-per-success',
  'valid',
  'attempts',
  'name',
] as const;
export type RunSort = (typeof RUN_SORTS)[number];

const num = (x: number | null, missing: number) => (x === null ? missing : x);

/** Orders summaries: best first for rates and improvement, cheapest first for costs. */
export function sortBoard(board: RunAgentSummary[], by: RunSort = 'hard'): RunAgentSummary[] {
  const key: Record<RunSort, (a: RunAgentSummary, b: RunAgentSummary) => number> = {
    hard: (a, b) => b.hardSuccess / b.attempts - a.hardSuccess / a.attempts,
    true: (a, b) => num(b.trueSuccess, -1) / b.attempts - num(a.trueSuccess, -1) / a.attempts,
    solved: (a, b) => b.tasksSolved / b.tasks - a.tasksSolved / a.tasks,
    median: (a, b) => num(b.medianVsHuman, -1e12) - num(a.medianVsHuman, -1e12),
    cost: (a, b) => num(a.costPerAttempt, 1e12) - num(b.costPerAttempt, 1e12),
    'cost-per-success': (a, b) => num(a.costPerHardSuccess, 1e12) - num(b.costPerHardSuccess, 1e12),
    valid: (a, b) => b.valid / b.attempts - a.valid / a.attempts,
    attempts: (a, b) => b.attempts - a.attempts,
    name: () => 0,
  };
  const byName = (a: RunAgentSummary, b: RunAgentSummary) =>
    a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : a.model < b.model ? -1 : a.model > b.model ? 1 : 0;
  return [...board].sort(
    (a, b) =>
      key[by](a, b) ||
      b.hardSuccess - a.hardSuccess ||
      num(b.medianVsHuman, -1e12) - num(a.medianVsHuman, -1e12) ||
      byName(a, b),
  );
}

/** Summaries per agent and model, best first by hard-success rate (then median vs human, then name). */
export function runLeaderboard(rows: readonly ReportRow[], by: RunSort = 'hard'): RunAgentSummary[] {
  const groups = new Map<string, ReportRow[]>();
  for (const r of rows) {
    const k = `${r.agent}\u0000${r.model}`;
    let g = groups.get(k);
    if (!g) {
      g = [];
      groups.set(k, g);
    }
    g.push(r);
  }
  const out: RunAgentSummary[] = [];
  for (const list of groups.values()) {
    const [first] = list;
    if (!first) continue; // a group is made with its first row
    const hard = list.filter((r) => r.hard).length;
    const judged = list.filter((r) => r.judge === 'judged').length;
    const quadrants: Record<string, number> = {};
    const failures: Record<string, number> = {};
    const equivalence: Record<string, number> = {};
    const tamper = { fail: 0, warn: 0 };
    let cost: number | null = null;
    let input = 0;
    let output = 0;
    for (const r of list) {
      if (r.quadrant) quadrants[r.quadrant] = (quadrants[r.quadrant] ?? 0) + 1;
      if (r.failure) failures[r.failure] = (failures[r.failure] ?? 0) + 1;
      if (r.equivalence) equivalence[r.equivalence] = (equivalence[r.equivalence] ?? 0) + 1;
      if (r.tamperFail) tamper.fail++;
      else if (r.tamperWarn) tamper.warn++;
      if (r.cost !== null) cost = (cost ?? 0) + r.cost;
      input += r.tokensIn ?? 0;
      output += r.tokensOut ?? 0;
    }
    const perTask = new Map<string, { n: number; hard: number }>();
    for (const r of list) {
      const t = perTask.get(r.task) ?? { n: 0, hard: 0 };
      t.n++;
      if (r.hard) t.hard++;
      perTask.set(r.task, t);
    }
    const ests = list
      .map((r) => r.vsHuman?.[0])
      .filter((x): x is number => typeof x === 'number')
      .sort((a, b) => a - b);
    out.push({
      agent: first.agent,
      model: first.model,
      attempts: list.length,
      tasks: perTask.size,
      tasksSolved: [...perTask.values()].filter((t) => t.hard > 0).length,
      passAt1: [...perTask.values()].reduce((s, t) => s + t.hard / t.n, 0) / perTask.size,
      hardSuccess: hard,
      trueSuccess: judged ? (quadrants.true_success ?? 0) : null,
      quadrants,
      judgeFailures: list.filter((r) => r.judge === 'judge_failed').length,
      valid: list.filter((r) => r.valid).length,
      failures,
      medianVsHuman: ests.length ? median(ests) : null,
      vsHumanRows: ests.length,
      medianVsHumanCi: medianInterval(ests),
      costUsd: cost,
      costPerAttempt: cost === null ? null : cost / list.length,
      costPerHardSuccess: cost === null || hard === 0 ? null : cost / hard,
      tokens: { input, output },
      equivalence,
      tamper,
      aggregates: aggregatesOf(list, infraFailure),
    });
  }
  return sortBoard(out, by);
}
