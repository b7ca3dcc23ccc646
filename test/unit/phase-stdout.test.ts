import { describe, expect, it } from 'vitest';
import { readStdout } from '../../src/bench/phase.js';

const BLOCK = `============ Serving Benchmark Result ============
Successful requests:                     100
Request throughput (req/s):              0.97
Output token throughput (tok/s):         124.10
Mean TTFT (ms):                          25.71
Median TTFT (ms):                        24.33
==================================================
`;

describe("a bench phase's stdout", () => {
  it('grades a whole block', () => {
    const r = readStdout('serving', `INFO x\n${BLOCK}`);
    expect(r.problem).toBe('');
    expect(r.fromStdout.ttft_mean).toEqual({ value: 25.71, unit: 'ms', direction: 'lower' });
  });

  it('does not grade a block the parser reads only as the cut start of a published output', () => {
    const cut = BLOCK.slice(BLOCK.indexOf('Request throughput'));
    const r = readStdout('serving', cut);
    // the parser would read it, flagged, for published data
    expect(r.parsed).toMatchObject({ ok: true, truncated: expect.stringMatching(/starts inside/) });
    expect(r.fromStdout).toEqual({});
    expect(r.problem).toMatch(/^truncated: .*stored whole, so a block without its start is not graded$/);
  });

  it('names the parse failure when there is no block', () => {
    const r = readStdout('serving', 'Traceback (most recent call last):\nValueError: boom\n');
    expect(r.problem).toMatch(/^crashed: /);
    expect(r.fromStdout).toEqual({});
  });
});
