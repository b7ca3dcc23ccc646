/**
 * What a model's tokens cost, for agents that report tokens but no cost (Gemini CLI, Qwen Code,
 * Copilot CLI with the user's own model, OpenCode for an unpriced model). A versioned table: the
 * built-in one (list prices in US dollars per million tokens, as the providers published them on the
 * date it names, each with its source), or the user's own file of the same shape (`--prices FILE`),
 * which replaces it. A row's cost then says it came from a price table, and which.
 */
import { readFile } from 'node:fs/promises';
import { PRICE_TABLE_VERSION, type Price, type PriceTable } from '../store/usage.js';

const ANTHROPIC = { source: 'https://www.anthropic.com/pricing (API)', inputIncludesCacheReads: false };
const OPENAI = { source: 'https://openai.com/api/pricing/', inputIncludesCacheReads: true };
const GOOGLE = {
  source: 'https://ai.google.dev/gemini-api/docs/pricing (prompts up to 200k tokens)',
  inputIncludesCacheReads: true,
};

/** The built-in table: list prices of models agents are commonly run with. */
export const BUILTIN_PRICES: PriceTable = {
  schemaVersion: PRICE_TABLE_VERSION,
  name: 'isobench-list-prices-2025-10',
  asOf: '2025-10-01',
  models: {
    'claude-opus-4-1': { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75, ...ANTHROPIC },
    'claude-sonnet-4-5': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, ...ANTHROPIC },
    'claude-sonnet-4': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, ...ANTHROPIC },
    'claude-haiku-4-5': { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25, ...ANTHROPIC },
    'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125, ...OPENAI },
    'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025, ...OPENAI },
    'gpt-5-codex': { input: 1.25, output: 10, cacheRead: 0.125, ...OPENAI },
    'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5, ...OPENAI },
    'gemini-2.5-pro': { input: 1.25, output: 10, cacheRead: 0.31, ...GOOGLE },
    'gemini-2.5-flash': { input: 0.3, output: 2.5, cacheRead: 0.075, ...GOOGLE },
  },
};

/** Reads a price table file; an error names the file and the field. */
export async function readPriceTable(path: string): Promise<PriceTable> {
  const { parseStored } = await import('../store/schema.js');
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${path}: cannot read the price table (${e.code ?? e.message})`);
  });
  return parseStored('price-table', text, path);
}

/** A model's price: its id as given, else without a provider prefix (`anthropic/claude-sonnet-4-5`). */
export function priceOf(table: PriceTable, model: string): Price | null {
  return table.models[model] ?? table.models[model.slice(model.lastIndexOf('/') + 1)] ?? null;
}

/** Tokens as counted (null where unknown). */
interface Tokens {
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly cacheReadTokens: number | null;
  readonly cacheWriteTokens: number | null;
}

/**
 * What the tokens cost at `p`; null without input and output counts. Input tokens are taken as the
 * provider counts them: where they include cache reads (OpenAI, Google), those are priced at the
 * cache-read rate and taken out of the input once.
 */
export function costAt(p: Price, t: Tokens): number | null {
  if (t.inputTokens === null || t.outputTokens === null) return null;
  const read = t.cacheReadTokens ?? 0;
  const write = t.cacheWriteTokens ?? 0;
  const input = p.inputIncludesCacheReads ? Math.max(0, t.inputTokens - read) : t.inputTokens;
  const usd =
    input * p.input +
    t.outputTokens * p.output +
    read * (p.cacheRead ?? p.input) +
    write * (p.cacheWrite ?? p.input);
  return usd / 1e6;
}
