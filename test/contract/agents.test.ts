/**
 * The agent contract suite's coverage: one driver for each agent agents/index.ts knows, and every agent
 * dealt into one of the shard files that run the contract (agent-contract.ts, agents-shard-N.test.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownAgents } from '../../agents/index.js';
import { SHARDS, shardAgents } from './agent-contract.js';
import { DRIVERS } from './agent-drivers.js';

describe('the agent contract covers every agent', () => {
  it('has one driver for each agent agents/index.ts knows, and none for an agent it does not', () => {
    expect(Object.keys(DRIVERS).sort()).toEqual([...knownAgents()].sort());
  });

  it('deals every agent into exactly one shard, and each shard has its test file', () => {
    const dealt = Array.from({ length: SHARDS }, (_, k) => shardAgents(k)).flat();
    expect(dealt.sort()).toEqual([...knownAgents()].sort());
    for (let k = 0; k < SHARDS; k++)
      expect(existsSync(join(import.meta.dirname, `agents-shard-${k}.test.ts`)), `shard ${k}`).toBe(true);
  });
});
