/** `isobench report RUN_ID|RUN_DIR|ROWS_FILE -o report.html`: the self-contained HTML report. */
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { EXIT, out, UsageError } from './common.js';

export async function reportCmd(
  input: string,
  opts: {
    out?: string;
    runsDir?: string;
    title?: string;
    /** bytes of each linked file's text to embed (absent: none) */
    embed?: number;
    links?: boolean;
    judge?: string;
    judgeBaseUrl?: string;
    cacheRoot?: string;
    repo?: string;
    tasksDir?: string;
    /** v5 tables only */
    scope: 'all' | 'card' | 'benchmarkable';
    band: number;
    compress?: boolean;
    /** a validity file (tasks validity --out): only the tasks valid on every machine */
    validTasks?: string;
  },
): Promise<number> {
  // a bad validity file is refused before the judge or anything else runs
  const valid = opts.validTasks
    ? await (await import('./leaderboard.js')).validTasksOf(opts.validTasks)
    : null;
  if (opts.judge) {
    const { judgeRun, judgeSummary } = await import('./judge.js');
    out(judgeSummary((await judgeRun(input, opts)).record));
  }
  const { clientScript, packReportData, renderHtml, reportData } = await import('../report/html.js');
  const { ExtRowsError } = await import('../report/ext-rows-file.js');
  const { ReportInputError, resolveReportInput } = await import('../report/run-input.js');
  const outFile = resolve(opts.out ?? 'report.html');
  const t0 = performance.now();
  let html: string;
  let rows: number;
  try {
    const src = await resolveReportInput(input, opts.runsDir ?? join(process.cwd(), 'results', 'runs'));
    if (valid && src.v5)
      throw new UsageError(
        `--valid-tasks ${valid.file} restricts a run's rows (by task id); ${src.rowsFile} is a v5 table`,
      );
    const v5 = src.v5
      ? {
          scope: opts.scope,
          band: opts.band,
          ctx: await (await import('./context.js')).catalogueContext(opts.tasksDir),
        }
      : undefined;
    const data = await reportData(src, {
      ...(v5 ? { v5 } : {}),
      outFile,
      ...(opts.title ? { title: opts.title } : {}),
      embedMaxBytes: opts.embed ?? 0,
      noLinks: opts.links === false,
      ...(valid ? { validTasks: valid } : {}),
    });
    rows = data.rows.length;
    html = renderHtml(opts.compress === false ? data : packReportData(data), await clientScript());
  } catch (e) {
    if (e instanceof ReportInputError || e instanceof ExtRowsError) throw new UsageError(e.message);
    throw e;
  }
  await mkdir(dirname(outFile), { recursive: true });
  await writeFileAtomic(outFile, html);
  out(
    `${outFile}: ${rows} row(s), ${(Buffer.byteLength(html) / 1024).toFixed(1)} KiB, ${(performance.now() - t0).toFixed(0)} ms`,
  );
  return EXIT.ok;
}
