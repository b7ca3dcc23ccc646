/**
 * An attempt's usage as the recording proxy measured it at the model API (usage-proxy.ts), beside
 * the agent's own report: `api-usage.json` in the attempt folder, one entry per try, the counted
 * try's totals, where the usage came from, and every count on which the two disagree.
 */
import { API_USAGE_VERSION, type ApiUsage, type ApiUsageRecord } from '../store/usage.js';
import type { Usage } from './types.js';
import { emptyApiUsage } from './usage-proxy.js';

/** Where it lies in the attempt folder. */
export const API_USAGE_FILE = 'api-usage.json';

/** The record of an attempt run through the proxy, from its tries' usage and the agent's report. */
export function apiUsageRecord(upstream: string, tries: readonly ApiUsage[], agent: Usage): ApiUsageRecord {
  const counted = tries.at(-1) ?? emptyApiUsage();
  const pairs: Array<[string, number | null, number]> = [
    ['inputTokens', agent.inputTokens, counted.inputTokens],
    ['outputTokens', agent.outputTokens, counted.outputTokens],
    ['cacheReadTokens', agent.cacheReadTokens, counted.cacheReadTokens],
    ['cacheWriteTokens', agent.cacheWriteTokens, counted.cacheWriteTokens],
  ];
  const reported = pairs.filter(([, a]) => a !== null);
  return {
    schemaVersion: API_USAGE_VERSION,
    upstream,
    tries: [...tries],
    counted,
    source: reported.length ? 'both' : 'proxy',
    disagreements: reported
      .filter(([, a, p]) => a !== p)
      .map(([field, a, p]) => ({ field, agent: a ?? 0, api: p })),
  };
}
