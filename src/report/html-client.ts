/// <reference lib="dom" />
/**
 * The HTML report's page script (bundled into the report by the build; no network, no libraries):
 * filters, the leaderboard (the same function as `isobench leaderboard`), SVG charts and a paged,
 * sortable per-task table. Everything is recomputed from the embedded rows on each filter change;
 * only one page of the table and a bounded number of chart marks are drawn, so 10,000 rows stay fast.
 */
import { ReportDataSchema, ReportPayloadSchema } from '../store/report-record.js';
import { errorMessage } from '../util/errors.js';
import { parseJson } from '../util/json.js';
import type { Schema, Shape } from '../util/zod.js';
import { aggregateCells } from './aggregates.js';
import { type ReportRow, rowFiles, type Triple } from './board-rows.js';
import { decodeRows, type ReportData } from './html-data.js';
import { type RunAgentSummary, runLeaderboard } from './run-leaderboard.js';

const PAGE = 100;
const MAX_INTERVALS = 150;
const SVG = 'http://www.w3.org/2000/svg';

// set by main(), once the embedded data is read (and unpacked)
let data: ReportData;
let all: ReportRow[] = [];
let band = 5;

/**
 * A value of the embedded data checked by its schema, the one the store's reader uses in Node
 * (src/store/report-record.ts); the first wrong field is named.
 */
function checked<S extends Schema>(schema: S, raw: unknown, part: string): Shape<S> {
  const res = schema.safeParse(raw);
  if (res.success) return res.data as Shape<S>; // a schema's output, read-only from here on
  const first = res.error.issues[0];
  const field = [part, ...(first?.path.map(String) ?? [])].filter((x) => x).join('.');
  throw new Error(`the report's isobench-data: ${field || 'the data'}: ${first?.message ?? 'unreadable'}`);
}

/** The embedded data; rows and files packed as gzip + base64 are unpacked by the browser itself. */
async function readData(): Promise<ReportData> {
  const d = checked(ReportDataSchema, parseJson($('isobench-data').textContent ?? '{}'), '');
  if (!d.packed) return d;
  if (typeof DecompressionStream !== 'function')
    throw new Error(
      'this browser cannot unpack the report (it lacks DecompressionStream); make it with --no-compress',
    );
  const bytes = Uint8Array.from(atob(d.packed), (c) => c.charCodeAt(0));
  const text = await new Response(
    new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')),
  ).text();
  return { ...d, ...checked(ReportPayloadSchema, parseJson(text), 'packed'), packed: null };
}

const FILTER_KEYS = ['agent', 'model', 'mode', 'task', 'outcome'] as const;
type Filters = Record<(typeof FILTER_KEYS)[number], string>;
const filters: Filters = { agent: '', model: '', mode: '', task: '', outcome: '' };
let sortKey: keyof ReportRow | 'vsHumanEst' = 'task';
let sortDir = 1;
let page = 0;

// ---------- small DOM helpers ----------
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Array<Node | string | null>
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== null) e.append(c);
  return e;
}
function svg(tag: string, attrs: Record<string, string | number> = {}, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}
/** The page's element `id`, checked to be a `type` (the page's template always has it). */
function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const e = document.getElementById(id);
  if (!(e instanceof type)) throw new Error(`the report page has no ${type.name} #${id}`);
  return e;
}
const $ = (id: string) => byId(id, HTMLElement);

// ---------- formatting (the Chromium test reads these strings back) ----------
export const fmtPct = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
/** an interval; a point estimate (lo = hi = estimate, v5 rows) is shown alone */
const fmtCi = (t: readonly [number, number, number] | null) =>
  !t
    ? '–'
    : t[1] === t[0] && t[2] === t[0]
      ? fmtPct(t[0])
      : `${fmtPct(t[0])} [${t[1].toFixed(1)}, ${t[2].toFixed(1)}]`;
const fmtUsd = (x: number | null) => (x === null ? '–' : `$${x.toFixed(4)}`);
const fmtRate = (n: number, d: number) => (d ? `${n} (${((100 * n) / d).toFixed(1)}%)` : String(n));
const fmtInt = (x: number | null) => (x === null ? '–' : x.toLocaleString('en-US'));
const fmtSec = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** What a row came to, for the outcome bars and the outcome filter. */
export function outcomeOf(r: ReportRow): string {
  if (r.failure) return 'failed';
  if (!r.credited) return 'not credited';
  if (r.verdict === 'beats_human') return 'beats human';
  if (r.verdict === 'matches_human') return 'matches human';
  if (r.verdict === 'inconclusive') return 'inconclusive';
  return 'below human';
}
const OUTCOMES = ['beats human', 'matches human', 'inconclusive', 'below human', 'not credited', 'failed'];
const OUTCOME_COLOURS = ['#1b7f3b', '#6cc082', '#c9c9c9', '#e8a33d', '#9b59b6', '#c0392b'];
const QUADRANTS = ['true_success', 'good_intent', 'lucky_win', 'failure', 'not judged'];
const QUADRANT_COLOURS = ['#1b7f3b', '#3b7dd8', '#e8a33d', '#c0392b', '#c9c9c9'];
const PALETTE = [
  '#3b7dd8',
  '#c0392b',
  '#1b7f3b',
  '#e8a33d',
  '#9b59b6',
  '#16a085',
  '#7f8c8d',
  '#d35400',
  '#2c3e50',
  '#f1c40f',
];

function filtered(): ReportRow[] {
  const q = filters.task.toLowerCase();
  return all.filter(
    (r) =>
      (!filters.agent || r.agent === filters.agent) &&
      (!filters.model || r.model === filters.model) &&
      (!filters.mode || r.mode === filters.mode) &&
      (!filters.outcome || outcomeOf(r) === filters.outcome) &&
      (!q || r.task.toLowerCase().includes(q)),
  );
}

// ---------- header and filters ----------
function header(): void {
  const s = data.source;
  const facts: string[] = [];
  if (s.runId) facts.push(`run ${s.runId}`);
  if (s.status) facts.push(s.status);
  if (s.createdAt) facts.push(`started ${s.createdAt}`);
  if (s.executor) facts.push(`${s.executor} executor`);
  if (s.repeats !== null)
    facts.push(`${s.repeats} measured round(s) + ${s.warmup ?? 0} warm-up, interleaved`);
  facts.push(`verdict band ±${band}%`);
  const devices = Object.entries(s.devices).map(([d, n]) => `${d} (${n} job${n === 1 ? '' : 's'})`);
  if (devices.length) facts.push(`measured on ${devices.join(', ')}`);
  const judges = Object.entries(s.judges ?? {}).map(([j, n]) => `${j} (${n} row${n === 1 ? '' : 's'})`);
  facts.push(judges.length ? `judged by ${judges.join(', ')}` : 'not judged');
  $('meta').textContent = facts.join(' · ');
  $('generated').textContent =
    `${all.length} row(s) from ${s.path} · report generated ${data.generatedAt} by isobench ${data.isobenchVersion}`;
  if (s.command) $('command').textContent = `isobench ${s.command}`;
  for (const n of s.notes ?? []) $('notes').append(el('p', { class: 'note' }, n));
}

function select(id: keyof Filters, label: string, values: string[]): HTMLElement {
  const sel = el('select', { id: `filter-${id}`, 'aria-label': label });
  sel.append(el('option', { value: '' }, `all ${label}s`));
  for (const v of values) sel.append(el('option', { value: v }, v));
  sel.value = filters[id];
  sel.addEventListener('change', () => {
    filters[id] = sel.value;
    page = 0;
    render();
  });
  return el('label', {}, `${label} `, sel);
}

function filterBar(): void {
  const uniq = (f: (r: ReportRow) => string) => [...new Set(all.map(f))].sort();
  const search = el('input', {
    id: 'filter-task',
    type: 'search',
    placeholder: 'task contains…',
    'aria-label': 'task',
  });
  search.value = filters.task;
  search.addEventListener('input', () => {
    filters.task = search.value;
    page = 0;
    render();
  });
  $('filters').append(
    select(
      'agent',
      'agent',
      uniq((r) => r.agent),
    ),
    select(
      'model',
      'model',
      uniq((r) => r.model),
    ),
    select(
      'mode',
      'mode',
      uniq((r) => r.mode),
    ),
    select(
      'outcome',
      'outcome',
      OUTCOMES.filter((o) => all.some((r) => outcomeOf(r) === o)),
    ),
    el('label', {}, 'task ', search),
  );
}

// ---------- leaderboard ----------
const BOARD_COLUMNS: Array<[string, string, (a: RunAgentSummary) => string]> = [
  ['agent', 'Agent', (a) => a.agent],
  ['model', 'Model', (a) => a.model],
  ['attempts', 'Attempts', (a) => String(a.attempts)],
  [
    'true',
    'True success',
    (a) => (a.trueSuccess === null ? 'not judged' : fmtRate(a.trueSuccess, a.attempts)),
  ],
  ['hard', 'Hard success', (a) => fmtRate(a.hardSuccess, a.attempts)],
  ['solved', 'Tasks solved (any attempt)', (a) => fmtRate(a.tasksSolved, a.tasks)],
  ['pass1', 'pass@1', (a) => `${(100 * a.passAt1).toFixed(1)}%`],
  ['valid', 'Valid', (a) => fmtRate(a.valid, a.attempts)],
  [
    'median',
    'Median vs human [95% CI]',
    (a) =>
      `${fmtPct(a.medianVsHuman)}${a.medianVsHumanCi ? ` [${a.medianVsHumanCi[0].toFixed(1)}, ${a.medianVsHumanCi[1].toFixed(1)}]` : ''}`,
  ],
  ['sr', 'Speedup ratio (SWE-fficiency, HM)', (a) => aggregateCells(a.aggregates)[0]],
  ['opt', 'Opt@1 / Opt@K (GSO, p 0.95)', (a) => aggregateCells(a.aggregates)[1]],
  ['msp', 'Min significant speedup (SWE-Perf, mean)', (a) => aggregateCells(a.aggregates)[2]],
  [
    'outputs',
    'Outputs eq / diverged / probe failed',
    (a) =>
      `${a.equivalence.equivalent ?? 0} / ${a.equivalence.diverged ?? 0} / ${a.equivalence.probe_failed ?? 0}`,
  ],
  ['tamper', 'Tamper findings (fail / warn)', (a) => `${a.tamper.fail} / ${a.tamper.warn}`],
  [
    'failures',
    'Failures',
    (a) =>
      Object.entries(a.failures)
        .sort((x, y) => y[1] - x[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || '–',
  ],
  ['cost-attempt', 'Cost / attempt', (a) => fmtUsd(a.costPerAttempt)],
  ['cost-success', 'Cost / hard success', (a) => fmtUsd(a.costPerHardSuccess)],
  [
    'tokens',
    'Tokens in / out',
    (a) =>
      a.costUsd === null && !a.tokens.input ? '–' : `${fmtInt(a.tokens.input)} / ${fmtInt(a.tokens.output)}`,
  ],
];

function board(rows: ReportRow[]): RunAgentSummary[] {
  const b = runLeaderboard(rows);
  const t = el('table', { id: 'leaderboard-table' });
  t.append(el('thead', {}, el('tr', {}, ...BOARD_COLUMNS.map(([, h]) => el('th', {}, h)))));
  const body = el('tbody');
  for (const a of b) {
    const tr = el('tr', { 'data-agent': a.agent, 'data-model': a.model });
    for (const [k, , f] of BOARD_COLUMNS) tr.append(el('td', { 'data-col': k }, f(a)));
    body.append(tr);
  }
  t.append(body);
  $('leaderboard').replaceChildren(el('div', { class: 'scroll' }, t));
  return b;
}

// ---------- charts ----------
/** The `i`-th colour of a palette, round and round. */
function colourAt(colours: readonly string[], i: number): string {
  const c = colours[i % colours.length];
  if (c === undefined) throw new Error(`no colour ${i} in a palette of ${colours.length}`);
  return c;
}

function legend(names: string[], colours: string[]): HTMLElement {
  return el(
    'div',
    { class: 'legend' },
    ...names.map((n, i) =>
      el('span', {}, el('i', { style: `background:${colours[i % colours.length]}` }), n),
    ),
  );
}

/** Horizontal stacked bars: one bar per agent, one segment per category. */
function stacked(
  id: string,
  title: string,
  rows: ReportRow[],
  cat: (r: ReportRow) => string | null,
  cats: string[],
  colours: string[],
): void {
  const groups = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const c = cat(r);
    if (c === null) continue;
    const k = `${r.agent} · ${r.model}`;
    let g = groups.get(k);
    if (!g) {
      g = new Map();
      groups.set(k, g);
    }
    g.set(c, (g.get(c) ?? 0) + 1);
  }
  const box = $(id);
  box.replaceChildren(el('h3', {}, title));
  if (!groups.size) {
    box.append(el('p', { class: 'empty' }, 'nothing to show for these filters'));
    return;
  }
  const labelW = 220;
  const W = 640;
  const barH = 22;
  const H = groups.size * (barH + 8) + 24;
  const max = Math.max(...[...groups.values()].map((g) => [...g.values()].reduce((a, b) => a + b, 0)));
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': title });
  let y = 4;
  for (const [name, g] of groups) {
    s.append(svg('text', { x: labelW - 6, y: y + barH * 0.7, 'text-anchor': 'end', class: 'lbl' }, name));
    let x = labelW;
    cats.forEach((c, i) => {
      const n = g.get(c) ?? 0;
      if (!n) return;
      const w = ((W - labelW - 40) * n) / max;
      const rect = svg('rect', {
        x,
        y,
        width: Math.max(w, 1),
        height: barH,
        fill: colourAt(colours, i),
      });
      rect.append(svg('title', {}, `${name}: ${c} ${n}`));
      s.append(rect);
      if (w > 18)
        s.append(
          svg('text', { x: x + w / 2, y: y + barH * 0.7, 'text-anchor': 'middle', class: 'in' }, String(n)),
        );
      x += w;
    });
    y += barH + 8;
  }
  box.append(s, legend(cats, colours));
}

/** Agent vs human per row with its interval, sorted, at most MAX_INTERVALS rows (the best and worst). */
function intervals(rows: ReportRow[]): void {
  const box = $('chart-intervals');
  const withCi = rows
    .filter((r): r is ReportRow & { vsHuman: Triple } => !!r.vsHuman)
    .sort((a, b) => (b.vsHuman?.[0] ?? 0) - (a.vsHuman?.[0] ?? 0));
  box.replaceChildren(el('h3', {}, 'Agent vs human per task (95% interval; positive = agent better)'));
  if (!withCi.length) {
    box.append(el('p', { class: 'empty' }, 'no row with an agent-vs-human interval for these filters'));
    return;
  }
  let shown = withCi;
  if (withCi.length > MAX_INTERVALS) {
    const h = MAX_INTERVALS / 2;
    shown = [...withCi.slice(0, h), ...withCi.slice(-h)];
    box.append(
      el(
        'p',
        { class: 'note' },
        `${withCi.length} rows have an interval; the ${h} best and ${h} worst are drawn. Filter to see others.`,
      ),
    );
  }
  const lo = Math.min(-band * 2, ...shown.map((r) => r.vsHuman[1]));
  const hi = Math.max(band * 2, ...shown.map((r) => r.vsHuman[2]));
  const labelW = 300;
  const W = 900;
  const rowH = 14;
  const H = shown.length * rowH + 30;
  const xs = (v: number) => labelW + ((W - labelW - 20) * (v - lo)) / (hi - lo || 1);
  const s = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: 'img',
    'aria-label': 'agent vs human intervals',
  });
  s.append(svg('rect', { x: xs(-band), y: 0, width: xs(band) - xs(-band), height: H - 20, fill: '#eef2f7' }));
  s.append(
    svg('line', { x1: xs(0), x2: xs(0), y1: 0, y2: H - 20, stroke: '#555', 'stroke-dasharray': '3 3' }),
  );
  let lastX = Number.NEGATIVE_INFINITY;
  for (const v of [lo, -band, 0, band, hi].sort((a, b) => a - b)) {
    if (xs(v) - lastX < 34) continue; // no overlapping tick labels
    lastX = xs(v);
    s.append(svg('text', { x: xs(v), y: H - 6, 'text-anchor': 'middle', class: 'lbl' }, `${v.toFixed(0)}%`));
  }
  const agents = [...new Set(all.map((r) => r.agent))].sort();
  shown.forEach((r, i) => {
    const [e, l, h] = r.vsHuman;
    const y = i * rowH + rowH / 2;
    const c = colourAt(PALETTE, agents.indexOf(r.agent));
    s.append(
      svg(
        'text',
        { x: labelW - 6, y: y + 4, 'text-anchor': 'end', class: 'lbl small' },
        `${r.task} · ${r.agent}${r.attempt ? ` #${r.attempt}` : ''}`,
      ),
    );
    s.append(svg('line', { x1: xs(l), x2: xs(h), y1: y, y2: y, stroke: c, 'stroke-width': 2 }));
    const dot = svg('circle', { cx: xs(e), cy: y, r: 3.5, fill: c });
    dot.append(svg('title', {}, `${r.task} · ${r.agent} · ${r.model}: ${fmtCi(r.vsHuman)}`));
    s.append(dot);
  });
  box.append(s, legend(agents, PALETTE));
}

/** Cost per attempt against hard-success rate, one point per agent and model. */
function costChart(b: RunAgentSummary[]): void {
  const box = $('chart-cost');
  box.replaceChildren(el('h3', {}, 'Cost per attempt vs hard-success rate'));
  const pts = b.filter((a): a is RunAgentSummary & { costPerAttempt: number } => a.costPerAttempt !== null);
  if (!pts.length) {
    box.append(
      el(
        'p',
        { class: 'empty' },
        'no cost recorded for these rows (replayed patches carry none; some agents report tokens only)',
      ),
    );
    return;
  }
  const W = 640;
  const H = 320;
  const m = 48;
  const maxC = Math.max(...pts.map((a) => a.costPerAttempt)) * 1.15 || 1;
  const xs = (c: number) => m + ((W - 2 * m) * c) / maxC;
  const ys = (p: number) => H - m - ((H - 2 * m) * p) / 100;
  const s = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    width: W,
    height: H,
    role: 'img',
    'aria-label': 'cost vs success',
  });
  s.append(svg('line', { x1: m, x2: W - m, y1: H - m, y2: H - m, stroke: '#555' }));
  s.append(svg('line', { x1: m, x2: m, y1: m, y2: H - m, stroke: '#555' }));
  for (const p of [0, 25, 50, 75, 100])
    s.append(svg('text', { x: m - 6, y: ys(p) + 4, 'text-anchor': 'end', class: 'lbl' }, `${p}%`));
  for (const f of [0, 0.5, 1])
    s.append(
      svg(
        'text',
        { x: xs(maxC * f), y: H - m + 16, 'text-anchor': 'middle', class: 'lbl' },
        `$${(maxC * f).toFixed(3)}`,
      ),
    );
  s.append(
    svg('text', { x: W / 2, y: H - 8, 'text-anchor': 'middle', class: 'lbl' }, 'cost per attempt (USD)'),
  );
  pts.forEach((a, i) => {
    const x = xs(a.costPerAttempt);
    const y = ys((100 * a.hardSuccess) / a.attempts);
    const dot = svg('circle', { cx: x, cy: y, r: 6, fill: colourAt(PALETTE, i) });
    dot.append(
      svg(
        'title',
        {},
        `${a.agent} · ${a.model}: ${fmtUsd(a.costPerAttempt)} per attempt, ${fmtRate(a.hardSuccess, a.attempts)} hard successes`,
      ),
    );
    s.append(dot, svg('text', { x: x + 9, y: y + 4, class: 'lbl' }, `${a.agent} · ${a.model}`));
  });
  box.append(s);
}

// ---------- per-task table ----------
const TABLE_COLUMNS: Array<[keyof ReportRow | 'vsHumanEst', string, (r: ReportRow) => Node | string]> = [
  ['task', 'Task', (r) => r.task],
  ['agent', 'Agent', (r) => r.agent],
  ['model', 'Model', (r) => r.model],
  ['attempt', '#', (r) => (r.attempt === null ? '–' : String(r.attempt))],
  ['mode', 'Mode', (r) => r.mode],
  ['verdict', 'Verdict', (r) => r.verdict ?? '–'],
  ['vsHumanEst', 'vs human [95% CI]', (r) => fmtCi(r.vsHuman)],
  ['vsBaseline', 'vs baseline', (r) => fmtPct(r.vsBaseline?.[0])],
  // what the human's commit gained here: the yardstick of the two columns before it
  ['humanVsBaseline', 'human vs baseline', (r) => fmtPct(r.humanVsBaseline?.[0])],
  ['equivalence', 'Outputs', (r) => r.equivalence ?? '–'],
  [
    'tamperFail',
    'Tamper',
    (r) => (r.tamperFail || r.tamperWarn ? `${r.tamperFail} fail / ${r.tamperWarn} warn` : '–'),
  ],
  ['quadrant', 'Quadrant', (r) => r.quadrant ?? (r.judge === 'judge_failed' ? 'judge failed' : '–')],
  ['failure', 'Failure', (r) => r.failure ?? '–'],
  ['cost', 'Cost', (r) => fmtUsd(r.cost)],
  [
    'tokensIn',
    'Tokens in / out',
    (r) => (r.tokensIn === null ? '–' : `${fmtInt(r.tokensIn)} / ${fmtInt(r.tokensOut)}`),
  ],
  ['turns', 'Turns', (r) => fmtInt(r.turns)],
  ['wallMs', 'Agent time', (r) => fmtSec(r.wallMs)],
  [
    'job',
    'Files',
    (r) => {
      const span = el('span', { class: 'links' });
      for (const [label, path] of rowFiles(r)) {
        if (data.linkBase === null && !data.artifacts?.[path]) continue;
        const a = el('a', { href: `${data.linkBase ?? ''}${path}`, 'data-path': path }, label);
        if (data.artifacts?.[path] !== undefined) a.addEventListener('click', (ev) => showArtifact(ev, path));
        span.append(a, ' ');
      }
      return span;
    },
  ],
];

function sortValue(r: ReportRow, k: keyof ReportRow | 'vsHumanEst'): number | string {
  if (k === 'vsHumanEst') return r.vsHuman?.[0] ?? Number.NEGATIVE_INFINITY;
  if (k === 'vsBaseline') return r.vsBaseline?.[0] ?? Number.NEGATIVE_INFINITY;
  if (k === 'humanVsBaseline') return r.humanVsBaseline?.[0] ?? Number.NEGATIVE_INFINITY;
  const v = r[k];
  if (typeof v === 'number' || typeof v === 'string') return v;
  return v === null || v === undefined ? '' : String(v);
}

/** The rows in the current sort order; ties by task, then agent. */
function sortedRows(rows: readonly ReportRow[]): ReportRow[] {
  const cmp = (x: number | string, y: number | string) => (x < y ? -1 : x > y ? 1 : 0);
  return [...rows].sort(
    (a, b) =>
      (cmp(sortValue(a, sortKey), sortValue(b, sortKey)) || cmp(a.task, b.task) || cmp(a.agent, b.agent)) *
      sortDir,
  );
}

/** The header row; a click on a column sorts by it (again: the other way). */
function tableHead(rows: ReportRow[]): HTMLElement {
  const head = el('tr');
  for (const [k, h] of TABLE_COLUMNS) {
    const th = el(
      'th',
      { 'data-sort': String(k), title: 'sort' },
      h + (k === sortKey ? (sortDir > 0 ? ' ▲' : ' ▼') : ''),
    );
    th.addEventListener('click', () => {
      if (sortKey === k) sortDir = -sortDir;
      else [sortKey, sortDir] = [k, 1];
      table(rows);
      writeHash();
    });
    head.append(th);
  }
  return el('thead', {}, head);
}

/** The page's rows; a click on one opens or closes its details. */
function tableBody(rows: ReportRow[], slice: readonly ReportRow[]): HTMLElement {
  const body = el('tbody');
  for (const r of slice) {
    const tr = el('tr', { class: `o-${outcomeOf(r).replace(/ /g, '-')}` });
    for (const [k, , f] of TABLE_COLUMNS) tr.append(el('td', { 'data-col': String(k) }, f(r)));
    const key = rowKey(r);
    tr.dataset.key = key;
    tr.classList.add('clickable');
    tr.addEventListener('click', (ev) => {
      if (ev.target instanceof Element && ev.target.closest('a')) return;
      if (open.has(key)) open.delete(key);
      else open.add(key);
      table(rows);
    });
    body.append(tr);
    if (open.has(key)) body.append(detailRow(r));
  }
  return body;
}

/** Previous and next page, where the page is, and the CSV download of every row that matches. */
function pager(sorted: readonly ReportRow[], pages: number, shown: number): HTMLElement {
  const prev = el('button', { id: 'page-prev' }, '‹ previous');
  const next = el('button', { id: 'page-next' }, 'next ›');
  prev.toggleAttribute('disabled', page === 0);
  next.toggleAttribute('disabled', page >= pages - 1);
  prev.addEventListener('click', () => {
    page--;
    render();
  });
  next.addEventListener('click', () => {
    page++;
    render();
  });
  const info = el(
    'span',
    { id: 'page-info' },
    sorted.length
      ? `rows ${page * PAGE + 1}–${page * PAGE + shown} of ${sorted.length}`
      : 'no rows match the filters',
  );
  const csv = el('button', { id: 'download-csv' }, `download CSV (${sorted.length} rows)`);
  csv.addEventListener('click', () => downloadCsv([...sorted]));
  return el('div', { class: 'pager' }, prev, info, next, csv);
}

function table(rows: ReportRow[]): void {
  const sorted = sortedRows(rows);
  const pages = Math.max(1, Math.ceil(sorted.length / PAGE));
  page = Math.min(page, pages - 1);
  const slice = sorted.slice(page * PAGE, page * PAGE + PAGE);
  const t = el('table', { id: 'task-table' }, tableHead(rows), tableBody(rows, slice));
  $('tasks').replaceChildren(pager(sorted, pages, slice.length), el('div', { class: 'scroll' }, t));
}

/** Rows whose details are open (by key), kept across redraws. */
const open = new Set<string>();
const rowKey = (r: ReportRow) => `${r.task}|${r.agent}|${r.model}|${r.attempt ?? ''}|${r.variant ?? ''}`;
const fmtNum = (x: number | null, unit: string) => (x === null ? '–' : `${x.toPrecision(4)} ${unit}`);

/** Everything the row knows, under it: reasons, means, intervals, checks, judge, effort. */
function detailRow(r: ReportRow): HTMLElement {
  const items: Array<[string, string]> = [
    ['verdict', `${r.verdict ?? '–'}${r.verdictReason ? `: ${r.verdictReason}` : ''}`],
    ['failure', r.failure ?? '–'],
    ['primary metric', `${r.metric} (${r.unit}, ${r.better} is better)`],
    [
      'means',
      `baseline ${fmtNum(r.means.baseline, r.unit)} · human ${fmtNum(r.means.human, r.unit)} · agent ${fmtNum(r.means.agent, r.unit)}`,
    ],
    ['agent vs human', fmtCi(r.vsHuman)],
    ['agent vs baseline', fmtCi(r.vsBaseline)],
    ['human vs baseline', `${fmtCi(r.humanVsBaseline)}${r.validHere ? '' : ' (the task did not hold here)'}`],
    ['outputs', `${r.equivalence ?? 'not checked'}${r.credited ? '' : ' (no speed credit)'}`],
    ['tamper findings', r.tamperNotes.length ? r.tamperNotes.join('; ') : 'none'],
    [
      'judge',
      r.judge === 'judged'
        ? `targeting ${r.targeting}, approach ${r.approach}: ${r.judgeReason ?? ''}`
        : r.judge === 'judge_failed'
          ? `failed: ${r.judgeReason ?? ''}`
          : 'not judged',
    ],
    [
      'attempt',
      r.attemptDir
        ? `${r.outcome ?? '?'} · ${fmtSec(r.wallMs)} · ${fmtInt(r.turns)} turns · ${fmtInt(r.toolCalls)} tool calls · tokens ${fmtInt(r.tokensIn)} in / ${fmtInt(r.tokensOut)} out · ${fmtUsd(r.cost)} · ${r.attemptDir}`
        : 'replayed patch (no attempt in this run)',
    ],
  ];
  const dl = el('dl', { class: 'detail' });
  for (const [k, v] of items) dl.append(el('dt', {}, k), el('dd', { 'data-detail': k }, v));
  return el('tr', { class: 'detail-row' }, el('td', { colspan: String(TABLE_COLUMNS.length) }, dl));
}

// ---------- filters in the address (a link keeps what it shows) ----------
function readHash(): void {
  const h = new URLSearchParams(location.hash.slice(1));
  for (const k of FILTER_KEYS) filters[k] = h.get(k) ?? '';
  const s = h.get('sort');
  const column = s ? TABLE_COLUMNS.find(([k]) => k === s) : undefined;
  if (column) sortKey = column[0];
  if (h.get('dir') === 'desc') sortDir = -1;
}
function writeHash(): void {
  const h = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) h.set(k, v);
  if (sortKey !== 'task' || sortDir < 0) {
    h.set('sort', String(sortKey));
    h.set('dir', sortDir > 0 ? 'asc' : 'desc');
  }
  const text = h.toString();
  history.replaceState(null, '', text ? `#${text}` : location.pathname + location.search);
}

// ---------- CSV of the rows shown ----------
const CSV_COLUMNS: Array<[string, (r: ReportRow) => unknown]> = [
  ['task', (r) => r.task],
  ['agent', (r) => r.agent],
  ['model', (r) => r.model],
  ['attempt', (r) => r.attempt],
  ['mode', (r) => r.mode],
  ['metric', (r) => r.metric],
  ['unit', (r) => r.unit],
  ['verdict', (r) => r.verdict],
  ['hard_success', (r) => r.hard],
  ['credited', (r) => r.credited],
  ['valid', (r) => r.valid],
  ['failure', (r) => r.failure],
  ['vs_human', (r) => r.vsHuman?.[0]],
  ['vs_human_lo', (r) => r.vsHuman?.[1]],
  ['vs_human_hi', (r) => r.vsHuman?.[2]],
  ['vs_baseline', (r) => r.vsBaseline?.[0]],
  ['baseline_mean', (r) => r.means.baseline],
  ['human_mean', (r) => r.means.human],
  ['agent_mean', (r) => r.means.agent],
  ['outputs', (r) => r.equivalence],
  ['tamper_fail', (r) => r.tamperFail],
  ['tamper_warn', (r) => r.tamperWarn],
  ['quadrant', (r) => r.quadrant],
  ['targeting', (r) => r.targeting],
  ['approach', (r) => r.approach],
  ['judge', (r) => r.judge],
  ['cost_usd', (r) => r.cost],
  ['tokens_in', (r) => r.tokensIn],
  ['tokens_out', (r) => r.tokensOut],
  ['turns', (r) => r.turns],
  ['tool_calls', (r) => r.toolCalls],
  ['agent_wall_ms', (r) => r.wallMs],
];
const csvCell = (v: unknown) => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
function downloadCsv(rows: ReportRow[]): void {
  const text = [
    CSV_COLUMNS.map(([h]) => h).join(','),
    ...rows.map((r) => CSV_COLUMNS.map(([, f]) => csvCell(f(r))).join(',')),
  ].join('\n');
  const a = el('a', {
    href: URL.createObjectURL(new Blob([`${text}\n`], { type: 'text/csv' })),
    download: 'isobench-rows.csv',
  });
  document.body.append(a);
  a.click();
  a.remove();
}

function showArtifact(ev: Event, path: string): void {
  ev.preventDefault();
  const d = byId('artifact', HTMLDialogElement);
  $('artifact-title').textContent = path;
  $('artifact-text').textContent = data.artifacts?.[path] ?? '';
  d.showModal();
}

function render(): void {
  const rows = filtered();
  $('count').textContent = `${rows.length} of ${all.length} row(s)`;
  const b = board(rows);
  stacked('chart-outcomes', 'Outcomes per agent', rows, outcomeOf, OUTCOMES, OUTCOME_COLOURS);
  if (rows.some((r) => r.judge !== null))
    stacked(
      'chart-quadrants',
      'Quadrants (hard verdict × bottleneck targeting)',
      rows,
      (r) => r.quadrant ?? 'not judged',
      QUADRANTS,
      QUADRANT_COLOURS,
    );
  else
    $('chart-quadrants').replaceChildren(
      el('h3', {}, 'Quadrants'),
      el('p', { class: 'empty' }, 'not judged (run with --judge)'),
    );
  const classes = [...new Set(rows.map((r) => r.failure).filter((f): f is string => !!f))].sort();
  stacked('chart-failures', 'Failures by class', rows, (r) => r.failure, classes, PALETTE);
  intervals(rows);
  costChart(b);
  table(rows);
  writeHash();
  document.body.dataset.rendered = String(rows.length);
}

async function main(): Promise<void> {
  data = await readData();
  all = decodeRows(data.columns, data.rows);
  band = data.source.thresholdPct ?? 5;
  readHash();
  header();
  filterBar();
  render();
  byId('artifact-close', HTMLButtonElement).addEventListener('click', () =>
    byId('artifact', HTMLDialogElement).close(),
  );
}

main().catch((e: unknown) => {
  const msg = `isobench report: ${errorMessage(e)}`;
  $('leaderboard').replaceChildren(el('p', { class: 'error' }, msg));
  console.error(msg);
});
