/**
 * The cost budget, kept by isobench itself for an agent that reports no cost as it goes (Codex,
 * Gemini CLI, Qwen Code, Copilot CLI; OpenCode for an unpriced model): with the usage proxy on, each
 * model answer's tokens are priced from the price table as it completes, and once the try's cost
 * reaches the budget every process the agent started is stopped (an agent in isobench's own process
 * is told through an abort signal). The try's outcome is then `cost_limit`, whatever the agent made
 * of being stopped; its usage, events and workspace stay.
 */
import type { Background, ExecOptions, Sandbox } from '../executor/types.js';
import type { ApiUsage, Price, PriceTable } from '../store/usage.js';
import { costAt, priceOf } from './prices.js';
import type { AgentOutcome } from './types.js';

/** How long a stopped agent gets between SIGTERM and SIGKILL. */
const GRACE_MS = 3000;

/** A try's guard: watches the proxy's tally, stops the agent's processes past the budget. */
export interface CostGuard {
  /** the proxy's tally after each answer */
  onAnswer(u: ApiUsage): void;
  /** the sandbox to give the agent: its processes are the ones stopped */
  guarded(s: Sandbox): Sandbox;
  /** aborted when the budget is reached (for an agent in isobench's own process) */
  readonly signal: AbortSignal;
  /** the outcome, as `cost_limit` if the guard stopped the agent */
  outcome(o: AgentOutcome): AgentOutcome;
}

/** The guard for a budget of `maxUsd` at price `price` (`table` names where the price came from). */
export function costGuard(maxUsd: number, price: Price, table: string): CostGuard {
  const running = new Set<Background>();
  const stop = new AbortController();
  let stopped: { usd: number; calls: number } | null = null;
  const track = (bg: Background) => {
    running.add(bg);
    void bg.done.finally(() => running.delete(bg));
    if (stopped) void bg.stop(GRACE_MS);
    return bg;
  };
  return {
    onAnswer(u) {
      const usd = costAt(price, u);
      if (stopped || usd === null || usd < maxUsd) return;
      stopped = { usd, calls: u.modelCalls };
      stop.abort(new Error(`the $${maxUsd} cost limit was reached`));
      for (const bg of running) void bg.stop(GRACE_MS);
    },
    signal: stop.signal,
    guarded: (s) => ({
      id: s.id,
      workdir: s.workdir,
      // exec is start and wait, as every executor has it, so a running exec can be stopped too
      start: async (argv: readonly string[], opts: ExecOptions) => track(await s.start(argv, opts)),
      exec: async (argv: readonly string[], opts: ExecOptions) => track(await s.start(argv, opts)).done,
      put: (hostPath, sandboxPath) => s.put(hostPath, sandboxPath),
      writeFile: (sandboxPath, data) => s.writeFile(sandboxPath, data),
      get: (sandboxPath, hostPath) => s.get(sandboxPath, hostPath),
      close: () => s.close(),
    }),
    outcome(o) {
      if (!stopped || o.kind === 'cost_limit') return o;
      return {
        ...o,
        kind: 'cost_limit',
        detail: `stopped by isobench at the $${maxUsd} cost limit: $${stopped.usd.toFixed(4)} after ${stopped.calls} model answer(s), counted at the model API and priced from ${table} (the agent then: ${o.kind}, ${o.detail})`,
      };
    },
  };
}

/**
 * The guard of a try through the usage proxy: null without a cost budget, or where the table has no
 * price for the model (the agent's own report, if any, is then the only keeper of the budget).
 */
export function costGuardFor(maxUsd: number | null, model: string, prices: PriceTable): CostGuard | null {
  const price = maxUsd === null ? null : priceOf(prices, model);
  return maxUsd !== null && price ? costGuard(maxUsd, price, `${prices.name} (${prices.asOf})`) : null;
}
