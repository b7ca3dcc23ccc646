/**
 * Credentials refused are the user's configuration, never the infrastructure's (issue 21: Claude
 * Code's `authentication_failed` was retried three times with back-off and classed infra). Each
 * adapter's own reading of a refusal ends `config_error`; a rate limit stays `infra`.
 */
import { describe, expect, it } from 'vitest';
import { claudeOutcome, readClaudeStream } from '../../agents/claude-code/index.js';
import { judgeTrajectory } from '../../agents/trae/index.js';
import { isInfraStatus } from '../../src/agent/types.js';

const budgets = { timeMin: 5, maxTurns: 10, maxCostUsd: null };
const stream = (result: Record<string, unknown>) =>
  readClaudeStream(`${JSON.stringify({ type: 'result', is_error: true, num_turns: 0, ...result })}\n`);

describe('a refused key', () => {
  it('Claude Code: a 401 result or its authentication_failed text is config_error; a 429 is infra', () => {
    const exit = { exitCode: 1, timedOut: false };
    expect(
      claudeOutcome(stream({ api_error_status: 401, result: 'Invalid API key' }), exit, '', budgets).kind,
    ).toBe('config_error');
    expect(
      claudeOutcome(
        stream({ result: 'API Error: authentication_failed · Please run /login' }),
        exit,
        '',
        budgets,
      ).kind,
    ).toBe('config_error');
    expect(
      claudeOutcome(stream({ api_error_status: 429, result: 'rate limited' }), exit, '', budgets).kind,
    ).toBe('infra');
  });

  it('TRAE: "Error code: 401" is config_error, "Error code: 429" infra', () => {
    const t = (error: string) =>
      judgeTrajectory({ success: false, agent_steps: [{ error }] } as never, { maxTurns: 10 });
    expect(t('Error code: 401 - invalid api key').kind).toBe('config_error');
    expect(t('Error code: 429 - rate limit').kind).toBe('infra');
  });

  it('401 and 403 are no longer infrastructure statuses', () => {
    expect([401, 403, 408, 429, 500, 503].map(isInfraStatus)).toEqual([false, false, true, true, true, true]);
  });
});
