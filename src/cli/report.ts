/** `isobench report RUN_ID|RUN_DIR|ROWS_FILE -o report.html`: the self-contained HTML report. */
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { EXIT, out, UsageError } from './common.js';

/** Parses a size such as 200k, 1m or 4096 (bytes). */
function parseSize(s: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(s.trim());
  if (!m) throw new UsageError(`${flag} must be a size such as 200k, 1m or 4096, got '${s}'`);
  const mult = { '': 1, k: 1024, K: 1024, m: 1024 ** 2, M: 1024 ** 2 }[m[2] as string] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

export async function reportCmd(
  input: string,
  opts: {
    out?: string;
    runsDir?: string;
    title?: string;
    embed?: string | boolean;
    links?: boolean;
    judge?: string;
    judgeBaseUrl?: string;
    cacheRoot?: string;
    repo?: string;
    tasksDir?: string;
    scope?: string;
    band?: string;
    compress?: boolean;
  },
): Promise<number> {
  if (opts.judge) {
    const { judgeRun, judgeSummary } = await import('./judge.js');
    out(judgeSummary((await judgeRun(input, opts)).record));
  }
  const { clientScript, packReportData, renderHtml, reportData } = await import('../report/html.js');
  const { ExtRowsError } = await import('../report/ext-rows-io.js');
  const { ReportInputError, resolveReportInput } = await import('../report/run-input.js');
  const outFile = resolve(opts.out ?? 'report.html');
  const embedMaxBytes =
    opts.embed === undefined || opts.embed === false
      ? 0
      : opts.embed === true
        ? 256 * 1024
        : parseSize(opts.embed, '--embed');
  const t0 = performance.now();
  let html: string;
  let rows: number;
  try {
    const src = await resolveReportInput(input, opts.runsDir ?? join(process.cwd(), 'results', 'runs'));
    const v5 = src.v5
      ? {
          scope: (opts.scope ?? 'all') as 'all' | 'card' | 'benchmarkable',
          band: Number(opts.band ?? '5'),
          ctx: await (await import('./context.js')).catalogueContext(opts.tasksDir),
        }
      : undefined;
    if (v5 && !['all', 'card', 'benchmarkable'].includes(v5.scope))
      throw new UsageError(`--scope must be all, card or benchmarkable, got '${opts.scope}'`);
    if (v5 && (!Number.isFinite(v5.band) || v5.band < 0))
      throw new UsageError(`--band must be a non-negative percentage, got '${opts.band}'`);
    const data = await reportData(src, {
      ...(v5 ? { v5 } : {}),
      outFile,
      ...(opts.title ? { title: opts.title } : {}),
      embedMaxBytes,
      noLinks: opts.links === false,
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
