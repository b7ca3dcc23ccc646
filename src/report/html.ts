/**
 * The HTML report: one self-contained file (styles, page script and data inline; nothing fetched at
 * view time) of a run folder or a rows.ext.jsonl file. The page script is built by `npm run build`
 * into dist/report-client.js and inlined here.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readStoredIfThere } from '../store/read.js';
import { checkStored, parseStored, StoredRecordError } from '../store/schema.js';
import { errorMessage } from '../util/errors.js';
import { readTextIfThere, statIfThere } from '../util/if-there.js';
import { isJsonObject, jsonObject, parseJson } from '../util/json.js';
import { packageRoot } from '../util/package-root.js';
import type { LeaderboardContext, LeaderboardScope } from '../v5/leaderboard.js';
import { type ReportRow, reportRowOf, rowFiles } from './board-rows.js';
import { readExtendedRows } from './ext-rows-file.js';
import {
  encodeRows,
  REPORT_COLUMNS,
  REPORT_DATA_VERSION,
  type ReportData,
  type ReportSource,
} from './html-data.js';
import { type ReportInput, ReportInputError } from './run-input.js';
import { restrictionLine, type ValidTasks } from './task-validity.js';

/** Report options. */
export interface HtmlReportOptions {
  /** where the report will be written (links are made relative to it) */
  readonly outFile: string;
  readonly title?: string;
  /** embed the texts of linked files up to this many bytes each (0 = links only) */
  readonly embedMaxBytes?: number;
  /** no links to run files (e.g. a report mailed on its own) */
  readonly noLinks?: boolean;
  /** fixed generation time (reproducible output) */
  readonly now?: Date;
  /** how a v5 table's rows are classified (the card summary's scope and band, the catalogue's lookups) */
  readonly v5?: { scope: LeaderboardScope; band: number; ctx: LeaderboardContext };
  /** only the rows of tasks valid on every machine (a run's rows; `tasks validity --out`) */
  readonly validTasks?: ValidTasks;
}

/** The devices the rows' jobs were measured on; a job.json this isobench cannot read is a note. */
async function devicesOf(
  runDir: string,
  rows: readonly ReportRow[],
): Promise<{ devices: Record<string, number>; notes: string[] }> {
  const devices: Record<string, number> = {};
  const notes: string[] = [];
  for (const job of new Set(rows.map((r) => r.job).filter((j): j is string => !!j))) {
    const j = await readStoredIfThere('job', join(runDir, job, 'job.json')).catch((e: unknown) => {
      if (!(e instanceof StoredRecordError)) throw e;
      notes.push(`${job}: its device is not counted (${e.message})`);
      return null;
    });
    if (!j) continue;
    const fp = j.fingerprint;
    const name = fp.gpu ?? fp.cpu ?? 'unknown device';
    devices[name] = (devices[name] ?? 0) + 1;
  }
  return { devices, notes };
}

/** Which judge answered how many rows. */
function judgesOf(
  rows: readonly { judge?: { model: string; rubricVersion: number } | null }[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows)
    if (r.judge) {
      const k = `${r.judge.model}, rubric v${r.judge.rubricVersion}`;
      out[k] = (out[k] ?? 0) + 1;
    }
  return out;
}

const jsonForScript = (x: unknown) =>
  JSON.stringify(x)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** The page script, as built. */
export async function clientScript(): Promise<string> {
  const file = join(packageRoot(), 'dist', 'report-client.js');
  const text = await readTextIfThere(file);
  if (text === null)
    throw new Error(`${file} is missing: run \`npm run build\` (it builds the report's page script)`);
  return text;
}

/** The data of a report (what the page embeds). */
export async function reportData(input: ReportInput, o: HtmlReportOptions): Promise<ReportData> {
  if (input.v5) return v5ReportData(input.rowsFile, o);
  const valid = o.validTasks;
  const ext = (await readExtendedRows(input.rowsFile)).filter((r) => !valid || valid.tasks.has(r.task));
  const rows = ext.map(reportRowOf);
  const run = input.runDir
    ? await readStoredIfThere('run', join(input.runDir, 'run.json')).catch((e: unknown) => {
        throw e instanceof StoredRecordError ? new ReportInputError(e.message) : e;
      })
    : null;
  const jobs = input.runDir ? await devicesOf(input.runDir, rows) : { devices: {}, notes: [] };
  const source: ReportSource = {
    kind: input.runDir ? 'run' : 'rows',
    path: input.runDir ?? input.rowsFile,
    runId: run?.runId ?? ext[0]?.runId ?? null,
    createdAt: run?.createdAt ?? null,
    status: run?.status ?? null,
    executor: run?.executor ?? ext[0]?.executor ?? null,
    repeats: run?.repeats ?? ext[0]?.repeats ?? null,
    warmup: run?.warmup ?? null,
    thresholdPct: run?.thresholdPct ?? ext[0]?.thresholdPct ?? null,
    command: run?.args ? run.args.join(' ') : null,
    devices: jobs.devices,
    judges: judgesOf(ext),
    notes: valid ? [restrictionLine(valid, rows.length), ...jobs.notes] : jobs.notes,
  };
  let linkBase: string | null = null;
  if (input.runDir && !o.noLinks) {
    const rel = relative(dirname(resolve(o.outFile)), input.runDir)
      .split(sep)
      .join('/');
    linkBase = rel ? `${rel}/` : '';
  }
  let artifacts: Record<string, string> | null = null;
  const max = o.embedMaxBytes ?? 0;
  if (input.runDir && max > 0) {
    artifacts = {};
    for (const r of rows)
      for (const [, path] of rowFiles(r)) {
        if (path.endsWith('/') || path in artifacts) continue;
        const file = join(input.runDir, path);
        const s = await statIfThere(file);
        if (!s?.isFile()) continue;
        const text = await readFile(file, 'utf8');
        artifacts[path] =
          s.size <= max
            ? text
            : `${text.slice(0, max)}\n\n[isobench report: ${s.size} bytes; the first ${max} are shown here, the whole file is ${path} in the run folder]\n`;
      }
  }
  return {
    schemaVersion: REPORT_DATA_VERSION,
    title: o.title ?? `isobench report: ${source.runId ?? basename(input.rowsFile)}`,
    generatedAt: (o.now ?? new Date()).toISOString(),
    isobenchVersion: await isobenchVersion(),
    source,
    linkBase,
    columns: [...REPORT_COLUMNS],
    rows: encodeRows(rows),
    artifacts,
    packed: null,
  };
}

async function isobenchVersion(): Promise<string> {
  const file = join(packageRoot(), 'package.json');
  const version = jsonObject(await readFile(file, 'utf8'))?.version;
  if (typeof version !== 'string') throw new Error(`${file}: no version string`);
  return version;
}

/** The report data of a schema-v5 table, rows as the card classifies them (see v5-report-rows.ts). */
async function v5ReportData(file: string, o: HtmlReportOptions): Promise<ReportData> {
  const { readV5Table, TableFileError } = await import('../v5/io.js');
  const { reportRowsOfV5 } = await import('./v5-board-rows.js');
  let table: Awaited<ReturnType<typeof readV5Table>>;
  try {
    table = await readV5Table(file);
  } catch (e) {
    if (e instanceof TableFileError) throw new ReportInputError(e.message);
    throw e;
  }
  const v5 = o.v5 ?? { scope: 'all' as const, band: 5, ctx: {} };
  const rows = reportRowsOfV5(table.rows, table.rowNumbers, v5, v5.ctx);
  const source: ReportSource = {
    kind: 'v5',
    path: file,
    runId: null,
    createdAt: null,
    status: null,
    executor: null,
    repeats: null,
    warmup: null,
    thresholdPct: v5.band,
    command: null,
    devices: {},
    judges: {},
    notes: [
      `A schema-v5 table (${table.rows.length} rows): one line per agent and commit of the card summary (scope ${v5.scope}). v5 rows hold one number per metric, so agent vs human is a point estimate (no interval) and the verdict is the card's: beats above +${v5.band}%, matches within ±${v5.band}%, below under −${v5.band}%. Hard success = valid for comparison and beats or matches. Failures are the card's statuses (patch failure, missing human metric, wrong metric). No cost, judge or output checks exist in v5 rows.`,
      ...table.problems.map((p) => `table problem: ${JSON.stringify(p)}`),
    ],
  };
  return {
    schemaVersion: REPORT_DATA_VERSION,
    title: o.title ?? `isobench report: ${basename(file)}`,
    generatedAt: (o.now ?? new Date()).toISOString(),
    isobenchVersion: await isobenchVersion(),
    source,
    linkBase: null,
    columns: [...REPORT_COLUMNS],
    rows: encodeRows(rows),
    artifacts: null,
    packed: null,
  };
}

const CSS = `
:root{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2330;background:#fafbfc}
body{margin:0 auto;max-width:1400px;padding:16px 24px}
h1{font-size:22px;margin:4px 0}h2{font-size:17px;margin:24px 0 8px}h3{font-size:14px;margin:8px 0}
#meta,#generated,#command{color:#5b6475;font-size:13px;margin:2px 0}#command{font-family:ui-monospace,monospace}
#filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;position:sticky;top:0;background:#fafbfc;padding:8px 0;border-bottom:1px solid #dde2ea;z-index:2}
#filters label{font-size:13px}select,input{font:inherit;font-size:13px;padding:3px 6px}
#count{font-size:13px;color:#5b6475;margin-left:auto}
table{border-collapse:collapse;font-size:12.5px;width:100%}th,td{border-bottom:1px solid #e3e7ee;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef2f7;cursor:pointer;white-space:nowrap}
#leaderboard th{cursor:default}
/* the first column (the agent, the task) stays in place while a wide table scrolls sideways */
#leaderboard-table th:first-child,#leaderboard-table td:first-child,#task-table th:first-child,#task-table td:first-child{position:sticky;left:0;z-index:1;background:#fff;box-shadow:1px 0 0 #e3e7ee}
#leaderboard-table th:first-child,#task-table th:first-child{background:#eef2f7}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(620px,1fr));gap:16px}
.chart{background:#fff;border:1px solid #e3e7ee;border-radius:6px;padding:8px 12px;overflow-x:auto}
.lbl{font-size:11px;fill:#333}.small{font-size:10px}.in{font-size:11px;fill:#fff}
.legend{display:flex;flex-wrap:wrap;gap:10px;font-size:12px;margin:4px 0}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.empty,.note{color:#5b6475;font-size:13px}.error{color:#c0392b;font-weight:600}
.pager{display:flex;gap:12px;align-items:center;margin:6px 0;font-size:13px}
.scroll{overflow-x:auto}.links a{margin-right:4px;white-space:nowrap}
tr.o-beats-human td:first-child{border-left:3px solid #1b7f3b}tr.o-failed td:first-child{border-left:3px solid #c0392b}
tr.clickable{cursor:pointer}tr.clickable:hover td{background:#f3f6fa}
tr.detail-row td{background:#f7f9fc}dl.detail{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:4px 0;font-size:12.5px}dl.detail dt{color:#5b6475}dl.detail dd{margin:0}
dialog{width:min(1100px,90vw);max-height:85vh}dialog pre{white-space:pre-wrap;font-size:12px;max-height:70vh;overflow:auto}
`;

/** The data with its rows and files packed (gzip, base64); see {@link ReportData.packed}. */
export function packReportData(data: ReportData): ReportData {
  const inner = JSON.stringify({ rows: data.rows, artifacts: data.artifacts });
  return { ...data, rows: [], artifacts: null, packed: gzipSync(inner, { level: 9 }).toString('base64') };
}

/**
 * The embedded data of a report file (packed or not; an older version upgraded), for tools and
 * tests; `file` names the report in errors.
 */
export function embeddedData(html: string, file = 'the report'): ReportData {
  const m = /<script type="application\/json" id="isobench-data">([\s\S]*?)<\/script>/.exec(html);
  const body = m?.[1];
  if (body === undefined) throw new Error('no isobench-data element: not an isobench report');
  const where = `${file} (its isobench-data element)`;
  const d = parseStored('report', body, where);
  if (!d.packed) return d;
  let inner: unknown;
  try {
    inner = parseJson(gunzipSync(Buffer.from(d.packed, 'base64')).toString('utf8'));
  } catch (e) {
    throw new StoredRecordError(where, 'packed', `not gzip of JSON: ${errorMessage(e)}`);
  }
  const o = isJsonObject(inner) ? inner : {};
  return checkStored('report', { ...d, rows: o.rows, artifacts: o.artifacts, packed: null }, where);
}

/** The report's HTML text. */
export function renderHtml(data: ReportData, script: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="isobench ${escapeHtml(data.isobenchVersion)}">
<title>${escapeHtml(data.title)}</title>
<style>${CSS}</style></head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<p id="meta"></p><p id="generated"></p><p id="command"></p><div id="notes"></div>
<noscript><p>This report draws its tables and charts with JavaScript; the data is in the script element <code>isobench-data</code>.</p></noscript>
<div id="filters"><span id="count"></span></div>
<h2>Leaderboard</h2>
<p class="note">Hard success: credited (outputs equivalent) and beats or matches the human (interval vs the ±band). True success: hard success on the bottleneck the human targeted (judged). Valid: the task held here and the verdict counts.</p>
<div id="leaderboard"></div>
<h2>Charts</h2>
<div class="charts">
<div class="chart" id="chart-outcomes"></div><div class="chart" id="chart-quadrants"></div>
<div class="chart" id="chart-failures"></div><div class="chart" id="chart-cost"></div>
</div>
<div class="chart" id="chart-intervals" style="margin-top:16px"></div>
<h2>Per task</h2>
<div id="tasks"></div>
<dialog id="artifact"><h3 id="artifact-title"></h3><button id="artifact-close">close</button><pre id="artifact-text"></pre></dialog>
<script type="application/json" id="isobench-data">${jsonForScript(data)}</script>
<script>${script.replace(/<\/script/gi, '<\\/script')}</script>
</body></html>
`;
}
