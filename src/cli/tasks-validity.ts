/** `isobench tasks validity RUN...`: which tasks' human gains held on every machine the runs ran on. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Table from 'cli-table3';
import { ExtRowsError, readExtendedRows } from '../report/ext-rows-file.js';
import { ReportInputError, resolveReportInput } from '../report/run-input.js';
import { type RunRows, taskValidity, validitySummary, validityTable } from '../report/task-validity.js';
import { runsRoot } from '../run/resume.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { EXIT, out, outJson, UsageError } from './common.js';

/** The options of `tasks validity`. */
export interface ValidityOptions {
  readonly json?: boolean;
  /** write the validity (versioned JSON) here, for `leaderboard --valid-tasks` */
  readonly out?: string;
  /** where run ids are looked up */
  readonly runsDir?: string;
}

/** Each run's extended rows; a run that cannot be read is named, before anything is written. */
async function readRuns(inputs: readonly string[], runsDir: string): Promise<RunRows[]> {
  const runs: RunRows[] = [];
  for (const input of inputs) {
    try {
      const at = await resolveReportInput(input, runsDir);
      if (at.v5)
        throw new UsageError(
          `${input}: a schema-v5 table has no fingerprints; give run folders or rows.ext.jsonl`,
        );
      runs.push({ source: at.runDir ?? at.rowsFile, rows: await readExtendedRows(at.rowsFile) });
    } catch (e) {
      if (e instanceof ReportInputError || e instanceof ExtRowsError) throw new UsageError(e.message);
      throw e;
    }
  }
  return runs;
}

/** `isobench tasks validity RUN...`. */
export async function tasksValidity(inputs: readonly string[], opts: ValidityOptions): Promise<number> {
  const target = opts.out ? resolve(opts.out) : null;
  if (target && existsSync(target))
    throw new UsageError(
      `--out ${opts.out}: the file exists; give a new name (a validity file is never overwritten)`,
    );
  const runs = await readRuns(inputs, opts.runsDir ?? runsRoot(undefined));
  const v = taskValidity(runs);
  if (target) await writeFileAtomic(target, `${JSON.stringify(v, null, 2)}\n`);
  if (opts.json) {
    outJson(v);
    return EXIT.ok;
  }
  const { head, rows } = validityTable(v);
  const table = new Table({ head });
  table.push(...rows);
  out(table.toString());
  out(validitySummary(v));
  for (const m of v.machines) out(`  ${m.id}: ${m.jobs} job(s) from ${m.sources.join(', ')}`);
  for (const t of v.tasks)
    for (const [machine, m] of Object.entries(t.on))
      for (const reason of m.reasons) out(`  note: ${t.task} on ${machine}: ${reason}`);
  if (v.leftOut.length)
    out(`left out: ${v.leftOut.length} rehearsal row(s) (the stand-in engine measures no machine)`);
  if (target) out(`written: ${target} (isobench leaderboard RUN --valid-tasks ${opts.out})`);
  return EXIT.ok;
}
