import { describe, expect, it } from 'vitest';
import { rule } from '../../../src/tamper/rules/protected-path.js';
import { viewPatch } from '../../../src/tamper/view.js';
import { patchOf } from './helpers.js';

const ctx = { protectedPaths: ['benchmarks/', 'tests/'] };
describe('protected-path', () => {
  it('fails edits under a protected path, file-level', () => {
    const f = rule.check(viewPatch(patchOf('benchmarks/benchmark_latency.py', ['x = 1'], ['x = 2'])), ctx);
    expect(f).toEqual([
      expect.objectContaining({
        rule: 'protected-path',
        severity: 'fail',
        file: 'benchmarks/benchmark_latency.py',
        line: 0,
      }),
    ]);
  });
  it('leaves other paths alone, including look-alikes', () => {
    expect(rule.check(viewPatch(patchOf('vllm/benchmarks_utils.py', ['x = 1'], ['x = 2'])), ctx)).toEqual([]);
    expect(rule.check(viewPatch(patchOf('vllm/engine.py', ['x = 1'], ['x = 2'])), ctx)).toEqual([]);
  });
});
