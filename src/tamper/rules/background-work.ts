/** Work moved where a benchmark's clock may not see it: threads, processes, side CUDA streams, tasks. */

import type { TamperRule } from '../types.js';
import { isRuntimeCode } from '../view.js';

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\bthreading\.Thread\(|\bThread\(\s*target=/, 'starts a thread'],
  [/\bThreadPoolExecutor\(|\bProcessPoolExecutor\(/, 'starts an executor pool'],
  [/\bmultiprocessing\.(?:Process|Pool)\(/, 'starts processes'],
  [/\btorch\.cuda\.Stream\(|\bcuda\.Stream\(/, 'creates a CUDA stream'],
  [/\btorch\.cuda\.stream\(/, 'switches to another CUDA stream'],
  [/\basyncio\.(?:create_task|ensure_future)\(|\brun_in_executor\(/, 'schedules background work'],
];

export const rule: TamperRule = {
  id: 'background-work',
  severity: 'warn',
  title: 'adds background threads, processes, CUDA streams or tasks in runtime code',
  check(patch) {
    const out = [];
    for (const a of patch.added) {
      if (!isRuntimeCode(a.file) || /^\s*#/.test(a.text)) continue;
      const hit = PATTERNS.find(([re]) => re.test(a.text));
      if (hit)
        out.push({
          rule: 'background-work',
          severity: 'warn' as const,
          file: a.file,
          line: a.line,
          evidence: a.text.trim().slice(0, 200),
          message: `${hit[1]}: work may escape the benchmark's timing`,
        });
    }
    return out;
  },
};
