/**
 * The real Claude Code CLI (pinned version, installed on demand) against a scripted Anthropic server
 * on 127.0.0.1: the harness-computed patch, usage read back, budgets, infra failures, redaction.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { adapter } from '../../agents/claude-code/index.js';
import { readPredictions } from '../../agents/replay/index.js';
import { type AttemptOptions, attemptDir } from '../../src/agent/attempt.js';
import { ensureInstalled } from '../../src/agent/install.js';
import type { Script } from '../../src/agent/scripted-server.js';
import { agentHarness, scriptedAttempt, workspaceOf } from '../support/agent-harness.js';
import { isRunning } from '../support/process.js';

const h = agentHarness('cc');
const KEY = 'sk-ant-planted-0123456789abcdef';
// a long command (the CLI refuses plain `sleep` in its Bash tool)
const WAIT = `python3 -c 'import time; time.sleep(300)'`;

let binary = '';
let version: string | null = null;
beforeAll(async () => {
  const installed = await ensureInstalled(adapter);
  binary = installed.binary as string;
  version = installed.version;
}, 300_000);

const attempt = (name: string, script: Script | null, over: Partial<Omit<AttemptOptions, 'options'>> = {}) =>
  scriptedAttempt(h, adapter, name, script, {
    model: 'claude-sonnet-4-5',
    apiKey: KEY,
    binary,
    agentVersion: version,
    options: (url) => ({ baseUrl: url, maxRetries: 0 }),
    ...over,
  });
const file = (name: string) => join(workspaceOf(h, name, 'claude-code'), 'engine', 'sampler.py');

describe('Claude Code against a scripted model', () => {
  it('turns a scripted edit into the harness-computed patch, with usage, model and version read back', async () => {
    const f = file('edit');
    const { record, dir, server } = await attempt('edit', (step) => {
      if (step === 0) return { tools: [{ name: 'Read', input: { file_path: f } }] };
      if (step === 1)
        return {
          tools: [
            {
              name: 'Edit',
              input: {
                file_path: f,
                old_string: 'def top_k(scores, k):',
                new_string: 'def top_k(scores, k):  # faster',
              },
            },
          ],
        };
      return { text: 'Done: annotated top_k.' };
    });
    expect(record.outcome.kind, record.outcome.detail).toBe('completed');
    expect(record.agentVersion).toBe(version);
    expect(record.model).toBe('claude-sonnet-4-5');
    expect(record.usage.turns).toBe(3);
    expect(record.usage.toolCalls).toBe(2);
    expect(record.usage.inputTokens).toBeGreaterThan(0);
    expect(record.usage.costUsd).toBeGreaterThan(0);
    expect(record.patch).toMatchObject({ status: 'ok', files: 1, added: 1, removed: 1 });
    const patch = readFileSync(join(dir, 'patch.diff'), 'utf8');
    expect(patch).toContain('+def top_k(scores, k):  # faster');
    expect(server?.requests.filter((r) => r.step !== null).map((r) => r.step)).toEqual([0, 1, 2]);
    // the prediction line feeds isobench run through the replay agent
    const read = readPredictions(join(dir, 'prediction.jsonl'), h.tasks, undefined);
    expect(read.problems).toEqual([]);
    expect(read.entries[0]).toMatchObject({ agent: 'claude-code', model: 'claude-sonnet-4-5', patch });
    expect(readFileSync(join(dir, 'trajectory.jsonl'), 'utf8')).toContain('"tool":"Edit"');
    expect(existsSync(join(dir, 'workspace'))).toBe(false);
  }, 120_000);

  it('kills the agent and its children at the time limit: timeout', async () => {
    const pidFile = join(h.root, 'child.pid');
    const { record } = await attempt(
      'timeout',
      (step) =>
        step === 0
          ? {
              tools: [
                {
                  name: 'Bash',
                  input: {
                    command: `${WAIT} & echo $! > ${pidFile}; ${WAIT}`,
                    description: 'long benchmark',
                  },
                },
              ],
            }
          : { text: 'done' },
      { budgets: { timeMin: 0.15 } },
    );
    expect(record.outcome.kind).toBe('timeout');
    expect(record.tries[0]?.durationMs).toBeLessThan(30_000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 500));
    expect(isRunning(pid), `child ${pid} still running`).toBe(false);
  }, 120_000);

  it('calls an unreachable API infra, retried with back-off and not counted against the agent', async () => {
    const { record } = await attempt('unreachable', null, { infraRetries: 1 });
    expect(record.outcome.kind, record.outcome.detail).toBe('infra');
    expect(record.tries.map((t) => t.kind)).toEqual(['infra', 'infra']);
  }, 120_000);

  it('calls HTTP 429 infra', async () => {
    const { record } = await attempt('ratelimit', () => ({
      error: { status: 429, message: 'rate limited' },
    }));
    expect(record.outcome.kind, record.outcome.detail).toBe('infra');
    expect(record.outcome.detail).toMatch(/429|rate/i);
  }, 120_000);

  it('ends at the turn limit: turn_limit', async () => {
    const f = file('turns');
    const { record } = await attempt(
      'turns',
      () => ({ tools: [{ name: 'Read', input: { file_path: f } }] }),
      {
        budgets: { maxTurns: 2 },
      },
    );
    expect(record.outcome.kind, record.outcome.detail).toBe('turn_limit');
    expect(record.patch.status).toBe('no_patch');
  }, 120_000);

  it('ends at the cost budget it reports: cost_limit', async () => {
    const f = file('cost');
    // each scripted call costs about $0.0008 at the CLI's list prices
    const { record } = await attempt('cost', () => ({ tools: [{ name: 'Read', input: { file_path: f } }] }), {
      budgets: { maxCostUsd: 0.002 },
    });
    expect(record.outcome.kind, record.outcome.detail).toBe('cost_limit');
    expect(record.usage.costUsd).toBeGreaterThan(0.002);
  }, 120_000);

  it('never stores the API key, even when the agent writes it into files and logs', async () => {
    const { runDir } = await attempt('secret', (step) =>
      step === 0
        ? {
            tools: [
              {
                name: 'Bash',
                input: {
                  command: 'echo "$ANTHROPIC_API_KEY" > leaked.txt; env | grep -i key; cat leaked.txt',
                  description: 'leak',
                },
              },
            ],
          }
        : { text: `the key is ${KEY}` },
    );
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(runDir);
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(readFileSync(f, 'utf8').includes(KEY), f).toBe(false);
    const patch = readFileSync(join(attemptDir(runDir, 'claude-code', h.task.id, 1), 'patch.diff'), 'utf8');
    expect(patch).toContain('+[REDACTED:API_KEY]');
  }, 120_000);
});
