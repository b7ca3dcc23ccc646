/**
 * Stored records: each kind's schema and versions, the only declaration of its type (inferred), and
 * the one checker that parses the JSON, refuses a newer version or an unknown older one naming the
 * file, upgrades a known older one and checks the result against the schema, every problem naming
 * the file and the field. No Node imports (reading the files is ./read.ts). Records
 * are checked loosely where the harness only passes them through (a phase's process records): the
 * fields grading reads are checked strictly, the rest is kept as written.
 *
 * Each record's type is inferred here and its writers build that type (bench/types.ts, agent/attempt.ts
 * and the others re-export it), so a writer that disagrees with its record's schema does not
 * compile; the values a grade holds are declared once in grade/values.ts and composed here.
 */

import { JUDGE_CACHE_VERSION, JudgeAnswerSchema, JudgeCacheSchema } from '../grade/judge-answer.js';
import {
  AccuracyReadingsSchema,
  AccuracyResultSchema,
  DesignSchema,
  EquivalenceSchema,
  FailureSchema,
  GradePolicySchema,
  IntervalSchema,
  JobEquivalenceSchema,
  JobGradeSchema,
  MeasuredVariantSchema,
  StatusSchema,
  StopSchema,
  SummarySchema,
  VariantGradeSchema,
} from '../grade/values.js';
import { TamperFindingSchema } from '../tamper/types.js';
import { TaskSpecSchema } from '../task/schema.js';
import { errorMessage } from '../util/errors.js';
import { isJsonObject } from '../util/json.js';
import { type Infer, type Schema, type Shape, z } from '../util/zod.js';
import { AttemptEffortSchema, RunConfigSchema } from './config.js';
import { ReportDataSchema } from './report-record.js';
import {
  AccountingSchema,
  API_USAGE_VERSION,
  ApiUsageRecordSchema,
  PRICE_TABLE_VERSION,
  PriceTableSchema,
} from './usage.js';

/** A stored record that cannot be read: the file, the field and what is wrong. */
export class StoredRecordError extends Error {
  constructor(
    readonly file: string,
    readonly field: string | null,
    readonly problem: string,
  ) {
    super(`${file}${field ? `: ${field}` : ''}: ${problem}`);
    this.name = 'StoredRecordError';
  }
}

/** The version of run.json. */
export const RUN_RECORD_VERSION = 2;

/** One interruption of a run (Ctrl-C, SIGTERM): when, by what, the units it cut (redone by a resume). */
export const InterruptionRecordSchema = z.object({
  at: z.string(),
  cause: z.string(),
  cut: z.array(z.string()),
});

/** A bench job of the run as run.json lists it. */
const RUN_JOB = z.object({
  task: z.string(),
  /** the attempt number (absent in runs of version 1, which ran one attempt of each agent) */
  attempt: z.optional(z.number()),
  /** done, not_started, infra_error, or the class of the job's failure */
  status: z.string(),
  error: z.optional(z.string()),
  resumed: z.optional(z.boolean()),
  path: z.string(),
});

/**
 * `run.json` of a run folder (src/run/evaluate.ts): what was asked (the configuration, whole) and
 * how it ended, written as the run goes. The fields written after version 2 first was are optional,
 * so that the runs of earlier builds keep reading; fields no build writes any more are kept as read.
 */
export const RunRecordSchema = z.looseObject({
  schemaVersion: z.literal(RUN_RECORD_VERSION),
  runId: z.string(),
  createdAt: z.string(),
  updatedAt: z.optional(z.string()),
  /** running, done, interrupted, stopped */
  status: z.string(),
  /** why no new unit started (a cap), null when none stopped it */
  stopReason: z.optional(z.nullable(z.string())),
  args: z.array(z.string()),
  executor: z.string(),
  /** in-process or redis */
  backend: z.optional(z.string()),
  image: z.optional(z.nullable(z.string())),
  repeats: z.number(),
  warmup: z.number(),
  thresholdPct: z.number(),
  attempts: z.number(),
  tasks: z.array(z.string()),
  /** every agent of the run: those it ran, and those of its predictions ("name (model)") */
  agents: z.optional(z.array(z.string())),
  costUsd: z.optional(z.nullable(z.number())),
  /** every interruption of the run, earlier invocations' first */
  interruptions: z.optional(z.array(InterruptionRecordSchema)),
  /** the run's whole configuration (written since payload version 2) */
  config: z.optional(RunConfigSchema),
  jobs: z.optional(z.array(RUN_JOB)),
});
export type RunRecord = Shape<typeof RunRecordSchema>;
export type InterruptionRecord = Shape<typeof InterruptionRecordSchema>;

// ---------- bench jobs (src/bench/*.ts): the grade's values are src/grade/values.ts ----------

/** The version of the stored phase records (the phases of measurement.json, each phase's phase.json; 4: client runs). */
export const BENCH_RECORD_VERSION = 4;
/** The version of `job.json` (4: the design it measured with and why its rounds stopped). */
export const JOB_RECORD_VERSION = 4;
/** The version of `measurement.json` (2: the design it measured with and why its rounds stopped; 3: phases of version 4). */
export const MEASUREMENT_VERSION = 3;

/** What a job measured with and why its rounds ended, where a record older than both says nothing: fixed rounds. */
function fixedDesignOf(r: Raw): Raw {
  const rounds = typeof r.repeats === 'number' ? r.repeats : 0;
  return {
    ...r,
    design: { maxRounds: Math.max(1, rounds), clientRuns: 1, adaptive: null },
    stop: { reason: 'fixed', rounds, detail: 'fixed rounds (recorded before adaptive rounds)', looks: [] },
  };
}

/** Phase records of version 3 as version 4: one client run each, its fields the phase's own. */
function phasesWithRuns(phases: unknown): unknown {
  if (!Array.isArray(phases)) return phases;
  const isV3 = (p: unknown): p is Raw =>
    !!p && typeof p === 'object' && 'schemaVersion' in p && p.schemaVersion === 3;
  return phases.map((p: unknown) => (isV3(p) ? { ...p, schemaVersion: 4, runs: [] } : p));
}

/** How a process ended (an executor's answer to running it; executor/types.ts). */
export const ExecResultSchema = z.object({
  /** null when it was killed by a signal */
  exitCode: z.nullable(z.number()),
  signal: z.nullable(z.string()),
  timedOut: z.boolean(),
  durationMs: z.number(),
  stdoutPath: z.string(),
  stderrPath: z.string(),
});
export type ExecResult = Shape<typeof ExecResultSchema>;

/** One process of a phase or a setup step, as really run. */
export const ProcessRecordSchema = z.object({
  argv: z.array(z.string()),
  cwd: z.string(),
  env: z.record(z.string(), z.string()),
  ...ExecResultSchema.shape,
});
export type ProcessRecord = Shape<typeof ProcessRecordSchema>;

/** A setup command run in a variant's tree before its phases (prepare, or the build of a native patch). */
export const SetupRecordSchema = z.object({
  ...ProcessRecordSchema.shape,
  step: z.enum(['prepare', 'build']),
});
export type SetupRecord = Shape<typeof SetupRecordSchema>;

/** What the harness applied to a variant's tree: how, which files, whether it touches compiled sources. */
export const AppliedPatchSchema = z.object({
  method: z.string(),
  files: z.array(z.string()),
  native: z.boolean(),
});
export type AppliedPatch = Shape<typeof AppliedPatchSchema>;

/** What a variant is and how it was prepared: the same in a job's measurement and in its grade. */
const VARIANT_FACTS = {
  id: z.string(),
  kind: MeasuredVariantSchema.shape.kind,
  agent: z.nullable(z.string()),
  model: z.nullable(z.string()),
  patch: z.nullable(AppliedPatchSchema),
  tamper: z.array(TamperFindingSchema),
  /** the setup commands run in its tree, with their logs */
  setup: z.array(SetupRecordSchema),
  /** what the harness did to its tree besides the patch (the pinned client copy) */
  notes: z.optional(z.array(z.string())),
  reference: MeasuredVariantSchema.shape.reference,
  /** the effort of the attempt behind an agent's patch, when its predictions carried it (solve) */
  effort: z.optional(AttemptEffortSchema),
};

/** The task's primary metric: the one its verdicts are on. */
export const PrimaryMetricSchema = z.object({
  name: z.string(),
  unit: z.string(),
  direction: z.enum(['lower', 'higher']),
});

/** What a variant came to over all its rounds: the facts of its preparation and its grade. */
export const VariantResultSchema = z.object({ ...VariantGradeSchema.shape, ...VARIANT_FACTS });
export type VariantResult = Shape<typeof VariantResultSchema>;

/** `job.json` of a bench job (src/bench/job.ts): the measurement's facts and its grade. */
export const JobResultSchema = z.object({
  schemaVersion: z.literal(JOB_RECORD_VERSION),
  task: z.string(),
  primaryMetric: PrimaryMetricSchema,
  repeats: z.number(),
  design: DesignSchema,
  stop: StopSchema,
  order: z.array(z.string()),
  ...JobGradeSchema.shape,
  variants: z.array(VariantResultSchema),
  fingerprint: z.record(z.string(), z.string()),
  executor: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
});
export type JobResult = Shape<typeof JobResultSchema>;

/** The correctness probe of a phase (run in the last measured round). */
export const ProbeRecordSchema = z.object({
  status: z.enum(['ok', 'probe_failed']),
  detail: z.string(),
  /** host path of the probe's outputs (JSON lines), null when none were written */
  outputsPath: z.nullable(z.string()),
  process: z.nullable(ProcessRecordSchema),
});
export type ProbeRecord = Shape<typeof ProbeRecordSchema>;

/** The metrics of a client's output: name → value, unit, direction. */
const MetricsSchema = z.record(
  z.string(),
  z.object({ value: z.number(), unit: z.string(), direction: z.string() }),
);

/** Where a client run's metrics come from: its JSON result file (kept beside the logs), else its stdout block. */
const ResultSourceSchema = z.object({
  source: z.enum(['json', 'stdout', 'none']),
  jsonPath: z.nullable(z.string()),
  notes: z.array(z.string()),
});

/** The arguments a client echoed that differ from the task's command. */
const WorkloadDifferencesSchema = z.array(
  z.object({ option: z.string(), expected: z.string(), actual: z.string() }),
);

/** One client run on a phase's server, where a phase runs the client more than once (`--client-runs`). */
export const ClientRunRecordSchema = z.object({
  /** 1, 2, ... in the order they ran */
  run: z.number(),
  status: StatusSchema,
  detail: z.string(),
  client: ProcessRecordSchema,
  metrics: MetricsSchema,
  effectiveArgs: z.nullable(z.record(z.string(), z.string())),
  workloadDifferences: WorkloadDifferencesSchema,
  result: ResultSourceSchema,
});
export type ClientRunRecord = Shape<typeof ClientRunRecordSchema>;

/** One measurement of one variant, as the bench job writes it into its measurement. */
export const PhaseRecordSchema = z.object({
  schemaVersion: z.literal(BENCH_RECORD_VERSION),
  task: z.string(),
  variant: z.string(),
  round: z.number(),
  warmup: z.boolean(),
  startedAt: z.string(),
  status: StatusSchema,
  detail: z.string(),
  server: z.nullable(ProcessRecordSchema),
  client: z.nullable(ProcessRecordSchema),
  /** parsed metrics: name → value, unit, direction (several client runs: each metric's mean over them) */
  metrics: MetricsSchema,
  /** the arguments the benchmark echoed (Namespace), and how they differ from the task's command */
  effectiveArgs: z.nullable(z.record(z.string(), z.string())),
  workloadDifferences: WorkloadDifferencesSchema,
  /** wall time of the whole phase, and of the harness's own work around the commands */
  wallMs: z.number(),
  overheadMs: z.number(),
  /** GPU clocks and the like read at the start of the phase */
  atStart: z.record(z.string(), z.string()),
  /**
   * Where the metrics come from: the client's JSON result file (kept as `result.json` beside the
   * logs) when it can write one, else its stdout block; notes say what disagreed or was missing.
   */
  result: ResultSourceSchema,
  /** the correctness probe, in the phase that ran it */
  probe: z.nullable(ProbeRecordSchema),
  /**
   * Each client run on this phase's server when it ran more than one (\`--client-runs\`): the phase's
   * \`client\`, \`effectiveArgs\` and \`result\` are the first run's, its \`metrics\` their mean, its
   * status the first failed run's. Empty for one run: the phase's own fields are that run's.
   */
  runs: z.array(ClientRunRecordSchema),
});
export type PhaseRecord = Shape<typeof PhaseRecordSchema>;

/** A variant as prepared and set up, and what kept it from being measured (null when it was measured). */
export const MeasuredVariantRecordSchema = z.object({ ...VARIANT_FACTS, ...MeasuredVariantSchema.shape });
export type MeasuredVariantRecord = Shape<typeof MeasuredVariantRecordSchema>;

/** `measurement.json` of a bench job (src/bench/measurement.ts): what `isobench regrade` grades again. */
export const MeasurementSchema = z.object({
  schemaVersion: z.literal(MEASUREMENT_VERSION),
  /** the task as it was measured (its spec may change later) */
  task: TaskSpecSchema,
  primaryMetric: PrimaryMetricSchema,
  repeats: z.number(),
  warmup: z.number(),
  /** how it measured: rounds, client runs a server start, adaptive looks */
  design: DesignSchema,
  /** why its rounds ended */
  stop: StopSchema,
  /** the variants measured, in the order of the first round */
  order: z.array(z.string()),
  variants: z.array(MeasuredVariantRecordSchema),
  /** every phase, warm-up rounds included, as measured */
  phases: z.array(PhaseRecordSchema),
  accuracy: z.nullable(AccuracyReadingsSchema),
  /** why nothing was measured (a model not prefetched), null when the job ran */
  failure: z.nullable(FailureSchema),
  fingerprint: z.record(z.string(), z.string()),
  executor: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  /** the policy the job was graded with when it ran (what `isobench regrade` uses unless told otherwise) */
  policy: GradePolicySchema,
});
export type JobMeasurement = Shape<typeof MeasurementSchema>;

// ---------- agent attempts ----------

/** An agent attempt's outcome kind (each kind is explained where the adapters use it: src/agent/types.ts). */
export const OutcomeKindSchema = z.enum([
  'completed',
  'timeout',
  'turn_limit',
  'cost_limit',
  'crashed',
  'infra',
  /** the user's configuration failed: credentials refused or missing (never retried; `run`/`solve` exit 2) */
  'config_error',
  'harness_error',
]);

/** Tokens, cost and effort an agent reported (null where it reports nothing); src/agent/types.ts re-exports it. */
export const UsageSchema = z.object({
  inputTokens: z.nullable(z.number()),
  outputTokens: z.nullable(z.number()),
  cacheReadTokens: z.nullable(z.number()),
  cacheWriteTokens: z.nullable(z.number()),
  /** US dollars, as the agent reported them */
  costUsd: z.nullable(z.number()),
  turns: z.nullable(z.number()),
  toolCalls: z.nullable(z.number()),
});

/** The version of stored attempt records (outcome.json, usage, predictions lines). */
export const AGENT_RECORD_VERSION = 1;

/** `outcome.json` of an agent attempt (src/agent/attempt.ts). */
export const AttemptRecordSchema = z.object({
  schemaVersion: z.literal(AGENT_RECORD_VERSION),
  task: z.string(),
  agent: z.string(),
  attempt: z.number(),
  baseCommit: z.string(),
  modelRequested: z.string(),
  /** the model the agent reported (null if it reports none) */
  model: z.nullable(z.string()),
  agentVersion: z.nullable(z.string()),
  outcome: z.object({ kind: OutcomeKindSchema, detail: z.string() }),
  usage: UsageSchema,
  /** where the usage came from (agent, proxy, price table); absent in records before it was kept */
  accounting: z.optional(AccountingSchema),
  budgets: z.object({ timeMin: z.number(), maxTurns: z.number(), maxCostUsd: z.nullable(z.number()) }),
  denials: z.array(z.string()),
  /** every try, in order: infra failures that were retried, then the one that counts */
  tries: z.array(z.object({ kind: OutcomeKindSchema, detail: z.string(), durationMs: z.number() })),
  patch: z.object({
    status: z.enum(['ok', 'no_patch']),
    files: z.number(),
    added: z.number(),
    removed: z.number(),
    binaryFiles: z.number(),
    protectedTouched: z.array(z.string()),
  }),
  prompt: z.object({
    templateVersion: z.number(),
    hintLevel: z.enum(['none', 'files']),
    hintFiles: z.array(z.string()),
  }),
  startedAt: z.string(),
  durationMs: z.number(),
  /** paths relative to the attempt folder */
  files: z.object({
    prompt: z.string(),
    patch: z.string(),
    trajectory: z.string(),
    logs: z.string(),
    prediction: z.string(),
  }),
});

export type AttemptRecord = Shape<typeof AttemptRecordSchema>;

// ---------- units ----------

/** The version of a unit's record. */
export const UNIT_RECORD_VERSION = 1;

/** `unit.json` of a unit of work (src/store/units.ts). */
export const UnitRecordSchema = z.object({
  schemaVersion: z.literal(UNIT_RECORD_VERSION),
  key: z.string(),
  kind: z.enum(['bench_job', 'agent_attempt']),
  /**
   * done: its result stands; infra: it failed for infrastructure reasons (rerun by --retry-infra);
   * harness_error: isobench failed on it (a bug, its stack in the unit's `harness-error.log`): run
   * again by the next run or resume, which says so; config_error: the user's configuration failed
   * (credentials refused or missing): run again by the next resume, once it is fixed
   */
  status: z.enum(['done', 'infra', 'config_error', 'harness_error']),
  detail: z.string(),
  /** the inputs the key was made from (any JSON object), for people reading the record */
  inputs: z.looseObject({}),
  finishedAt: z.string(),
  /** every infrastructure retry before this record, with its cause */
  retries: z.array(z.object({ at: z.string(), cause: z.string() })),
  /** the unit's result file (job.json, outcome.json) and its sha256 when the record was written */
  result: z.optional(z.object({ file: z.string(), sha256: z.string() })),
});
export type UnitRecord = Shape<typeof UnitRecordSchema>;

// ---------- extended rows (rows.ext.jsonl, src/report/job-rows.ts) ----------

/** The version of the extended row. */
export const EXT_ROW_VERSION = 5;

const EXT_VARIANT = z.object({
  status: z.string(),
  detail: z.string(),
  summary: z.nullable(SummarySchema),
  samples: z.array(z.number()),
});
const EXT_ROW_V3 = {
  runId: z.string(),
  task: z.string(),
  agent: z.string(),
  model: z.string(),
  primaryMetric: PrimaryMetricSchema,
  repeats: z.number(),
  variants: z.object({ baseline: EXT_VARIANT, human: EXT_VARIANT, agent: EXT_VARIANT }),
  humanVsBaseline: z.nullable(IntervalSchema),
  agentVsBaseline: z.nullable(IntervalSchema),
  agentVsHuman: z.nullable(IntervalSchema),
  verdict: z.nullable(z.string()),
  verdictReason: z.nullable(z.string()),
  taskValidHere: z.boolean(),
  taskValidity: z.string(),
  /** the failure that decided the row, when there is one: the agent's, or the job's (baseline/human) */
  failureClass: z.nullable(z.string()),
  patch: z.nullable(AppliedPatchSchema),
  /** what the static tamper rules found in the agent's patch (rule, severity, file:line, evidence) */
  tamper: z.array(TamperFindingSchema),
  /** the agent's outputs against the baseline's: equivalent, diverged, probe_failed or unchecked */
  equivalence: z.nullable(EquivalenceSchema),
  /** the tolerance the human set on this machine, and the human's own divergence */
  equivalenceCalibration: JobEquivalenceSchema,
  /** whether the speed verdict counts (outputs equivalent, or not checkable for reasons not the agent's) */
  credited: z.boolean(),
  /** the optional accuracy check: agent and baseline scores, delta, tolerance */
  accuracy: z.nullable(AccuracyResultSchema),
  fingerprint: z.record(z.string(), z.string()),
  executor: z.string(),
  thresholdPct: z.number(),
  /** the attempt behind the patch: cost, tokens, turns, tool calls, wall time, CLI version, model */
  effort: z.nullable(AttemptEffortSchema),
  /** the soft-metric judge's answer, or its failure (run --judge); absent when not judged */
  judge: z.optional(
    z.nullable(
      z.discriminatedUnion('status', [
        z.object({
          status: z.literal('judged'),
          answer: JudgeAnswerSchema,
          cached: z.boolean(),
          rubricVersion: z.number(),
          model: z.string(),
        }),
        z.object({
          status: z.literal('judge_failed'),
          detail: z.string(),
          rubricVersion: z.number(),
          model: z.string(),
        }),
      ]),
    ),
  ),
  /** hard verdict × targeting; null when the judge gave no answer */
  quadrant: z.optional(z.nullable(z.enum(['true_success', 'good_intent', 'lucky_win', 'failure']))),
};

/** isobench's own row (one line of `rows.ext.jsonl`, src/report/job-rows.ts): one per (task, agent patch). */
export const ExtendedRowV5Schema = z.object({
  schemaVersion: z.literal(EXT_ROW_VERSION),
  ...EXT_ROW_V3,
  /** the task's benchmark kind (serving, latency, throughput, prefix_caching, …) and its v5 mode */
  benchmark: z.object({ kind: z.string(), v5Mode: z.nullable(z.string()) }),
  /** the agent's variant in the job (agent:NAME, agent:NAME_2 when names repeat): its patch is patches/<slug>.patch */
  variant: z.string(),
  /** the bench job's folder in the run (job.json, phases/, patches/) */
  jobPath: z.string(),
  /** how the job measured (rounds, client runs a server start, adaptive looks); null on a row upgraded from version 4, which did not say */
  design: z.nullable(DesignSchema),
  /** why the job's rounds ended, with its looks; null on a row upgraded from version 4 */
  stop: z.nullable(StopSchema),
});
export type ExtendedRow = Shape<typeof ExtendedRowV5Schema>;

/**
 * An extended row as read: version 5; version 4 upgraded (it did not record the job's design and
 * stop: both null); or version 3 as written, which lacks the benchmark kind, the variant and the job
 * folder. Version 2 (no attempt effort; before the output checks, no
 * equivalence, calibration or credit; before the accuracy check, no accuracy) is upgraded to 3 by
 * `migrate`.
 */
export const ExtendedRowSchema = z.discriminatedUnion('schemaVersion', [
  ExtendedRowV5Schema,
  z.object({ schemaVersion: z.literal(3), ...EXT_ROW_V3 }),
]);

/** What a version-2 row lacks, as version 3 says it: nothing checked, nothing recorded. */
function extRowV2toV3(r: Record<string, unknown>): Record<string, unknown> {
  return {
    ...r,
    schemaVersion: 3,
    equivalence: r.equivalence ?? null,
    equivalenceCalibration: r.equivalenceCalibration ?? {
      probe: null,
      tolerance: null,
      human: null,
      detail: 'outputs unchecked: extended row version 2, written before the output checks',
    },
    // before the output checks a speed verdict always counted
    credited: r.credited ?? true,
    accuracy: r.accuracy ?? null,
    effort: null,
  };
}

// ---------- executors' own files ----------

/** The state file of a local sandbox (`<root>/<id>/sandbox.json`, src/executor/local.ts), version 1. */
export const SandboxStateSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string(),
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  ownerPid: z.number(),
});

/** When each recipe image was last used (`images-used.json`, src/executor/image-cache.ts), version 1. */
export const ImagesUsedSchema = z.object({
  schemaVersion: z.literal(1),
  used: z.record(z.string(), z.string()),
});

// ---------- the kinds ----------

type Raw = Record<string, unknown>;

/** JSON has no Infinity (JSON.stringify writes null): the tolerance a non-finite human deviation set. */
function unboundedTolerances(r: Raw, paths: ReadonlyArray<readonly string[]>): Raw {
  for (const path of paths) {
    let o: unknown = r;
    // through objects and arrays (`agents.0`) alike, as `o[k]` reads
    for (const k of path.slice(0, -1))
      o = o !== null && typeof o === 'object' ? Reflect.get(o, k) : undefined;
    const last = path.at(-1);
    if (last !== undefined && isJsonObject(o) && o[last] === null) o[last] = Number.POSITIVE_INFINITY;
  }
  return r;
}

/**
 * job.json of version 3 as every writer of it left it: one written before the accuracy check has no
 * `accuracy` on its agents (none was asked); and its unbounded deviations back from null.
 */
function jobAsRead(r: Raw): Raw {
  const agents = Array.isArray(r.agents)
    ? r.agents.map((a: unknown) =>
        a !== null && typeof a === 'object' && !('accuracy' in a) ? { ...a, accuracy: null } : a,
      )
    : r.agents;
  return unboundedTolerances({ ...r, agents }, [
    ['equivalence', 'tolerance', 'maxAbsDiff'],
    ['equivalence', 'human', 'maxAbsDiff'],
    ...(Array.isArray(agents) ? agents : []).map((_, i) => [
      'agents',
      String(i),
      'equivalence',
      'tolerance',
      'maxAbsDiff',
    ]),
  ]);
}
const extRowInfinities = (r: Raw): Raw =>
  unboundedTolerances(r, [
    ['equivalenceCalibration', 'tolerance', 'maxAbsDiff'],
    ['equivalenceCalibration', 'human', 'maxAbsDiff'],
    ['equivalence', 'tolerance', 'maxAbsDiff'],
  ]);

// ---------- task validity across machines (isobench tasks validity, src/report/task-validity.ts) ----------

/** The version of a task-validity file. */
export const VALIDITY_VERSION = 1;

/** Whether each task's human gain held on each machine that measured it, over runs from several machines. */
export const ValiditySchema = z.object({
  schemaVersion: z.literal(VALIDITY_VERSION),
  createdAt: z.string(),
  /** the machines, each named by its GPU (or CPU) from the rows' fingerprints, with the runs read from it */
  machines: z.array(z.object({ id: z.string(), sources: z.array(z.string()), jobs: z.number() })),
  tasks: z.array(
    z.object({
      task: z.string(),
      /** per machine id that measured the task: its jobs there, how many held, and why the others did not */
      on: z.record(
        z.string(),
        z.object({ jobs: z.number(), valid: z.number(), reasons: z.array(z.string()) }),
      ),
      /** measured on every machine and valid in every job on each */
      everywhere: z.boolean(),
    }),
  ),
  /** rows left out: a rehearsal's (the stand-in engine) */
  leftOut: z.array(z.string()),
});
export type Validity = Shape<typeof ValiditySchema>;

/** A kind: its current version, the older ones read as they are, and the upgrades of the others. */
interface KindSpec {
  readonly version: number;
  readonly schema: Schema;
  /** older versions the schema reads as written (their own shape) */
  readonly alsoReads?: readonly number[];
  /** version → the record one version up */
  readonly upgrades?: Readonly<Record<number, (r: Raw) => Raw>>;
  /** a record without `schemaVersion` (written before the format had one) is version 1 */
  readonly unversionedIs1?: boolean;
  /** once the version is settled: what JSON could not hold, what earlier writers of it left out */
  readonly asRead?: (r: Raw) => Raw;
}

/** Every kind of stored record: its current version and its schema. */
const KINDS = {
  measurement: {
    version: MEASUREMENT_VERSION,
    schema: MeasurementSchema,
    upgrades: {
      1: (r) => ({ ...fixedDesignOf(r), schemaVersion: 2 }),
      2: (r) => ({ ...r, schemaVersion: 3, phases: phasesWithRuns(r.phases) }),
    },
  },
  run: {
    version: 2,
    schema: RunRecordSchema,
    // version 1 ran one attempt of each agent
    upgrades: { 1: (r) => ({ ...r, schemaVersion: 2, attempts: 1 }) },
  },
  job: {
    version: JOB_RECORD_VERSION,
    schema: JobResultSchema,
    asRead: jobAsRead,
    upgrades: { 3: (r) => ({ ...fixedDesignOf(r), schemaVersion: 4 }) },
  },
  outcome: { version: 1, schema: AttemptRecordSchema },
  unit: { version: 1, schema: UnitRecordSchema },
  'ext-row': {
    version: EXT_ROW_VERSION,
    schema: ExtendedRowSchema,
    alsoReads: [3],
    upgrades: { 2: extRowV2toV3, 4: (r) => ({ ...r, schemaVersion: 5, design: null, stop: null }) },
    asRead: extRowInfinities,
  },
  sandbox: { version: 1, schema: SandboxStateSchema, unversionedIs1: true },
  validity: { version: VALIDITY_VERSION, schema: ValiditySchema },
  'api-usage': { version: API_USAGE_VERSION, schema: ApiUsageRecordSchema },
  'price-table': { version: PRICE_TABLE_VERSION, schema: PriceTableSchema },
  'images-used': { version: 1, schema: ImagesUsedSchema },
  'judge-cache': { version: JUDGE_CACHE_VERSION, schema: JudgeCacheSchema },
  report: {
    version: 3,
    schema: ReportDataSchema,
    // version 2 embedded its rows and files as they are, never packed
    upgrades: { 2: (r) => ({ ...r, schemaVersion: 3, packed: null }) },
  },
} as const satisfies Record<string, KindSpec>;

/** A kind of stored record. */
export type RecordKind = keyof typeof KINDS;

/** What a stored record of a kind parses to. */
export type StoredRecord<K extends RecordKind> = Infer<(typeof KINDS)[K]['schema']>;

/** The current version of a kind. */
export function currentVersion(kind: RecordKind): number {
  return KINDS[kind].version;
}

/**
 * Brings a parsed record to a version its kind's schema reads: a current one, an older one read as
 * written, or an older one upgraded one version at a time. A newer version is refused as written by
 * a newer isobench, an older one with no upgrade as unknown, both naming the file.
 */
export function migrate(kind: RecordKind, raw: unknown, file: string): unknown {
  if (!isJsonObject(raw)) throw new StoredRecordError(file, null, 'expected a JSON object');
  const spec: KindSpec = KINDS[kind];
  const want = spec.version;
  let r: Raw = raw;
  if (r.schemaVersion === undefined && spec.unversionedIs1) r = { ...r, schemaVersion: 1 };
  for (;;) {
    const v = r.schemaVersion;
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw new StoredRecordError(
        file,
        'schemaVersion',
        `expected the integer ${want}, got ${JSON.stringify(v)}`,
      );
    if (v > want)
      throw new StoredRecordError(
        file,
        'schemaVersion',
        `version ${v} of ${kind} was written by a newer isobench (this one reads up to ${want})`,
      );
    if (v === want || spec.alsoReads?.includes(v)) return spec.asRead ? spec.asRead(r) : r;
    const up = spec.upgrades?.[v];
    if (!up)
      throw new StoredRecordError(
        file,
        'schemaVersion',
        `version ${v} of ${kind} is older than any this isobench reads`,
      );
    r = up(r);
  }
}

/** Checks an already parsed record of `kind` (from `file`): version, upgrades, schema. */
export function checkStored<K extends RecordKind>(kind: K, raw: unknown, file: string): StoredRecord<K> {
  const res = KINDS[kind].schema.safeParse(migrate(kind, raw, file));
  if (!res.success) {
    const first = res.error.issues[0];
    const more = res.error.issues.length > 1 ? ` (and ${res.error.issues.length - 1} more)` : '';
    throw new StoredRecordError(file, first?.path.map(String).join('.') || null, `${first?.message}${more}`);
  }
  // KINDS[kind].schema parses to StoredRecord<K>; TypeScript widens the generic kind to all kinds' union
  return res.data as StoredRecord<K>;
}

/** Parses the text of a stored record of `kind` (read from `file`): JSON, version, schema. */
export function parseStored<K extends RecordKind>(kind: K, text: string, file: string): StoredRecord<K> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StoredRecordError(file, null, `not valid JSON: ${errorMessage(e)}`);
  }
  return checkStored(kind, raw, file);
}
