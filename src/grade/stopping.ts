/**
 * When an adaptive job may stop: at a look, the verdicts that more rounds could still change. An
 * agent is open while its speed verdict is `inconclusive` (its interval straddles a threshold, or
 * there are too few rounds for one); a failed agent, a decided verdict and a judgement of its
 * outputs are final. A job without agents is open while the human's gain is not shown. A failed
 * baseline or human leaves nothing to decide. Pure.
 */
import type { JobGrade } from './values.js';

/** What a look at a job's grade finds: the variants still open, or that nothing can be decided. */
export interface LookFinding {
  /** the agents (or `human`, in a job without agents) whose verdict more rounds could still decide */
  readonly undecided: readonly string[];
  /** why nothing more can be decided (the baseline or human failed, every agent failed), or null */
  readonly nothingToDecide: string | null;
}

/** The open verdicts of a graded job. */
export function lookAt(grade: Pick<JobGrade, 'agents' | 'failure' | 'validity'>): LookFinding {
  if (grade.failure)
    return { undecided: [], nothingToDecide: `${grade.failure.class}: ${grade.failure.detail}` };
  if (!grade.agents.length)
    return { undecided: grade.validity.valid ? [] : ['human'], nothingToDecide: null };
  const judged = grade.agents.filter((a) => a.failure === null);
  if (!judged.length) return { undecided: [], nothingToDecide: 'every agent failed' };
  return {
    undecided: judged.filter((a) => a.verdict?.verdict === 'inconclusive').map((a) => a.variant),
    nothingToDecide: null,
  };
}

/** Whether a look ends the rounds, and why: `decided` (nothing open), `nothing_to_decide`, or null (go on). */
export function stopAtLook(look: LookFinding): 'decided' | 'nothing_to_decide' | null {
  if (look.nothingToDecide) return 'nothing_to_decide';
  return look.undecided.length ? null : 'decided';
}

/**
 * Whether a variant is measured in the rounds after a look that did not stop the job: the baseline
 * and the human always (every open agent is compared with both); an agent only while its verdict is
 * open, since a verdict decided at a look is the verdict grading gives it.
 */
export function measuredAfterLook(look: LookFinding, variant: string): boolean {
  return !variant.startsWith('agent:') || look.undecided.includes(variant);
}
