/**
 * One attempt of one agent on one task: a fresh workspace at the parent commit (verified: the human
 * commit cannot be reached), the rendered prompt, the agent run under its budgets with a fresh HOME,
 * a minimal environment and only its own provider's key, infrastructure failures retried with
 * back-off on a fresh workspace (never counted against the agent), then the patch computed by the
 * harness and every stored file redacted of the key.
 *
 * Layout under `<runDir>/agents/<agent>/<task>/<attempt>/`:
 *   prompt.txt, prompt.json      the rendered prompt, template version, hint level and files
 *   logs/                        the agent's raw stdout and stderr (per try: try-<n>/)
 *   trajectory.jsonl             the normalised events of the last try
 *   trajectory.atif.json         the same as ATIF (Harbor's trajectory format), with the final usage
 *   api-usage.json               usage measured at the model API by the recording proxy (usageProxy only)
 *   patch.diff                   the harness-computed patch ('' when the agent changed nothing)
 *   outcome.json                 outcome, usage, model and version as the agent reported them, budgets, patch stats
 *   prediction.jsonl             one SWE-bench-style line (plus task, agent, model, attempt, base commit)
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalExecutor } from '../executor/local.js';
import type { Executor, Sandbox } from '../executor/types.js';
import type { AttemptEffort } from '../store/config.js';
import { readStoredIfThere } from '../store/read.js';
import type { AttemptRecord } from '../store/schema.js';
import type { ApiUsage, ApiUsageRecord, PriceTable } from '../store/usage.js';
import type { TaskSpec } from '../task/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { RUN_DEFAULTS } from '../util/defaults.js';
import { errorMessage, errorReport, isKnownInfra } from '../util/errors.js';
import { isJsonObject } from '../util/json.js';
import { packageRoot } from '../util/package-root.js';
import { variantSlug } from '../util/slug.js';
import { computePatch, SCRATCH_DIRS } from '../workspace/diff.js';
import { freshWorkspace } from '../workspace/fresh.js';
import { settleUsage } from './accounting.js';
import { API_USAGE_FILE, apiUsageRecord } from './api-usage.js';
import { ATIF_FILE, atifOfAttempt } from './atif.js';
import { costGuardFor } from './cost-guard.js';
import { credentialAdvice } from './credentials.js';
import { BUILTIN_PRICES } from './prices.js';
import { type RenderedPrompt, renderPrompt } from './prompt.js';
import { redactText, redactTree, type Secret } from './redact.js';
import {
  AGENT_RECORD_VERSION,
  type AgentAdapter,
  type AgentOutcome,
  type Budgets,
  DEFAULT_BUDGETS,
  NO_USAGE,
  type OutcomeKind,
} from './types.js';
import { startUsageProxy } from './usage-proxy.js';

/** outcome.json, declared once by its schema (src/store/schema.ts). */
export type { AttemptRecord };

/** What an attempt needs. */
export interface AttemptOptions {
  readonly task: TaskSpec;
  readonly adapter: AgentAdapter;
  /** the mirror of the task's repository (repo-cache.ts) */
  readonly mirror: string;
  /** the run folder; the attempt goes under agents/<agent>/<task>/<attempt>/ */
  readonly runDir: string;
  readonly attempt: number;
  /** the model label to ask for */
  readonly model: string;
  /** the adapter's options (validated against its schema here) */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly budgets?: Partial<Budgets>;
  /** the key for the adapter's provider (the only secret the agent sees) */
  readonly apiKey?: string | null;
  /** the variable the key came from, named when the credentials are refused */
  readonly apiKeyEnv?: string | null;
  /** the agent's executable (install.ts) and its pinned version */
  readonly binary: string | null;
  readonly agentVersion?: string | null;
  readonly hintLevel?: 'none' | 'files';
  /** tries of the attempt that failed for infrastructure reasons, retried this many times, after 2^n × backoffMs */
  readonly attemptRetries?: number;
  readonly backoffMs?: number;
  /** where the agent runs (default: local processes with a minimal environment) */
  readonly executor?: Executor;
  /**
   * run the agent in a Docker sandbox from this image (container.ts): network none, the attempt's
   * folder mounted, the model API reached through the relay only
   */
  readonly container?: {
    readonly executor: import('../executor/docker.js').DockerExecutor;
    readonly image: string;
  };
  /** keep the workspace after the patch is computed (default: removed, the patch is kept) */
  readonly keepWorkspace?: boolean;
  /**
   * measure usage at the model API: each try runs through a recording proxy to the adapter's
   * `baseUrl` option (required), and `api-usage.json` records what it saw beside the agent's report
   */
  readonly usageProxy?: boolean;
  /** prices for the cost where the agent reports none (default: the built-in list prices) */
  readonly prices?: PriceTable;
}

/** The environment every agent process starts from: nothing of the harness's own, no keys. */
export function agentBaseEnv(): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
  };
  for (const k of ['TZ', 'TMPDIR', 'SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS']) {
    const v = process.env[k];
    if (v) env[k] = v;
  }
  return env;
}

/**
 * An attempt's outcome.json, or null when it has none (never finished). One that is there but not
 * a record this isobench reads (a newer version, a bad field) is refused naming the file and field.
 */
export async function readAttempt(dir: string): Promise<AttemptRecord | null> {
  return readStoredIfThere('outcome', join(dir, 'outcome.json'));
}

/** Where an attempt lives. */
export function attemptDir(runDir: string, agent: string, task: string, attempt: number): string {
  return join(runDir, 'agents', variantSlug(agent), variantSlug(task), String(attempt));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What every try of an attempt shares. */
interface TryContext {
  readonly o: AttemptOptions;
  /** the adapter's options, checked */
  readonly options: Record<string, unknown>;
  readonly dir: string;
  readonly workspace: string;
  readonly baseGitDir: string;
  readonly home: string;
  readonly prompt: string;
  readonly budgets: Budgets;
  /** what the usage proxy saw in each try (usageProxy only) */
  readonly apiUsage: ApiUsage[];
  /** the model API the usage proxy forwards to (usageProxy only) */
  readonly upstream: string | null;
}

/** The sandbox an agent runs in: a container relaying only to its model API, or local processes. */
async function openAgentSandbox(
  ctx: TryContext,
  options: Record<string, unknown>,
): Promise<{ sandbox: Sandbox; close: () => Promise<void> }> {
  const { o } = ctx;
  const { adapter, task } = o;
  if (o.container) {
    const { DEFAULT_API, openAgentContainer } = await import('./container.js');
    // the options the adapter's schema checked: a string where given
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const provider = adapter.provider ?? text(options.provider) ?? '';
    const baseUrl = text(options.baseUrl) ?? DEFAULT_API[provider];
    if (!baseUrl) throw new Error(`${adapter.name}: no model API to relay to (give a baseUrl option)`);
    const installRoot = o.binary?.includes('/node_modules/')
      ? o.binary.split('/node_modules/')[0]
      : undefined;
    const c = await openAgentContainer({
      executor: o.container.executor,
      image: o.container.image,
      name: `agent-${adapter.name}`,
      attemptDir: ctx.dir,
      readOnly: [packageRoot(), o.mirror, ...(installRoot ? [installRoot] : [])],
      baseUrl,
      labels: { 'isobench.task': task.id },
    });
    return { sandbox: c.sandbox, close: c.close };
  }
  const executor = o.executor ?? new LocalExecutor({ baseEnv: agentBaseEnv() });
  const sandbox = await executor.open({
    name: `agent-${adapter.name}`,
    labels: { 'isobench.task': task.id },
    reapStrays: true,
  });
  return { sandbox, close: () => sandbox.close() };
}

/**
 * One try: a fresh workspace and HOME, the adapter run in its sandbox (always closed). A known
 * infrastructure error is an `infra` outcome (retried); any other exception is a harness error,
 * its stack in the try's `harness-error.log`.
 */
async function oneTry(ctx: TryContext, n: number): Promise<AgentOutcome> {
  const { o } = ctx;
  await freshWorkspace(o.mirror, o.task.commits.parent, ctx.workspace, [o.task.commits.human], {
    baseGitDir: ctx.baseGitDir,
  });
  await rm(ctx.home, { recursive: true, force: true });
  await mkdir(ctx.home, { recursive: true });
  const logDir = join(ctx.dir, 'logs', `try-${n + 1}`);
  await mkdir(logDir, { recursive: true });
  // past the cost budget, the guard stops the agent (for agents that report no cost as they go)
  const guard = ctx.upstream
    ? costGuardFor(ctx.budgets.maxCostUsd, o.model, o.prices ?? BUILTIN_PRICES)
    : null;
  const proxy = ctx.upstream ? await startUsageProxy(ctx.upstream, (u) => guard?.onAnswer(u)) : null;
  const options = proxy ? { ...ctx.options, baseUrl: proxy.url } : ctx.options;
  const { sandbox, close } = await openAgentSandbox(ctx, options).catch(async (e: unknown) => {
    await proxy?.close();
    throw e;
  });
  try {
    const outcome = await o.adapter.run(
      {
        workspace: ctx.workspace,
        task: o.task.id,
        prompt: ctx.prompt,
        model: o.model,
        budgets: ctx.budgets,
        options,
        home: ctx.home,
        logDir,
        apiKey: o.apiKey ?? null,
      },
      guard
        ? { sandbox: guard.guarded(sandbox), binary: o.binary, stop: guard.signal }
        : { sandbox, binary: o.binary },
    );
    return guard ? guard.outcome(outcome) : outcome;
  } catch (e) {
    // a known infrastructure error is retried; anything else is a bug of isobench: recorded, not retried
    const infra = isKnownInfra(e);
    if (!infra) await writeFile(join(logDir, 'harness-error.log'), errorReport(e));
    return {
      kind: infra ? 'infra' : 'harness_error',
      detail: infra
        ? `the harness failed to run the agent: ${errorMessage(e)}`
        : `isobench failed running the agent (a bug; its stack is in ${join(logDir, 'harness-error.log')}): ${errorMessage(e)}`,
      usage: NO_USAGE,
      model: null,
      agentVersion: null,
      events: [],
      denials: [],
      exitCode: null,
    };
  } finally {
    await close();
    if (proxy) {
      ctx.apiUsage.push(proxy.usage());
      await proxy.close();
    }
  }
}

/** A configuration error's detail, with where the refused key came from and what to set. */
function withAdvice(
  outcome: AgentOutcome,
  o: AttemptOptions,
  options: Record<string, unknown>,
): AgentOutcome {
  if (outcome.kind !== 'config_error') return outcome;
  const baseUrl = typeof options.baseUrl === 'string' ? options.baseUrl : null;
  return { ...outcome, detail: `${credentialAdvice(o.apiKeyEnv, baseUrl)}: ${outcome.detail}` };
}

/**
 * The version of an attempt's prediction line (`prediction.jsonl`, and `solve`'s predictions.jsonl):
 * 2 labels it with the model asked for (`model_reported` is the agent's own report) and carries the
 * attempt's effort.
 */
export const PREDICTION_VERSION = 2;

/** What an attempt cost and took, for the rows of the job its patch joins. */
export function effortOf(r: AttemptRecord): AttemptEffort {
  return {
    attempt: r.attempt,
    outcome: r.outcome.kind,
    costUsd: r.usage.costUsd,
    inputTokens: r.usage.inputTokens,
    outputTokens: r.usage.outputTokens,
    cacheReadTokens: r.usage.cacheReadTokens,
    cacheWriteTokens: r.usage.cacheWriteTokens,
    turns: r.usage.turns,
    toolCalls: r.usage.toolCalls,
    wallMs: r.durationMs,
    infraRetries: r.tries.length - 1,
    agentVersion: r.agentVersion,
    modelReported: r.model,
    path: attemptDir('', r.agent, r.task, r.attempt),
    ...(r.accounting
      ? {
          tokensFrom: r.accounting.tokensFrom,
          costFrom: r.accounting.costFrom,
          usageDisagreements: r.accounting.disagreements.map((d) => d.field),
        }
      : {}),
  };
}

/** Runs one attempt; never throws for the agent's failures (they are outcomes), only for harness bugs. */
export async function runAttempt(o: AttemptOptions): Promise<AttemptRecord> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const { task } = o;
  const secrets: Secret[] = o.apiKey ? [{ name: 'API_KEY', value: o.apiKey }] : [];
  const { ctx, prompt } = await attemptFolder(o);
  const { outcome, tries } = await tryWithRetries(ctx, secrets);
  const final = withAdvice(outcome, o, ctx.options);
  const computed = await computePatch(ctx.workspace, task.commits.parent, {
    gitDir: ctx.baseGitDir,
    protectedPaths: task.protectedPaths,
    exclude: SCRATCH_DIRS,
  });
  const patchText = redactText(computed.patch, secrets);
  await writeFile(join(ctx.dir, 'patch.diff'), patchText);
  await writeFile(
    join(ctx.dir, 'trajectory.jsonl'),
    final.events.map((e) => JSON.stringify({ ...e, text: redactText(e.text, secrets) })).join('\n') +
      (final.events.length ? '\n' : ''),
  );
  const api = o.usageProxy ? apiUsageRecord(ctx.upstream ?? '', ctx.apiUsage, final.usage) : null;
  const record = attemptRecord(o, {
    final,
    api,
    tries,
    computed,
    prompt,
    budgets: ctx.budgets,
    secrets,
    startedAt,
    t0,
  });
  await writeFile(
    join(ctx.dir, 'prediction.jsonl'),
    `${JSON.stringify(predictionOf(o, record, patchText))}\n`,
  );
  if (api) await writeFile(join(ctx.dir, API_USAGE_FILE), `${JSON.stringify(api, null, 2)}\n`);
  const redacted = final.events.map((e) => ({ ...e, text: redactText(e.text, secrets) }));
  const atif = atifOfAttempt(record, redactText(prompt.text, secrets), redacted);
  await writeFile(join(ctx.dir, ATIF_FILE), `${JSON.stringify(atif, null, 2)}\n`);
  if (!o.keepWorkspace) {
    await rm(ctx.workspace, { recursive: true, force: true });
    await rm(ctx.baseGitDir, { recursive: true, force: true });
  }
  await rm(ctx.home, { recursive: true, force: true });
  await redactTree(ctx.dir, secrets);
  await writeFileAtomic(join(ctx.dir, 'outcome.json'), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/** Where the usage proxy forwards: the baseUrl option (the agent's own default is not known here). */
function proxyUpstream(adapter: AgentAdapter, options: Record<string, unknown>): string {
  if (typeof options.baseUrl === 'string') return options.baseUrl;
  throw new Error(
    `${adapter.name} options: baseUrl: the usage proxy needs the model API's base URL to forward to, as this agent takes it (--option baseUrl=URL, e.g. https://api.openai.com/v1)`,
  );
}

/** The attempt's folder made afresh, its prompt written, and what every try shares. */
async function attemptFolder(o: AttemptOptions): Promise<{ ctx: TryContext; prompt: RenderedPrompt }> {
  const { task, adapter } = o;
  const budgets: Budgets = { ...DEFAULT_BUDGETS, ...o.budgets };
  const parsed = adapter.optionsSchema.safeParse(o.options ?? {});
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${adapter.name} options: ${i?.path.join('.') || '(root)'}: ${i?.message}`);
  }
  const options = parsed.data;
  if (!isJsonObject(options)) throw new Error(`${adapter.name} options: (root): expected an object`);
  const upstream = o.usageProxy ? proxyUpstream(adapter, options) : null;
  const dir = attemptDir(o.runDir, adapter.name, task.id, o.attempt);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'logs'), { recursive: true });
  const workspace = join(dir, 'workspace');
  const prompt = renderPrompt(task, { workspace, timeBudgetMin: budgets.timeMin, hintLevel: o.hintLevel });
  await writeFile(join(dir, 'prompt.txt'), prompt.text);
  await writeFile(
    join(dir, 'prompt.json'),
    `${JSON.stringify({ templateVersion: prompt.templateVersion, hintLevel: prompt.hintLevel, hintFiles: prompt.hintFiles }, null, 2)}\n`,
  );
  const ctx: TryContext = {
    o,
    options,
    dir,
    workspace,
    baseGitDir: join(dir, 'base.git'),
    home: join(dir, 'home'),
    prompt: prompt.text,
    budgets,
    apiUsage: [],
    upstream,
  };
  return { ctx, prompt };
}

/** Tries the agent, again after a back-off while a try fails for infrastructure reasons (a bounded number of times). */
async function tryWithRetries(
  ctx: TryContext,
  secrets: readonly Secret[],
): Promise<{ outcome: AgentOutcome; tries: AttemptRecord['tries'] }> {
  const { o } = ctx;
  const retries = o.attemptRetries ?? RUN_DEFAULTS.attemptRetries;
  const tries: Array<{ kind: OutcomeKind; detail: string; durationMs: number }> = [];
  const tryOnce = async (n: number): Promise<AgentOutcome> => {
    if (n > 0) await sleep((o.backoffMs ?? RUN_DEFAULTS.attemptRetryBackoffS * 1000) * 2 ** (n - 1));
    const tt = performance.now();
    const outcome = await oneTry(ctx, n);
    tries.push({
      kind: outcome.kind,
      detail: redactText(outcome.detail, secrets),
      durationMs: performance.now() - tt,
    });
    return outcome;
  };
  // the first try always runs (retries is at least 0: intAtLeast(0) in the options and the config)
  let outcome = await tryOnce(0);
  for (let n = 1; n <= retries && outcome.kind === 'infra'; n++) outcome = await tryOnce(n);
  return { outcome, tries };
}

/** The attempt's record (outcome.json). */
function attemptRecord(
  o: AttemptOptions,
  r: {
    readonly final: AgentOutcome;
    /** what the usage proxy measured (usageProxy only) */
    readonly api: ApiUsageRecord | null;
    readonly tries: AttemptRecord['tries'];
    readonly computed: Awaited<ReturnType<typeof computePatch>>;
    readonly prompt: RenderedPrompt;
    readonly budgets: Budgets;
    readonly secrets: readonly Secret[];
    readonly startedAt: string;
    readonly t0: number;
  },
): AttemptRecord {
  const { task, adapter } = o;
  const { final, computed, prompt, secrets } = r;
  const settled = settleUsage(final.usage, r.api, [o.model, final.model ?? null], o.prices ?? BUILTIN_PRICES);
  return {
    schemaVersion: AGENT_RECORD_VERSION,
    task: task.id,
    agent: adapter.name,
    attempt: o.attempt,
    baseCommit: task.commits.parent,
    modelRequested: o.model,
    model: final.model ?? null,
    agentVersion: final.agentVersion ?? o.agentVersion ?? null,
    outcome: { kind: final.kind, detail: redactText(final.detail, secrets) },
    usage: settled.usage,
    accounting: settled.accounting,
    budgets: r.budgets,
    denials: final.denials.map((d) => redactText(d, secrets)),
    tries: r.tries,
    patch: {
      status: computed.patch ? 'ok' : 'no_patch',
      files: computed.files.length,
      added: computed.added,
      removed: computed.removed,
      binaryFiles: computed.files.filter((f) => f.binary).length,
      protectedTouched: computed.protectedTouched,
    },
    prompt: {
      templateVersion: prompt.templateVersion,
      hintLevel: prompt.hintLevel,
      hintFiles: prompt.hintFiles,
    },
    startedAt: r.startedAt,
    durationMs: performance.now() - r.t0,
    files: {
      prompt: 'prompt.txt',
      patch: 'patch.diff',
      trajectory: 'trajectory.jsonl',
      logs: 'logs/',
      prediction: 'prediction.jsonl',
    },
  };
}

/**
 * The attempt's prediction line: the model as asked for (as `run --agents` labels it), the agent's
 * own report beside it, and the effort: `run --predictions` of this line gives the row `run --agents` gives.
 */
function predictionOf(o: AttemptOptions, record: AttemptRecord, patchText: string) {
  return {
    instance_id: o.task.id,
    model_name_or_path: o.model,
    model_patch: patchText,
    task: o.task.id,
    agent: o.adapter.name,
    model: o.model,
    model_reported: record.model,
    attempt: o.attempt,
    base_commit: o.task.commits.parent,
    effort: effortOf(record),
    schemaVersion: PREDICTION_VERSION,
  };
}
