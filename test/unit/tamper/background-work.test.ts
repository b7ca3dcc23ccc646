import { describe, expect, it } from 'vitest';
import { rule } from '../../../src/tamper/rules/background-work.js';
import { viewPatch } from '../../../src/tamper/view.js';
import { patchOf } from './helpers.js';

const ctx = { protectedPaths: [] };
describe('background-work', () => {
  it('warns on threads, pools, processes, CUDA streams and tasks in runtime code', () => {
    for (const l of [
      'threading.Thread(target=warm, daemon=True).start()',
      'pool = ThreadPoolExecutor(4)',
      'multiprocessing.Process(target=f)',
      'side = torch.cuda.Stream()',
      'with torch.cuda.stream(side):',
      'asyncio.create_task(prefetch())',
    ])
      expect(rule.check(viewPatch(patchOf('vllm/worker/model_runner.py', [], [l])), ctx), l).toEqual([
        expect.objectContaining({ rule: 'background-work', severity: 'warn' }),
      ]);
  });
  it('ignores tests and comments', () => {
    expect(
      rule.check(viewPatch(patchOf('tests/test_x.py', [], ['threading.Thread(target=f)'])), ctx),
    ).toEqual([]);
    expect(rule.check(viewPatch(patchOf('vllm/x.py', [], ['# threading.Thread(target=f)'])), ctx)).toEqual(
      [],
    );
  });
});
