/** New module-level caches or memoisation in runtime code: outputs served from memory, not computed. */

import type { TamperRule } from '../types.js';
import { isRuntimeCode } from '../view.js';

const MEMO = /^@(?:functools\.)?(?:lru_cache|cache)\b/;
const MODULE_CACHE =
  /^(_?\w*(?:cache|memo|results?|outputs?|responses?)\w*)\s*(?::[^=]+)?=\s*(?:\{\}|dict\(\)|OrderedDict\(\)|collections\.OrderedDict\(\)|defaultdict\()/i;
const OUTPUTISH = /(generate|forward|sample|decode|complete|request|response|output|logits|predict)/i;

export const rule: TamperRule = {
  id: 'output-cache',
  severity: 'warn',
  title: 'adds a module-level cache or memoises a function that produces outputs',
  check(patch) {
    const out = [];
    for (const a of patch.added) {
      if (!isRuntimeCode(a.file)) continue;
      const cache = MODULE_CACHE.exec(a.text);
      if (cache) {
        out.push({
          rule: 'output-cache',
          severity: 'warn' as const,
          file: a.file,
          line: a.line,
          evidence: a.text.trim().slice(0, 200),
          message: `a new module-level cache (${cache[1]}): results may be served from memory across requests`,
        });
        continue;
      }
      if (MEMO.test(a.text)) {
        // the decorated function: the next added line in the same file and hunk
        const next = patch.added.find(
          (b) =>
            b.file === a.file &&
            b.hunk === a.hunk &&
            b.line > a.line &&
            /^\s*(?:async\s+)?def\s/.test(b.text),
        );
        const name = /def\s+(\w+)/.exec(next?.text ?? '')?.[1] ?? '';
        if (OUTPUTISH.test(name))
          out.push({
            rule: 'output-cache',
            severity: 'warn' as const,
            file: a.file,
            line: a.line,
            evidence: `${a.text.trim()} ${next?.text.trim() ?? ''}`.slice(0, 200),
            message: `memoises ${name}, which produces outputs`,
          });
      }
    }
    return out;
  },
};
