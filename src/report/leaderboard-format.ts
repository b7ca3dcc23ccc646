/**
 * The card summary ({@link computeLeaderboard}) as text: the table head, one line of cells per agent
 * and the notes under it, exactly as `isobench leaderboard FILE --format markdown` prints them. Pure.
 */

import { plural } from '../util/plural.js';
import type { AgentSummary, Leaderboard } from '../v5/leaderboard.js';
import { type Aggregates, aggregateCells, intervalText, OPT_P, share } from './aggregates.js';
import type { RunAgentSummary } from './run-leaderboard.js';

function pct(n: number, d: number): string {
  return d ? `${n} (${((100 * n) / d).toFixed(1)}%)` : String(n);
}

/** The column heads of the card summary. */
export const LEADERBOARD_HEAD: readonly string[] = [
  'Agent',
  'Commits',
  'Valid for comparison',
  'Patch failure',
  'Missing human metric',
  'Wrong metric',
  'Beats / similar / worse',
  'Unclassified',
];

/** One agent's cells, in the order of {@link LEADERBOARD_HEAD}; counts with their share of the commits in scope. */
export function leaderboardCells(a: AgentSummary): string[] {
  const c = a.counts;
  return [
    a.display,
    String(a.commits),
    pct(c.valid_for_comparison, a.commits),
    pct(c.patch_failure, a.commits),
    String(c.missing_human_metric),
    String(c.wrong_metric),
    `${a.comparison.beats} / ${a.comparison.similar} / ${a.comparison.worse}`,
    String(a.unclassified.length),
  ];
}

/** The notes under the table: scope, merged labels, missing rows, unclassified rows, exclusions. */
export function leaderboardNotes(lb: Leaderboard): string[] {
  const lines = [
    `Scope: ${lb.scope} — ${lb.commitsInScope.length} commit(s) in scope, ${lb.excluded.length} excluded. Beats/similar/worse: agent vs human on the primary metric, ±${lb.band}% band.`,
  ];
  for (const a of lb.agents) {
    for (const n of a.notes) lines.push(`${a.display}: ${n}`);
    if (a.noRow.length)
      lines.push(
        `${a.display}: no row for ${a.noRow.length} commit(s) in scope, counted as patch failures: ${a.noRow.join(' ')}`,
      );
    for (const u of a.unclassified)
      lines.push(`${a.display}: row ${u.row} (${u.commit}) not classified: ${u.reason}`);
  }
  for (const x of lb.excluded) lines.push(`excluded ${x.commit}: ${x.reason}`);
  return lines;
}

/** The Markdown table of the summary (head, separator, one line per agent), without the notes. */
export function leaderboardMarkdownTable(lb: Leaderboard): string[] {
  return [
    `| ${LEADERBOARD_HEAD.join(' | ')} |`,
    `|${LEADERBOARD_HEAD.map(() => '---').join('|')}|`,
    ...lb.agents.map((a) => `| ${leaderboardCells(a).join(' | ')} |`),
  ];
}

const usd = (x: number | null) => (x === null ? '-' : `$${x.toFixed(4)}`);
const signed = (x: number | null) => (x === null ? '-' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`);

/** The column heads of the leaderboard of isobench's own rows (`leaderboard RUN_DIR`). */
export const RUN_BOARD_HEAD: readonly string[] = [
  'Agent',
  'Model',
  'Attempts',
  'Hard success',
  'Tasks solved (any attempt)',
  'pass@1',
  'True success',
  'Good intent / lucky win / failure',
  'Valid',
  'Median vs human [95% CI]',
  'Speedup ratio (HM)',
  'Opt@1 / Opt@K',
  'Min significant speedup',
  'Outputs (eq/div/probe failed)',
  'Tampered',
  'Failures',
  'Cost',
  'Cost/attempt',
  'Cost/success',
  'Tokens in/out',
];

/** The median vs human with its interval, or why there is none. */
function medianCell(a: RunAgentSummary): string {
  if (a.medianVsHuman === null) return '-';
  const ci = a.medianVsHumanCi;
  return ci
    ? `${signed(a.medianVsHuman)} [${ci[0].toFixed(1)}, ${ci[1].toFixed(1)}]`
    : `${signed(a.medianVsHuman)} (no 95% interval: ${a.vsHumanRows} row(s), 6 needed)`;
}

/**
 * One agent of that leaderboard as a block of short lines, for a terminal (the 19 columns of the
 * table are 300 characters wide): the same numbers as {@link runBoardCells}, under their names.
 */
export function runBoardBlock(a: RunAgentSummary): string[] {
  const c = runBoardCells(a);
  const at = (head: string) => {
    const v = c[RUN_BOARD_HEAD.indexOf(head)];
    if (v === undefined) throw new Error(`no column '${head}' in RUN_BOARD_HEAD`);
    return v;
  };
  return [
    `${a.agent} (${a.model}): ${plural(a.attempts, 'attempt')}`,
    `  hard success ${at('Hard success')} · tasks solved (any attempt) ${at('Tasks solved (any attempt)')} · pass@1 ${at('pass@1')} · valid ${at('Valid')}`,
    `  true success ${at('True success')} · good intent / lucky win / failure ${at('Good intent / lucky win / failure')}`,
    `  median vs human ${at('Median vs human [95% CI]')}`,
    `  outputs eq/div/probe failed ${at('Outputs (eq/div/probe failed)')} · tampered ${at('Tampered')} · failures ${at('Failures')}`,
    `  cost ${at('Cost')} · per attempt ${at('Cost/attempt')} · per success ${at('Cost/success')} · tokens in/out ${at('Tokens in/out')}`,
    ...aggregateLines(a.aggregates),
  ];
}

/** The field's aggregates of an agent, in words. */
export function aggregateLines(g: Aggregates): string[] {
  const left = [
    g.leftOut.notValidHere ? `${g.leftOut.notValidHere} not valid here` : '',
    g.leftOut.infra ? `${g.leftOut.infra} harness failure(s)` : '',
  ].filter(Boolean);
  const out = left.length ? ` (left out: ${left.join(', ')})` : '';
  if (!g.rows) return [`  speedup ratio, Opt@K: no row with a human speedup here${out}`];
  const ci = g.intervals;
  const pctOf = (x: number) => `${(100 * x).toFixed(1)}%`;
  return [
    `  speedup ratio (SWE-fficiency, harmonic mean of ${plural(g.rows, 'row')}) ${g.speedupRatio?.toFixed(3) ?? '-'}${intervalText(ci.speedupRatio, (x) => x.toFixed(3))} · Opt@1 (GSO, p ${OPT_P}) ${share(g.optAt1)}${intervalText(ci.optAt1, pctOf)}${g.k > 1 ? ` · Opt@${g.k} ${share(g.optAtK)}` : ''} of ${plural(g.tasks, 'task')}${out}`,
    `  Opt_p@1: ${g.curve.map((c) => `p ${c.p} ${share(c.optAt1)}`).join(' · ')}`,
    `  minimum significant speedup (SWE-Perf: Mann-Whitney at 0.1 on the rounds, mean of ${plural(g.rows, 'row')}) ${share(g.minSigSpeedup)}${intervalText(ci.minSigSpeedup, pctOf)}`,
    ...(g.tasks > 1 ? ['  (aggregate intervals: 95%, bootstrap over tasks)'] : []),
  ];
}

/** One line of that leaderboard, in the order of {@link RUN_BOARD_HEAD}. */
export function runBoardCells(a: RunAgentSummary): string[] {
  return [
    a.agent,
    a.model,
    String(a.attempts),
    pct(a.hardSuccess, a.attempts),
    pct(a.tasksSolved, a.tasks),
    `${(100 * a.passAt1).toFixed(1)}%`,
    a.trueSuccess === null ? 'not judged' : pct(a.trueSuccess, a.attempts),
    a.trueSuccess === null
      ? '-'
      : `${a.quadrants.good_intent ?? 0} / ${a.quadrants.lucky_win ?? 0} / ${a.quadrants.failure ?? 0}${a.judgeFailures ? ` (${a.judgeFailures} judge failed)` : ''}`,
    pct(a.valid, a.attempts),
    medianCell(a),
    ...aggregateCells(a.aggregates),
    `${a.equivalence.equivalent ?? 0}/${a.equivalence.diverged ?? 0}/${a.equivalence.probe_failed ?? 0}`,
    String(a.tamper.fail),
    Object.entries(a.failures)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || '-',
    usd(a.costUsd),
    usd(a.costPerAttempt),
    usd(a.costPerHardSuccess),
    a.costUsd === null && !a.tokens.input ? '-' : `${a.tokens.input}/${a.tokens.output}`,
  ];
}

/** That leaderboard as a Markdown table. */
export function runBoardMarkdownTable(board: readonly RunAgentSummary[]): string[] {
  return [
    `| ${RUN_BOARD_HEAD.join(' | ')} |`,
    `|${RUN_BOARD_HEAD.map(() => '---').join('|')}|`,
    ...board.map((a) => `| ${runBoardCells(a).join(' | ')} |`),
  ];
}
