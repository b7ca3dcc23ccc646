/**
 * Judging a finished run after the fact (`isobench judge RUN`, `isobench report RUN --judge …`): the
 * run's extended rows get the judge's answer (or its failure) and the quadrant; the measured verdicts
 * are never touched. Answers come from the judge cache when the rubric, judge model, task, patch and
 * human diff are the same, so judging or reporting again costs nothing. rows.ext.jsonl is rewritten
 * atomically and `judge.json` records who judged and how it went.
 */
import { join } from 'node:path';
import { RUBRIC_VERSION } from '../grade/judge.js';
import { type ReadExtendedRow, readExtendedRows } from '../report/ext-rows-file.js';
import type { TaskSpec } from '../task/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { variantSlug } from '../util/slug.js';
import type { JudgeConfig } from './judge-call.js';
import { judgeRows } from './judge-rows.js';

/** The version of judge.json. */
export const JUDGE_RECORD_VERSION = 1;

/** What a judging pass did. */
export interface JudgeRecord {
  readonly schemaVersion: typeof JUDGE_RECORD_VERSION;
  readonly judgedAt: string;
  readonly provider: string;
  readonly model: string;
  readonly rubricVersion: number;
  readonly baseUrl: string | null;
  readonly rows: number;
  /** answers asked for now */
  readonly asked: number;
  /** answers taken from the cache */
  readonly cached: number;
  /** judge failures (recorded on the rows; their verdicts stand) */
  readonly failed: number;
  /** rows not judged: their task is not in the catalogue */
  readonly skipped: readonly string[];
}

/** A run folder that cannot be judged. */
export class JudgeRunError extends Error {}

/** Judges every row of a run folder; returns the record it wrote. */
export async function judgeRunFolder(
  runDir: string,
  o: { cfg: JudgeConfig; tasks: readonly TaskSpec[]; cacheRoot?: string; clone?: string },
): Promise<{ record: JudgeRecord; rows: ReadExtendedRow[] }> {
  const file = join(runDir, 'rows.ext.jsonl');
  const rows = await readExtendedRows(file);
  const old = rows.find((r) => r.schemaVersion < 3);
  if (old)
    throw new JudgeRunError(
      `${file}: rows of version ${old.schemaVersion} predate the judge (version 3); measure the patches again with this isobench to judge them`,
    );
  const known = new Set(o.tasks.map((t) => t.id));
  const skipped = [...new Set(rows.filter((r) => !known.has(r.task)).map((r) => r.task))];
  const judged = await judgeRows(rows, {
    runDir,
    tasks: o.tasks,
    cfg: o.cfg,
    ...(o.cacheRoot ? { cacheRoot: o.cacheRoot } : {}),
    ...(o.clone ? { clone: o.clone } : {}),
    jobOf: (r) => (r.schemaVersion === 5 ? r.jobPath : `jobs/${variantSlug(r.task)}`),
  });
  await writeFileAtomic(file, judged.map((r) => JSON.stringify(r)).join('\n') + (judged.length ? '\n' : ''));
  const answers = judged.map((r) => r.judge).filter((j) => j);
  const record: JudgeRecord = {
    schemaVersion: JUDGE_RECORD_VERSION,
    judgedAt: new Date().toISOString(),
    provider: o.cfg.provider,
    model: o.cfg.model,
    rubricVersion: RUBRIC_VERSION,
    baseUrl: o.cfg.baseUrl ?? null,
    rows: judged.length,
    asked: answers.filter((j) => j?.status === 'judged' && !j.cached).length,
    cached: answers.filter((j) => j?.status === 'judged' && j.cached).length,
    failed: answers.filter((j) => j?.status === 'judge_failed').length,
    skipped,
  };
  await writeFileAtomic(join(runDir, 'judge.json'), `${JSON.stringify(record, null, 2)}\n`);
  return { record, rows: judged };
}
