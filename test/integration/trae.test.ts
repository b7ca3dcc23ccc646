/**
 * The TRAE adapter against a stand-in `trae-cli` that keeps the real contract (test/fakes/trae-cli),
 * with the scripted server behind it; and its judge on the four real ISO-Bench TRAE trajectories.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapter, judgeTrajectory } from '../../agents/trae/index.js';
import type { AttemptOptions } from '../../src/agent/attempt.js';
import type { Script } from '../../src/agent/scripted-server.js';
import { agentHarness, scriptedAttempt } from '../support/agent-harness.js';
import { dataPath, HAVE_SHARED_DATA, PROJECT_ROOT } from '../support/shared-data.js';

const STAND_IN = join(PROJECT_ROOT, 'test/fakes/trae-cli/trae-cli');
const h = agentHarness('trae');

describe('the trae-cli stand-in keeps the contract', () => {
  it('exits 1 when the config file is missing, 0 otherwise even when the run fails', () => {
    const missing = spawnSync(
      STAND_IN,
      ['run', 'x', '--working-dir', h.root, '--config-file', join(h.root, 'nope.yaml')],
      { encoding: 'utf8' },
    );
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('Config file not found');
  });
});

describe.each(['openai', 'anthropic'] as const)('TRAE adapter (%s provider)', (provider) => {
  const attempt = (
    name: string,
    script: Script | null,
    over: Partial<Omit<AttemptOptions, 'options'>> = {},
  ) =>
    scriptedAttempt(h, adapter, `${provider}-${name}`, script, {
      apiKey: 'sk-trae-planted-0123456789',
      binary: STAND_IN,
      ...over,
      options: (url) => ({ provider, baseUrl: provider === 'openai' ? `${url}/v1` : url }),
    });

  it('turns a scripted edit into the harness-computed patch; judged from the trajectory', async () => {
    const { record, dir } = await attempt('edit', (step) => {
      if (step === 0)
        return {
          tools: [
            {
              name: 'str_replace_based_edit_tool',
              input: {
                command: 'str_replace',
                path: 'engine/sampler.py',
                old_str: 'def top_k(scores, k):',
                new_str: 'def top_k(scores, k):  # faster',
              },
            },
          ],
        };
      return { tools: [{ name: 'task_done', input: {} }] };
    });
    expect(record.outcome.kind, record.outcome.detail).toBe('completed');
    expect(record.model).toBe('scripted-model');
    expect(record.agentVersion).toBe('trae-agent@0.1.0');
    expect(record.usage).toMatchObject({ turns: 2, toolCalls: 2, inputTokens: 240, outputTokens: 60 });
    expect(readFileSync(join(dir, 'patch.diff'), 'utf8')).toContain('+def top_k(scores, k):  # faster');
    // the key was in TRAE's config file, which is not kept; nothing stored holds it
    expect(readdirSync(dir)).not.toContain('home');
  }, 60_000);

  it('reads max steps, 429 and an unreachable API from the trajectory, not the exit code', async () => {
    const loop = await attempt('steps', () => ({ tools: [{ name: 'bash', input: { command: 'true' } }] }), {
      budgets: { maxTurns: 3 },
    });
    expect(loop.record.outcome.kind, loop.record.outcome.detail).toBe('turn_limit');
    const limited = await attempt('429', () => ({ error: { status: 429, message: 'quota' } }));
    expect(limited.record.outcome).toMatchObject({ kind: 'infra' });
    expect(limited.record.outcome.detail).toContain('429');
    expect((await attempt('down', null)).record.outcome.kind).toBe('infra');
  }, 60_000);
});

describe.skipIf(!HAVE_SHARED_DATA)('the real ISO-Bench TRAE trajectories', () => {
  it('are all 429 quota failures with no tool call (infra), one of them recorded by the original as a success with a patch', () => {
    const runs = readdirSync(dataPath('agent-runs', 'trae_gpt5'));
    expect(runs.length).toBe(4);
    const claimed: string[] = [];
    for (const r of runs) {
      const t = JSON.parse(readFileSync(dataPath('agent-runs', 'trae_gpt5', r, 'trajectory.json'), 'utf8'));
      const judged = judgeTrajectory(t, { maxTurns: 120 });
      expect(judged.kind, r).toBe('infra');
      expect(judged.detail).toContain('insufficient_quota');
      const summary = JSON.parse(
        readFileSync(dataPath('agent-runs', 'trae_gpt5', r, 'run_summary.json'), 'utf8'),
      );
      expect(judged.usage.toolCalls).toBe(0);
      if (summary.agent.status === 'success') {
        claimed.push(r);
        // a run that made no tool call wrote no patch: this one came from somewhere else
        expect(summary.agent.patch_stats.lines_added).toBeGreaterThan(0);
      }
    }
    expect(claimed).toEqual(['015069b0']);
  });
});
