/**
 * Report rows of a schema-v5 table (the published leaderboard, or any v5 export): one per agent line
 * and commit of the card summary (`computeLeaderboard`), so the HTML report shows published rows with
 * the card's own classification. v5 rows carry no repeats, so there are no intervals: the agent-vs-
 * human percent is a point estimate (lo = hi = estimate) and the verdict is the card's: beats the
 * human above +band, similar within ±band, below under -band. Hard success = valid for comparison
 * and beats or similar. No cost, judge or correctness data exist in v5 rows.
 */

import { V5_METRIC_BETTER } from '../v5/formulas.js';
import { computeLeaderboard, type LeaderboardContext, type LeaderboardScope } from '../v5/leaderboard.js';
import type { V5Metric, V5Row } from '../v5/schema.js';
import type { ReportRow } from './board-rows.js';

/** The report rows of a v5 table, under the card's classification. */
export function reportRowsOfV5(
  rows: readonly V5Row[],
  rowNumbers: readonly number[],
  o: { scope: LeaderboardScope; band: number },
  ctx: LeaderboardContext,
): ReportRow[] {
  const lb = computeLeaderboard(rows, rowNumbers, { scope: o.scope, band: o.band }, ctx);
  const modeOf = new Map<string, string>();
  for (const r of rows) if (r.commit_short && r.benchmark_mode) modeOf.set(r.commit_short, r.benchmark_mode);
  const out: ReportRow[] = [];
  for (const a of lb.agents)
    for (const p of a.perCommit) {
      const e = p.agentVsHumanPct;
      const valid = p.status === 'valid_for_comparison';
      const verdict =
        !valid || e === null
          ? null
          : e > o.band
            ? 'beats_human'
            : e >= -o.band
              ? 'matches_human'
              : 'below_human';
      const metric: V5Metric | 'unknown' = p.metric ?? 'unknown';
      out.push({
        task: `vllm/${p.commit}`,
        agent: a.agent,
        model: a.model,
        attempt: null,
        mode: modeOf.get(p.commit) ?? 'unknown',
        metric,
        unit: metric === 'unknown' ? '' : /throughput/.test(metric) ? 'tok/s' : 'ms',
        better: metric !== 'unknown' && V5_METRIC_BETTER[metric] === 'higher' ? 'higher' : 'lower',
        verdict,
        verdictReason:
          verdict && e !== null
            ? `published row: agent vs human ${e >= 0 ? '+' : ''}${e.toFixed(1)}% (point estimate, band ±${o.band}%)`
            : `published row: ${p.status.replace(/_/g, ' ')}`,
        hard: verdict === 'beats_human' || verdict === 'matches_human',
        credited: valid,
        validHere: valid,
        valid,
        failure: valid ? null : p.status,
        vsHuman: e === null ? null : [e, e, e],
        vsBaseline: null,
        humanVsBaseline: null,
        means: { baseline: null, human: null, agent: null },
        equivalence: null,
        tamperFail: 0,
        tamperWarn: 0,
        tamperNotes: [],
        quadrant: null,
        targeting: null,
        approach: null,
        judge: null,
        judgeReason: null,
        cost: null,
        tokensIn: null,
        tokensOut: null,
        turns: null,
        toolCalls: null,
        wallMs: null,
        outcome: null,
        job: null,
        attemptDir: null,
        variant: null,
      });
    }
  return out;
}
