/**
 * The stored shapes of usage accounting: what the recording proxy counted at the model API
 * (src/agent/usage-proxy.ts), `api-usage.json` (src/agent/api-usage.ts), where an attempt's usage
 * came from (src/agent/accounting.ts) and price tables (src/agent/prices.ts).
 */
import { type Shape, z } from '../util/zod.js';

/** What the proxy saw: requests, answers that carried usage, and their token counts. */
export const ApiUsageSchema = z.object({
  /** every request the agent made through the proxy */
  requests: z.number(),
  /** answers that reported usage (model calls, side calls included) */
  modelCalls: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  /** answers by HTTP status ("200": 12, "429": 1); "error" for an upstream that could not be reached */
  statuses: z.record(z.string(), z.number()),
});
export type ApiUsage = Shape<typeof ApiUsageSchema>;

/** The version of api-usage.json. */
export const API_USAGE_VERSION = 1;

/** A count on which the agent and the API disagree. */
export const DisagreementSchema = z.object({ field: z.string(), agent: z.number(), api: z.number() });

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

/** Where an attempt's usage came from (outcome.json `accounting`, the rows' effort). */
export const AccountingSchema = z.object({
  /** tokens: the agent's report, the proxy's count at the API, both (the API's kept), or neither */
  tokensFrom: z.enum(['agent', 'proxy', 'both', 'none']),
  /** cost: the agent's report, a price table (named in `priceTable`), or neither */
  costFrom: z.enum(['agent', 'price_table', 'none']),
  /** the price table's name and date, where it gave the cost */
  priceTable: z.nullable(z.string()),
  /** counts the agent reported that differ from the API's */
  disagreements: z.array(DisagreementSchema),
});
export type Accounting = Shape<typeof AccountingSchema>;

/** The version of a price table file. */
export const PRICE_TABLE_VERSION = 1;

/** One model's prices, US dollars per million tokens. */
const PriceSchema = z.strictObject({
  input: z.number().check(z.minimum(0)),
  output: z.number().check(z.minimum(0)),
  /** cached input read (default: the input price) */
  cacheRead: z.optional(z.number().check(z.minimum(0))),
  /** cache writes (default: the input price) */
  cacheWrite: z.optional(z.number().check(z.minimum(0))),
  /** whether the provider's input count includes cache reads (OpenAI, Google) or not (Anthropic) */
  inputIncludesCacheReads: z.boolean(),
  /** where the figure was published */
  source: z.string(),
});
export type Price = Shape<typeof PriceSchema>;

/** A price table file. */
export const PriceTableSchema = z.strictObject({
  schemaVersion: z.literal(PRICE_TABLE_VERSION),
  /** a name for rows to cite (`isobench-list-prices-2026-12`) */
  name: z.string().check(z.minLength(1)),
  /** the day its prices were read, YYYY-MM-DD */
  asOf: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  /** by model id as the agent is asked for it (and as it reports it) */
  models: z.record(z.string(), PriceSchema),
});
export type PriceTable = Shape<typeof PriceTableSchema>;
