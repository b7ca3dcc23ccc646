/** `isobench leaderboard FILE`: the dataset card's per-agent summary, as a terminal table, Markdown or JSON. */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Table from 'cli-table3';
import { isRehearsal, REHEARSAL_MARK } from '../bench/types.js';
import { type CardCounts, type CardTable, cardTable } from '../published/card-table.js';
import { boardDisagreements, type Disagreement, disagreementLines } from '../report/board-agreement.js';
import {
  leaderboardCells as cells,
  leaderboardNotes as explain,
  LEADERBOARD_HEAD as HEAD,
  leaderboardMarkdownTable,
  RUN_BOARD_HEAD,
  runBoardBlock,
  runBoardCells,
} from '../report/leaderboard-format.js';
import type { RunSort } from '../report/run-leaderboard.js';
import type { ValidTasks } from '../report/task-validity.js';
import { runsRoot } from '../run/resume.js';
import { didYouMean } from '../util/suggest.js';
import { readV5Table, TableFileError } from '../v5/io.js';
import { computeLeaderboard, type Leaderboard, type LeaderboardScope } from '../v5/leaderboard.js';
import type { V5Row } from '../v5/schema.js';
import { EXIT, out, outJson, UsageError } from './common.js';
import { catalogueContext } from './context.js';
import { V5_SORTS, type V5Sort } from './options.js';

/** Whether `key` is one of `keys` (a --sort key the board at hand knows). */
function oneOf<K extends string>(keys: readonly K[], key: string): key is K {
  return keys.some((k) => k === key);
}

/** The leaderboard of a run folder's (or a rows.ext.jsonl file's) extended rows. */
async function runFolderBoard(
  file: string,
  format: LeaderboardFormat,
  opts: { agent?: string; model?: string; mode?: string; sort?: LeaderboardSort; validTasks?: string },
): Promise<number> {
  const { ExtRowsError, readExtendedRows } = await import('../report/ext-rows-file.js');
  const { reportRowOf } = await import('../report/board-rows.js');
  const { RUN_SORTS, runLeaderboard } = await import('../report/run-leaderboard.js');
  const sort = opts.sort ?? 'hard';
  // commander knows every sort key; some are for v5 tables only
  if (!oneOf(RUN_SORTS, sort))
    throw new UsageError(
      `--sort for a run folder's rows must be one of ${RUN_SORTS.join(', ')}, got '${opts.sort}' (a v5 table's key)`,
    );
  let ext: Awaited<ReturnType<typeof readExtendedRows>>;
  try {
    ext = await readExtendedRows(file);
  } catch (e) {
    if (e instanceof ExtRowsError) throw new UsageError(e.message);
    throw e;
  }
  // a rehearsal's rows (the stand-in engine) are never counted with measurements
  const rehearsals = ext.filter((r) => isRehearsal(r.fingerprint)).length;
  if (rehearsals && rehearsals < ext.length)
    throw new UsageError(
      `${file} mixes ${rehearsals} rehearsal row(s) (isobench run --rehearse: the stand-in engine, not measurements) with ${ext.length - rehearsals} measured row(s); a leaderboard never counts them together: keep rehearsals in their own runs`,
    );
  const rehearsal = rehearsals > 0;
  const valid = opts.validTasks ? await validTasksOf(opts.validTasks) : null;
  const rows = ext
    .map(reportRowOf)
    .filter(
      (r) =>
        (!opts.agent || r.agent === opts.agent) &&
        (!opts.model || r.model === opts.model) &&
        (!opts.mode || r.mode === opts.mode) &&
        (!valid || valid.tasks.has(r.task)),
    );
  const board = runLeaderboard(rows, sort);
  if (format === 'json') {
    outJson({
      schemaVersion: 3,
      file,
      rehearsal,
      sort,
      filters: {
        agent: opts.agent ?? null,
        model: opts.model ?? null,
        mode: opts.mode ?? null,
        validTasks: valid ? { file: opts.validTasks, tasks: [...valid.tasks].sort() } : null,
      },
      agents: board,
    });
    return EXIT.ok;
  }
  if (rehearsal) out(`REHEARSAL (${REHEARSAL_MARK}): the verdicts below test the harness, not the agents.`);
  if (valid) out((await import('../report/task-validity.js')).restrictionLine(valid, rows.length));
  if (format === 'markdown') {
    out(`| ${RUN_BOARD_HEAD.join(' | ')} |`);
    out(`|${RUN_BOARD_HEAD.map(() => '---').join('|')}|`);
    for (const a of board) out(`| ${runBoardCells(a).join(' | ')} |`);
    return EXIT.ok;
  }
  // a terminal gets one block of short lines per agent (the table's 17 columns do not fit one)
  for (const a of board) for (const l of runBoardBlock(a)) out(l);
  out(`${rows.length} row(s) from ${file}; sorted by ${sort}; --markdown or --json for the table.`);
  out(
    "Hard and true successes count verdicts from 95% bootstrap intervals of each job's rounds (inconclusive where an interval straddles the band); the run's v5 table (rows.v5.parquet) counts point estimates by the dataset card's rule instead, and its leaderboard names each row where the two differ.",
  );
  return EXIT.ok;
}

/** The tasks a validity file (isobench tasks validity --out) finds valid everywhere; a bad file is a usage error. */
export async function validTasksOf(file: string): Promise<ValidTasks> {
  const { readValidTasks, ValidTasksError } = await import('../report/task-validity.js');
  try {
    return await readValidTasks(file);
  } catch (e) {
    if (e instanceof ValidTasksError) throw new UsageError(e.message);
    throw e;
  }
}

/** A v5 table's sort key; `--valid-tasks` (by task id, which run folders' rows carry) is refused with one. */
function v5SortOf(opts: LeaderboardCliOptions, file: string): V5Sort {
  if (opts.validTasks)
    throw new UsageError(
      `--valid-tasks ${opts.validTasks} restricts a run folder's rows (by task id); ${file} is a v5 table`,
    );
  const sort = opts.sort ?? 'card';
  if (!oneOf(V5_SORTS, sort))
    throw new UsageError(
      `--sort for a v5 table must be one of ${V5_SORTS.join(', ')} (quadrants and cost are in run folders' rows), got '${sort}'`,
    );
  return sort;
}

/** The output formats of `leaderboard`. */
export type LeaderboardFormat = 'table' | 'markdown' | 'json';

/** Every `--sort` key: a run folder's and a v5 table's (src/cli/main.ts offers these). */
export type LeaderboardSort = RunSort | V5Sort;

/** Options of `isobench leaderboard`, as commander parsed and checked them (src/cli/main.ts). */
export interface LeaderboardCliOptions {
  format: LeaderboardFormat;
  json?: boolean;
  markdown?: boolean;
  scope: LeaderboardScope;
  band: number;
  tasksDir?: string;
  agent?: string;
  model?: string;
  mode?: string;
  sort?: LeaderboardSort;
  /** a validity file (isobench tasks validity --out): only the tasks valid on every machine */
  validTasks?: string;
}

/**
 * A v5 table that is a run's (its rows.ext.jsonl beside it): where the card's point-estimate classes
 * differ from the run's verdicts; null for any other table.
 */
async function againstRunVerdicts(
  file: string,
  rows: readonly V5Row[],
  board: Leaderboard,
): Promise<Disagreement[] | null> {
  const extFile = join(dirname(file), 'rows.ext.jsonl');
  if (!existsSync(extFile)) return null;
  const { readExtendedRows } = await import('../report/ext-rows-file.js');
  // the comparison is an extra: rows it cannot read leave the v5 board without it (the report says why)
  const ext = await readExtendedRows(extFile).catch(() => null);
  return ext ? boardDisagreements(board, rows, ext) : null;
}

/**
 * What the leaderboard's argument names: a path as given, else a run id under ./results/runs; an
 * error names what was looked for, and the nearest run id.
 */
function boardInput(file: string): string {
  if (existsSync(resolve(file))) return file;
  const root = runsRoot(undefined);
  if (existsSync(join(root, file, 'rows.ext.jsonl'))) return join(root, file);
  const ids = existsSync(root) ? readdirSync(root).filter((d) => !d.startsWith('.')) : [];
  throw new UsageError(
    `${file}: no such file or folder, and no run '${file}' under ${root}${didYouMean(file, ids)} (give a run folder, a run id, rows.ext.jsonl, or a v5 table .parquet/.csv/.jsonl)`,
  );
}

/** `leaderboard FILE` (a v5 table) or `leaderboard RUN_DIR|RUN_ID` (a run's extended rows). */
export async function leaderboardCmd(given: string, opts: LeaderboardCliOptions): Promise<number> {
  const format: LeaderboardFormat = opts.json ? 'json' : opts.markdown ? 'markdown' : opts.format;
  const file = boardInput(given);
  const { statSync } = await import('node:fs');
  if (statSync(resolve(file), { throwIfNoEntry: false })?.isDirectory())
    return runFolderBoard(resolve(file, 'rows.ext.jsonl'), format, opts);
  if (file.endsWith('.ext.jsonl')) return runFolderBoard(resolve(file), format, opts);
  const sort = v5SortOf(opts, file);
  const { scope, band } = opts;
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
  const by: Record<V5Sort, (x: (typeof full.agents)[number], y: (typeof full.agents)[number]) => number> = {
    card: () => 0,
    valid: (x, y) => y.counts.valid_for_comparison - x.counts.valid_for_comparison,
    beats: (x, y) => y.comparison.beats - x.comparison.beats,
    'patch-failure': (x, y) => x.counts.patch_failure - y.counts.patch_failure,
    commits: (x, y) => y.commits - x.commits,
    name: (x, y) => (x.display < y.display ? -1 : x.display > y.display ? 1 : 0),
  };
  const lb = { ...full, agents: full.agents.filter(matches).sort(by[sort]) };
  const agreement = await againstRunVerdicts(resolve(file), table.rows, full);
  if (opts.agent || opts.model) {
    if (!lb.agents.length)
      throw new UsageError(
        `no agent line matches${opts.agent ? ` --agent ${opts.agent}` : ''}${opts.model ? ` --model ${opts.model}` : ''}; lines: ${full.agents.map((a) => `${a.agent} (${a.model})`).join(', ')}`,
      );
  }
  const card = scope === 'card43' ? cardTable(full) : null;
  if (format === 'json') {
    outJson({
      ...lb,
      ...(card ? { card } : {}),
      ...(agreement ? { againstRunVerdicts: agreement } : {}),
      file: table.path,
      tableProblems: table.problems,
      sort,
      filters: { agent: opts.agent ?? null, model: opts.model ?? null, mode: opts.mode ?? null },
    });
    return EXIT.ok;
  }
  if (format === 'markdown') {
    for (const l of leaderboardMarkdownTable(lb)) out(l);
    out();
    for (const l of explain(lb)) out(`- ${l}`);
    if (card) for (const l of cardTableLines(card)) out(`- ${l}`);
    if (agreement) for (const l of disagreementLines(agreement, lb.band)) out(`- ${l}`);
    return EXIT.ok;
  }
  const t = new Table({ head: [...HEAD], style: { head: [], border: [] }, wordWrap: true });
  for (const a of lb.agents) t.push(cells(a));
  out(t.toString());
  if (agreement) for (const l of disagreementLines(agreement, lb.band)) out(l);
  for (const l of explain(lb)) out(l);
  if (card) for (const l of cardTableLines(card)) out(l);
  return EXIT.ok;
}

/** The card's table beside the rows': each card line's figures, the rows', and each difference named. */
function cardTableLines(card: CardTable): string[] {
  const n = (c: CardCounts) =>
    `${c.valid_for_comparison} valid / ${c.patch_failure} patch failure / ${c.missing_human_metric} missing human`;
  const lines = [
    `The card's table (${card.source}), ${card.present.length} of its 43 commits in these rows${card.absent.length ? ` (not here: ${card.absent.join(' ')})` : ''}:`,
  ];
  for (const l of card.lines) {
    lines.push(
      `  ${l.label}${l.line ? ` = ${l.line}` : ' (no line in these rows)'}: card ${n(l.card)} over its 43; over the ${card.present.length} here, card ${n(l.cardHere)}, rows ${n(l.rows)}${l.differences.length ? '' : ': the same on every commit'}`,
    );
    for (const d of l.differences) lines.push(`    ${d.commit}: ${d.detail}`);
  }
  return lines;
}
