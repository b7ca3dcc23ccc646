/** Code that Python runs before anything else (sitecustomize, .pth files) or that rewires imports. */
import type { TamperRule } from '../types.js';

const FILES = /(^|\/)(sitecustomize|usercustomize)\.py$|\.pth$/;
const LINES: ReadonlyArray<[RegExp, string]> = [
  [/\bsys\.modules\s*\[[^\]]+\]\s*=(?!=)/, 'replaces a module in sys.modules'],
  [/\bsys\.modules\.(?:update|setdefault)\(/, 'replaces modules in sys.modules'],
  [/\bbuiltins\.\w+\s*=(?!=)/, 'replaces a builtin'],
  [/\bsys\.(?:meta_path|path_hooks)\.(?:insert|append)\(/, 'installs an import hook'],
];

export const rule: TamperRule = {
  id: 'startup-hook',
  severity: 'fail',
  title: 'adds interpreter start-up hooks or rewires imports (sitecustomize, .pth, sys.modules, builtins)',
  check(patch) {
    const out = [];
    for (const f of patch.files)
      if (FILES.test(f.path) && f.status !== 'deleted')
        out.push({
          rule: 'startup-hook',
          severity: 'fail' as const,
          file: f.path,
          line: 0,
          evidence: `${f.status} ${f.path}`,
          message: 'Python runs this file at start-up, before the benchmark',
        });
    for (const a of patch.added) {
      if (/^\s*#/.test(a.text)) continue;
      const hit = LINES.find(([re]) => re.test(a.text));
      if (hit)
        out.push({
          rule: 'startup-hook',
          severity: 'fail' as const,
          file: a.file,
          line: a.line,
          evidence: a.text.trim().slice(0, 200),
          message: hit[1],
        });
    }
    return out;
  },
};
