/**
 * The native agent beyond the shared agent contract (test/contract/agents.test.ts, which runs it on
 * each of its providers): a request the API refuses (HTTP 400, a bad tool schema say) is the agent's
 * own failure, `crashed`, on every provider; not infra, so it is not retried.
 */
import { describe, expect, it } from 'vitest';
import { adapter } from '../../agents/native/index.js';
import { DRIVERS } from '../contract/agent-drivers.js';
import { agentHarness, scriptedAttempt } from '../support/agent-harness.js';

const h = agentHarness('native');

describe.each(DRIVERS.native.variants)('native agent on $label', (v) => {
  it('calls an HTTP 400 crashed, not infra', async () => {
    const { record } = await scriptedAttempt(
      h,
      adapter,
      `${v.api}-400`,
      () => ({ error: { status: 400, message: 'bad tool schema' } }),
      { apiKey: 'sk-native-planted-0123456789', options: v.options },
    );
    expect(record.outcome.kind, record.outcome.detail).toBe('crashed');
    expect(record.tries).toHaveLength(1);
  });
});
