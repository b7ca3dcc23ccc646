/**
 * The task spec: everything isobench needs to give an agent a task and to measure baseline, human
 * and agent identically. Stored as `tasks/<family>/<short>.json`, versioned by `schemaVersion`.
 */
import { z } from 'zod';

/** The current task-spec format version. Readers reject newer versions and upgrade older ones in `migrate.ts`. */
export const TASK_SCHEMA_VERSION = 1 as const;

const sha40 = z.string().regex(/^[0-9a-f]{40}$/, 'a full 40-character lowercase hex commit hash');
const relPath = z
  .string()
  .min(1)
  .refine(
    (p) => !p.startsWith('/') && !p.split('/').includes('..'),
    'a path inside the repository (relative, no "..")',
  );

/** Benchmark families, one parser each. */
export const BenchmarkKindSchema = z.enum(['serving', 'latency', 'throughput', 'prefix_caching']);

/** Why a task cannot be benchmarked (as published, or on this project's hardware). */
export const NotBenchmarkableReasonSchema = z.enum([
  /** no perf command was published */
  'no_perf_command',
  /** the perf command is not a runnable command: shell syntax, unknown or absolute script, unknown options, placeholders, `[--optional]` parts, options run together, a repeated option */
  'invalid_perf_command',
  /** the model is a path on the author's machine */
  'local_model_path',
  /** the optimisation targets hardware other than an NVIDIA H100 (TPU, ROCm, CPU, Neuron, Blackwell) */
  'non_h100_hardware',
  /** the commit was validated by accuracy (lm_eval), not by a speed benchmark */
  'accuracy_only',
  /** the vLLM at the parent commit cannot load the task's model */
  'model_unsupported_at_commit',
  /** the model's weights do not fit on the task's GPUs */
  'model_too_large',
  /** the published command does not exercise the code the commit changed */
  'workload_misses_change',
  /** the original benchmark excluded the commit for a documented data problem */
  'original_data_issue',
  /** the benchmark script at the parent commit is too old to produce the metrics isobench grades on */
  'unsupported_benchmark_version',
]);
/** A reason code. */
export type NotBenchmarkableReason = z.infer<typeof NotBenchmarkableReasonSchema>;

/** One finding of the validator or importer, kept with the spec. */
export const TaskFindingSchema = z.strictObject({
  code: z.string().min(1),
  severity: z.enum(['error', 'warning', 'info']),
  detail: z.string().min(1),
  /** where the fact comes from: 'validator', 'importer', or a cited source */
  source: z.string().min(1),
});
/** A finding. */
export type TaskFinding = z.infer<typeof TaskFindingSchema>;

/** One explicit decision the importer made to turn the published command into a runnable workload. */
export const ResolutionSchema = z.strictObject({
  what: z.string().min(1),
  why: z.string().min(1),
});

const argv = z.array(z.string()).min(1);

/** A dataset the benchmark client reads, fetched before any GPU time is spent. */
export const DatasetSchema = z.strictObject({
  /** `hf_dataset_file`: one file of a Hugging Face dataset repository; `hf_dataset`: a whole dataset repository */
  kind: z.enum(['hf_dataset_file', 'hf_dataset']),
  repo: z.string().min(1),
  file: z.string().min(1).nullable(),
  /** where the benchmark sees it (inside the container or work directory) */
  mountPath: z.string().startsWith('/'),
});

export const BenchmarkSchema = z.strictObject({
  kind: BenchmarkKindSchema.nullable(),
  /** the schema-v5 `benchmark_mode` this task's rows carry */
  v5Mode: z.enum(['serving', 'standalone', 'prefix_caching']).nullable(),
  /** the published perf command, verbatim */
  perfCommand: z.string().nullable(),
  /** which published source the command came from */
  perfCommandSource: z.string().nullable(),
  model: z.string().nullable(),
  /** environment assignments for every process of every variant */
  env: z.record(z.string(), z.string()),
  /** the server process of a serving benchmark, exact argv; null for offline benchmarks */
  server: z.strictObject({ argv }).nullable(),
  /** the benchmark process, exact argv; null when the command could not be resolved */
  client: z.strictObject({ argv }).nullable(),
  /**
   * Which copy of the benchmark client runs: always the parent commit's, untouched, for baseline,
   * human and agent alike (client scripts and their prompt sampling change between commits).
   */
  clientCopy: z.strictObject({ commit: z.literal('parent'), path: z.string().min(1) }),
  primaryMetric: z
    .strictObject({
      name: z.string().min(1),
      unit: z.string().min(1),
      direction: z.enum(['lower', 'higher']),
    })
    .nullable(),
  resolutions: z.array(ResolutionSchema),
});

/** One task. */
export const TaskSpecSchema = z
  .strictObject({
    schemaVersion: z.literal(TASK_SCHEMA_VERSION),
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*\/[0-9a-f]{8}$/, "'<family>/<8-hex short hash>'"),
    repo: z.strictObject({ name: z.string().regex(/^[\w.-]+\/[\w.-]+$/), url: z.url() }),
    commits: z.strictObject({
      human: sha40,
      parent: sha40,
      /** the human commit's author date (ISO 8601), when known */
      date: z.iso.datetime({ offset: true }).nullable(),
    }),
    subject: z.string().nullable(),
    prUrl: z.url().nullable(),
    filesChanged: z.array(relPath),
    bottleneck: z.strictObject({
      /** what the agent is told; never the human diff, commit message or diffstat */
      statement: z.string().min(20),
      hintLevel: z.enum(['none', 'files']),
      /** the files named when hintLevel is 'files' */
      targetFiles: z.array(relPath),
    }),
    benchmark: BenchmarkSchema,
    prefetch: z.strictObject({
      models: z.array(z.string().min(1)),
      tokenizers: z.array(z.string().min(1)),
      datasets: z.array(DatasetSchema),
    }),
    hardware: z.strictObject({ gpu: z.literal('H100'), count: z.number().int().min(1).max(8) }),
    timeouts: z.strictObject({
      serverStartS: z.number().int().positive(),
      benchmarkS: z.number().int().positive(),
      buildS: z.number().int().positive(),
    }),
    /** paths an agent patch must not touch (prefix match on repository paths) */
    protectedPaths: z.array(relPath).min(1),
    benchmarkable: z.discriminatedUnion('ok', [
      z.strictObject({ ok: z.literal(true) }),
      z.strictObject({
        ok: z.literal(false),
        reason: NotBenchmarkableReasonSchema,
        detail: z.string().min(1),
      }),
    ]),
    findings: z.array(TaskFindingSchema),
    provenance: z.strictObject({ importer: z.string().min(1), sources: z.array(z.string().min(1)).min(1) }),
  })
  .superRefine((t, ctx) => {
    if (!t.benchmarkable.ok) return;
    const b = t.benchmark;
    const need: Array<[boolean, string[], string]> = [
      [b.kind !== null, ['benchmark', 'kind'], 'a benchmarkable task needs a benchmark kind'],
      [b.client !== null, ['benchmark', 'client'], 'a benchmarkable task needs the client argv'],
      [b.model !== null, ['benchmark', 'model'], 'a benchmarkable task needs a model'],
      [
        b.primaryMetric !== null,
        ['benchmark', 'primaryMetric'],
        'a benchmarkable task needs a primary metric',
      ],
      [
        (b.kind === 'serving') === (b.server !== null),
        ['benchmark', 'server'],
        'serving tasks (and only they) have a server argv',
      ],
    ];
    for (const [ok, path, message] of need) if (!ok) ctx.addIssue({ code: 'custom', path, message });
  });

/** A task spec. */
export type TaskSpec = z.infer<typeof TaskSpecSchema>;

/**
 * The fields of a task that the dataset and leaderboard verbs consult, validated on their own so that
 * those verbs need not check every field of every task (`tasks validate` does that).
 */
export const TaskSummarySchema = z.object({
  schemaVersion: z.literal(TASK_SCHEMA_VERSION),
  id: z.string(),
  commits: z.object({ human: sha40, parent: sha40 }),
  benchmark: z.object({ perfCommand: z.string().nullable() }),
  benchmarkable: z.union([
    z.object({ ok: z.literal(true) }),
    z.object({ ok: z.literal(false), reason: NotBenchmarkableReasonSchema, detail: z.string() }),
  ]),
});
/** The consulted fields of a task. */
export type TaskSummary = z.infer<typeof TaskSummarySchema>;
