/** A command-line agent described by a spec file only (agents/example-command), against the scripted server. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { knownAgents, resolveAgent } from '../../agents/index.js';
import { type AttemptOptions, attemptDir, runAttempt } from '../../src/agent/attempt.js';
import type { Script } from '../../src/agent/scripted-server.js';
import type { AgentAdapter } from '../../src/agent/types.js';
import { agentHarness, scriptedAttempt } from '../support/agent-harness.js';

const h = agentHarness('cmd');
let adapter: AgentAdapter;
beforeAll(async () => {
  adapter = await resolveAgent('example-command');
});

const attempt = (name: string, script: Script | null, over: Partial<Omit<AttemptOptions, 'options'>> = {}) =>
  scriptedAttempt(h, adapter, name, script, {
    apiKey: 'sk-cmd-planted-0123456789',
    ...over,
    options: (url) => ({ baseUrl: `${url}/v1` }),
  });

describe('a command agent from its spec file', () => {
  it('is found by name among the known agents', () => {
    expect(knownAgents()).toEqual(
      expect.arrayContaining(['claude-code', 'codex', 'native', 'trae', 'example-command']),
    );
    expect(adapter.name).toBe('example-command');
  });

  it('edits the workspace; usage, model and version come from its output as the spec says', async () => {
    const { record, dir } = await attempt('edit', (step, api) => {
      expect(api).toBe('openai-chat');
      return step === 0
        ? {
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
          }
        : { tools: [{ name: 'done', input: {} }] };
    });
    expect(record.outcome.kind, record.outcome.detail).toBe('completed');
    expect(record.usage).toMatchObject({ inputTokens: 240, outputTokens: 60, turns: 2, toolCalls: 2 });
    expect(record.model).toBe('scripted-model');
    expect(record.agentVersion).toBe('example-command/1');
    expect(readFileSync(join(dir, 'patch.diff'), 'utf8')).toContain('+def top_k(scores, k):  # faster');
  }, 60_000);

  it('maps its turn-limit line, a 429 and an unreachable API to outcomes', async () => {
    const loop: Script = () => ({
      tools: [
        { name: 'edit_file', input: { path: 'engine/sampler.py', old_string: 'zzz', new_string: 'y' } },
      ],
    });
    expect((await attempt('turns', loop, { budgets: { maxTurns: 2 } })).record.outcome.kind).toBe(
      'turn_limit',
    );
    expect((await attempt('429', () => ({ error: { status: 429 } }))).record.outcome.kind).toBe('infra');
    expect((await attempt('down', null)).record.outcome.kind).toBe('infra');
  }, 60_000);

  it('gets a fresh HOME, a minimal environment and only its own provider key', async () => {
    const spec = join(h.root, 'env-agent.json');
    writeFileSync(
      spec,
      JSON.stringify({
        schemaVersion: 1,
        name: 'env-dump',
        command: ['sh', '-c', 'env > "{log_dir}/env.txt"'],
        provider: 'openai',
        keyEnv: 'MY_AGENT_KEY',
        passEnv: ['TZ', 'ANTHROPIC_API_KEY'],
      }),
    );
    const dumper = await resolveAgent(spec);
    process.env.ANTHROPIC_API_KEY = 'sk-ant-other-provider-0123456789';
    process.env.ISOBENCH_SECRET_SETTING = 'harness-only';
    try {
      const r = await runAttempt({
        task: h.task,
        adapter: dumper,
        mirror: h.mirror,
        runDir: join(h.root, 'env'),
        attempt: 1,
        model: 'm',
        apiKey: 'sk-own-0123456789abc',
        binary: null,
      });
      expect(r.outcome.kind).toBe('completed');
      const env = readFileSync(
        join(attemptDir(join(h.root, 'env'), 'env-dump', h.task.id, 1), 'logs', 'try-1', 'env.txt'),
        'utf8',
      );
      const names = env.split('\n').map((l) => l.split('=')[0]);
      expect(names).toContain('MY_AGENT_KEY');
      expect(env).toContain('MY_AGENT_KEY=[REDACTED:API_KEY]');
      expect(env).toMatch(/^HOME=.*\/home$/m);
      // another provider's key is never passed, even when the spec asks; nor is the harness's own environment
      expect(env).not.toContain('sk-ant-other-provider');
      expect(names).not.toContain('ANTHROPIC_API_KEY');
      expect(names).not.toContain('ISOBENCH_SECRET_SETTING');
    } finally {
      delete process.env.ANTHROPIC_API_KEY;
      delete process.env.ISOBENCH_SECRET_SETTING;
    }
  });

  it('refuses a spec with a bad field, naming the file and the field', async () => {
    const bad = join(h.root, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ schemaVersion: 1, name: 'Bad Name', command: ['x'], provider: null }),
    );
    await expect(resolveAgent(bad)).rejects.toThrow(`${bad}: name: expected a lowercase agent name`);
    await expect(resolveAgent('no-such-agent')).rejects.toThrow(
      /unknown agent 'no-such-agent': known agents are claude-code, codex/,
    );
  });
});
