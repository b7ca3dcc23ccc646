/**
 * A run's configuration, one zod schema built once from the command line (cli/run.ts) and carried
 * whole: run.json stores it, every payload carries its part (the bench part to bench jobs, an
 * agent's spec and the shared agent settings to attempts), and the jobs and attempts read those
 * parts as they are. No setting is declared twice; keys (run/keys.ts) say which fields decide a
 * unit's result. Nothing here is a secret: an API key is named by its environment variable.
 */
import { AdaptiveSchema } from '../grade/values.js';
import { TaskSpecSchema } from '../task/schema.js';
import { isJsonObject } from '../util/json.js';
import { type Shape, z } from '../util/zod.js';
import { PriceTableSchema } from './usage.js';

const text = z.string().check(z.minLength(1));
const intAtLeast = (n: number) => z.number().check(z.int(), z.minimum(n));
const positive = z.number().check(z.positive());

/** The accuracy check of serving tasks: a local JSONL of {question, answer}. */
export const AccuracyConfigSchema = z.object({
  dataset: text,
  /** tokens per answer (default 256) */
  maxTokens: z.optional(intAtLeast(1)),
  /** percentage points an agent may score below the baseline (default 2) */
  tolerancePts: z.optional(z.number().check(z.minimum(0))),
});
export type AccuracyConfig = Shape<typeof AccuracyConfigSchema>;

/** What measures a bench job: the same for every job of a run. */
export const BenchConfigSchema = z.object({
  /** measured rounds per variant: all of them (fixed), or the most (adaptive) */
  repeats: intAtLeast(1),
  /** warm-up rounds, not measured */
  warmup: intAtLeast(0),
  /** adaptive rounds (`--rounds MIN..MAX`): looks from `minRounds` to `repeats`, stopping once every verdict is decided */
  adaptive: z.optional(AdaptiveSchema),
  /** client runs on each server start of a serving task (\`--client-runs\`; absent: 1), their mean the start's sample */
  clientRuns: z.optional(intAtLeast(1)),
  /** the verdicts' band, percent */
  thresholdPct: positive,
  /** the container image (Docker executor) */
  image: z.optional(text),
  /** when the static tamper rules refuse a patch */
  tamperPolicy: z.optional(z.object({ refuseAt: z.enum(['fail', 'warn', 'never']) })),
  accuracy: z.optional(AccuracyConfigSchema),
  /** build per-commit images from their recipes on this base image (Docker executor) */
  buildImagesFrom: z.optional(text),
  /** a local clone of the task repository (tasks that are not demos) */
  source: z.optional(z.object({ clone: z.optional(text) })),
  /** the prefetch cache (models, tokenizers, datasets), mounted read-only */
  cache: z.optional(text),
  /**
   * a rehearsal (\`run --rehearse\`): images with the stand-in engine in place of vLLM's runtime, no
   * GPU; the human's engine runs \`humanSpeedup\` times faster. Its results are marked, never measurements.
   */
  rehearse: z.optional(z.object({ humanSpeedup: positive })),
});
export type BenchConfig = Shape<typeof BenchConfigSchema>;

/** An attempt's budgets as given (the attempt's defaults stand for the rest). */
export const BudgetsConfigSchema = z.object({
  timeMin: z.optional(positive),
  maxTurns: z.optional(intAtLeast(1)),
  maxCostUsd: z.optional(z.nullable(positive)),
});

/** An agent of the matrix. */
export const AgentSpecSchema = z.object({
  /** the adapter's name (isobench agents list) */
  name: text,
  /** how to find the adapter where the attempt runs, when not by its name: its spec file's path */
  ref: z.optional(text),
  /** the model label the agent is asked to use */
  model: text,
  options: z.record(z.string(), z.unknown()),
  /** the environment variable holding its key (read where the agent runs; never stored) */
  apiKeyEnv: z.nullable(text),
  /** its model provider, for per-provider limits */
  provider: z.optional(z.nullable(text)),
  /** its executable, when given by path (else its pinned install) */
  binary: z.optional(text),
  budgets: BudgetsConfigSchema,
  hintLevel: z.optional(z.enum(['none', 'files'])),
  /** run it in a Docker sandbox built on this base image */
  dockerSandboxFrom: z.optional(text),
  /** measure its usage at the model API through the recording proxy */
  usageProxy: z.optional(z.boolean()),
  /** the price table for its cost where it reports none, passed whole (default: the built-in one) */
  prices: z.optional(PriceTableSchema),
});
export type AgentSpec = Shape<typeof AgentSpecSchema>;

/** What every attempt shares, where it runs. */
export const AgentSettingsSchema = z.object({
  /** a local clone of the task repository */
  clone: z.optional(text),
  /** the cache root of repository mirrors and agent installs */
  cacheRoot: z.optional(text),
  /** an attempt's own retries of infrastructure failures (rate limits; default 2) */
  infraRetries: z.optional(intAtLeast(0)),
  /** and the back-off before the first (default 30 s), doubling */
  backoffMs: z.optional(z.number().check(z.minimum(0))),
});
export type AgentSettings = Shape<typeof AgentSettingsSchema>;

/** The soft-metric judge (its key is read from the provider's variable where it runs). */
export const JudgeSettingsSchema = z.object({
  provider: z.enum(['anthropic', 'openai']),
  model: text,
  baseUrl: z.optional(text),
});
export type JudgeSettings = Shape<typeof JudgeSettingsSchema>;

/** A run's whole configuration. */
export const RunConfigSchema = z.object({
  runId: text,
  /** the results root: the run is `<outDir>/<runId>` */
  outDir: text,
  /** the arguments it was started with (`--resume` replays them) */
  args: z.array(z.string()),
  /** the task ids, in plan order */
  tasks: z.array(text),
  executor: z.enum(['local', 'docker']),
  bench: BenchConfigSchema,
  agents: z.array(AgentSpecSchema),
  /** attempts per agent and task (each attempt number is one bench job) */
  attempts: intAtLeast(1),
  agentSettings: AgentSettingsSchema,
  /** harness failures of a bench job retried this many times, after backoffMs × 2^n */
  benchRetries: z.object({ retries: intAtLeast(0), backoffMs: z.number().check(z.minimum(0)) }),
  /** run again the units whose records say infra */
  retryInfra: z.boolean(),
  /** measure again finished units whose inputs differ from their records' (resume; else they stand) */
  rerunChanged: z.optional(z.boolean()),
  /** stop scheduling new units past these */
  caps: z.object({ maxCostUsd: z.optional(positive), wallMs: z.optional(positive) }),
  judge: z.optional(JudgeSettingsSchema),
});
export type RunConfig = Shape<typeof RunConfigSchema>;

/** The version of unit payloads (a worker refuses payloads of another version). */
export const PAYLOAD_VERSION = 2;

/**
 * What an agent's attempt cost and took, carried to the rows of the job its patch joined: from the
 * attempt itself (`run --agents`) or from its prediction line (`solve`, then `run --predictions`).
 */
export const AttemptEffortSchema = z.object({
  attempt: z.number(),
  /** how the attempt ended (completed, timeout, turn_limit, cost_limit, crashed) */
  outcome: z.string(),
  costUsd: z.nullable(z.number()),
  inputTokens: z.nullable(z.number()),
  outputTokens: z.nullable(z.number()),
  cacheReadTokens: z.nullable(z.number()),
  cacheWriteTokens: z.nullable(z.number()),
  turns: z.nullable(z.number()),
  toolCalls: z.nullable(z.number()),
  /** the agent's wall time, all tries */
  wallMs: z.number(),
  /** infrastructure tries before the one that counts (rate limits) */
  infraRetries: z.number(),
  agentVersion: z.nullable(z.string()),
  /** the model the agent reported using (the model label asked for is the row's `model`) */
  modelReported: z.nullable(z.string()),
  /** the attempt's folder, relative to the run that made it */
  path: z.string(),
  /** where its tokens came from: the agent, the usage proxy at the API, both, none (absent before kept) */
  tokensFrom: z.optional(z.enum(['agent', 'proxy', 'both', 'none'])),
  /** where its cost came from: the agent, a price table, none */
  costFrom: z.optional(z.enum(['agent', 'price_table', 'none'])),
  /** the counts (input, output, cache) on which the agent's report and the API's disagree */
  usageDisagreements: z.optional(z.array(z.string())),
});
/** An attempt's effort. */
export type AttemptEffort = Shape<typeof AttemptEffortSchema>;

/** A ready-made agent patch (predictions, or an attempt's computed patch). */
export const AgentPatchSchema = z.object({
  /** the agent's name as shown in results */
  agent: text,
  /** the model label the agent was asked to use (its own report is in `effort.modelReported`) */
  model: z.string(),
  patch: z.string(),
  /** where the patch came from (predictions file and line, patch file, attempt folder) */
  source: z.string(),
  /** the attempt's effort, when the predictions carry it */
  effort: z.optional(AttemptEffortSchema),
});
/** A ready-made agent patch. */
export type AgentPatch = Shape<typeof AgentPatchSchema>;

/** A bench job: baseline, human and agent patches of one task, measured interleaved. */
export const BenchPayloadSchema = z.object({
  v: z.literal(PAYLOAD_VERSION),
  kind: z.literal('bench_job'),
  runId: text,
  /** the unit's key (store/units.ts) */
  key: text,
  /** the job's folder name inside the run (jobs/<slug>) */
  slug: text,
  task: TaskSpecSchema,
  patches: z.array(AgentPatchSchema),
  bench: BenchConfigSchema,
});
export type BenchPayload = Shape<typeof BenchPayloadSchema>;

/** An agent attempt: one agent, one task, one attempt number. */
export const AgentPayloadSchema = z.object({
  v: z.literal(PAYLOAD_VERSION),
  kind: z.literal('agent_attempt'),
  runId: text,
  key: text,
  task: TaskSpecSchema,
  attempt: intAtLeast(1),
  agent: AgentSpecSchema,
  settings: AgentSettingsSchema,
});
export type AgentPayload = Shape<typeof AgentPayloadSchema>;

/** A unit's payload. */
export const UnitPayloadSchema = z.discriminatedUnion('kind', [BenchPayloadSchema, AgentPayloadSchema]);
export type UnitPayload = Shape<typeof UnitPayloadSchema>;

/** Checks a payload pulled from a queue: a clear error names the field that is wrong. */
export function checkPayload(x: unknown): UnitPayload {
  const v = x && typeof x === 'object' && 'v' in x ? x.v : undefined;
  if (v !== PAYLOAD_VERSION)
    throw new ConfigError(
      'payload.v',
      `payload version ${String(v)} is not ${PAYLOAD_VERSION} (coordinator and worker differ)`,
    );
  const res = UnitPayloadSchema.safeParse(x);
  if (res.success) return res.data;
  const first = res.error.issues[0];
  throw new ConfigError(
    `payload${first?.path.length ? `.${first.path.map(String).join('.')}` : ''}`,
    first?.message ?? 'invalid',
  );
}

/** A configuration problem: the field and what is wrong. */
export class ConfigError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Checks a configuration; the first problem names its field (e.g. `bench.repeats`). */
export function checkRunConfig(raw: unknown): RunConfig {
  const res = RunConfigSchema.safeParse(raw);
  if (res.success) return res.data;
  const first = res.error.issues[0];
  throw new ConfigError(first?.path.map(String).join('.') || '(root)', first?.message ?? 'invalid');
}

/**
 * The settings two configurations differ in (dotted paths, e.g. `bench.repeats: 5 -> 3`), for a
 * resume to name what it changes; the run's name, arguments and task list are not settings.
 */
export function changedSettings(before: RunConfig, after: RunConfig): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    if (isJsonObject(a) && isJsonObject(b)) {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of [...keys].sort()) walk(a[k], b[k], path ? `${path}.${k}` : k);
      return;
    }
    out.push(`${path}: ${JSON.stringify(a) ?? 'unset'} -> ${JSON.stringify(b) ?? 'unset'}`);
  };
  const { runId: _r, args: _a, tasks: _t, retryInfra: _i, rerunChanged: _c, ...b } = before;
  const { runId: _r2, args: _a2, tasks: _t2, retryInfra: _i2, rerunChanged: _c2, ...a } = after;
  walk(b, a, '');
  return out;
}
