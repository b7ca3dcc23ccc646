/** `isobench leaderboard FILE`: the dataset card's per-agent summary, as a terminal table, Markdown or JSON. */
import { resolve } from 'node:path';
import Table from 'cli-table3';
import {
  type AgentSummary,
  computeLeaderboard,
  type Leaderboard,
  type LeaderboardScope,
} from '../report/leaderboard.js';
import { readV5Table, TableFileError } from '../report/v5-io.js';
import { EXIT, out, outJson, UsageError } from './common.js';
import { catalogueContext } from './context.js';

function pct(n: number, d: number): string {
  return d ? `${n} (${((100 * n) / d).toFixed(1)}%)` : String(n);
}

function cells(a: AgentSummary): string[] {
  const c = a.counts;
  const valid = c.valid_for_comparison;
  return [
    a.display,
    String(a.commits),
    pct(valid, a.commits),
    pct(c.patch_failure, a.commits),
    String(c.missing_human_metric),
    String(c.wrong_metric),
    `${a.comparison.beats} / ${a.comparison.similar} / ${a.comparison.worse}`,
    String(a.unclassified.length),
  ];
}

const HEAD = [
  'Agent',
  'Commits',
  'Valid for comparison',
  'Patch failure',
  'Missing human metric',
  'Wrong metric',
  'Beats / similar / worse',
  'Unclassified',
];

function explain(lb: Leaderboard): string[] {
  const lines = [
    `Scope: ${lb.scope} — ${lb.commitsInScope.length} commit(s) in scope, ${lb.excluded.length} excluded. Beats/similar/worse: agent vs human on the primary metric, ±${lb.band}% band.`,
  ];
  for (const a of lb.agents) {
    for (const n of a.notes) lines.push(`${a.display}: ${n}`);
    if (a.noRow.length)
      lines.push(
        `${a.display}: no row for ${a.noRow.length} commit(s) in scope, counted as patch failures: ${a.noRow.join(' ')}`,
      );
    for (const u of a.unclassified)
      lines.push(`${a.display}: row ${u.row} (${u.commit}) not classified: ${u.reason}`);
  }
  for (const x of lb.excluded) lines.push(`excluded ${x.commit}: ${x.reason}`);
  return lines;
}

const usd = (x: number | null) => (x === null ? '-' : `$${x.toFixed(4)}`);
const RUN_HEAD = [
  'Agent',
  'Model',
  'Attempts',
  'Hard success',
  'True success',
  'Valid',
  'Median vs human',
  'Failures',
  'Cost/attempt',
  'Cost/success',
];

/** The leaderboard of a run folder's extended rows (`leaderboard RUN_DIR`). */
async function runFolderBoard(
  dir: string,
  format: string,
  opts: { agent?: string; model?: string },
): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { runLeaderboard } = await import('../report/run-leaderboard.js');
  const file = join(dir, 'rows.ext.jsonl');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`${file}: cannot read it (is ${dir} a run folder?)`);
  });
  const rows = text
    .split('\n')
    .map((l, i) => [l, i + 1] as const)
    .filter(([l]) => l.trim())
    .map(([l, n]) => {
      try {
        return JSON.parse(l);
      } catch (e) {
        throw new UsageError(`${file}:${n}: not JSON (${(e as Error).message})`);
      }
    })
    .filter((r) => (!opts.agent || r.agent === opts.agent) && (!opts.model || r.model === opts.model));
  const board = runLeaderboard(rows);
  if (format === 'json') {
    outJson({ schemaVersion: 1, file, agents: board });
    return EXIT.ok;
  }
  const cellsOf = (a: (typeof board)[number]) => [
    a.agent,
    a.model,
    String(a.attempts),
    pct(a.hardSuccess, a.attempts),
    a.trueSuccess === null ? 'not judged' : pct(a.trueSuccess, a.attempts),
    pct(a.valid, a.attempts),
    a.medianVsHuman === null ? '-' : `${a.medianVsHuman >= 0 ? '+' : ''}${a.medianVsHuman.toFixed(1)}%`,
    Object.entries(a.failures)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || '-',
    usd(a.costPerAttempt),
    usd(a.costPerHardSuccess),
  ];
  if (format === 'markdown') {
    out(`| ${RUN_HEAD.join(' | ')} |`);
    out(`|${RUN_HEAD.map(() => '---').join('|')}|`);
    for (const a of board) out(`| ${cellsOf(a).join(' | ')} |`);
    return EXIT.ok;
  }
  const t = new Table({ head: RUN_HEAD, style: { head: [], border: [] }, wordWrap: true });
  for (const a of board) t.push(cellsOf(a));
  out(t.toString());
  return EXIT.ok;
}

/** `leaderboard FILE` (a v5 table) or `leaderboard RUN_DIR` (a run's extended rows). */
export async function leaderboardCmd(
  file: string,
  opts: { format?: string; scope?: string; band?: string; tasksDir?: string; agent?: string; model?: string },
): Promise<number> {
  const format = opts.format ?? 'table';
  if (!['table', 'markdown', 'json'].includes(format))
    throw new UsageError(`--format must be table, markdown or json, got '${format}'`);
  const { statSync } = await import('node:fs');
  if (statSync(resolve(file), { throwIfNoEntry: false })?.isDirectory())
    return runFolderBoard(resolve(file), format, opts);
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
  const lb = computeLeaderboard(table.rows, table.rowNumbers, { scope, band }, ctx);
  if (format === 'json') {
    outJson({ ...lb, file: table.path, tableProblems: table.problems });
    return EXIT.ok;
  }
  if (format === 'markdown') {
    out(`| ${HEAD.join(' | ')} |`);
    out(`|${HEAD.map(() => '---').join('|')}|`);
    for (const a of lb.agents) out(`| ${cells(a).join(' | ')} |`);
    out();
    for (const l of explain(lb)) out(`- ${l}`);
    return EXIT.ok;
  }
  const t = new Table({ head: HEAD, style: { head: [], border: [] }, wordWrap: true });
  for (const a of lb.agents) t.push(cells(a));
  out(t.toString());
  for (const l of explain(lb)) out(l);
  return EXIT.ok;
}
