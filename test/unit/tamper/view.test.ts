import { describe, expect, it } from 'vitest';
import { DEFAULT_TAMPER_POLICY, refuses, scanPatch, TAMPER_RULES } from '../../../src/tamper/registry.js';
import { viewPatch } from '../../../src/tamper/view.js';
import { patchOf } from './helpers.js';

describe('patch view and registry', () => {
  it('numbers added and removed lines as in the new and old files', () => {
    const v = viewPatch(
      `diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -3,3 +3,4 @@\n keep\n-old\n+new1\n+new2\n keep\n`,
    );
    expect(v.files).toEqual([{ path: 'a.py', status: 'modified' }]);
    expect(v.removed).toEqual([{ file: 'a.py', line: 4, text: 'old', hunk: 0 }]);
    expect(v.added.map((a) => [a.line, a.text])).toEqual([
      [4, 'new1'],
      [5, 'new2'],
    ]);
  });
  it('has one rule per id, and refuses at fail findings under the default policy', () => {
    expect(new Set(TAMPER_RULES.map((r) => r.id)).size).toBe(TAMPER_RULES.length);
    const warnOnly = scanPatch(patchOf('vllm/x.py', [], ['pool = ThreadPoolExecutor(2)']), {
      protectedPaths: [],
    });
    expect(refuses(warnOnly, DEFAULT_TAMPER_POLICY)).toBe(false);
    expect(refuses(warnOnly, { refuseAt: 'warn' })).toBe(true);
    const failing = scanPatch(patchOf('vllm/x.py', [], ['time.perf_counter = lambda: 0']), {
      protectedPaths: [],
    });
    expect(refuses(failing)).toBe(true);
    expect(refuses(failing, { refuseAt: 'never' })).toBe(false);
  });
});
