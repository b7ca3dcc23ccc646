/**
 * `isobench regrade RUN_DIR`: a finished run graded again, offline, from what its bench jobs
 * measured (`measurement.json` and the probe outputs in the phases' folders) under a policy (the
 * run's own unless told otherwise), into new rows and job results in another folder. Nothing is
 * measured and the run folder is not changed. With the run's own policy the rows are the run's rows,
 * byte for byte; the judge's answers of a judged run are carried over (they do not depend on the
 * grade) and each row's quadrant is decided again from its new verdict.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { attemptDir, effortOf, readAttempt } from '../agent/attempt.js';
import { type JobMeasurement, measurementPath } from '../bench/measurement.js';
import type { GradePolicy } from '../grade/job.js';
import { hardSuccess, quadrant } from '../grade/judge.js';
import { type ReadExtendedRow, readExtendedRows } from '../report/ext-rows-file.js';
import { type AttemptEffort, type ExtendedRow, rowsForJob } from '../report/job-rows.js';
import { gradeMeasurement } from '../sched/grade-measurement.js';
import { readStored, readStoredIfThere } from '../store/read.js';
import { StoredRecordError } from '../store/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { V5Row } from '../v5/schema.js';
import { jobGroups, writeRunRows } from './tables.js';

/** The version of `regrade.json`. */
export const REGRADE_RECORD_VERSION = 1;

/** What to change of each job's own policy. */
export interface PolicyChange {
  readonly thresholdPct?: number;
  readonly extraNonExact?: number;
  readonly absDiffFactor?: number;
  readonly accuracyTolerancePts?: number;
}

/** One verdict that came out differently. */
export interface VerdictChange {
  readonly job: string;
  readonly variant: string;
  readonly before: string | null;
  readonly after: string | null;
}

/** What a regrade did. */
export interface RegradeResult {
  readonly outDir: string;
  readonly jobs: number;
  readonly v5: readonly V5Row[];
  readonly extended: readonly ExtendedRow[];
  readonly changes: readonly VerdictChange[];
}

/** A job's policy with the change applied. */
export function changedPolicy(p: GradePolicy, c: PolicyChange): GradePolicy {
  return {
    verdict: { thresholdPct: c.thresholdPct ?? p.verdict.thresholdPct },
    equivalence: {
      extraNonExact: c.extraNonExact ?? p.equivalence.extraNonExact,
      absDiffFactor: c.absDiffFactor ?? p.equivalence.absDiffFactor,
    },
    accuracyTolerancePts: c.accuracyTolerancePts ?? p.accuracyTolerancePts,
  };
}

/** A job's measurement, checked. */
async function readMeasurement(jobDir: string): Promise<JobMeasurement> {
  return readStored('measurement', measurementPath(jobDir));
}

/** The verdicts of a job's grade (its `job.json`), by variant; null when it has none. */
async function previousVerdicts(jobDir: string): Promise<Map<string, string | null> | null> {
  const job = await readStoredIfThere('job', join(jobDir, 'job.json'));
  if (job === null) return null;
  return new Map(job.agents.map((a) => [a.variant, a.verdict?.verdict ?? a.failure ?? null]));
}

/** Regrades the run in `runDir` into `outDir`. */
export async function regradeRun(
  runDir: string,
  outDir: string,
  change: PolicyChange = {},
): Promise<RegradeResult> {
  const run = await readStored('run', join(runDir, 'run.json'));
  const groups = jobGroups(
    run.tasks.map((id) => ({ id })),
    run.attempts,
  );
  const judged = await judgedRows(runDir);
  const v5: V5Row[] = [];
  const extended: ExtendedRow[] = [];
  const changes: VerdictChange[] = [];
  const policies: Record<string, GradePolicy> = {};
  let jobs = 0;
  for (const g of groups) {
    const jobDir = join(runDir, 'jobs', g.slug);
    const before = await previousVerdicts(jobDir);
    // a job that never ran (a cap) or failed without a result has no rows in the run either
    if (!before) continue;
    const m = await readMeasurement(jobDir).catch((e: unknown) => {
      if (e instanceof StoredRecordError && e.problem.startsWith('cannot be read'))
        throw new StoredRecordError(
          e.file,
          null,
          'missing: this job was measured before isobench recorded measurements, so it cannot be regraded',
        );
      throw e;
    });
    const policy = changedPolicy(m.policy, change);
    policies[g.slug] = policy;
    const result = await gradeMeasurement(jobDir, m, policy);
    jobs++;
    for (const a of result.agents) {
      const after = a.verdict?.verdict ?? a.failure ?? null;
      const was = before.get(a.variant) ?? null;
      if (was !== after) changes.push({ job: g.slug, variant: a.variant, before: was, after });
    }
    await mkdir(join(outDir, 'jobs', g.slug), { recursive: true });
    await writeFileAtomic(join(outDir, 'jobs', g.slug, 'job.json'), `${JSON.stringify(result, null, 2)}\n`);
    const efforts = new Map<string, AttemptEffort>();
    for (const v of m.variants) {
      if (v.kind !== 'agent' || !v.agent) continue;
      const rec = await readAttempt(attemptDir(runDir, v.agent, m.task.id, g.n));
      if (rec) efforts.set(v.agent, effortOf(rec));
    }
    const rows = await rowsForJob(m.task, result, {
      runId: run.runId,
      jobDir,
      warmup: run.warmup,
      thresholdPct: policy.verdict.thresholdPct,
      date: run.createdAt.slice(0, 10),
      efforts,
    });
    v5.push(...rows.v5);
    extended.push(...rows.extended.map((r) => withJudge(r, judged)));
  }
  await mkdir(outDir, { recursive: true });
  await writeRunRows(outDir, v5, extended);
  await writeFileAtomic(
    join(outDir, 'regrade.json'),
    `${JSON.stringify({ schemaVersion: REGRADE_RECORD_VERSION, run: run.runId, runDir, change, policies, jobs, rows: extended.length, changes }, null, 2)}\n`,
  );
  return { outDir, jobs, v5, extended, changes };
}

/** The judged rows of the run (none when it has no rows file), by job and variant. */
async function judgedRows(runDir: string): Promise<Map<string, ReadExtendedRow>> {
  const file = join(runDir, 'rows.ext.jsonl');
  const judged = new Map<string, ReadExtendedRow>();
  // rows before version 4 name no job folder or variant to match them by
  for (const r of existsSync(file) ? await readExtendedRows(file) : [])
    if (r.schemaVersion === 5 && r.judge !== undefined) judged.set(`${r.jobPath} ${r.variant}`, r);
  return judged;
}

/** The row with the run's judge answer, its quadrant decided from the new verdict. */
function withJudge(row: ExtendedRow, judged: ReadonlyMap<string, ReadExtendedRow>): ExtendedRow {
  const was = judged.get(`${row.jobPath} ${row.variant}`);
  if (!was || was.judge === undefined) return row;
  return { ...row, judge: was.judge, quadrant: quadrant(hardSuccess(row), was.judge) };
}
