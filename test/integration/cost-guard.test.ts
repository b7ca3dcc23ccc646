/**
 * isobench's own keeper of the cost budget (src/agent/cost-guard.ts) on real processes of the local
 * executor: below the budget nothing is touched; the answer that reaches it stops every process the
 * agent started (and any it starts afterwards), and the outcome becomes cost_limit with the agent's
 * own account kept. The whole path (proxy, real agent CLIs) is in the agent contract suite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { costGuard, costGuardFor } from '../../src/agent/cost-guard.js';
import { BUILTIN_PRICES } from '../../src/agent/prices.js';
import { NO_USAGE } from '../../src/agent/types.js';
import { emptyApiUsage } from '../../src/agent/usage-proxy.js';
import { LocalExecutor } from '../../src/executor/local.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-cost-guard-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const PRICE = { input: 1000, output: 1000, source: 'test', inputIncludesCacheReads: false };
/** The tally after answers totalling `input` and `output` tokens. */
const tally = (input: number, output: number, calls: number) => ({
  ...emptyApiUsage(),
  requests: calls,
  modelCalls: calls,
  inputTokens: input,
  outputTokens: output,
});
const completed = {
  kind: 'completed' as const,
  detail: 'finished after 3 tool call(s)',
  usage: { ...NO_USAGE, inputTokens: 400 },
  model: 'm',
  agentVersion: '1',
  events: [],
  denials: [],
  exitCode: 0,
};

describe('the cost guard', () => {
  it('stops what the agent started once an answer reaches the budget, and says cost_limit', async () => {
    const sandbox = await new LocalExecutor({ root }).open({ name: 'guard', labels: {} });
    try {
      const guard = costGuard(0.4, PRICE, 'test-prices (2026-12-07)');
      const s = guard.guarded(sandbox);
      const io = (n: string) => ({ stdoutPath: join(root, `${n}.out`), stderrPath: join(root, `${n}.err`) });
      const bg = await s.start(['sleep', '60'], io('a'));
      guard.onAnswer(tally(200, 50, 2)); // $0.25: under
      await new Promise((r) => setTimeout(r, 300));
      expect(bg.running()).toBe(true);
      expect(guard.signal.aborted).toBe(false);
      expect(guard.outcome(completed)).toBe(completed);
      guard.onAnswer(tally(300, 100, 3)); // $0.40: reached
      // an agent in isobench's own process is told through the signal
      expect(guard.signal.aborted).toBe(true);
      const r = await bg.done;
      expect(r.exitCode).not.toBe(0);
      // a process started after the stop is stopped too
      const late = await s.exec(['sleep', '60'], io('b'));
      expect(late.exitCode).not.toBe(0);
      const o = guard.outcome(completed);
      expect(o.kind).toBe('cost_limit');
      expect(o.detail).toMatch(
        /^stopped by isobench at the \$0\.4 cost limit: \$0\.4000 after 3 model answer\(s\)/,
      );
      expect(o.detail).toContain('test-prices (2026-12-07)');
      expect(o.detail).toContain('the agent then: completed');
      expect(o.usage).toBe(completed.usage);
    } finally {
      await sandbox.close();
    }
  }, 30_000);

  it('keeps no budget where none is set or the model has no price', () => {
    expect(costGuardFor(null, 'gpt-5', BUILTIN_PRICES)).toBeNull();
    expect(costGuardFor(1, 'no-such-model', BUILTIN_PRICES)).toBeNull();
    expect(costGuardFor(1, 'openai/gpt-5', BUILTIN_PRICES)).not.toBeNull();
  });
});
