/**
 * The real Codex CLI (pinned version, installed on demand) against a scripted OpenAI Responses server
 * on 127.0.0.1: the harness-computed patch, usage and steps read back, budgets, infra failures.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapter } from '../../agents/codex/index.js';
import type { AttemptOptions } from '../../src/agent/attempt.js';
import { ensureInstalled } from '../../src/agent/install.js';
import type { Script } from '../../src/agent/scripted-server.js';
import { agentHarness, scriptedAttempt } from '../support/agent-harness.js';
import { isRunning } from '../support/process.js';

const h = agentHarness('codex');
const KEY = 'sk-proj-planted-0123456789abcdef';
const WAIT = `python3 -c 'import time; time.sleep(300)'`;

let binary = '';
beforeAll(async () => {
  binary = (await ensureInstalled(adapter)).binary as string;
}, 300_000);

const attempt = (name: string, script: Script | null, over: Partial<Omit<AttemptOptions, 'options'>> = {}) =>
  scriptedAttempt(h, adapter, name, script, {
    model: 'gpt-5.5',
    apiKey: KEY,
    binary,
    options: (url) => ({ baseUrl: `${url}/v1`, networkGiveUpS: 5 }),
    ...over,
  });

describe('Codex CLI against a scripted model', () => {
  it('turns a scripted apply_patch into the harness-computed patch, with usage, model and version', async () => {
    const { record, dir, server } = await attempt('edit', (step) => {
      if (step === 0) return { tools: [{ name: 'exec_command', input: { cmd: 'cat engine/sampler.py' } }] };
      if (step === 1)
        return {
          tools: [
            {
              name: 'apply_patch',
              custom: true,
              input:
                '*** Begin Patch\n*** Update File: engine/sampler.py\n@@\n-def top_k(scores, k):\n+def top_k(scores, k):  # faster\n*** End Patch\n',
            },
          ],
        };
      return { text: 'Annotated top_k.' };
    });
    expect(record.outcome.kind, record.outcome.detail).toBe('completed');
    expect(record.agentVersion).toBe('0.171.0');
    expect(record.model).toBe('gpt-5.5');
    expect(record.usage.toolCalls).toBe(2);
    expect(record.usage.inputTokens).toBeGreaterThan(0);
    expect(record.usage.costUsd).toBeNull();
    expect(record.patch).toMatchObject({ status: 'ok', files: 1, added: 1, removed: 1 });
    expect(readFileSync(join(dir, 'patch.diff'), 'utf8')).toContain('+def top_k(scores, k):  # faster');
    expect(server?.requests.filter((r) => r.step !== null).map((r) => r.step)).toEqual([0, 1, 2]);
    // the key reached the server as the provider's key, and no stored file holds it
    expect(server?.requests.some((r) => String(r.headers.authorization).includes(KEY))).toBe(true);
    expect(readFileSync(join(dir, 'logs', 'try-1', 'agent.stdout.jsonl'), 'utf8')).not.toContain(KEY);
  }, 120_000);

  it('stops it at the step budget: turn_limit', async () => {
    const { record } = await attempt(
      'turns',
      () => ({ tools: [{ name: 'exec_command', input: { cmd: 'ls' } }] }),
      {
        budgets: { maxTurns: 3 },
      },
    );
    expect(record.outcome.kind, record.outcome.detail).toBe('turn_limit');
    expect(record.usage.toolCalls).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('kills it and its children at the time limit: timeout', async () => {
    const pidFile = join(h.root, 'codex-child.pid');
    const { record } = await attempt(
      'timeout',
      (step) =>
        step === 0
          ? {
              tools: [
                {
                  name: 'exec_command',
                  input: { cmd: `${WAIT} & echo $! > ${pidFile}; ${WAIT}`, yield_time_ms: 600000 },
                },
              ],
            }
          : { text: 'done' },
      { budgets: { timeMin: 0.15 } },
    );
    expect(record.outcome.kind, record.outcome.detail).toBe('timeout');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 500));
    expect(isRunning(pid), `child ${pid} still running`).toBe(false);
  }, 120_000);

  it('calls HTTP 429 infra', async () => {
    const { record } = await attempt('ratelimit', () => ({ error: { status: 429 } }));
    expect(record.outcome.kind, record.outcome.detail).toBe('infra');
    expect(record.outcome.detail).toMatch(/429/);
  }, 120_000);

  it('calls an unreachable API infra (Codex retries forever; the adapter gives up)', async () => {
    const { record } = await attempt('unreachable', null);
    expect(record.outcome.kind, record.outcome.detail).toBe('infra');
    expect(record.tries[0]?.durationMs).toBeLessThan(60_000);
  }, 120_000);
});
