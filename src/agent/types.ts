/**
 * The agent adapter interface and the values that flow through an attempt. An adapter runs one agent
 * once in a workspace and says how it ended; it never computes the patch (the harness diffs the
 * workspace afterwards) and never sees keys other than its provider's.
 */
import type { Sandbox } from '../executor/types.js';
import { AGENT_RECORD_VERSION, OutcomeKindSchema, UsageSchema } from '../store/schema.js';
import { RUN_DEFAULTS } from '../util/defaults.js';
import type { Infer, Schema } from '../util/zod.js';

/** The version of stored attempt records (outcome.json, usage, predictions lines): src/store/schema.ts. */
/** Tokens, cost and effort an agent reported (null where it reports nothing); declared with the stored records. */
export { AGENT_RECORD_VERSION, UsageSchema };
/** Usage of one attempt. */
export type Usage = Infer<typeof UsageSchema>;

/** Usage with nothing known. */
export const NO_USAGE: Usage = {
  inputTokens: null,
  outputTokens: null,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  costUsd: null,
  turns: null,
  toolCalls: null,
};

/**
 * How an attempt ended. `completed`: the agent finished by itself (its patch may still be empty);
 * `timeout`, `turn_limit`, `cost_limit`: a budget ended it; `crashed`: the agent failed on its own;
 * `infra`: the model API or the host failed (rate limit, unreachable) and the attempt does not
 * count against the agent; `config_error`: the user's configuration failed (the key refused or
 * missing), not retried, not counted; `harness_error`: isobench itself failed running the agent (a bug: an
 * unexpected exception, its stack in the try's `harness-error.log`), not retried, not counted.
 */
export { OutcomeKindSchema };
/** An outcome kind. */
export type OutcomeKind = Infer<typeof OutcomeKindSchema>;

/** What an adapter returns. */
export interface AgentOutcome {
  readonly kind: OutcomeKind;
  /** why, in a sentence, with the evidence (an error line, the limit hit) */
  readonly detail: string;
  readonly usage: Usage;
  /** the model the agent itself reported using (never the label the user passed, unless it reports none) */
  readonly model: string | null;
  /** the agent's version as it reported it */
  readonly agentVersion: string | null;
  /** the normalised events, for the stored trajectory */
  readonly events: readonly AgentEvent[];
  /** tool calls the agent was denied (Claude Code's permission denials) */
  readonly denials: readonly string[];
  readonly exitCode: number | null;
}

/** One normalised event of a trajectory. */
export interface AgentEvent {
  readonly type: 'message' | 'tool_call' | 'tool_result' | 'error' | 'usage' | 'info';
  readonly text: string;
  /** tool name for tool calls and results */
  readonly tool?: string;
}

/** Budgets of an attempt. */
export interface Budgets {
  /** wall clock, minutes */
  readonly timeMin: number;
  /** turns or steps, where the agent counts them */
  readonly maxTurns: number;
  /** US dollars, where the agent reports cost; null: no cost limit */
  readonly maxCostUsd: number | null;
}

/**
 * Whether a model API's HTTP status is infrastructure's (trying again can help): a timeout, a rate
 * limit, a server error. 401 and 403 are the user's configuration (`credentials.ts`: `config_error`,
 * never retried); any other 4xx is the request's (a bad tool schema, an unknown model): the
 * attempt's own failure, `crashed`, not retried.
 */
export function isInfraStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Default budgets. */
export const DEFAULT_BUDGETS: Budgets = {
  timeMin: RUN_DEFAULTS.attemptTimeMin,
  maxTurns: RUN_DEFAULTS.attemptMaxTurns,
  maxCostUsd: null,
};

/** Where a model API is. */
export interface Endpoint {
  /** base URL as the provider's SDKs take it (Anthropic: no /v1; OpenAI: with /v1) */
  readonly baseUrl: string | null;
  /** the environment variable holding the key on the harness's side */
  readonly apiKeyEnv: string;
}

/** What an adapter gets for one run. */
export interface AgentRunInput {
  /** the workspace, as a path inside the sandbox */
  readonly workspace: string;
  /** the task's id (demo/cpu-latency, vllm/015069b0) */
  readonly task: string;
  readonly prompt: string;
  /** the model label to ask for (the agent's own report of what ran is recorded separately) */
  readonly model: string;
  readonly budgets: Budgets;
  /** the adapter's options, validated by its schema */
  readonly options: Readonly<Record<string, unknown>>;
  /** a fresh, empty folder inside the sandbox to use as the agent's HOME / config directory */
  readonly home: string;
  /** host folder for the attempt's raw logs (stdout, stderr, config files written) */
  readonly logDir: string;
  /** the API key, for this agent's provider only (never written to disk by the adapter) */
  readonly apiKey: string | null;
}

/** What an adapter may use. */
export interface AgentDeps {
  readonly sandbox: Sandbox;
  /** the agent's executable (from the per-version install cache) */
  readonly binary: string | null;
  /**
   * aborted when isobench stops the agent (the cost budget it keeps, cost-guard.ts): the processes
   * the agent started are stopped for it; an agent running in isobench's process checks this between
   * model calls and ends
   */
  readonly stop?: AbortSignal;
}

/** How an agent is installed: an npm package at a pinned version, or by hand (documented). */
export type InstallRecipe =
  | { readonly kind: 'npm'; readonly package: string; readonly version: string; readonly bin: string }
  | { readonly kind: 'manual'; readonly bin: string; readonly version: string; readonly instructions: string }
  | { readonly kind: 'none' };

/** An edit a smoke run asks the agent to make (`isobench agents doctor`). */
export interface SmokeEdit {
  /** the workspace, as the agent sees it */
  readonly workspace: string;
  /** a file relative to the workspace, and the line to change */
  readonly file: string;
  readonly old: string;
  readonly new: string;
}

/** How to drive an agent through one scripted edit against the scripted model server. */
export interface SmokeDriver {
  /** the server's script making the agent perform `edit` with its own tools */
  script(edit: SmokeEdit): import('./scripted-server.js').Script;
  /** the adapter options pointing it at the server (`url` is the server's root) */
  options(url: string): Record<string, unknown>;
  /** the model label the check asks for (default `isobench-doctor`; an agent may only accept models it knows) */
  readonly model?: string;
}

/** An agent adapter: one folder under agents/, one line in the registry. */
export interface AgentAdapter {
  readonly name: string;
  /** which provider's key it gets ('anthropic', 'openai', or null for none) */
  readonly provider: Provider | null;
  readonly install: InstallRecipe;
  /** validates the adapter's options (unknown keys are errors) */
  readonly optionsSchema: Schema;
  /**
   * whether the agent stops itself at a cost budget with these options (it knows its cost as it
   * runs); absent: it does not, and a budget is kept only by isobench through the usage proxy
   */
  readonly keepsCostBudget?: (options: Readonly<Record<string, unknown>>) => boolean;
  run(input: AgentRunInput, deps: AgentDeps): Promise<AgentOutcome>;
  /** for `isobench agents doctor`: a scripted edit through the real agent, no API key needed */
  readonly smoke?: SmokeDriver;
}

/** The environment variable that holds each provider's API key. */
export const KEY_ENV = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  google: 'GEMINI_API_KEY',
} as const;

/** A model provider whose key isobench knows how to hand over. */
export type Provider = keyof typeof KEY_ENV;

/** Whether a value (an option as given) names a provider. */
export function isProvider(x: unknown): x is Provider {
  return typeof x === 'string' && Object.hasOwn(KEY_ENV, x);
}
