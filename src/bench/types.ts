/** The values that flow through a bench job: variants, phase records, and the job's result. */

import type { AgentJudgement, JobEquivalence, VariantGrade } from '../grade/job.js';
import type { Interval } from '../grade/stats.js';
import type { FailureClass } from '../grade/taxonomy.js';
import type { AgentPatch, AttemptEffort } from '../store/config.js';
import type { Check, Same, StoredRecord } from '../store/schema.js';
import type { TamperFinding } from '../tamper/types.js';

/**
 * What a rehearsal's jobs carry in their fingerprint under \`rehearsal\` (every job record, every
 * row): measured by the stand-in engine without a GPU, never to be taken for a measurement.
 */
export const REHEARSAL_MARK = 'stand-in engine (harness/rehearse/), no GPU: a rehearsal, not a measurement';

/** Whether a job's fingerprint is a rehearsal's. */
export function isRehearsal(fingerprint: Readonly<Record<string, string>>): boolean {
  return fingerprint.rehearsal !== undefined;
}

/** The version of the stored phase and job records. */
export const BENCH_RECORD_VERSION = 3;

/** An agent's patch as a job gets it (declared with the run's configuration). */
export type { AgentPatch };

/** One thing measured in a job. */
export type VariantKind = 'baseline' | 'human' | 'agent';

/** A variant ready to run (or already failed before running). */
export interface PreparedVariant {
  readonly id: string;
  readonly kind: VariantKind;
  readonly agent: AgentPatch | null;
  /** the source tree on the host */
  readonly hostDir: string | null;
  /** a failure found while preparing it (patch refused, does not apply, build unsupported) */
  readonly failure: { readonly class: FailureClass; readonly detail: string } | null;
  readonly patch: {
    readonly method: string;
    readonly files: readonly string[];
    readonly native: boolean;
  } | null;
  /** what the static tamper rules found in the agent's patch (empty for baseline and human) */
  readonly tamper: readonly TamperFinding[];
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

/** One process of a phase, as really run. */
export interface ProcessRecord {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  readonly stdoutPath: string;
  readonly stderrPath: string;
}

/** One measurement of one variant. */
export interface PhaseRecord {
  readonly schemaVersion: typeof BENCH_RECORD_VERSION;
  readonly task: string;
  readonly variant: string;
  readonly round: number;
  readonly warmup: boolean;
  readonly startedAt: string;
  readonly status: 'ok' | FailureClass;
  readonly detail: string;
  readonly server: ProcessRecord | null;
  readonly client: ProcessRecord | null;
  /** parsed metrics: name → value, unit, direction */
  readonly metrics: Readonly<Record<string, { value: number; unit: string; direction: string }>>;
  /** the arguments the benchmark echoed (Namespace), and how they differ from the task's command */
  readonly effectiveArgs: Readonly<Record<string, string>> | null;
  readonly workloadDifferences: ReadonlyArray<{ option: string; expected: string; actual: string }>;
  /** wall time of the whole phase, and of the harness's own work around the commands */
  readonly wallMs: number;
  readonly overheadMs: number;
  /** GPU clocks and the like read at the start of the phase */
  readonly atStart: Readonly<Record<string, string>>;
  /**
   * Where the metrics come from: the client's JSON result file (kept as `result.json` beside the
   * logs) when it can write one, else its stdout block; notes say what disagreed or was missing.
   */
  readonly result: {
    readonly source: 'json' | 'stdout' | 'none';
    readonly jsonPath: string | null;
    readonly notes: readonly string[];
  };
  /** the correctness probe, in the phase that ran it */
  readonly probe: ProbeRecord | null;
}

/** The correctness probe of a phase (run in the last measured round). */
export interface ProbeRecord {
  readonly status: 'ok' | 'probe_failed';
  readonly detail: string;
  /** host path of the probe's outputs (JSON lines), null when none were written */
  readonly outputsPath: string | null;
  readonly process: ProcessRecord | null;
}

/** A setup command run in a variant's tree before its phases (prepare, or the build of a native patch). */
export interface SetupRecord extends ProcessRecord {
  readonly step: 'prepare' | 'build';
}

/** What a variant came to over all its rounds: the facts of its preparation and its grade. */
export interface VariantResult extends VariantGrade {
  readonly id: string;
  readonly kind: VariantKind;
  readonly agent: string | null;
  readonly model: string | null;
  readonly patch: PreparedVariant['patch'];
  readonly tamper: readonly TamperFinding[];
  /** the setup commands run in its tree, with their logs */
  readonly setup: readonly SetupRecord[];
  /** what the harness did to its tree besides the patch (the pinned client copy) */
  readonly notes?: readonly string[];
  /** what an agent's gain is measured against, when not the baseline */
  readonly reference?: string;
  /** the effort of the attempt behind an agent's patch, when its predictions carried it */
  readonly effort?: AttemptEffort;
}

export type { AgentJudgement, JobEquivalence };

/** The result of a job. */
export interface JobResult {
  readonly schemaVersion: typeof BENCH_RECORD_VERSION;
  readonly task: string;
  readonly primaryMetric: {
    readonly name: string;
    readonly unit: string;
    readonly direction: 'lower' | 'higher';
  };
  readonly repeats: number;
  readonly order: readonly string[];
  readonly variants: readonly VariantResult[];
  readonly humanVsBaseline: Interval | null;
  readonly validity: { readonly valid: boolean; readonly reason: string };
  readonly failure: { readonly class: FailureClass; readonly detail: string } | null;
  readonly agents: readonly AgentJudgement[];
  readonly equivalence: JobEquivalence;
  readonly fingerprint: Readonly<Record<string, string>>;
  readonly executor: string;
  readonly startedAt: string;
  readonly durationMs: number;
}

/**
 * job.json as store/schema.ts reads it is exactly a JobResult, BENCH_RECORD_VERSION its version
 * (the compiler checks it here: change one without the other and this line fails).
 */
export type JobRecordAgrees = Check<Same<StoredRecord<'job'>, JobResult>>;
