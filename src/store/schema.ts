/**
 * Stored records read back: each kind's schema and versions, and the one reader that parses the
 * JSON, refuses a newer version or an unknown older one naming the file, upgrades a known older one
 * and checks the result against the schema, every problem naming the file and the field. Records
 * are checked loosely where the harness only passes them through (a phase's process records): the
 * fields grading reads are checked strictly, the rest is kept as written.
 *
 * The store sits below the rooms that write most of these records, so the schemas cannot name their
 * types: each writer's room proves agreement instead (`Same<StoredRecord<'job'>, JobResult>` in
 * bench/types.ts, and so on), and each writer owns its version constant, which that proof ties to
 * the schema's literal.
 */
import { readFile } from 'node:fs/promises';
import { JUDGE_CACHE_VERSION, JudgeAnswerSchema, JudgeCacheSchema } from '../grade/judge.js';
import { FAILURE_CLASSES } from '../grade/taxonomy.js';
import { TaskSpecSchema } from '../task/schema.js';
import { type Infer, type Schema, z } from '../util/zod.js';
import { AttemptEffortSchema, RunConfigSchema } from './config.js';

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

const FAILURE_CLASS = z.enum(Object.keys(FAILURE_CLASSES) as Array<keyof typeof FAILURE_CLASSES>);
const STATUS = z.enum(['ok', ...(Object.keys(FAILURE_CLASSES) as Array<keyof typeof FAILURE_CLASSES>)]);
const FAILURE = z.nullable(z.object({ class: FAILURE_CLASS, detail: z.string() }));
const SCORE = z.object({ correct: z.number(), total: z.number(), pct: z.number() });

/** `run.json` of a run folder (src/run/evaluate.ts), version 2: what regrading and reports read. */
export const RunRecordSchema = z.looseObject({
  schemaVersion: z.literal(2),
  runId: z.string(),
  createdAt: z.string(),
  status: z.string(),
  args: z.array(z.string()),
  executor: z.string(),
  repeats: z.number(),
  warmup: z.number(),
  thresholdPct: z.number(),
  attempts: z.number(),
  tasks: z.array(z.string()),
  /** the run's whole configuration (written since payload version 2) */
  config: z.optional(RunConfigSchema),
  /** every interruption (Ctrl-C, SIGTERM) of the run: when, by what, the units it cut (redone by a resume) */
  interruptions: z.optional(
    z.array(z.object({ at: z.string(), cause: z.string(), cut: z.array(z.string()) })),
  ),
});

// ---------- the grade's values (src/grade/*.ts), as job.json and the extended rows hold them ----------

const INTERVAL = z.object({ estimate: z.number(), lo: z.number(), hi: z.number(), level: z.number() });
const SUMMARY = z.object({
  n: z.number(),
  mean: z.number(),
  sd: z.number(),
  cvPct: z.number(),
  min: z.number(),
  max: z.number(),
});
const VERDICT = z.enum([
  'beats_human',
  'matches_human',
  'below_human',
  'no_gain',
  'regression',
  'inconclusive',
  'diverged',
  'probe_failed',
  'accuracy_dropped',
]);
/** A bound that may be unbounded (JSON holds Infinity as null; `migrate` puts it back). */
const BOUND = z.union([z.number(), z.literal(Number.POSITIVE_INFINITY)]);
const TOLERANCE = z.object({
  maxNonExact: z.number(),
  maxAbsDiff: BOUND,
  source: z.enum(['human', 'exact']),
  detail: z.string(),
});
const EQUIVALENCE = z.object({
  verdict: z.enum(['equivalent', 'diverged', 'probe_failed', 'unchecked']),
  reason: z.string(),
  exactRate: z.nullable(z.number()),
  firstDivergence: z.nullable(z.number()),
  maxAbsDiff: z.nullable(z.number()),
  examples: z.array(z.string()),
  tolerance: z.nullable(TOLERANCE),
});
const JOB_EQUIVALENCE = z.object({
  probe: z.nullable(z.enum(['completions', 'script'])),
  tolerance: z.nullable(TOLERANCE),
  human: z.nullable(
    z.object({
      compared: z.number(),
      exact: z.number(),
      nonExact: z.number(),
      far: z.number(),
      missing: z.array(z.string()),
      firstDivergence: z.nullable(z.number()),
      maxAbsDiff: BOUND,
    }),
  ),
  detail: z.string(),
});
const ACCURACY = z.object({
  baseline: SCORE,
  agent: SCORE,
  deltaPts: z.number(),
  tolerancePts: z.number(),
  passed: z.boolean(),
  dataset: z.string(),
});
const JUDGEMENT = z.object({
  variant: z.string(),
  agentVsBaseline: z.nullable(INTERVAL),
  agentVsHuman: z.nullable(INTERVAL),
  verdict: z.nullable(z.object({ verdict: VERDICT, reason: z.string() })),
  failure: z.nullable(FAILURE_CLASS),
  equivalence: z.nullable(EQUIVALENCE),
  credited: z.boolean(),
  accuracy: z.nullable(ACCURACY),
});
const TAMPER = z.object({
  rule: z.string(),
  severity: z.enum(['fail', 'warn']),
  file: z.string(),
  line: z.number(),
  evidence: z.string(),
  message: z.string(),
});
const PATCH = z.nullable(z.object({ method: z.string(), files: z.array(z.string()), native: z.boolean() }));
const PROCESS = {
  argv: z.array(z.string()),
  cwd: z.string(),
  env: z.record(z.string(), z.string()),
  exitCode: z.nullable(z.number()),
  signal: z.nullable(z.string()),
  timedOut: z.boolean(),
  durationMs: z.number(),
  stdoutPath: z.string(),
  stderrPath: z.string(),
};
/** What a variant is and how it was prepared: the same in a job's measurement and in its grade. */
const VARIANT_FACTS = {
  id: z.string(),
  kind: z.enum(['baseline', 'human', 'agent']),
  agent: z.nullable(z.string()),
  model: z.nullable(z.string()),
  patch: PATCH,
  tamper: z.array(TAMPER),
  setup: z.array(z.object({ ...PROCESS, step: z.enum(['prepare', 'build']) })),
  notes: z.optional(z.array(z.string())),
  /** what an agent's gain is measured against, when not the baseline (a native patch: the parent rebuilt) */
  reference: z.optional(z.string()),
  /** the effort of the attempt behind an agent's patch, when its predictions carried it (solve) */
  effort: z.optional(AttemptEffortSchema),
};
const PRIMARY_METRIC = z.object({
  name: z.string(),
  unit: z.string(),
  direction: z.enum(['lower', 'higher']),
});

/** `job.json` of a bench job (src/bench/job.ts; JobResult of src/bench/types.ts), version 3. */
export const JobResultSchema = z.object({
  schemaVersion: z.literal(3),
  task: z.string(),
  primaryMetric: PRIMARY_METRIC,
  repeats: z.number(),
  order: z.array(z.string()),
  variants: z.array(
    z.object({
      status: STATUS,
      detail: z.string(),
      samples: z.array(z.number()),
      summary: z.nullable(SUMMARY),
      means: z.record(z.string(), z.number()),
      ...VARIANT_FACTS,
    }),
  ),
  humanVsBaseline: z.nullable(INTERVAL),
  validity: z.object({ valid: z.boolean(), reason: z.string() }),
  failure: FAILURE,
  agents: z.array(JUDGEMENT),
  equivalence: JOB_EQUIVALENCE,
  fingerprint: z.record(z.string(), z.string()),
  executor: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
});

/** A phase record (src/bench/types.ts PhaseRecord), as the bench job writes it into its measurement. */
const PROCESS_RECORD = z.object(PROCESS);
const PhaseSchema = z.object({
  schemaVersion: z.literal(3),
  task: z.string(),
  variant: z.string(),
  round: z.number(),
  warmup: z.boolean(),
  startedAt: z.string(),
  status: STATUS,
  detail: z.string(),
  server: z.nullable(PROCESS_RECORD),
  client: z.nullable(PROCESS_RECORD),
  metrics: z.record(z.string(), z.object({ value: z.number(), unit: z.string(), direction: z.string() })),
  effectiveArgs: z.nullable(z.record(z.string(), z.string())),
  workloadDifferences: z.array(z.object({ option: z.string(), expected: z.string(), actual: z.string() })),
  wallMs: z.number(),
  overheadMs: z.number(),
  atStart: z.record(z.string(), z.string()),
  result: z.object({
    source: z.enum(['json', 'stdout', 'none']),
    jsonPath: z.nullable(z.string()),
    notes: z.array(z.string()),
  }),
  probe: z.nullable(
    z.object({
      status: z.enum(['ok', 'probe_failed']),
      detail: z.string(),
      outputsPath: z.nullable(z.string()),
      process: z.nullable(PROCESS_RECORD),
    }),
  ),
});

/**
 * `measurement.json` of a bench job (JobMeasurement of src/bench/measurement.ts, which checks its
 * type equals this schema's), version 1: what `isobench regrade` grades again.
 */
export const MeasurementSchema = z.object({
  schemaVersion: z.literal(1),
  task: TaskSpecSchema,
  primaryMetric: PRIMARY_METRIC,
  repeats: z.number(),
  warmup: z.number(),
  order: z.array(z.string()),
  variants: z.array(
    z.object({
      ...VARIANT_FACTS,
      failure: FAILURE,
    }),
  ),
  phases: z.array(PhaseSchema),
  accuracy: z.nullable(
    z.object({
      dataset: z.string(),
      baseline: z.union([SCORE, z.string()]),
      agents: z.record(z.string(), z.union([SCORE, z.string()])),
    }),
  ),
  failure: FAILURE,
  fingerprint: z.record(z.string(), z.string()),
  executor: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  policy: z.object({
    verdict: z.object({ thresholdPct: z.number() }),
    equivalence: z.object({ extraNonExact: z.number(), absDiffFactor: z.number() }),
    accuracyTolerancePts: z.number(),
  }),
});

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

/** `outcome.json` of an agent attempt (AttemptRecord of src/agent/attempt.ts), version 1. */
export const AttemptRecordSchema = z.object({
  schemaVersion: z.literal(1),
  task: z.string(),
  agent: z.string(),
  attempt: z.number(),
  baseCommit: z.string(),
  modelRequested: z.string(),
  model: z.nullable(z.string()),
  agentVersion: z.nullable(z.string()),
  outcome: z.object({ kind: OutcomeKindSchema, detail: z.string() }),
  usage: UsageSchema,
  budgets: z.object({ timeMin: z.number(), maxTurns: z.number(), maxCostUsd: z.nullable(z.number()) }),
  denials: z.array(z.string()),
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
  files: z.object({
    prompt: z.string(),
    patch: z.string(),
    trajectory: z.string(),
    logs: z.string(),
    prediction: z.string(),
  }),
});

// ---------- units ----------

/** `unit.json` of a unit of work (UnitRecord of src/store/units.ts), version 1. */
export const UnitRecordSchema = z.object({
  schemaVersion: z.literal(1),
  key: z.string(),
  kind: z.enum(['bench_job', 'agent_attempt']),
  status: z.enum(['done', 'infra', 'config_error', 'harness_error']),
  detail: z.string(),
  /** the inputs the key was made from: any JSON object */
  inputs: z.looseObject({}),
  finishedAt: z.string(),
  retries: z.array(z.object({ at: z.string(), cause: z.string() })),
  result: z.optional(z.object({ file: z.string(), sha256: z.string() })),
});

// ---------- extended rows (rows.ext.jsonl, src/report/job-rows.ts) ----------

const EXT_VARIANT = z.object({
  status: z.string(),
  detail: z.string(),
  summary: z.nullable(SUMMARY),
  samples: z.array(z.number()),
});
const EXT_ROW_V3 = {
  runId: z.string(),
  task: z.string(),
  agent: z.string(),
  model: z.string(),
  primaryMetric: PRIMARY_METRIC,
  repeats: z.number(),
  variants: z.object({ baseline: EXT_VARIANT, human: EXT_VARIANT, agent: EXT_VARIANT }),
  humanVsBaseline: z.nullable(INTERVAL),
  agentVsBaseline: z.nullable(INTERVAL),
  agentVsHuman: z.nullable(INTERVAL),
  verdict: z.nullable(z.string()),
  verdictReason: z.nullable(z.string()),
  taskValidHere: z.boolean(),
  taskValidity: z.string(),
  failureClass: z.nullable(z.string()),
  patch: PATCH,
  tamper: z.array(TAMPER),
  equivalence: z.nullable(EQUIVALENCE),
  equivalenceCalibration: JOB_EQUIVALENCE,
  credited: z.boolean(),
  accuracy: z.nullable(ACCURACY),
  fingerprint: z.record(z.string(), z.string()),
  executor: z.string(),
  thresholdPct: z.number(),
  effort: z.nullable(AttemptEffortSchema),
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
  quadrant: z.optional(z.nullable(z.enum(['true_success', 'good_intent', 'lucky_win', 'failure']))),
};

/**
 * An extended row (one line of `rows.ext.jsonl`): version 4 (ExtendedRow of src/report/job-rows.ts),
 * or version 3 as written, which lacks the benchmark kind, the variant and the job folder. Version 2
 * (no attempt effort; before the output checks, no equivalence, calibration or credit; before the
 * accuracy check, no accuracy) is upgraded to 3 by `migrate`.
 */
export const ExtendedRowSchema = z.discriminatedUnion('schemaVersion', [
  z.object({
    schemaVersion: z.literal(4),
    ...EXT_ROW_V3,
    benchmark: z.object({ kind: z.string(), v5Mode: z.nullable(z.string()) }),
    variant: z.string(),
    jobPath: z.string(),
  }),
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

// ---------- the HTML report's embedded data (src/report/html-data.ts) ----------

const SCALAR = z.union([z.string(), z.number(), z.boolean()]);
/** One cell of a report row: a scalar, a list of them (an interval), an object (the means), or null. */
const CELL = z.nullable(z.union([SCALAR, z.array(z.nullable(SCALAR)), z.looseObject({})]));

/** The data an HTML report embeds (ReportData of src/report/html-data.ts), version 3. */
export const ReportDataSchema = z.object({
  schemaVersion: z.literal(3),
  title: z.string(),
  generatedAt: z.string(),
  isobenchVersion: z.string(),
  source: z.object({
    kind: z.enum(['run', 'rows', 'v5']),
    path: z.string(),
    runId: z.nullable(z.string()),
    createdAt: z.nullable(z.string()),
    status: z.nullable(z.string()),
    executor: z.nullable(z.string()),
    repeats: z.nullable(z.number()),
    warmup: z.nullable(z.number()),
    thresholdPct: z.nullable(z.number()),
    command: z.nullable(z.string()),
    devices: z.record(z.string(), z.number()),
    judges: z.record(z.string(), z.number()),
    notes: z.array(z.string()),
  }),
  linkBase: z.nullable(z.string()),
  columns: z.array(z.string()),
  rows: z.array(z.array(CELL)),
  artifacts: z.nullable(z.record(z.string(), z.string())),
  packed: z.nullable(z.string()),
});

// ---------- the kinds ----------

type Raw = Record<string, unknown>;

/** JSON has no Infinity (JSON.stringify writes null): the tolerance a non-finite human deviation set. */
function unboundedTolerances(r: Raw, paths: ReadonlyArray<readonly string[]>): Raw {
  for (const path of paths) {
    let o: unknown = r;
    for (const k of path.slice(0, -1)) o = o !== null && typeof o === 'object' ? (o as Raw)[k] : undefined;
    const last = path.at(-1) as string;
    if (o !== null && typeof o === 'object' && !Array.isArray(o) && (o as Raw)[last] === null)
      (o as Raw)[last] = Number.POSITIVE_INFINITY;
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
  measurement: { version: 1, schema: MeasurementSchema },
  run: {
    version: 2,
    schema: RunRecordSchema,
    // version 1 ran one attempt of each agent
    upgrades: { 1: (r) => ({ ...r, schemaVersion: 2, attempts: 1 }) },
  },
  job: { version: 3, schema: JobResultSchema, asRead: jobAsRead },
  outcome: { version: 1, schema: AttemptRecordSchema },
  unit: { version: 1, schema: UnitRecordSchema },
  'ext-row': {
    version: 4,
    schema: ExtendedRowSchema,
    alsoReads: [3],
    upgrades: { 2: extRowV2toV3 },
    asRead: extRowInfinities,
  },
  sandbox: { version: 1, schema: SandboxStateSchema, unversionedIs1: true },
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

/** Every version of a kind this isobench reads: the current one, the older ones read or upgraded. */
export type ReadableVersion<K extends RecordKind> =
  | (typeof KINDS)[K]['version']
  | ((typeof KINDS)[K] extends { alsoReads: readonly (infer A)[] } ? A : never)
  | ((typeof KINDS)[K] extends { upgrades: infer U } ? keyof U : never);

/** The current version of a kind. */
export function currentVersion(kind: RecordKind): number {
  return KINDS[kind].version;
}

/** A type with every array and object read-only all the way down (how stored records are compared). */
export type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * Whether A and B are the same type, read-only-ness aside (every field, its optionality and type):
 * what a writer's room asserts of its type and the record's schema, `Check<Same<…>>`.
 */
export type Same<A, B> =
  (<T>() => T extends DeepReadonly<A> ? 1 : 2) extends <T>() => T extends DeepReadonly<B> ? 1 : 2
    ? true
    : false;

/** A compile-time assertion: `Check<X>` compiles only when X is `true`. */
export type Check<T extends true> = T;

/**
 * Brings a parsed record to a version its kind's schema reads: a current one, an older one read as
 * written, or an older one upgraded one version at a time. A newer version is refused as written by
 * a newer isobench, an older one with no upgrade as unknown, both naming the file.
 */
export function migrate(kind: RecordKind, raw: unknown, file: string): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new StoredRecordError(file, null, 'expected a JSON object');
  const spec: KindSpec = KINDS[kind];
  const want = spec.version;
  let r = raw as Raw;
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
  return res.data as StoredRecord<K>;
}

/** Parses the text of a stored record of `kind` (read from `file`): JSON, version, schema. */
export function parseStored<K extends RecordKind>(kind: K, text: string, file: string): StoredRecord<K> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StoredRecordError(file, null, `not valid JSON: ${(e as Error).message}`);
  }
  return checkStored(kind, raw, file);
}

/** Reads and checks a stored record of `kind`. */
export async function readStored<K extends RecordKind>(kind: K, file: string): Promise<StoredRecord<K>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new StoredRecordError(
      file,
      null,
      `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return parseStored(kind, text, file);
}

/** Reads and checks a stored record of `kind`, or null when there is no such file. */
export async function readStoredIfThere<K extends RecordKind>(
  kind: K,
  file: string,
): Promise<StoredRecord<K> | null> {
  return readStored(kind, file).catch((e: unknown) => {
    if (e instanceof StoredRecordError && e.problem === 'cannot be read: ENOENT') return null;
    throw e;
  });
}
