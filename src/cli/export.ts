/** `isobench export --format hf INPUT -o DIR`: a dataset release ready to upload to a dataset hub. */

import { TableFileError } from '../dataset/v5-io.js';
import { exportHf, HfExportError } from '../report/hf-export.js';
import { EXIT, out, outJson, UsageError } from './common.js';
import { catalogueContext } from './context.js';

/** `export INPUT --format hf -o DIR [--shard-rows N] [--compare-published] [--force]`. */
export async function exportCmd(
  input: string,
  opts: {
    /** the only format so far; commander refuses any other */
    format: 'hf';
    out: string;
    shardRows: number;
    comparePublished?: boolean;
    force?: boolean;
    tasksDir?: string;
    json?: boolean;
  },
): Promise<number> {
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
      comparePublished: opts.comparePublished ?? false,
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
      // 2: the differences are those of card.json v2
      schemaVersion: 2,
      input: result.table,
      outDir: result.outDir,
      files: result.files,
      rows: card.rows,
      commits: card.commits,
      differences: card.published?.differences ?? null,
    });
    return EXIT.ok;
  }
  out(`export --format hf: ${result.table} -> ${result.outDir}`);
  out(
    `  ${card.rows} rows, ${card.commits} commits, ${card.leaderboard.agents.length} run series; ${card.configs.map((c) => `${c.name}: ${c.files.length} file(s)`).join(', ')}`,
  );
  for (const f of result.files) out(`  ${f}`);
  if (card.published) {
    out(
      `  ${card.published.differences.length} difference(s) from the published card (README.md lists each with its cause):`,
    );
    for (const d of card.published.differences)
      out(
        `    ${d.what}: card ${d.card}; rows ${d.rows} [${[...new Set(d.causes.map((c) => c.kind))].join(', ')}]`,
      );
    out(
      `  ${card.published.agreements.length} of the card's figures agree with the rows; ${card.published.unverifiable.length} the rows cannot check (README.md lists both)`,
    );
  }
  return EXIT.ok;
}
