/**
 * `isobench export --format hf INPUT -o DIR`: a dataset release ready to upload to a dataset hub;
 * `--format atif RUN -o DIR`: every agent attempt of a run as an ATIF trajectory.
 */

import { AtifExportError, exportAtif } from '../report/atif-export.js';
import { exportHf, HfExportError } from '../report/hf-export.js';
import { TableFileError } from '../v5/io.js';
import { EXIT, out, outJson, UsageError } from './common.js';
import { catalogueContext } from './context.js';

/** `export INPUT --format hf -o DIR [--shard-rows N] [--force]`. */
export async function exportCmd(
  input: string,
  opts: {
    /** commander refuses any other */
    format: 'hf' | 'atif';
    out: string;
    shardRows: number;
    force?: boolean;
    tasksDir?: string;
    json?: boolean;
  },
): Promise<number> {
  if (opts.format === 'atif') return exportAtifCmd(input, opts);
  const ctx = await catalogueContext(opts.tasksDir);
  const catalogueCommits = ctx.tasks
    .filter((t) => t.id.startsWith('vllm/'))
    .map((t) => t.id.slice('vllm/'.length));
  let result: Awaited<ReturnType<typeof exportHf>>;
  try {
    result = await exportHf({
      input,
      outDir: opts.out,
      shardRows: opts.shardRows,
      force: opts.force ?? false,
      ctx: { ...ctx, catalogueCommits },
    });
  } catch (e) {
    if (e instanceof HfExportError || e instanceof TableFileError) throw new UsageError(e.message);
    throw e;
  }
  const { card } = result;
  if (opts.json) {
    outJson({
      // 3: no `differences` (card.json v3 has no comparison with the published card)
      schemaVersion: 3,
      input: result.table,
      outDir: result.outDir,
      files: result.files,
      rows: card.rows,
      commits: card.commits,
    });
    return EXIT.ok;
  }
  out(`export --format hf: ${result.table} -> ${result.outDir}`);
  out(
    `  ${card.rows} rows, ${card.commits} commits, ${card.leaderboard.agents.length} run series; ${card.configs.map((c) => `${c.name}: ${c.files.length} file(s)`).join(', ')}`,
  );
  for (const f of result.files) out(`  ${f}`);
  return EXIT.ok;
}

/** `export RUN --format atif -o DIR [--force]`. */
async function exportAtifCmd(
  input: string,
  opts: { out: string; force?: boolean; json?: boolean },
): Promise<number> {
  let result: Awaited<ReturnType<typeof exportAtif>>;
  try {
    result = await exportAtif({ runDir: input, outDir: opts.out, force: opts.force ?? false });
  } catch (e) {
    if (e instanceof AtifExportError) throw new UsageError(e.message);
    throw e;
  }
  if (opts.json) {
    outJson({ schemaVersion: 1, format: 'atif', outDir: result.outDir, files: result.files });
    return EXIT.ok;
  }
  out(
    `export --format atif: ${result.files.length} trajectory file(s) -> ${result.outDir} (index.json lists them)`,
  );
  return EXIT.ok;
}
