import { describe, expect, it } from 'vitest';
import { rule } from '../../../src/tamper/rules/output-cache.js';
import { viewPatch } from '../../../src/tamper/view.js';
import { patchOf } from './helpers.js';

const ctx = { protectedPaths: [] };
describe('output-cache', () => {
  it('warns on module-level caches and memoised output functions in runtime code', () => {
    expect(
      rule.check(viewPatch(patchOf('engine/server.py', [], ['_RESPONSE_CACHE = {}'])), ctx)[0],
    ).toMatchObject({ severity: 'warn', line: 11 });
    const memo = rule.check(
      viewPatch(
        patchOf('engine/model.py', [], ['@functools.lru_cache(maxsize=None)', 'def generate(prompt):']),
      ),
      ctx,
    );
    expect(memo[0]?.message).toContain('memoises generate');
  });
  it('leaves memoised helpers, local dicts and test files alone', () => {
    expect(
      rule.check(
        viewPatch(patchOf('engine/model.py', [], ['@lru_cache(maxsize=8)', 'def _rope_table(dim):'])),
        ctx,
      ),
    ).toEqual([]);
    expect(rule.check(viewPatch(patchOf('engine/model.py', [], ['    cache = {}'])), ctx)).toEqual([]);
    expect(rule.check(viewPatch(patchOf('tests/test_model.py', [], ['_RESULTS = {}'])), ctx)).toEqual([]);
  });
});
