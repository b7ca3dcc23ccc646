/** The values that flow through a bench job: variants, phase records, and the job's result. */
import type { AgentJudgement, JobEquivalence } from '../grade/job.js';
import type { Failure } from '../grade/values.js';
import type { AgentPatch } from '../store/config.js';
import {
  type AppliedPatch,
  BENCH_RECORD_VERSION,
  type ClientRunRecord,
  JOB_RECORD_VERSION,
  type JobResult,
  type PhaseRecord,
  type ProbeRecord,
  type ProcessRecord,
  type SetupRecord,
  type VariantResult,
} from '../store/schema.js';

export type {
  AgentJudgement,
  ClientRunRecord,
  JobEquivalence,
  JobResult,
  PhaseRecord,
  ProbeRecord,
  ProcessRecord,
  SetupRecord,
  VariantResult,
};
/** The stored records of a bench job, declared once by their schemas (src/store/schema.ts). */
export { BENCH_RECORD_VERSION, JOB_RECORD_VERSION };

/**
 * What a rehearsal's jobs carry in their fingerprint under \`rehearsal\` (every job record, every
 * row): measured by the stand-in engine without a GPU, never to be taken for a measurement.
 */
export const REHEARSAL_MARK = 'stand-in engine (harness/rehearse/), no GPU: a rehearsal, not a measurement';

/** Whether a job's fingerprint is a rehearsal's. */
export function isRehearsal(fingerprint: Readonly<Record<string, string>>): boolean {
  return fingerprint.rehearsal !== undefined;
}

/** An agent's patch as a job gets it (declared with the run's configuration). */
export type { AgentPatch };

/** One thing measured in a job. */
export type VariantKind = VariantResult['kind'];

/** A variant ready to run (or already failed before running). */
export interface PreparedVariant {
  readonly id: string;
  readonly kind: VariantKind;
  readonly agent: AgentPatch | null;
  /** the source tree on the host */
  readonly hostDir: string | null;
  /** a failure found while preparing it (patch refused, does not apply, build unsupported) */
  readonly failure: Failure | null;
  readonly patch: AppliedPatch | null;
  /** what the static tamper rules found in the agent's patch (empty for baseline and human) */
  readonly tamper: VariantResult['tamper'];
  /** what the harness did to the tree besides the patch (the pinned client copy) */
  readonly notes?: readonly string[];
  /** the variant this agent's gain is measured against when not the baseline ({@link REBUILT_BASELINE}) */
  readonly reference?: string;
}

/**
 * The parent rebuilt in its own image with the build step of native agent patches: the reference of
 * those patches. The baseline and the human run the commit's CI wheel, built with another CUDA
 * compiler than the image's (12.1 for 2024-08..2025-02 trees, whose Dockerfiles say 12.4.1); against
 * them, any compiler difference would be credited to the agent.
 */
export const REBUILT_BASELINE = 'baseline-rebuilt';
