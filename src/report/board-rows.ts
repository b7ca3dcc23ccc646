/**
 * The report row: the flat projection of an extended row that the leaderboards (terminal and HTML)
 * and the HTML report's charts and table read. Pure (so are its imports), because the HTML report's
 * page script bundles it too: the page and the terminal compute the same numbers.
 */
import type { ReadExtendedRow } from './ext-rows-file.js';
import { minSignificantSpeedup } from './min-speedup.js';

/** The version of the report row (part of the HTML report's embedded data; 2: the minimum significant speedup). */
export const REPORT_ROW_VERSION = 2;

/** An interval as [estimate, lo, hi] (percent). */
export type Triple = readonly [number, number, number];

/** One agent patch on one task, as the report shows it. */
export interface ReportRow {
  readonly task: string;
  readonly agent: string;
  readonly model: string;
  /** the attempt number of `run --agents`; null for replayed patches */
  readonly attempt: number | null;
  /** the benchmark mode (published v5 mode when the task has one, else the benchmark kind) */
  readonly mode: string;
  readonly metric: string;
  readonly unit: string;
  readonly better: 'lower' | 'higher';
  readonly verdict: string | null;
  readonly verdictReason: string | null;
  /** credited and beats or matches the human */
  readonly hard: boolean;
  /** the speed verdict counts (outputs equivalent, or not checkable for reasons not the agent's) */
  readonly credited: boolean;
  /** the task held here (the human's gain reproduced) */
  readonly validHere: boolean;
  /** the task is valid here and the agent's verdict counts */
  readonly valid: boolean;
  readonly failure: string | null;
  readonly vsHuman: Triple | null;
  readonly vsBaseline: Triple | null;
  readonly humanVsBaseline: Triple | null;
  /** means of the primary metric */
  readonly means: {
    readonly baseline: number | null;
    readonly human: number | null;
    readonly agent: number | null;
  };
  /**
   * SWE-Perf's performance score of the agent's patch (report/min-speedup.ts): the largest gain over
   * the baseline its rounds show significantly, 0 to 1; null where the rounds are too few (absent in
   * report data of version 1)
   */
  readonly minSigSpeedup?: number | null;
  /** the agent's outputs against the baseline's: equivalent, diverged, probe_failed, unchecked; null if not checked */
  readonly equivalence: string | null;
  readonly tamperFail: number;
  readonly tamperWarn: number;
  /** the first tamper findings, "rule file:line" */
  readonly tamperNotes: readonly string[];
  readonly quadrant: string | null;
  readonly targeting: string | null;
  readonly approach: string | null;
  /** judged, judge_failed, or null when no judge ran */
  readonly judge: string | null;
  readonly judgeReason: string | null;
  readonly cost: number | null;
  readonly tokensIn: number | null;
  readonly tokensOut: number | null;
  readonly turns: number | null;
  readonly toolCalls: number | null;
  readonly wallMs: number | null;
  /** how the agent's attempt ended (completed, timeout, …) */
  readonly outcome: string | null;
  /** the bench job's folder (job.json, phases/, patches/), relative to the run folder; null for v3 rows */
  readonly job: string | null;
  /** the attempt's folder (prompt.txt, patch.diff, trajectory.jsonl, logs/); null for replayed patches */
  readonly attemptDir: string | null;
  /** the agent's variant id in the job (rows of version 4 and up; null for v3) */
  readonly variant: string | null;
}

const triple = (i: { estimate: number; lo: number; hi: number } | null): Triple | null =>
  i ? [i.estimate, i.lo, i.hi] : null;

/** The files of a row that the report links to, relative to the run folder. */
export function rowFiles(r: Pick<ReportRow, 'job' | 'attemptDir' | 'variant'>): Array<[string, string]> {
  const files: Array<[string, string]> = [];
  if (r.attemptDir)
    files.push(
      ['prompt', `${r.attemptDir}/prompt.txt`],
      ['patch', `${r.attemptDir}/patch.diff`],
      ['trajectory', `${r.attemptDir}/trajectory.jsonl`],
      ['logs', `${r.attemptDir}/logs/`],
    );
  if (r.job) {
    if (r.variant)
      files.push(['measured patch', `${r.job}/patches/${r.variant.replace(/[^\w.-]+/g, '_')}.patch`]);
    files.push(['job', `${r.job}/job.json`], ['phases', `${r.job}/phases/`]);
  }
  return files;
}

/** The report row of an extended row (versions 2 to 4; older rows lack effort, mode and job folder). */
export function reportRowOf(r: ReadExtendedRow): ReportRow {
  // version 3 rows lack the benchmark kind, the variant and the job folder
  const v5 = r.schemaVersion === 5 ? r : null;
  const hard = r.credited && (r.verdict === 'beats_human' || r.verdict === 'matches_human');
  const v = r.variants;
  const judged = r.judge?.status === 'judged' ? r.judge.answer : null;
  const e = r.effort ?? null;
  return {
    task: r.task,
    agent: r.agent,
    model: r.model,
    attempt: e?.attempt ?? null,
    mode: v5?.benchmark.v5Mode ?? v5?.benchmark.kind ?? 'unknown',
    metric: r.primaryMetric.name,
    unit: r.primaryMetric.unit,
    better: r.primaryMetric.direction,
    verdict: r.verdict,
    verdictReason: r.verdictReason,
    hard,
    credited: r.credited,
    validHere: r.taskValidHere,
    valid: r.taskValidHere && r.credited,
    failure: r.failureClass,
    vsHuman: triple(r.agentVsHuman),
    vsBaseline: triple(r.agentVsBaseline),
    humanVsBaseline: triple(r.humanVsBaseline),
    means: {
      baseline: v.baseline.summary?.mean ?? null,
      human: v.human.summary?.mean ?? null,
      agent: v.agent.summary?.mean ?? null,
    },
    minSigSpeedup: minSignificantSpeedup(r.primaryMetric.direction, v.baseline.samples, v.agent.samples),
    equivalence: r.equivalence?.verdict ?? null,
    tamperFail: (r.tamper ?? []).filter((t) => t.severity === 'fail').length,
    tamperWarn: (r.tamper ?? []).filter((t) => t.severity === 'warn').length,
    tamperNotes: (r.tamper ?? []).slice(0, 5).map((t) => `${t.rule} ${t.file}:${t.line}`),
    quadrant: r.quadrant ?? null,
    targeting: judged?.targeting ?? null,
    approach: judged?.approach ?? null,
    judge: r.judge?.status ?? null,
    judgeReason: judged ? judged.reason : r.judge?.status === 'judge_failed' ? r.judge.detail : null,
    cost: e?.costUsd ?? null,
    tokensIn: e?.inputTokens ?? null,
    tokensOut: e?.outputTokens ?? null,
    turns: e?.turns ?? null,
    toolCalls: e?.toolCalls ?? null,
    wallMs: e?.wallMs ?? null,
    outcome: e?.outcome ?? null,
    job: v5?.jobPath ?? null,
    attemptDir: e?.path ?? null,
    variant: v5?.variant ?? null,
  };
}
