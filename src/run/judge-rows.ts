import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { hardSuccess, quadrant } from '../grade/judge.js';
import type { ReadExtendedRow } from '../report/ext-rows-file.js';
import type { TaskSpec } from '../task/schema.js';
import { readTextIfThere } from '../util/if-there.js';
import { variantSlug } from '../util/slug.js';
import { mirrorForTask } from '../workspace/repo-cache.js';
import { type JudgeConfig, judgePatch } from './judge-call.js';

/** The rows with `judge` and `quadrant` filled in (same order). */
export async function judgeRows<R extends ReadExtendedRow>(
  rows: readonly R[],
  o: {
    runDir: string;
    tasks: readonly TaskSpec[];
    cfg: JudgeConfig;
    cacheRoot?: string;
    clone?: string;
    /** the job folder of each row (jobs/<slug>) */
    jobOf: (row: R) => string;
  },
): Promise<R[]> {
  const humanDiffs = new Map<string, string>();
  const out: R[] = [];
  for (const row of rows) {
    const task = o.tasks.find((t) => t.id === row.task);
    if (!task) {
      out.push(row);
      continue;
    }
    let human = humanDiffs.get(task.id);
    if (human === undefined) {
      const mirror = await mirrorForTask(task, { root: o.cacheRoot, clone: o.clone });
      human = await simpleGit(mirror.dir).raw(['diff', task.commits.parent, task.commits.human]);
      humanDiffs.set(task.id, human);
    }
    // the variant names the patch (agent:NAME_2 when two patches share an agent name); rows before v4 lack it
    const variant = (row.schemaVersion === 5 ? row.variant : null) ?? `agent:${row.agent}`;
    const patch =
      (await readTextIfThere(join(o.runDir, o.jobOf(row), 'patches', `${variantSlug(variant)}.patch`))) ?? '';
    const judged = await judgePatch(
      { task: task.id, statement: task.bottleneck.statement, humanDiff: human, agentPatch: patch },
      o.cfg,
    );
    out.push({ ...row, judge: judged, quadrant: quadrant(hardSuccess(row), judged) });
  }
  return out;
}
