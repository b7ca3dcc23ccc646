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
  opts: { out?: string; runsDir?: string; title?: string; embed?: string | boolean; links?: boolean },
): Promise<number> {
  const { ReportInputError, clientScript, renderHtml, reportData, resolveReportInput } = await import(
    '../report/html.js'
  );
  const { ExtRowsError } = await import('../report/ext-rows-io.js');
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
    const data = await reportData(src, {
      outFile,
      ...(opts.title ? { title: opts.title } : {}),
      embedMaxBytes,
      noLinks: opts.links === false,
    });
    rows = data.rows.length;
    html = renderHtml(data, await clientScript());
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
