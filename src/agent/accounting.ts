/**
 * An attempt's usage settled from what it has: the agent's own report, the usage proxy's count at the
 * model API (which wins where it was measured: it is what the provider bills), and a price table for
 * the cost where the agent reports none. The record says where each part came from and every count
 * on which agent and API disagree.
 */
import type { Accounting, ApiUsageRecord, PriceTable } from '../store/usage.js';
import { costAt, priceOf } from './prices.js';
import type { Usage } from './types.js';

/** The agent's tokens, replaced by the API's where the proxy counted them. */
function tokensOf(
  agent: Usage,
  api: ApiUsageRecord | null,
): { usage: Usage; from: Accounting['tokensFrom'] } {
  if (api) {
    const c = api.counted;
    return {
      usage: {
        ...agent,
        inputTokens: c.inputTokens,
        outputTokens: c.outputTokens,
        cacheReadTokens: c.cacheReadTokens,
        cacheWriteTokens: c.cacheWriteTokens,
      },
      from: api.source,
    };
  }
  const reported = [agent.inputTokens, agent.outputTokens].some((n) => n !== null);
  return { usage: agent, from: reported ? 'agent' : 'none' };
}

/** The cost: the agent's, else the tokens at the first of `models` the table prices. */
function costOf(usage: Usage, models: readonly (string | null)[], prices: PriceTable) {
  if (usage.costUsd !== null) return { costUsd: usage.costUsd, from: 'agent' as const, table: null };
  for (const m of models) {
    const p = m ? priceOf(prices, m) : null;
    const usd = p ? costAt(p, usage) : null;
    if (usd !== null)
      return { costUsd: usd, from: 'price_table' as const, table: `${prices.name} (${prices.asOf})` };
  }
  return { costUsd: null, from: 'none' as const, table: null };
}

/** The usage to record and where it came from; `models`: the one asked for, then the one reported. */
export function settleUsage(
  agent: Usage,
  api: ApiUsageRecord | null,
  models: readonly (string | null)[],
  prices: PriceTable,
): { usage: Usage; accounting: Accounting } {
  const tokens = tokensOf(agent, api);
  const cost = costOf(tokens.usage, models, prices);
  return {
    usage: { ...tokens.usage, costUsd: cost.costUsd },
    accounting: {
      tokensFrom: tokens.from,
      costFrom: cost.from,
      priceTable: cost.table,
      disagreements: api?.disagreements ?? [],
    },
  };
}
