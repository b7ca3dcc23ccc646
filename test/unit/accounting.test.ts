import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settleUsage } from '../../src/agent/accounting.js';
import { apiUsageRecord } from '../../src/agent/api-usage.js';
import { BUILTIN_PRICES, costAt, priceOf, readPriceTable } from '../../src/agent/prices.js';
import { NO_USAGE } from '../../src/agent/types.js';
import { emptyApiUsage } from '../../src/agent/usage-proxy.js';
import { parseStored } from '../../src/store/schema.js';
import type { PriceTable } from '../../src/store/usage.js';

const table: PriceTable = {
  schemaVersion: 1,
  name: 'test-prices',
  asOf: '2026-12-01',
  models: {
    'claude-x': {
      input: 3,
      output: 15,
      cacheRead: 0.3,
      cacheWrite: 3.75,
      inputIncludesCacheReads: false,
      source: 's',
    },
    'gpt-x': { input: 1, output: 10, cacheRead: 0.1, inputIncludesCacheReads: true, source: 's' },
  },
};
const price = (m: string) => {
  const p = priceOf(table, m);
  if (!p) throw new Error(`no price for ${m}`);
  return p;
};
const tokens = {
  ...NO_USAGE,
  inputTokens: 1_000_000,
  outputTokens: 100_000,
  cacheReadTokens: 400_000,
  cacheWriteTokens: 0,
};

describe('cost from a price table', () => {
  it('prices cache reads at their rate, taken out of the input where the provider counts them in it', () => {
    // Anthropic: 1M input + 0.1M output + 0.4M cache reads, each at its own rate
    expect(costAt(price('claude-x'), tokens)).toBeCloseTo(3 + 1.5 + 0.12, 10);
    // OpenAI: 0.6M uncached input, 0.4M cached
    expect(costAt(price('gpt-x'), tokens)).toBeCloseTo(0.6 + 1 + 0.04, 10);
    expect(costAt(price('gpt-x'), { ...tokens, outputTokens: null })).toBeNull();
  });

  it('finds a model with a provider prefix, and the built-in table parses as a stored table', () => {
    expect(priceOf(table, 'openai/gpt-x')?.input).toBe(1);
    expect(priceOf(table, 'gpt-y')).toBeNull();
    expect(parseStored('price-table', JSON.stringify(BUILTIN_PRICES), 'builtin').name).toBe(
      BUILTIN_PRICES.name,
    );
  });

  it('names the file and the field of a bad table, and an unreadable one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prices-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        ...table,
        models: { m: { input: -1, output: 1, inputIncludesCacheReads: true, source: 's' } },
      }),
    );
    await expect(readPriceTable(bad)).rejects.toThrow(/bad\.json.*models\.m\.input/);
    await expect(readPriceTable(join(dir, 'none.json'))).rejects.toThrow(
      /none\.json: cannot read the price table \(ENOENT\)/,
    );
  });
});

describe('usage settled', () => {
  it("keeps the agent's cost; fills a missing one from the table, naming it", () => {
    const own = settleUsage({ ...tokens, costUsd: 9 }, null, ['gpt-x', null], table);
    expect(own.usage.costUsd).toBe(9);
    expect(own.accounting).toEqual({
      tokensFrom: 'agent',
      costFrom: 'agent',
      priceTable: null,
      disagreements: [],
    });
    const priced = settleUsage(tokens, null, ['unpriced', 'gpt-x'], table);
    expect(priced.usage.costUsd).toBeCloseTo(1.64, 10);
    expect(priced.accounting.costFrom).toBe('price_table');
    expect(priced.accounting.priceTable).toBe('test-prices (2026-12-01)');
    expect(settleUsage(NO_USAGE, null, ['gpt-x'], table).accounting).toMatchObject({
      tokensFrom: 'none',
      costFrom: 'none',
    });
  });

  it("takes the API's counts where the proxy measured them, with the agent's differing counts named", () => {
    const counted = {
      ...emptyApiUsage(),
      requests: 2,
      modelCalls: 2,
      inputTokens: 1_000_000,
      outputTokens: 120_000,
    };
    const api = apiUsageRecord('http://127.0.0.1:1/v1', [counted], { ...tokens, cacheReadTokens: 0 });
    const s = settleUsage({ ...tokens, cacheReadTokens: 0 }, api, ['gpt-x'], table);
    expect(s.usage.outputTokens).toBe(120_000);
    expect(s.accounting.tokensFrom).toBe('both');
    expect(s.accounting.disagreements).toEqual([{ field: 'outputTokens', agent: 100_000, api: 120_000 }]);
    const alone = settleUsage(NO_USAGE, apiUsageRecord('u', [counted], NO_USAGE), ['gpt-x'], table);
    expect(alone.accounting.tokensFrom).toBe('proxy');
    expect(alone.usage.costUsd).toBeCloseTo(1 + 1.2, 10);
  });
});
