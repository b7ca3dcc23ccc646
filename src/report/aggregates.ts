/**
 * The field's aggregates over an agent's rows, beside isobench's own verdicts, each as its source
 * computes it (facts from the benchmarks' own evaluation code):
 *
 * - **Speedup ratio** (SWE-fficiency, arXiv 2511.06090; `scripts/eval/get_report.py`): a row's
 *   speedup is the baseline's mean over the agent's (time; the agent's over the baseline's for a
 *   rate such as throughput), its SR the agent's speedup over the human's. A patch whose outputs
 *   do not count or that failed (not applied, broke the benchmark) scores speedup 1, so SR = 1 /
 *   the human's speedup. An agent's SR is the harmonic mean over its rows.
 * - **Opt_p@K** (GSO, arXiv 2505.23671; `src/gso/harness/grading/metrics.py`): an attempt optimises
 *   its task at threshold p when its outputs count, it is at least 1.2x faster than the baseline
 *   (rounded to one decimal, GSO's gate) and its speedup over the human's is above p (0.95 by
 *   default). Opt@1 is the mean over tasks of the share of optimising attempts (the unbiased
 *   estimate); Opt@K, K the most attempts a task had, the share of tasks with any optimising attempt.
 * - **Minimum significant speedup** (SWE-Perf, arXiv 2507.12415): a row's is the largest gain over
 *   the baseline its rounds show significantly (one-sided Mann-Whitney U at 0.1 after a 1-IQR outlier
 *   filter; report/min-speedup.ts), 0 for a failed or uncredited patch and for rounds too few to
 *   test; an agent's is the mean over its rows, as SWE-Perf's performance score.
 *
 * Rows whose task did not hold here (the human's gain did not reproduce: there is no human speedup
 * to compare with) and rows that failed for the harness's reasons (infrastructure, retried, never the
 * agent's) are left out of all three, and counted. Each comes with a 95% percentile interval from a
 * bootstrap over tasks (the rows of a drawn task go together; none under two tasks), seeded, so the
 * terminal and the HTML page print the same. Pure (the HTML report's page bundles it, with the seeded
 * generator of grade/stats.ts).
 */
import { rng } from '../grade/stats.js';

/** What an aggregate reads of a report row. */
export interface AggregateRow {
  readonly task: string;
  readonly better: 'lower' | 'higher';
  readonly means: {
    readonly baseline: number | null;
    readonly human: number | null;
    readonly agent: number | null;
  };
  /** the speed verdict counts (outputs equivalent or not checkable for reasons not the agent's) */
  readonly credited: boolean;
  readonly failure: string | null;
  /** the task held here (the human's gain reproduced) */
  readonly validHere: boolean;
  /** SWE-Perf's minimum significant speedup of the row (null: rounds too few; absent in older report data) */
  readonly minSigSpeedup?: number | null;
}

/** GSO's default threshold on the agent's speedup over the human's. */
export const OPT_P = 0.95;
/** GSO's gate: the least speedup over the baseline, rounded to one decimal, that can optimise. */
export const OPT_MIN_SPEEDUP = 1.2;
/** The thresholds of the Opt_p@1 curve. */
export const OPT_CURVE = [0, 0.5, 0.8, 0.95, 1, 1.2, 1.5] as const;

/** A 95% interval, [lo, hi]. */
export type AggregateInterval = readonly [number, number];

/** The resamples of the bootstrap over tasks, and its seed. */
const BOOTSTRAP_RESAMPLES = 1000;
const BOOTSTRAP_SEED = 20261207;

/** One agent's aggregates. */
export interface Aggregates {
  /** SWE-fficiency's speedup ratio, harmonic mean over `rows` rows; null when none */
  readonly speedupRatio: number | null;
  readonly rows: number;
  /** rows left out: the task did not hold here, or the harness failed */
  readonly leftOut: { readonly notValidHere: number; readonly infra: number };
  /** GSO's Opt@1 and Opt@K at p = 0.95 over `tasks` tasks; null when none */
  readonly optAt1: number | null;
  readonly optAtK: number | null;
  readonly k: number;
  readonly tasks: number;
  /** Opt_p@1 at each threshold of {@link OPT_CURVE} */
  readonly curve: ReadonlyArray<{ readonly p: number; readonly optAt1: number | null }>;
  /** SWE-Perf's performance: the mean minimum significant speedup over the `rows` rows; null when none */
  readonly minSigSpeedup: number | null;
  /** 95% intervals of the speedup ratio, Opt@1 and the minimum significant speedup over tasks (null: fewer than 2 tasks) */
  readonly intervals: {
    readonly speedupRatio: AggregateInterval | null;
    readonly optAt1: AggregateInterval | null;
    readonly minSigSpeedup: AggregateInterval | null;
  };
}

/** What one scored row adds to each aggregate. */
interface RowScore {
  readonly task: string;
  /** the agent's speedup over the human's */
  readonly ratio: number;
  readonly minSig: number;
  readonly optimises: boolean;
}

/** The speedup ratio (harmonic mean), Opt@1 (mean over tasks of the optimising share) and mean minimum speedup of rows. */
function pointsOf(byTask: ReadonlyArray<readonly RowScore[]>): [number, number, number] {
  let n = 0;
  let inverse = 0;
  let minSig = 0;
  let opt = 0;
  for (const rows of byTask) {
    for (const r of rows) {
      n++;
      inverse += 1 / r.ratio;
      minSig += r.minSig;
    }
    opt += rows.filter((r) => r.optimises).length / rows.length;
  }
  return [n / inverse, opt / byTask.length, minSig / n];
}

/** The 95% percentile intervals of the three aggregates, resampling tasks; null under two tasks. */
function intervalsOf(byTask: ReadonlyArray<readonly RowScore[]>): Aggregates['intervals'] {
  if (byTask.length < 2) return { speedupRatio: null, optAt1: null, minSigSpeedup: null };
  const next = rng(BOOTSTRAP_SEED);
  const draws: [number[], number[], number[]] = [[], [], []];
  for (let b = 0; b < BOOTSTRAP_RESAMPLES; b++) {
    const sample = byTask.map(() => byTask[Math.floor(next() * byTask.length)] ?? []);
    for (const [i, x] of pointsOf(sample).entries()) draws[i]?.push(x);
  }
  const ci = (xs: number[]): AggregateInterval => {
    const s = xs.sort((a, b) => a - b);
    const at = (q: number) =>
      s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))] ?? Number.NaN;
    return [at(0.025), at(0.975)];
  };
  return { speedupRatio: ci(draws[0]), optAt1: ci(draws[1]), minSigSpeedup: ci(draws[2]) };
}

/** A variant's speedup over the baseline from the means: time over time, or rate over rate. */
export function speedupOf(
  better: 'lower' | 'higher',
  baseline: number | null,
  x: number | null,
): number | null {
  if (baseline === null || x === null || !(baseline > 0) || !(x > 0)) return null;
  return better === 'lower' ? baseline / x : x / baseline;
}

/** The agent's speedup as SWE-fficiency and GSO score it: 1 when its patch failed or its outputs do not count. */
function agentSpeedup(r: AggregateRow): number {
  if (r.failure || !r.credited) return 1;
  return speedupOf(r.better, r.means.baseline, r.means.agent) ?? 1;
}

/** Whether an attempt optimises its task at threshold p (GSO). */
function optimises(r: AggregateRow, human: number, p: number): boolean {
  if (r.failure || !r.credited) return false;
  const s = speedupOf(r.better, r.means.baseline, r.means.agent);
  return s !== null && s > 1 && Math.round(s * 10) / 10 >= OPT_MIN_SPEEDUP && s / human > p;
}

/** Opt_p@1 and Opt_p@K over the rows' tasks. */
function optOf(
  scored: ReadonlyArray<{ readonly row: AggregateRow; readonly human: number }>,
  p: number,
): { at1: number | null; atK: number | null; k: number; tasks: number } {
  const byTask = new Map<string, boolean[]>();
  for (const { row, human } of scored)
    byTask.set(row.task, [...(byTask.get(row.task) ?? []), optimises(row, human, p)]);
  const tasks = [...byTask.values()];
  if (!tasks.length) return { at1: null, atK: null, k: 0, tasks: 0 };
  return {
    at1: tasks.reduce((s, t) => s + t.filter(Boolean).length / t.length, 0) / tasks.length,
    atK: tasks.filter((t) => t.some(Boolean)).length / tasks.length,
    k: Math.max(...tasks.map((t) => t.length)),
    tasks: tasks.length,
  };
}

/** The aggregates of one agent's rows. */
export function aggregatesOf(
  rows: readonly AggregateRow[],
  isInfra: (failure: string) => boolean,
): Aggregates {
  let notValidHere = 0;
  let infra = 0;
  const scored: Array<{ row: AggregateRow; human: number }> = [];
  for (const row of rows) {
    if (row.failure && isInfra(row.failure)) {
      infra++;
      continue;
    }
    const human = speedupOf(row.better, row.means.baseline, row.means.human);
    if (!row.validHere || human === null) {
      notValidHere++;
      continue;
    }
    scored.push({ row, human });
  }
  const ratios = scored.map(({ row, human }) => agentSpeedup(row) / human);
  const minSig = scored.map(({ row }) => (row.failure || !row.credited ? 0 : (row.minSigSpeedup ?? 0)));
  const opt = optOf(scored, OPT_P);
  const byTask = new Map<string, RowScore[]>();
  for (const [i, { row, human }] of scored.entries()) {
    const score = {
      task: row.task,
      ratio: ratios[i] ?? 1,
      minSig: minSig[i] ?? 0,
      optimises: optimises(row, human, OPT_P),
    };
    byTask.set(row.task, [...(byTask.get(row.task) ?? []), score]);
  }
  return {
    speedupRatio: ratios.length ? ratios.length / ratios.reduce((s, x) => s + 1 / x, 0) : null,
    rows: ratios.length,
    leftOut: { notValidHere, infra },
    optAt1: opt.at1,
    optAtK: opt.atK,
    k: opt.k,
    tasks: opt.tasks,
    curve: OPT_CURVE.map((p) => ({ p, optAt1: optOf(scored, p).at1 })),
    minSigSpeedup: minSig.length ? minSig.reduce((s, x) => s + x, 0) / minSig.length : null,
    intervals: intervalsOf([...byTask.values()]),
  };
}

/** A share as a percentage, or `-`. */
export const share = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);

/** An interval as ` [lo, hi]` with `f`, or nothing. */
export function intervalText(i: AggregateInterval | null, f: (x: number) => string): string {
  return i ? ` [${f(i[0])}, ${f(i[1])}]` : '';
}

const pctOf = (x: number) => (100 * x).toFixed(1);

/** The speedup ratio, the Opt@1 / Opt@K and the minimum significant speedup cells of an agent's aggregates. */
export function aggregateCells(g: Aggregates): [string, string, string] {
  const { intervals: ci } = g;
  return [
    g.speedupRatio === null
      ? '-'
      : `${g.speedupRatio.toFixed(3)}${intervalText(ci.speedupRatio, (x) => x.toFixed(2))} (${g.rows})`,
    g.optAt1 === null
      ? '-'
      : `${share(g.optAt1)}${intervalText(ci.optAt1, pctOf)} / ${share(g.optAtK)} (K ${g.k}, ${g.tasks} tasks)`,
    g.minSigSpeedup === null
      ? '-'
      : `${share(g.minSigSpeedup)}${intervalText(ci.minSigSpeedup, pctOf)} (${g.rows})`,
  ];
}
