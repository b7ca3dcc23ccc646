/** The tamper rules: one file each under rules/, one line each here. */
import { rule as backgroundWork } from './rules/background-work.js';
import { rule as outputCache } from './rules/output-cache.js';
import { rule as protectedPath } from './rules/protected-path.js';
import { rule as startupHook } from './rules/startup-hook.js';
import { rule as timerTamper } from './rules/timer-tamper.js';
import { rule as workloadDefaults } from './rules/workload-defaults.js';
import type { Severity, TamperContext, TamperFinding, TamperRule } from './types.js';
import { viewPatch } from './view.js';

/** Every rule, in report order. */
export const TAMPER_RULES: readonly TamperRule[] = [
  protectedPath,
  timerTamper,
  startupHook,
  outputCache,
  backgroundWork,
  workloadDefaults,
];

/** What to do with findings: refuse the patch at `fail` findings (default), or only report. */
export interface TamperPolicy {
  readonly refuseAt: Severity | 'never';
}

/** The default policy. */
export const DEFAULT_TAMPER_POLICY: TamperPolicy = { refuseAt: 'fail' };

/** Runs every rule over a patch; findings sorted by severity, file and line. */
export function scanPatch(patch: string, ctx: TamperContext): TamperFinding[] {
  const view = viewPatch(patch);
  const out = TAMPER_RULES.flatMap((r) => r.check(view, ctx));
  const rank = (s: Severity) => (s === 'fail' ? 0 : 1);
  return out.sort(
    (a, b) => rank(a.severity) - rank(b.severity) || a.file.localeCompare(b.file) || a.line - b.line,
  );
}

/** Whether the findings refuse the patch under the policy. */
export function refuses(
  findings: readonly TamperFinding[],
  policy: TamperPolicy = DEFAULT_TAMPER_POLICY,
): boolean {
  if (policy.refuseAt === 'never') return false;
  return findings.some((f) => f.severity === 'fail' || policy.refuseAt === 'warn');
}
