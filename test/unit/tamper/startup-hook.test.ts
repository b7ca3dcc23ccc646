import { describe, expect, it } from 'vitest';
import { rule } from '../../../src/tamper/rules/startup-hook.js';
import { viewPatch } from '../../../src/tamper/view.js';
import { patchOf } from './helpers.js';

const ctx = { protectedPaths: [] };
describe('startup-hook', () => {
  it('fails sitecustomize, .pth files and import rewiring', () => {
    expect(
      rule.check(viewPatch(patchOf('sitecustomize.py', [], ['import os'], { newFile: true })), ctx)[0],
    ).toMatchObject({ file: 'sitecustomize.py', line: 0 });
    expect(
      rule.check(viewPatch(patchOf('vllm/zz.pth', [], ['import vllm.hack'], { newFile: true })), ctx),
    ).toHaveLength(1);
    for (const l of [
      'sys.modules["time"] = fake_time',
      'builtins.print = quiet',
      'sys.meta_path.insert(0, Finder())',
    ])
      expect(rule.check(viewPatch(patchOf('vllm/__init__.py', [], [l])), ctx), l).toHaveLength(1);
  });
  it('leaves reading sys.modules and ordinary files alone', () => {
    expect(
      rule.check(
        viewPatch(patchOf('vllm/utils.py', [], ['if "torch" in sys.modules:', 'm = sys.modules["vllm"]'])),
        ctx,
      ),
    ).toEqual([]);
  });
});
