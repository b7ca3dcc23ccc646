/**
 * The task spec: everything isobench needs to give an agent a task and to measure baseline, human
 * and agent identically. Stored as `tasks/<family>/<short>.json`, versioned by `schemaVersion`.
 */
import { type Shape, z } from '../util/zod.js';

/** The current task-spec format version. Readers reject newer versions and upgrade older ones in `migrate.ts`. */
export const TASK_SCHEMA_VERSION = 1 as const;

const sha40 = z
  .string()
  .check(z.regex(/^[0-9a-f]{40}$/, 'expected a full 40-character lowercase hex commit hash'));
const nonEmpty = z.string().check(z.minLength(1, 'expected a non-empty string'));
const relPath = z.string().check(
  z.minLength(1, 'expected a non-empty path'),
  z.refine(
    (p) => !p.startsWith('/') && !p.split('/').includes('..'),
    'expected a path inside the repository (relative, no "..")',
  ),
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
export type NotBenchmarkableReason = Shape<typeof NotBenchmarkableReasonSchema>;

/** One finding of the validator or importer, kept with the spec. */
export const TaskFindingSchema = z.strictObject({
  code: nonEmpty,
  severity: z.enum(['error', 'warning', 'info']),
  detail: nonEmpty,
  /** where the fact comes from: 'validator', 'importer', or a cited source */
  source: nonEmpty,
});
/** A finding. */
export type TaskFinding = Shape<typeof TaskFindingSchema>;

/** One explicit decision the importer made to turn the published command into a runnable workload. */
export const ResolutionSchema = z.strictObject({
  what: nonEmpty,
  why: nonEmpty,
});

const argv = z.array(z.string()).check(z.minLength(1, 'expected at least one word'));

/** A dataset the benchmark client reads, fetched before any GPU time is spent. */
export const DatasetSchema = z.strictObject({
  /** `hf_dataset_file`: one file of a Hugging Face dataset repository; `hf_dataset`: a whole dataset repository */
  kind: z.enum(['hf_dataset_file', 'hf_dataset']),
  repo: nonEmpty,
  file: z.nullable(nonEmpty),
  /** where the benchmark sees it (inside the container or work directory) */
  mountPath: z.string().check(z.startsWith('/', "expected an absolute path starting with '/'")),
});

export const BenchmarkSchema = z.strictObject({
  kind: z.nullable(BenchmarkKindSchema),
  /** the schema-v5 `benchmark_mode` this task's rows carry */
  v5Mode: z.nullable(z.enum(['serving', 'standalone', 'prefix_caching'])),
  /** the published perf command, verbatim */
  perfCommand: z.nullable(z.string()),
  /** which published source the command came from */
  perfCommandSource: z.nullable(z.string()),
  model: z.nullable(z.string()),
  /** environment assignments for every process of every variant */
  env: z.record(z.string(), z.string()),
  /** the server process of a serving benchmark, exact argv; null for offline benchmarks */
  server: z.nullable(z.strictObject({ argv })),
  /** the benchmark process, exact argv; null when the command could not be resolved */
  client: z.nullable(z.strictObject({ argv })),
  /**
   * Which copy of the benchmark client runs: always the parent commit's, untouched, for baseline,
   * human and agent alike (client scripts and their prompt sampling change between commits).
   * `pinned`: the client's code lives inside the engine's own package (`vllm/benchmarks/` of
   * `vllm bench`), so a variant's tree would supply its own timing code: the parent's copy of
   * `path` replaces each variant's before anything runs (and `path` is protected from patches).
   */
  clientCopy: z.strictObject({
    commit: z.literal('parent'),
    path: nonEmpty,
    pinned: z.optional(z.boolean()),
  }),
  /**
   * What every run of the workload must report, derived from its arguments (absent: not derivable):
   * the requests completed (`--num-prompts`) and the tokens generated (random prompts with a fixed
   * output length and EOS ignored). A run that reports otherwise did other work: `workload_mismatch`.
   */
  expect: z.optional(
    z.strictObject({
      completed: z.optional(z.number().check(z.int(), z.positive())),
      totalOutputTokens: z.optional(z.number().check(z.int(), z.positive())),
    }),
  ),
  primaryMetric: z.nullable(
    z.strictObject({
      name: nonEmpty,
      unit: nonEmpty,
      direction: z.enum(['lower', 'higher']),
    }),
  ),
  resolutions: z.array(ResolutionSchema),
});

const positiveInt = z.number().check(z.int(), z.positive());

/** The version of the correctness-probe block. */
export const CORRECTNESS_PROBE_VERSION = 1 as const;

/**
 * How a task's outputs are checked for equivalence with the baseline's: `completions` sends a fixed
 * prompt set to the running server with greedy decoding (same server as the perf phase); `script`
 * runs a harness probe (`harness/probes/<script>`) with the variant's tree on PYTHONPATH. Both write
 * JSON lines `{id, tokens?, topLogprobs?, values?, text?}`.
 */
export const CorrectnessSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    version: z.literal(CORRECTNESS_PROBE_VERSION),
    mode: z.literal('completions'),
    prompts: z.array(nonEmpty).check(z.minLength(1, 'expected at least one prompt')),
    maxTokens: positiveInt,
    logprobs: z.number().check(z.int(), z.minimum(0), z.maximum(20)),
    seed: z.number().check(z.int()),
  }),
  z.strictObject({
    version: z.literal(CORRECTNESS_PROBE_VERSION),
    mode: z.literal('script'),
    script: z.string().check(z.regex(/^[\w.-]+\.py$/, 'expected a probe file name under harness/probes')),
    args: z.array(z.string()),
  }),
]);
/** A correctness probe. */
export type Correctness = Shape<typeof CorrectnessSchema>;

/** One task. */
export const TaskSpecSchema = z
  .strictObject({
    schemaVersion: z.literal(TASK_SCHEMA_VERSION),
    id: z
      .string()
      .check(
        z.regex(
          /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/,
          "expected '<family>/<name>' (the name is the 8-hex short hash for real commits)",
        ),
      ),
    repo: z.strictObject({
      name: z.string().check(z.regex(/^[\w.-]+\/[\w.-]+$/, "expected 'owner/name'")),
      url: z.url(),
      /** for the demo tasks isobench ships: the folder under harness/demo the repository is generated from */
      demo: z.optional(z.string().check(z.regex(/^[a-z0-9-]+$/, 'expected a demo folder name'))),
    }),
    commits: z.strictObject({
      human: sha40,
      parent: sha40,
      /** the human commit's author date (ISO 8601), when known */
      date: z.nullable(z.iso.datetime({ offset: true })),
    }),
    subject: z.nullable(z.string()),
    prUrl: z.nullable(z.url()),
    filesChanged: z.array(relPath),
    bottleneck: z.strictObject({
      /** what the agent is told; never the human diff, commit message or diffstat */
      statement: z.string().check(z.minLength(20, 'expected a statement of at least 20 characters')),
      hintLevel: z.enum(['none', 'files']),
      /** the files named when hintLevel is 'files' */
      targetFiles: z.array(relPath),
    }),
    benchmark: BenchmarkSchema,
    prefetch: z.strictObject({
      models: z.array(nonEmpty),
      tokenizers: z.array(nonEmpty),
      datasets: z.array(DatasetSchema),
    }),
    /** the GPUs a measurement needs; `none` (count 0) for the CPU demo tasks */
    hardware: z.strictObject({
      gpu: z.enum(['H100', 'none']),
      count: z.number().check(z.int(), z.minimum(0), z.maximum(8)),
    }),
    timeouts: z.strictObject({ serverStartS: positiveInt, benchmarkS: positiveInt, buildS: positiveInt }),
    /** the correctness probe (absent: outputs are not checked, and rows say `unchecked`) */
    correctness: z.optional(CorrectnessSchema),
    /**
     * Commands run in a variant's tree inside the sandbox before its first phase (absent: none).
     * `prepare` runs in every variant's tree (e.g. linking the image's compiled extensions into a
     * source checkout); `build` runs in an agent's tree whose patch changes compiled sources, within
     * `timeouts.buildS` (null: such patches are \`build_unsupported\`).
     */
    setup: z.optional(
      z.strictObject({
        prepare: z.nullable(z.array(nonEmpty).check(z.minLength(1, 'expected an argv'))),
        build: z.nullable(z.array(nonEmpty).check(z.minLength(1, 'expected an argv'))),
        env: z.record(z.string(), z.string()),
      }),
    ),
    /** paths an agent patch must not touch (prefix match on repository paths) */
    protectedPaths: z.array(relPath).check(z.minLength(1, 'expected at least one protected path')),
    benchmarkable: z.discriminatedUnion('ok', [
      z.strictObject({ ok: z.literal(true) }),
      z.strictObject({ ok: z.literal(false), reason: NotBenchmarkableReasonSchema, detail: nonEmpty }),
    ]),
    findings: z.array(TaskFindingSchema),
    provenance: z.strictObject({
      importer: nonEmpty,
      sources: z.array(nonEmpty).check(z.minLength(1, 'expected at least one source')),
    }),
  })
  .check(
    z.superRefine((t, ctx) => {
      if ((t.hardware.gpu === 'none') !== (t.hardware.count === 0)) {
        ctx.addIssue({
          code: 'custom',
          path: ['hardware', 'count'],
          message: "expected count 0 exactly when gpu is 'none'",
          input: t,
        });
      }
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
      for (const [ok, path, message] of need)
        if (!ok) ctx.addIssue({ code: 'custom', path, message, input: t });
    }),
  );

/** A task spec. */
export type TaskSpec = Shape<typeof TaskSpecSchema>;

/**
 * The fields of a task that the dataset and leaderboard verbs consult, validated on their own so that
 * those verbs need not check every field of every task (`tasks validate` does that).
 */
export const TaskSummarySchema = z.object({
  schemaVersion: z.literal(TASK_SCHEMA_VERSION),
  id: z.string(),
  commits: z.object({ human: sha40, parent: sha40 }),
  benchmark: z.object({ perfCommand: z.nullable(z.string()) }),
  benchmarkable: z.union([
    z.object({ ok: z.literal(true) }),
    z.object({ ok: z.literal(false), reason: NotBenchmarkableReasonSchema, detail: z.string() }),
  ]),
});
/** The consulted fields of a task. */
export type TaskSummary = Shape<typeof TaskSummarySchema>;
