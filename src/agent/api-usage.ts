/**
 * An attempt's usage as the recording proxy measured it at the model API (usage-proxy.ts), beside
 * the agent's own report: `api-usage.json` in the attempt folder, one entry per try, the counted
 * try's totals, where the usage came from, and every count on which the two disagree.
 */
import { type Shape, z } from '../util/zod.js';
import type { Usage } from './types.js';
import { type ApiUsage, ApiUsageSchema, emptyApiUsage } from './usage-proxy.js';

/** The version of api-usage.json. */
export const API_USAGE_VERSION = 1;
/** Where it lies in the attempt folder. */
export const API_USAGE_FILE = 'api-usage.json';

/** A count on which the agent and the API disagree. */
const DisagreementSchema = z.object({ field: z.string(), agent: z.number(), api: z.number() });

/** `api-usage.json`. */
export const ApiUsageRecordSchema = z.object({
  schemaVersion: z.literal(API_USAGE_VERSION),
  /** the upstream the proxy forwarded to */
  upstream: z.string(),
  /** what the proxy saw in each try, in order (infra tries first, the counted one last) */
  tries: z.array(ApiUsageSchema),
  /** the counted try's usage at the API */
  counted: ApiUsageSchema,
  /** `both`: the agent reported usage too; `proxy`: it reported none */
  source: z.enum(['both', 'proxy']),
  /** counts the agent reported that differ from the API's (side calls it leaves out, say) */
  disagreements: z.array(DisagreementSchema),
});
export type ApiUsageRecord = Shape<typeof ApiUsageRecordSchema>;

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
