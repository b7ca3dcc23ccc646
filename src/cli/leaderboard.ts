/** `isobench leaderboard FILE`: the dataset card's per-agent summary, as a terminal table, Markdown or JSON. */
import { resolve } from 'node:path';
import Table from 'cli-table3';
import { computeLeaderboard, type LeaderboardScope } from '../dataset/leaderboard.js';
import { readV5Table, TableFileError } from '../dataset/v5-io.js';
import {
  leaderboardCells as cells,
  leaderboardNotes as explain,
  LEADERBOARD_HEAD as HEAD,
  leaderboardMarkdownTable,
  RUN_BOARD_HEAD,
  runBoardCells,
} from '../report/leaderboard-format.js';
import { EXIT, out, outJson, UsageError } from './common.js';
import { catalogueContext } from './context.js';

/** The leaderboard of a run folder's (or a rows.ext.jsonl file's) extended rows. */
async function runFolderBoard(
  file: string,
  format: string,
  opts: { agent?: string; model?: string; mode?: string; sort?: string },
): Promise<number> {
  const { ExtRowsError, readExtendedRows } = await import('../report/ext-rows-io.js');
  const { reportRowOf } = await import('../report/report-rows.js');
  const { RUN_SORTS, runLeaderboard } = await import('../report/run-leaderboard.js');
  const sort = (opts.sort ?? 'hard') as (typeof RUN_SORTS)[number];
  if (!RUN_SORTS.includes(sort))
    throw new UsageError(`--sort must be one of ${RUN_SORTS.join(', ')}, got '${opts.sort}'`);
  let ext: Awaited<ReturnType<typeof readExtendedRows>>;
  try {
    ext = await readExtendedRows(file);
  } catch (e) {
    if (e instanceof ExtRowsError) throw new UsageError(e.message);
    throw e;
  }
  const rows = ext
    .map(reportRowOf)
    .filter(
      (r) =>
        (!opts.agent || r.agent === opts.agent) &&
        (!opts.model || r.model === opts.model) &&
        (!opts.mode || r.mode === opts.mode),
    );
  const board = runLeaderboard(rows, sort);
  if (format === 'json') {
    outJson({
      schemaVersion: 2,
      file,
      sort,
      filters: { agent: opts.agent ?? null, model: opts.model ?? null, mode: opts.mode ?? null },
      agents: board,
    });
    return EXIT.ok;
  }
  if (format === 'markdown') {
    out(`| ${RUN_BOARD_HEAD.join(' | ')} |`);
    out(`|${RUN_BOARD_HEAD.map(() => '---').join('|')}|`);
    for (const a of board) out(`| ${runBoardCells(a).join(' | ')} |`);
    return EXIT.ok;
  }
  const t = new Table({ head: [...RUN_BOARD_HEAD], style: { head: [], border: [] }, wordWrap: true });
  for (const a of board) t.push(runBoardCells(a));
  out(t.toString());
  out(`${rows.length} row(s) from ${file}; sorted by ${sort}.`);
  return EXIT.ok;
}

/** `leaderboard FILE` (a v5 table) or `leaderboard RUN_DIR` (a run's extended rows). */
export async function leaderboardCmd(
  file: string,
  opts: {
    format?: string;
    json?: boolean;
    markdown?: boolean;
    scope?: string;
    band?: string;
    tasksDir?: string;
    agent?: string;
    model?: string;
    mode?: string;
    sort?: string;
  },
): Promise<number> {
  const format = opts.json ? 'json' : opts.markdown ? 'markdown' : (opts.format ?? 'table');
  if (!['table', 'markdown', 'json'].includes(format))
    throw new UsageError(`--format must be table, markdown or json, got '${format}'`);
  const { statSync } = await import('node:fs');
  if (statSync(resolve(file), { throwIfNoEntry: false })?.isDirectory())
    return runFolderBoard(resolve(file, 'rows.ext.jsonl'), format, opts);
  if (file.endsWith('.ext.jsonl')) return runFolderBoard(resolve(file), format, opts);
  const V5_SORTS = ['card', 'valid', 'beats', 'patch-failure', 'commits', 'name'];
  if (opts.sort && !V5_SORTS.includes(opts.sort))
    throw new UsageError(
      `--sort for a v5 table must be one of ${V5_SORTS.join(', ')} (quadrants and cost are in run folders' rows), got '${opts.sort}'`,
    );
  const scope = (opts.scope ?? 'card') as LeaderboardScope;
  if (!['card', 'benchmarkable', 'all'].includes(scope))
    throw new UsageError(`--scope must be card, benchmarkable or all, got '${opts.scope}'`);
  const band = Number(opts.band ?? '5');
  if (!Number.isFinite(band) || band < 0)
    throw new UsageError(`--band must be a non-negative percentage, got '${opts.band}'`);
  let table: Awaited<ReturnType<typeof readV5Table>>;
  try {
    table = await readV5Table(resolve(file));
  } catch (e) {
    if (e instanceof TableFileError) throw new UsageError(e.message);
    throw e;
  }
  const ctx = await catalogueContext(opts.tasksDir);
  // --mode keeps the rows of one benchmark mode (the summary is then over that mode's commits)
  const keep = table.rows.map((r) => !opts.mode || r.benchmark_mode === opts.mode);
  const full = computeLeaderboard(
    table.rows.filter((_, i) => keep[i]),
    table.rowNumbers.filter((_, i) => keep[i]),
    { scope, band },
    ctx,
  );
  const matches = (a: (typeof full.agents)[number]) =>
    (!opts.agent ||
      a.agent === opts.agent ||
      a.display === opts.agent ||
      a.labels.some((l) => l.agentName === opts.agent)) &&
    (!opts.model || a.model === opts.model || a.labels.some((l) => l.agentModel === opts.model));
  const by: Record<string, (x: (typeof full.agents)[number], y: (typeof full.agents)[number]) => number> = {
    card: () => 0,
    valid: (x, y) => y.counts.valid_for_comparison - x.counts.valid_for_comparison,
    beats: (x, y) => y.comparison.beats - x.comparison.beats,
    'patch-failure': (x, y) => x.counts.patch_failure - y.counts.patch_failure,
    commits: (x, y) => y.commits - x.commits,
    name: (x, y) => (x.display < y.display ? -1 : x.display > y.display ? 1 : 0),
  };
  const lb = { ...full, agents: full.agents.filter(matches).sort(by[opts.sort ?? 'card']) };
  if (opts.agent || opts.model) {
    if (!lb.agents.length)
      throw new UsageError(
        `no agent line matches${opts.agent ? ` --agent ${opts.agent}` : ''}${opts.model ? ` --model ${opts.model}` : ''}; lines: ${full.agents.map((a) => `${a.agent} (${a.model})`).join(', ')}`,
      );
  }
  if (format === 'json') {
    outJson({
      ...lb,
      file: table.path,
      tableProblems: table.problems,
      sort: opts.sort ?? 'card',
      filters: { agent: opts.agent ?? null, model: opts.model ?? null, mode: opts.mode ?? null },
    });
    return EXIT.ok;
  }
  if (format === 'markdown') {
    for (const l of leaderboardMarkdownTable(lb)) out(l);
    out();
    for (const l of explain(lb)) out(`- ${l}`);
    return EXIT.ok;
  }
  const t = new Table({ head: [...HEAD], style: { head: [], border: [] }, wordWrap: true });
  for (const a of lb.agents) t.push(cells(a));
  out(t.toString());
  for (const l of explain(lb)) out(l);
  return EXIT.ok;
}
