import { describe, expect, it } from 'vitest';
import { rule } from '../../../src/tamper/rules/workload-defaults.js';
import { viewPatch } from '../../../src/tamper/view.js';
import { patchOf } from './helpers.js';

const ctx = { protectedPaths: [] };
describe('workload-defaults', () => {
  it('warns when a workload default changes value, naming both', () => {
    const f = rule.check(
      viewPatch(
        patchOf(
          'vllm/sampling_params.py',
          ['    max_tokens: Optional[int] = 16,'],
          ['    max_tokens: Optional[int] = 8,'],
        ),
      ),
      ctx,
    );
    expect(f[0]?.message).toBe('changes the default of max_tokens from 16 to 8');
  });
  it('warns on run-time environment overrides', () => {
    expect(
      rule.check(viewPatch(patchOf('vllm/envs.py', [], ['os.environ["VLLM_USE_V1"] = "0"'])), ctx),
    ).toHaveLength(1);
  });
  it('leaves unchanged values, new unrelated assignments and reads alone', () => {
    expect(
      rule.check(
        viewPatch(patchOf('vllm/x.py', ['    temperature = 1.0  # old comment'], ['    temperature = 1.0'])),
        ctx,
      ),
    ).toEqual([]);
    expect(
      rule.check(viewPatch(patchOf('vllm/x.py', [], ['    max_tokens = request.max_tokens'])), ctx),
    ).toEqual([]);
    expect(rule.check(viewPatch(patchOf('vllm/x.py', [], ['v = os.environ.get("VLLM_X")'])), ctx)).toEqual(
      [],
    );
  });
});
