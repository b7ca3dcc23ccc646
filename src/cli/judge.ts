/** `isobench judge RUN --judge PROVIDER:MODEL`: the soft-metric judge over a finished run's rows. */
import { join, resolve } from 'node:path';
import type { JudgeRecord } from '../run/judge-run.js';
import { EXIT, out, outJson, UsageError } from './common.js';

export interface JudgeOpts {
  judge?: string;
  judgeBaseUrl?: string;
  cacheRoot?: string;
  repo?: string;
  tasksDir?: string;
  runsDir?: string;
  json?: boolean;
}

/** Judges the run folder of RUN (a run id, folder or its rows file); shared by `judge` and `report --judge`. */
export async function judgeRun(
  input: string,
  opts: JudgeOpts,
): Promise<{ runDir: string; record: JudgeRecord }> {
  const { judgeConfigFrom } = await import('./judge-config.js');
  const cfg = await judgeConfigFrom(opts);
  if (!cfg) throw new UsageError('give the judge as --judge anthropic:MODEL or openai:MODEL');
  const { ReportInputError, resolveReportInput } = await import('../report/run-input.js');
  const { ExtRowsError } = await import('../report/ext-rows-file.js');
  const { JudgeRunError, judgeRunFolder } = await import('../run/judge-run.js');
  const { defaultTasksDir, loadTasks } = await import('../task/loader.js');
  try {
    const src = await resolveReportInput(input, opts.runsDir ?? join(process.cwd(), 'results', 'runs'));
    if (!src.runDir)
      throw new UsageError(
        `${src.rowsFile}: not in a run folder (judging reads the measured patches under jobs/)`,
      );
    const catalogue = await loadTasks(resolve(opts.tasksDir ?? defaultTasksDir()));
    const { record } = await judgeRunFolder(src.runDir, {
      cfg,
      tasks: catalogue.tasks,
      ...(opts.cacheRoot ? { cacheRoot: resolve(opts.cacheRoot) } : {}),
      ...(opts.repo ? { clone: resolve(opts.repo) } : {}),
    });
    return { runDir: src.runDir, record };
  } catch (e) {
    if (e instanceof ReportInputError || e instanceof ExtRowsError || e instanceof JudgeRunError)
      throw new UsageError(e.message);
    throw e;
  }
}

export function judgeSummary(r: JudgeRecord): string {
  return `judge ${r.provider}:${r.model} (rubric v${r.rubricVersion}): ${r.rows} row(s), ${r.asked} asked, ${r.cached} from the cache, ${r.failed} judge failure(s)${r.skipped.length ? `, not judged (task not in the catalogue): ${r.skipped.join(', ')}` : ''}`;
}

export async function judgeCmd(input: string, opts: JudgeOpts): Promise<number> {
  const { runDir, record } = await judgeRun(input, opts);
  if (opts.json) outJson({ runDir, ...record });
  else {
    out(judgeSummary(record));
    out(`${join(runDir, 'rows.ext.jsonl')}: judge and quadrant on every row; ${join(runDir, 'judge.json')}`);
    if (record.failed)
      out(
        `${record.failed} row(s) have no answer (judge failures are recorded on the rows; their verdicts stand)`,
      );
  }
  return EXIT.ok;
}
