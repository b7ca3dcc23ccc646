/**
 * The agents a run starts itself: `--agents name:model,…` with their `--option`s, each checked against
 * its adapter's options, its install and its key's presence (never its value) before any work.
 */
import { resolve } from 'node:path';
import { BUILTIN_PRICES, priceOf, readPriceTable } from '../agent/prices.js';
import { type AgentAdapter, isProvider, KEY_ENV, type Provider } from '../agent/types.js';
import type { AgentSpec } from '../store/config.js';
import type { PriceTable } from '../store/usage.js';
import { BASE_IMAGE } from '../util/defaults.js';
import { errorMessage, UsageError } from '../util/errors.js';
import { budgetsGiven, type RunCliOptions } from './options.js';

/** An agent's `--option`s: `key=value` (every agent) or `name.key=value` (this one); JSON values parsed. */
function agentOptions(name: string, given: readonly string[]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const kv of given) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--option must be key=value or agent.key=value, got '${kv}'`);
    let k = kv.slice(0, i);
    const dot = k.indexOf('.');
    if (dot > 0) {
      if (k.slice(0, dot) !== name) continue;
      k = k.slice(dot + 1);
    }
    options[k] = jsonOrString(kv.slice(i + 1));
  }
  return options;
}

/** A value that parses as JSON is JSON; any other is the string as given. */
function jsonOrString(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    // not JSON: the string itself is the value
    return v;
  }
}

/**
 * The `--option`s given for the agent `name` (as the user named it), checked against its adapter's
 * options; with the provider they select (an adapter's own, or the `provider` option of one that has none).
 */
export function checkedAgentOptions(
  adapter: AgentAdapter,
  name: string,
  given: readonly string[],
): { options: Record<string, unknown>; provider: Provider | null } {
  const options = agentOptions(name, given);
  const check = adapter.optionsSchema.safeParse(options);
  if (!check.success) {
    const issue = check.error.issues[0];
    throw new UsageError(`--option for ${name}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const provider = adapter.provider ?? (isProvider(options.provider) ? options.provider : null);
  return { options, provider };
}

/** `--prices FILE` read and checked now (an error names the file and field), or undefined. */
export async function pricesGiven(path: string | undefined): Promise<PriceTable | undefined> {
  if (!path) return undefined;
  return readPriceTable(resolve(path)).catch((e: unknown) => {
    throw new UsageError(`--prices: ${errorMessage(e)}`);
  });
}

/** `--usage-proxy` needs the agent's base URL to forward to: said before any work. */
export function proxyCheck(
  on: boolean | undefined,
  options: Record<string, unknown>,
  who: string,
  how: string,
): void {
  if (on && typeof options.baseUrl !== 'string')
    throw new UsageError(
      `--usage-proxy: ${who} has no baseUrl to forward to (${how}, e.g. the provider's https://api.openai.com/v1)`,
    );
}

/**
 * A cost budget someone must keep: the agent itself (it knows its cost as it runs), or isobench
 * through the usage proxy at the price table's row for the model. Neither: said before any work,
 * rather than a budget that holds nothing.
 */
export function costBudgetCheck(
  c: { maxCost?: number; usageProxy?: boolean; prices?: PriceTable },
  adapter: AgentAdapter,
  options: Record<string, unknown>,
  model: string,
  who: string,
): void {
  if (c.maxCost === undefined || adapter.keepsCostBudget?.(options)) return;
  if (!c.usageProxy)
    throw new UsageError(
      `--max-cost: ${who} does not stop itself at a cost budget; add --usage-proxy so isobench keeps it (it prices each answer at the model API)`,
    );
  const table = c.prices ?? BUILTIN_PRICES;
  if (!priceOf(table, model))
    throw new UsageError(
      `--max-cost: the price table ${table.name} has no price for ${model}, so isobench cannot keep the budget for ${who}; give --prices FILE with a row for it`,
    );
}

/**
 * `--agents name[:model],…` with `--option key=value` (every agent) or `--option name.key=value`
 * (one agent): each checked against its adapter's options and its key's presence (never its value).
 */
export async function agentSpecs(opts: RunCliOptions): Promise<AgentSpec[]> {
  const { resolveAgent } = await import('../../agents/index.js');
  const prices = await pricesGiven(opts.prices);
  const list = (opts.agents ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length) throw new UsageError('--agents names no agent');
  const specs: AgentSpec[] = [];
  for (const item of list) {
    const colon = item.indexOf(':');
    const [name, model] = colon < 0 ? [item, ''] : [item.slice(0, colon), item.slice(colon + 1)];
    let adapter: Awaited<ReturnType<typeof resolveAgent>>;
    try {
      adapter = await resolveAgent(name);
    } catch (e) {
      throw new UsageError(`--agents '${item}': ${errorMessage(e)}`);
    }
    if (!model) throw new UsageError(`--agents '${item}': give the model as ${name}:MODEL`);
    const { options, provider } = checkedAgentOptions(adapter, name, opts.option ?? []);
    proxyCheck(opts.usageProxy, options, `--agents '${item}'`, `--option ${name}.baseUrl=URL`);
    costBudgetCheck({ ...opts, prices }, adapter, options, model, `--agents '${item}'`);
    // an agent installed by hand, or a --binary, that is not there is the user's to fix: said now
    if (!opts.redis && (opts.binary || adapter.install.kind === 'manual')) {
      const { ensureInstalled } = await import('../agent/install.js');
      await ensureInstalled(adapter, { binary: opts.binary, check: true }).catch((e: Error) => {
        throw new UsageError(`--agents '${item}': ${e.message}`);
      });
    }
    const apiKeyEnv = provider ? KEY_ENV[provider] : null;
    if (apiKeyEnv && !process.env[apiKeyEnv] && !options.baseUrl && !opts.redis)
      throw new UsageError(
        `${name} needs an API key in $${apiKeyEnv} (or --option ${name}.baseUrl=URL for a local server)`,
      );
    specs.push({
      name: adapter.name,
      ref: name === adapter.name ? undefined : resolve(name),
      model,
      options,
      apiKeyEnv,
      provider,
      binary: opts.binary ? resolve(opts.binary) : undefined,
      // only the budgets given: the attempt's defaults stand for the rest
      budgets: budgetsGiven(opts),
      hintLevel: opts.hint,
      dockerSandboxFrom: opts.agentSandbox === 'docker' ? (opts.image ?? BASE_IMAGE) : undefined,
      usageProxy: opts.usageProxy,
      prices,
    });
  }
  return specs;
}
