/**
 * Writes an `isobench export --format hf` release: the v5 rows as Parquet shards (`data/`), a run
 * folder's extended rows as a second config (`extended/rows.jsonl`), the dataset card (`README.md`)
 * and its numbers (`card.json`). Everything is written into a temporary folder beside the target and
 * renamed into place at the end, so a failure leaves no half-written release; an existing non-empty
 * target is refused unless `force` is given.
 */

import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, parse, relative, resolve, sep } from 'node:path';
import { readV5Table, TableFileError, type V5Table, v5ToParquet } from '../v5/io.js';
import { reportRowOf } from './board-rows.js';
import {
  computeHfCard,
  DEFAULT_SHARD_ROWS,
  type HfCard,
  type HfCardContext,
  planShards,
  renderHfReadme,
} from './hf-card.js';
import { type RunAgentSummary, runLeaderboard } from './run-leaderboard.js';

/** A problem with what the export was given (its input or its target); the message names the path. */
export class HfExportError extends Error {}

/** The v5 tables a run folder may hold, in the order they are preferred. */
export const RUN_FOLDER_TABLES = ['rows.v5.parquet', 'rows.v5.jsonl', 'rows.v5.csv'] as const;
/** The extended rows of a run folder. */
export const RUN_FOLDER_EXTENDED = 'rows.ext.jsonl';

/** Options of {@link exportHf}. */
export interface HfExportOptions {
  /** a v5 table (.parquet, .csv, .jsonl) or a run folder */
  readonly input: string;
  /** the release folder to create */
  readonly outDir: string;
  /** rows per Parquet shard (default {@link DEFAULT_SHARD_ROWS}) */
  readonly shardRows?: number;
  /** replace an existing non-empty `outDir` */
  readonly force?: boolean;
  readonly ctx?: HfCardContext;
}

/** What was written. */
export interface HfExportResult {
  readonly outDir: string;
  /** the files of the release, relative to `outDir` */
  readonly files: readonly string[];
  readonly table: string;
  readonly card: HfCard;
}

interface ResolvedInput {
  readonly kind: 'table' | 'run_folder';
  readonly name: string;
  readonly tablePath: string;
  readonly extendedPath: string | null;
}

async function statOrNull(path: string) {
  return stat(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw new HfExportError(`${path}: cannot read it (${e.code ?? e.message})`);
  });
}

async function resolveInput(input: string): Promise<ResolvedInput> {
  const path = resolve(input);
  const st = await statOrNull(path);
  if (!st) throw new HfExportError(`${path}: no such file or folder`);
  if (!st.isDirectory()) return { kind: 'table', name: basename(path), tablePath: path, extendedPath: null };
  let tablePath: string | null = null;
  for (const name of RUN_FOLDER_TABLES) {
    if ((await statOrNull(join(path, name)))?.isFile()) {
      tablePath = join(path, name);
      break;
    }
  }
  const ext = join(path, RUN_FOLDER_EXTENDED);
  if (!tablePath)
    throw new HfExportError(
      `${path}: not a run folder (it holds none of ${RUN_FOLDER_TABLES.join(', ')}); give a v5 table or a run folder`,
    );
  if (!(await statOrNull(ext))?.isFile())
    throw new HfExportError(`${ext}: missing; a run folder holds its extended rows there`);
  return { kind: 'run_folder', name: basename(path), tablePath, extendedPath: ext };
}

/** Reads a v5 table and refuses it when any row could not be read (the release would silently lack it). */
async function readTable(path: string): Promise<V5Table> {
  const table = await readV5Table(path);
  if (table.problems.length) {
    const shown = table.problems
      .slice(0, 20)
      .map(
        (p) =>
          `  ${table.path}: ${p.row === null ? 'file' : `row ${p.row}`}${p.column ? ` (${p.column})` : ''}: ${p.message}`,
      );
    const more =
      table.problems.length > shown.length ? [`  … and ${table.problems.length - shown.length} more`] : [];
    throw new TableFileError(
      table.path,
      `${table.problems.length} problem(s) in ${new Set(table.problems.map((p) => p.row)).size} row(s); the release would lack those rows, so nothing was written:\n${[...shown, ...more].join('\n')}`,
    );
  }
  return table;
}

interface ExtendedRows {
  readonly text: string;
  readonly rows: number;
  readonly schemaVersions: number[];
  /** the run's own leaderboard from these rows */
  readonly board: RunAgentSummary[];
}

/** Reads rows.ext.jsonl (each bad line named by file and line), for an exact copy and the run's leaderboard. */
async function readExtended(path: string): Promise<ExtendedRows> {
  const { ExtRowsError, readExtendedLines } = await import('./ext-rows-file.js');
  try {
    const { rows, lines } = await readExtendedLines(path);
    return {
      text: lines.length ? `${lines.join('\n')}\n` : '',
      rows: rows.length,
      schemaVersions: [...new Set<number>(rows.map((r) => r.schemaVersion))].sort((x, y) => x - y),
      board: runLeaderboard(rows.map(reportRowOf)),
    };
  } catch (e) {
    if (e instanceof ExtRowsError) throw new HfExportError(e.message);
    throw e;
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/** Checks the target before anything is computed: absent, an empty folder, or (with force) a folder that may go. */
async function checkTarget(
  outDir: string,
  input: string,
  force: boolean,
): Promise<'absent' | 'empty' | 'replace'> {
  const st = await statOrNull(outDir);
  if (!st) return 'absent';
  if (!st.isDirectory())
    throw new HfExportError(`${outDir}: exists and is not a folder; nothing was written`);
  const entries = await readdir(outDir);
  if (!entries.length) return 'empty';
  if (!force)
    throw new HfExportError(
      `${outDir}: exists and is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}); nothing was written. Give --force to replace it, or another -o folder`,
    );
  const refuse = (why: string) => {
    throw new HfExportError(`${outDir}: will not replace it with --force: ${why}`);
  };
  if (outDir === parse(outDir).root) refuse('it is the root of the file system');
  if (outDir === resolve(homedir())) refuse('it is the home folder');
  if (isInside(process.cwd(), outDir)) refuse('it holds the current folder');
  if (isInside(input, outDir)) refuse(`it holds the input ${input}`);
  return 'replace';
}

/**
 * Exports `input` as a release in `outDir`. Throws {@link HfExportError} or {@link TableFileError}
 * (naming the file, and the row and column where there is one) for bad input or an unusable target;
 * in both cases nothing is left behind.
 */
export async function exportHf(opts: HfExportOptions): Promise<HfExportResult> {
  const shardRows = opts.shardRows ?? DEFAULT_SHARD_ROWS;
  if (!Number.isInteger(shardRows) || shardRows < 1)
    throw new HfExportError(`the shard size must be a positive whole number of rows, got ${shardRows}`);
  const outDir = resolve(opts.outDir);
  const input = await resolveInput(opts.input);
  const mode = await checkTarget(outDir, resolve(opts.input), opts.force ?? false);
  const table = await readTable(input.tablePath);
  const extended = input.extendedPath ? await readExtended(input.extendedPath) : null;
  const shards = planShards(table.rows.length, shardRows);
  const card = computeHfCard(
    {
      rows: table.rows,
      rowNumbers: table.rowNumbers,
      source: { name: input.name, format: table.format, kind: input.kind },
      shards,
      extended: extended
        ? { path: 'extended/rows.jsonl', rows: extended.rows, schemaVersions: extended.schemaVersions }
        : null,
      runBoard: extended?.board ?? null,
    },
    opts.ctx,
  );

  const parent = dirname(outDir);
  await mkdir(parent, { recursive: true });
  const stamp = `${process.pid}-${Date.now()}`;
  const tmp = join(parent, `.${basename(outDir)}.tmp-${stamp}`);
  const files: string[] = [];
  const put = async (rel: string, data: string | Uint8Array) => {
    await mkdir(dirname(join(tmp, rel)), { recursive: true });
    await writeFile(join(tmp, rel), data);
    files.push(rel);
  };
  try {
    for (const s of shards) await put(s.path, await v5ToParquet(table.rows.slice(s.start, s.end)));
    if (extended) await put('extended/rows.jsonl', extended.text);
    await put('README.md', renderHfReadme(card));
    await put('card.json', `${JSON.stringify(card, null, 2)}\n`);
    // read every shard back: a release that does not hold its rows must not replace anything
    let back = 0;
    for (const s of shards) {
      const t = await readV5Table(join(tmp, s.path));
      if (t.problems.length || t.rows.length !== s.end - s.start)
        throw new Error(
          `bug: shard ${s.path} reads back ${t.rows.length} rows, ${t.problems.length} problem(s)`,
        );
      back += t.rows.length;
    }
    if (back !== table.rows.length)
      throw new Error(`bug: the shards hold ${back} rows, not ${table.rows.length}`);
    await commit(tmp, outDir, mode, stamp);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { outDir, files, table: table.path, card };
}

/** Moves the finished release into place; with `replace`, the old folder goes only once the new one is there. */
async function commit(tmp: string, outDir: string, mode: 'absent' | 'empty' | 'replace', stamp: string) {
  if (mode === 'absent') {
    await rename(tmp, outDir);
    return;
  }
  if (mode === 'empty') {
    // rename(2) replaces an empty folder; if something appeared in it meanwhile this fails and nothing changes
    await rename(tmp, outDir);
    return;
  }
  const old = join(dirname(outDir), `.${basename(outDir)}.old-${stamp}`);
  await rename(outDir, old);
  try {
    await rename(tmp, outDir);
  } catch (e) {
    await rename(old, outDir);
    throw e;
  }
  await rm(old, { recursive: true, force: true });
}
