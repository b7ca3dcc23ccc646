/**
 * Verdicts from intervals. With threshold t (percent, 5 by default as the published benchmark):
 *
 * - `regression`: the agent is worse than the baseline beyond t (interval entirely below −t);
 * - `no_gain`: the agent's interval against the baseline lies within ±t;
 * - against the human, for an agent clearly better than the baseline (interval above t):
 *   `beats_human` (interval above t), `below_human` (below −t), `matches_human` (within ±t);
 * - `inconclusive`: an interval straddles a threshold, or there is no human to compare with.
 *
 * A task is `valid_here` when the human's improvement interval lies above the baseline's own noise
 * (its coefficient of variation) on this machine, else `not_valid_here`.
 */
import { RUN_DEFAULTS } from '../util/defaults.js';
import type { Interval, Summary, Verdict, VerdictPolicy, VerdictResult } from './values.js';

export type { Verdict, VerdictPolicy, VerdictResult };

/** The default policy: ±5%, as the published benchmark. */
export const DEFAULT_POLICY: VerdictPolicy = { thresholdPct: RUN_DEFAULTS.thresholdPct };

function fmt(i: Interval): string {
  return `${i.estimate.toFixed(1)}% [${i.lo.toFixed(1)}, ${i.hi.toFixed(1)}]`;
}

/** Decides the verdict of an agent from its intervals against the baseline and the human. */
export function agentVerdict(
  vsBaseline: Interval,
  vsHuman: Interval | null,
  policy: VerdictPolicy = DEFAULT_POLICY,
): VerdictResult {
  const t = policy.thresholdPct;
  if (vsBaseline.hi < -t)
    return { verdict: 'regression', reason: `vs baseline ${fmt(vsBaseline)} is below −${t}%` };
  if (vsBaseline.lo >= -t && vsBaseline.hi <= t)
    return { verdict: 'no_gain', reason: `vs baseline ${fmt(vsBaseline)} lies within ±${t}%` };
  if (vsBaseline.lo <= t)
    return { verdict: 'inconclusive', reason: `vs baseline ${fmt(vsBaseline)} straddles ±${t}%` };
  if (!vsHuman)
    return {
      verdict: 'inconclusive',
      reason: `better than the baseline (${fmt(vsBaseline)}) but there is no human measurement to compare with`,
    };
  if (vsHuman.lo > t) return { verdict: 'beats_human', reason: `vs human ${fmt(vsHuman)} is above ${t}%` };
  if (vsHuman.hi < -t) return { verdict: 'below_human', reason: `vs human ${fmt(vsHuman)} is below −${t}%` };
  if (vsHuman.lo >= -t && vsHuman.hi <= t)
    return { verdict: 'matches_human', reason: `vs human ${fmt(vsHuman)} lies within ±${t}%` };
  return { verdict: 'inconclusive', reason: `vs human ${fmt(vsHuman)} straddles ±${t}%` };
}

/**
 * Whether the task shows a real gain on this machine; `noInterval` says why there is no interval
 * when both were measured (too few rounds).
 */
export function taskValidity(
  humanVsBaseline: Interval | null,
  baseline: Summary | null,
  noInterval?: string,
): { valid: boolean; reason: string } {
  if (!humanVsBaseline || !baseline)
    return { valid: false, reason: noInterval ?? 'baseline or human not measured' };
  const noise = baseline.cvPct;
  if (humanVsBaseline.lo > noise) {
    return {
      valid: true,
      reason: `the human's gain ${fmt(humanVsBaseline)} exceeds the baseline's noise (CV ${noise.toFixed(2)}%)`,
    };
  }
  return {
    valid: false,
    reason: `the human's gain ${fmt(humanVsBaseline)} does not exceed the baseline's noise (CV ${noise.toFixed(2)}%) on this machine`,
  };
}
