/**
 * ATIF (Harbor RFC 0001, v1.4): an attempt's events become steps with tool calls and observations,
 * per-step metrics where the agent reported usage per turn, and final metrics; the schema holds the
 * RFC's required fields and rules, and refuses trajectories that break them.
 */
import { describe, expect, it } from 'vitest';
import {
  ATIF_VERSION,
  AtifSchema,
  atifOfAttempt,
  atifProblems,
  eventsOfTrajectory,
} from '../../src/agent/atif.js';
import type { AgentEvent } from '../../src/agent/types.js';
import type { AttemptRecord } from '../../src/store/schema.js';

const record = {
  task: 'demo/cpu-latency',
  agent: 'opencode',
  attempt: 1,
  modelRequested: 'm',
  model: 'm-2026',
  agentVersion: '1.18.33',
  startedAt: '2026-12-07T07:00:00.000Z',
  durationMs: 1234,
  outcome: { kind: 'completed', detail: 'done' },
  usage: {
    inputTokens: 360,
    outputTokens: 90,
    cacheReadTokens: 0,
    cacheWriteTokens: null,
    costUsd: null,
    turns: 3,
    toolCalls: 2,
  },
  patch: { status: 'ok', files: 1, added: 1, removed: 1, binaryFiles: 0, protectedTouched: [] },
} as unknown as AttemptRecord; // the fields ATIF reads; the rest of the record is not used

const events: AgentEvent[] = [
  { type: 'tool_call', tool: 'read', text: '{"filePath":"a.py"}' },
  { type: 'tool_result', tool: 'read', text: 'completed: x = 1' },
  { type: 'usage', text: '{"inputTokens":120,"outputTokens":30,"cacheReadTokens":0,"costUsd":0.15}' },
  { type: 'tool_call', tool: 'edit', text: '{"filePath":"a.py","oldString":"x = 1","newString":"x = 2"}' },
  { type: 'tool_result', tool: 'edit', text: 'completed: Edit applied' },
  { type: 'error', text: 'a retried stream error' },
  { type: 'message', text: 'Done.' },
  { type: 'info', text: 'a stray line' },
];

describe('ATIF', () => {
  const atif = atifOfAttempt(record, 'make it faster', events);

  it('writes the prompt as the user step, each turn as an agent step, errors as system steps', () => {
    expect(atifProblems(atif)).toEqual([]);
    expect(atif.schema_version).toBe(ATIF_VERSION);
    expect(atif.agent).toMatchObject({ name: 'opencode', version: '1.18.33', model_name: 'm-2026' });
    expect(atif.steps.map((s) => [s.step_id, s.source])).toEqual([
      [1, 'user'],
      [2, 'agent'],
      [3, 'agent'],
      [4, 'system'],
      [5, 'agent'],
    ]);
    const [, read, edit] = atif.steps;
    expect(read?.tool_calls).toEqual([
      { tool_call_id: 'call_1', function_name: 'read', arguments: { filePath: 'a.py' } },
    ]);
    expect(read?.observation?.results).toEqual([{ source_call_id: 'call_1', content: 'completed: x = 1' }]);
    expect(read?.metrics).toEqual({
      prompt_tokens: 120,
      completion_tokens: 30,
      cached_tokens: 0,
      cost_usd: 0.15,
    });
    expect(edit?.tool_calls?.[0]?.function_name).toBe('edit');
    expect(edit?.metrics).toBeUndefined();
    expect(atif.steps.at(-1)?.message).toBe('Done.');
    expect(atif.final_metrics).toMatchObject({
      total_prompt_tokens: 360,
      total_completion_tokens: 90,
      total_cached_tokens: 0,
      total_steps: 5,
    });
    expect(atif.final_metrics?.total_cost_usd).toBeUndefined();
    expect(atif.notes).toMatch(/1 line\(s\) of the agent's output/);
  });

  it('reads a stored trajectory.jsonl back into the same events', () => {
    const text = events.map((e) => JSON.stringify(e)).join('\n');
    expect(eventsOfTrajectory(`${text}\nnot json\n`)).toEqual([
      ...events,
      { type: 'info', text: 'not json' },
    ]);
  });

  it('refuses what the RFC forbids', () => {
    const bad = (change: (a: typeof atif) => unknown) => atifProblems(change(structuredClone(atif)));
    expect(bad(({ session_id: _s, ...a }) => a).join()).toMatch(/session_id/);
    expect(bad((a) => ({ ...a, agent: { name: 'x' } })).join()).toMatch(/agent\.version/);
    expect(bad((a) => ({ ...a, steps: [...a.steps].reverse() })).join()).toMatch(/step_id must count from 1/);
    expect(
      bad((a) => ({
        ...a,
        steps: a.steps.map((s) => (s.source === 'user' ? { ...s, model_name: 'x' } : s)),
      })).join(),
    ).toMatch(/agent steps only/);
    expect(
      bad((a) => ({
        ...a,
        steps: a.steps.map((s) =>
          s.observation ? { ...s, observation: { results: [{ source_call_id: 'nope', content: '' }] } } : s,
        ),
      })).join(),
    ).toMatch(/must name a tool call of its step/);
    expect(bad((a) => ({ ...a, steps: [] })).length).toBeGreaterThan(0);
    expect(AtifSchema.safeParse(atif).success).toBe(true);
  });
});
