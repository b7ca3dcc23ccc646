/** Edits under the task's protected paths (benchmark scripts, tests): the measurement itself. */
import type { TamperRule } from '../types.js';

export const rule: TamperRule = {
  id: 'protected-path',
  severity: 'fail',
  title: 'edits a protected path (benchmark scripts, tests)',
  check(patch, ctx) {
    return patch.files
      .filter((f) =>
        ctx.protectedPaths.some(
          (p) => f.path === p.replace(/\/$/, '') || f.path.startsWith(p.endsWith('/') ? p : `${p}/`),
        ),
      )
      .map((f) => ({
        rule: 'protected-path',
        severity: 'fail' as const,
        file: f.path,
        line: 0,
        evidence: `${f.status} ${f.path}`,
        message: `the patch ${f.status === 'added' ? 'adds' : f.status === 'deleted' ? 'deletes' : 'changes'} ${f.path}, under a protected path`,
      }));
  },
};
