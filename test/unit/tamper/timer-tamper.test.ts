import { describe, expect, it } from 'vitest';
import { rule } from '../../../src/tamper/rules/timer-tamper.js';
import { viewPatch } from '../../../src/tamper/view.js';
import { patchOf } from './helpers.js';

const ctx = { protectedPaths: [] };
const hits = (lines: string[]) => rule.check(viewPatch(patchOf('vllm/engine/llm_engine.py', [], lines)), ctx);

describe('timer-tamper', () => {
  it('fails replaced clocks, with file, line and evidence', () => {
    for (const l of [
      'time.perf_counter = lambda: 0.0',
      '    time.time = _fast_time',
      'torch.cuda.synchronize = lambda *a: None',
      'setattr(time, "perf_counter", fake)',
      '@mock.patch("time.perf_counter", return_value=0)',
      'def perf_counter():',
      'from time import perf_counter as _real_perf_counter',
    ])
      expect(hits([l]), l).toEqual([
        expect.objectContaining({ rule: 'timer-tamper', severity: 'fail', line: 11, evidence: l.trim() }),
      ]);
  });
  it('leaves ordinary use of the clocks alone', () => {
    expect(
      hits([
        'start = time.perf_counter()',
        'if time.time() == t0:',
        'torch.cuda.synchronize()',
        '# time.perf_counter = x',
        'e = torch.cuda.Event(enable_timing=True)',
      ]),
    ).toEqual([]);
  });
});
