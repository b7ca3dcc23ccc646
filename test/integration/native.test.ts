/**
 * The native agent on the real Anthropic and OpenAI SDKs against a scripted server on 127.0.0.1:
 * Messages, Responses and Chat Completions, each through a scripted edit, budgets and infra failures.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapter } from '../../agents/native/index.js';
import type { AttemptOptions } from '../../src/agent/attempt.js';
import type { Script } from '../../src/agent/scripted-server.js';
import { agentHarness, scriptedAttempt } from '../support/agent-harness.js';
import { isRunning } from '../support/process.js';

const h = agentHarness('native');

const PROVIDERS = [
  {
    label: 'Anthropic Messages',
    options: { provider: 'anthropic' },
    base: (u: string) => u,
    api: 'anthropic',
  },
  {
    label: 'OpenAI Responses',
    options: { provider: 'openai', api: 'responses' },
    base: (u: string) => `${u}/v1`,
    api: 'openai-responses',
  },
  {
    label: 'OpenAI Chat Completions',
    options: { provider: 'openai', api: 'chat' },
    base: (u: string) => `${u}/v1`,
    api: 'openai-chat',
  },
] as const;

describe.each(PROVIDERS)('native agent on $label', (p) => {
  const attempt = (name: string, script: Script | null, over: Partial<AttemptOptions> = {}) => {
    const { options: extra, ...rest } = over;
    return scriptedAttempt(h, adapter, `${p.api}-${name}`, script, {
      apiKey: 'sk-native-planted-0123456789',
      ...rest,
      options: (url) => ({ ...p.options, baseUrl: p.base(url), ...(extra ?? {}) }),
    });
  };

  it('turns scripted tool calls into the harness-computed patch, usage and turns read back', async () => {
    const { record, dir, server } = await attempt('edit', (step, api) => {
      expect(api).toBe(p.api);
      if (step === 0)
        return {
          tools: [{ name: 'view_file', input: { path: 'engine/sampler.py', start_line: 1, end_line: 8 } }],
        };
      if (step === 1)
        return {
          tools: [
            {
              name: 'edit_file',
              input: {
                path: 'engine/sampler.py',
                old_string: 'def top_k(scores, k):',
                new_string: 'def top_k(scores, k):  # faster',
              },
            },
          ],
        };
      if (step === 2)
        return { tools: [{ name: 'bash', input: { command: 'python3 -c "import engine.sampler"' } }] };
      return { tools: [{ name: 'finish', input: { summary: 'annotated' } }] };
    });
    expect(record.outcome.kind, record.outcome.detail).toBe('completed');
    expect(record.model).toBe('scripted-model');
    expect(record.agentVersion).toMatch(/^isobench-native\//);
    expect(record.usage).toMatchObject({ turns: 4, toolCalls: 4, inputTokens: 480, outputTokens: 120 });
    expect(readFileSync(join(dir, 'patch.diff'), 'utf8')).toContain('+def top_k(scores, k):  # faster');
    expect(readFileSync(join(dir, 'trajectory.jsonl'), 'utf8')).toContain('exit code: 0');
    expect(server?.requests.filter((r) => r.step !== null).map((r) => r.step)).toEqual([0, 1, 2, 3]);
  }, 60_000);

  it('stops at the turn limit and at the cost limit', async () => {
    const loop: Script = () => ({ tools: [{ name: 'bash', input: { command: 'true' } }] });
    expect((await attempt('turns', loop, { budgets: { maxTurns: 3 } })).record.outcome.kind).toBe(
      'turn_limit',
    );
    // 120 input + 30 output tokens a turn at $1000 / $1000 per million: $0.15 a turn
    const { record } = await attempt('cost', loop, {
      budgets: { maxCostUsd: 0.4 },
      options: { ...p.options, prices: { input: 1000, output: 1000 } },
    });
    expect(record.outcome.kind, record.outcome.detail).toBe('cost_limit');
    expect(record.usage.costUsd).toBeCloseTo(0.45, 6);
  }, 60_000);

  it('calls 429 and an unreachable API infra', async () => {
    expect((await attempt('429', () => ({ error: { status: 429 } }))).record.outcome.kind).toBe('infra');
    expect((await attempt('down', null)).record.outcome.kind).toBe('infra');
    const bad = await attempt('400', () => ({ error: { status: 400, message: 'bad tool schema' } }));
    expect(bad.record.outcome.kind).toBe('crashed');
  }, 60_000);

  it('kills a command and its children at the time limit: timeout', async () => {
    const pidFile = join(h.root, `${p.api}-child.pid`);
    const { record } = await attempt(
      'timeout',
      () => ({
        tools: [
          {
            name: 'bash',
            input: { command: `python3 -c 'import time; time.sleep(300)' & echo $! > ${pidFile}; wait` },
          },
        ],
      }),
      { budgets: { timeMin: 0.05 } },
    );
    expect(record.outcome.kind, record.outcome.detail).toBe('timeout');
    expect(isRunning(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  }, 60_000);
});
