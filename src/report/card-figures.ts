/**
 * The card's figures beyond its agent table: its coverage and 3-way-completeness counts, the values
 * and modes its changelog quotes, the commits its changelog says it fixed, its lists of commits with
 * no benchmark mode and of latency-only benchmarks, the phases it says ran, its column count and GPU.
 * Each is confirmed, put down as one the rows cannot check, or listed as a difference with causes.
 *
 * A count over a split is bounded, not known: the rows held apart can add at most their number to
 * it. A count the rows exceed is checked against the card's changelog: when the rows a change named
 * there touched are exactly the excess (within the bound), the card's figure predates that change.
 */
import { rowCommand } from '../dataset/audit.js';
import type { AgentSummary } from '../dataset/leaderboard.js';
import { kindOfCommand } from '../dataset/primary.js';
import type { PublishedCard, PublishedChange } from '../dataset/published-card.js';
import { metricColumn, V5_METRICS, type V5Column, type V5Row } from '../dataset/v5-schema.js';
import {
  type CauseItem,
  type Findings,
  groupCauses,
  hasPhase,
  type InputSplit,
  isRowOf,
  listWords,
  type RowsOf,
  readPhaseRaw,
  sortedUnique,
} from './card-findings.js';
import type { CardDifference, DifferenceCause, HfCard, HfCardContext } from './card-types.js';

/** What the figure comparisons need besides the card's figures. */
export interface FigureInput {
  readonly card: HfCard;
  readonly rows: readonly V5Row[];
  readonly split: InputSplit;
  readonly rowsOf: RowsOf;
  /** the leaderboard line of each card agent ({@link PublishedCard.agents} id) */
  readonly matched: ReadonlyMap<string, AgentSummary | null>;
  readonly ctx: HfCardContext;
}

const OUTSIDE_LIST = "the card's list covers only the 43 commits of its comparison";

/** Compares every figure of this module's kinds; see the module comment. */
export function compareCardFigures(published: PublishedCard, input: FigureInput, out: Findings): void {
  compareRowCounts(published, input, out);
  for (const change of published.changelog) compareChange(change, input, out);
  compareQuotedValues(published, input, out);
  compareModeNone(published, input, out);
  compareLatencyOnly(published, input, out);
  comparePhasesRun(published, input, out);
  compareSchema(published, input, out);
  for (const u of published.unchecked) out.unverifiable.push(u);
}

/** Whether a row belongs to a card agent (its leaderboard line's labels), or to any when `agent` is null. */
function rowOfAgent(input: FigureInput, agent: string | null, r: V5Row): boolean {
  if (agent === null) return true;
  const a = input.matched.get(agent);
  return !!a && isRowOf(a, r);
}

const nonNull = (r: V5Row, c: V5Column) => r[c] !== null && r[c] !== undefined && r[c] !== '';

/** The rows one column set counts. */
function rowsMeeting(rows: readonly V5Row[], set: readonly V5Column[]): V5Row[] {
  return rows.filter((r) => set.every((c) => nonNull(r, c)));
}

/** The counted rows that a changelog entry touched (its commits, its agent, one of the figure's columns). */
function touchedByChanges(
  counted: readonly V5Row[],
  columns: ReadonlySet<V5Column>,
  published: PublishedCard,
  input: FigureInput,
): { rows: V5Row[]; changes: PublishedChange[] } {
  const changes = published.changelog.filter((ch) => ch.columns.some((c) => columns.has(c)));
  const rows = counted.filter((r) =>
    changes.some((ch) => ch.commits.includes(r.commit_short ?? '') && rowOfAgent(input, ch.agent, r)),
  );
  return {
    rows,
    changes: changes.filter((ch) => rows.some((r) => ch.commits.includes(r.commit_short ?? ''))),
  };
}

/** What the rows held apart from a split can add to a count: their number, and at most how much. */
interface Reach {
  readonly rows: number;
  readonly most: number;
}

/** The causes of a count the rows give as `n` where the card says `c`. */
function countCauses(
  n: number,
  c: number,
  touched: { rows: V5Row[]; changes: PublishedChange[] },
  reach: Reach,
  split: InputSplit,
): DifferenceCause[] {
  const { rows: held, most } = reach;
  if (n < c) {
    if (c - n <= most)
      return [
        {
          kind: 'hidden_split',
          detail: `${split.detail}; their ${held} rows could add the ${c - n} more (the release gives between ${n} and ${n + most})`,
          commits: split.absent,
        },
      ];
    return [
      {
        kind: 'rows_contradict_card',
        detail: held
          ? `even if the ${held} rows held apart added all they could (${most}), the release would give ${n + most}, fewer than the card's ${c}`
          : `the release's rows give ${c - n} fewer than the card`,
        commits: [],
      },
    ];
  }
  const before = n - touched.rows.length;
  const commits = sortedUnique(touched.rows.map((r) => r.commit_short ?? '?'));
  const changes = touched.changes.map((ch) => `"${ch.what}" (${ch.date})`).join(' and ');
  if (touched.rows.length && before <= c && c <= before + most)
    return [
      {
        kind: 'card_predates_its_fixes',
        detail: `the card's changelog entry ${changes} touched ${touched.rows.length} of these rows; without them the rows give ${before}${held ? `, and the ${held} rows held apart could make up the rest` : ', the card\u2019s figure'}: the table was not updated for the change`,
        commits,
      },
    ];
  return [
    {
      kind: 'rows_contradict_card',
      detail: `${held ? `the input alone holds ${n} such rows, more than the card counts over the whole release` : `the release's rows give ${n - c} more than the card`}${
        touched.rows.length
          ? `; its changelog entry ${changes} accounts for ${touched.rows.length} of them (${commits.join(' ')}), not for all`
          : '; no changelog entry names a change to them'
      }`,
      commits: touched.rows.length ? commits : [],
    },
  ];
}

/** One count figure: the rows it counts, and how it is named when the rows agree or differ. */
interface CountFigure {
  readonly id: string;
  readonly what: string;
  readonly agreed: string;
  readonly count: number;
  readonly counted: readonly V5Row[];
  readonly columns: ReadonlySet<V5Column>;
  /** what the rows give, in words */
  readonly rows: string;
  /** at most how much the rows held apart can add */
  readonly most: number;
}

/** One count figure against the rows. */
function compareCount(fig: CountFigure, published: PublishedCard, input: FigureInput, out: Findings): void {
  const n = fig.counted.length;
  if (n === fig.count) {
    out.agreements.push(fig.agreed);
    return;
  }
  const touched = touchedByChanges(fig.counted, fig.columns, published, input);
  const reach = { rows: input.split.heldRows, most: fig.most };
  pushCount(
    {
      id: fig.id,
      what: fig.what,
      card: String(fig.count),
      rows: fig.rows,
      causes: countCauses(n, fig.count, touched, reach, input.split),
    },
    out,
  );
}

/** The card's row counts, and the overview's "3-way complete" total: the sum of its parts' counts. */
function compareRowCounts(published: PublishedCard, input: FigureInput, out: Findings): void {
  const held = input.split.heldRows;
  const counted = new Map(
    published.rowCounts.map((f) => [f.id, f.columnSets.flatMap((set) => rowsMeeting(input.rows, set))]),
  );
  const rowsOf = (id: string) => counted.get(id) ?? [];
  for (const f of published.rowCounts) {
    const n = rowsOf(f.id).length;
    compareCount(
      {
        id: f.id,
        what: `${f.what} (rows with ${f.rule})`,
        agreed: `${f.what}: ${n} rows (${f.rule})`,
        count: f.count,
        counted: rowsOf(f.id),
        columns: new Set(f.columnSets.flat()),
        rows: String(n),
        most: held,
      },
      published,
      input,
      out,
    );
  }
  const { count, of } = published.threeWayTotal;
  const figs = published.rowCounts.filter((f) => of.includes(f.id));
  const parts = figs.flatMap((f) => rowsOf(f.id));
  const what = `3-way complete rows, total (${of.join(' + ')})`;
  compareCount(
    {
      id: 'three_way:total',
      what,
      agreed: `${what}: ${parts.length}`,
      count,
      counted: parts,
      columns: new Set(figs.flatMap((f) => f.columnSets.flat())),
      rows: `${parts.length} (${figs.map((f) => `${rowsOf(f.id).length} ${f.id.replace('three_way:', '')}`).join(' + ')})`,
      // a row held apart can count in each of the summed sets
      most: held * figs.length,
    },
    published,
    input,
    out,
  );
}

/**
 * A count the rows do not reproduce: a difference, unless the only cause is the split (the count
 * lies within what the rows held apart could add), which the rows cannot check.
 */
function pushCount(d: CardDifference, out: Findings): void {
  const [only, ...more] = d.causes;
  if (only?.kind === 'hidden_split' && !more.length)
    out.unverifiable.push(
      `${d.what}: the card's ${d.card}, the input's ${d.rows}: ${only.detail.replace(/^.*; their /, 'the ')}`,
    );
  else out.differences.push(d);
}

/** A changelog entry that names commits: the rows of those commits (and agent) hold what it added. */
function compareChange(change: PublishedChange, input: FigureInput, out: Findings): void {
  const what = `changelog ${change.date}: ${change.what}`;
  const items: CauseItem[] = [];
  const held: string[] = [];
  for (const c of change.commits) {
    if (!input.split.present.has(c)) {
      items.push({ kind: 'hidden_split', detail: input.split.detail, commit: c });
      continue;
    }
    const rows = input.rowsOf(c).filter((r) => rowOfAgent(input, change.agent, r));
    const cols = change.columns.filter((col) => col !== 'benchmark_mode');
    const holding = rows.filter((r) => cols.some((col) => nonNull(r, col)));
    if (holding.length) {
      held.push(c);
      continue;
    }
    items.push({
      kind: 'rows_contradict_card',
      detail: rows.length
        ? `no row of the commit${change.agent ? ` of ${change.agent}` : ''} holds ${listWords(cols)}`
        : `the input has no row of ${change.agent} for the commit`,
      commit: c,
    });
  }
  const contradicted = items.filter((i) => i.kind !== 'hidden_split');
  if (!contradicted.length) {
    if (held.length)
      out.agreements.push(
        `${what}: the rows of ${held.join(' ')} hold ${listWords(change.columns.filter((c) => c !== 'benchmark_mode'))} values (a value the card quotes is compared on its own line)`,
      );
    if (items.length)
      out.unverifiable.push(`${what}: ${items.map((i) => i.commit).join(' ')} are not in the input`);
    return;
  }
  out.differences.push({
    id: `changelog:${change.id}`,
    what,
    card: `${change.commits.length} commits: ${change.commits.join(' ')}`,
    rows: `${held.length} of them hold ${listWords(change.columns.filter((c) => c !== 'benchmark_mode'))}`,
    causes: groupCauses(items),
  });
}

/** Where the quoted number is in the input: cells that hold it, raw outputs that print it. */
function whereHeld(rows: readonly V5Row[], value: number): string[] {
  const printed = new RegExp(`(?<![\\d.])${String(value).replace('.', '\\.')}(?!\\d|\\.\\d)`);
  const where: string[] = [];
  for (const r of rows)
    for (const [column, v] of Object.entries(r)) {
      const at = `${r.commit_short} ${r.agent_name} ${column}`;
      if (v === value) where.push(at);
      else if (column.endsWith('_raw') && typeof v === 'string' && printed.test(v))
        where.push(`${at} (printed)`);
    }
  return where;
}

/** The values the card quotes for single rows. */
function compareQuotedValues(published: PublishedCard, input: FigureInput, out: Findings): void {
  for (const q of published.quotedValues) {
    const what = `${q.commit} ${q.agent} ${q.column} (${q.where})`;
    if (!input.split.present.has(q.commit)) {
      out.unverifiable.push(`${what}: the commit is not in the input`);
      continue;
    }
    const rows = input.rowsOf(q.commit).filter((r) => rowOfAgent(input, q.agent, r));
    const values = rows.map((r) => r[q.column]);
    if (values.some((v) => v === q.value)) {
      out.agreements.push(`${what}: ${q.value}`);
      continue;
    }
    out.differences.push({
      id: `quoted:${q.commit}:${q.agent}:${q.column}`,
      what,
      card: String(q.value),
      rows: rows.length ? values.map((v) => String(v ?? 'null')).join(', ') : 'no row of this agent',
      causes: [
        {
          kind: 'rows_contradict_card',
          detail: rows.length ? quotedCause(q, rows, published, input) : 'the input has no row of this agent',
          commits: [q.commit],
        },
      ],
    });
  }
}

/** What the row and its raw output say of a value the card quotes otherwise. */
function quotedCause(
  q: PublishedCard['quotedValues'][number],
  rows: readonly V5Row[],
  published: PublishedCard,
  input: FigureInput,
): string {
  const { column, value } = q;
  const metric = V5_METRICS.find((m) => metricColumn('agent', m) === column);
  if (!metric || typeof value !== 'number') {
    const change = published.changelog.find(
      (ch) => ch.commits.includes(q.commit) && ch.agent === q.agent && ch.columns.includes(column),
    );
    return `the row says ${rows.map((r) => String(r[column] ?? 'null')).join(', ')}${
      change
        ? `, as before the changelog's "${change.what}" (${change.date}): this release holds the row unchanged`
        : ''
    }`;
  }
  const parts: string[] = [];
  for (const r of rows) {
    const stored = readPhaseRaw(r, 'agent', input.ctx);
    if (!stored) {
      parts.push('no agent raw output is stored to check either number');
      continue;
    }
    const { raw, reading } = stored;
    const rv = reading?.values[metric];
    parts.push(
      rv === undefined
        ? `the agent raw output (${raw.length} chars) holds no ${metric}`
        : `the agent raw output (a ${reading?.kind} run) says ${rv}${rv === r[column] ? ', as the row does' : ''}`,
    );
  }
  const elsewhere = whereHeld(input.rows, value);
  parts.push(
    elsewhere.length
      ? `${value} is in ${elsewhere.join('; ')}`
      : `${value} is in no cell and no raw output of the input`,
  );
  return parts.join('; ');
}

/**
 * A list comparison with nothing the rows contradict: an agreement, or, when commits of the card's
 * list are not in the input, an unverifiable entry; false when there is a difference to list.
 */
function settled(items: readonly CauseItem[], agreed: string, out: Findings): boolean {
  if (items.some((i) => i.kind !== 'hidden_split')) return false;
  if (items.length)
    out.unverifiable.push(
      `${agreed}; ${items.map((i) => i.commit).join(' ')} of the card's list not in the input`,
    );
  else out.agreements.push(agreed);
  return true;
}

/** The commits the card says have `benchmark_mode = None`, against the rows'. */
function compareModeNone(published: PublishedCard, input: FigureInput, out: Findings): void {
  const rowsNone = sortedUnique(
    input.rows.filter((r) => !nonNull(r, 'benchmark_mode')).map((r) => r.commit_short ?? '?'),
  );
  const cardList = published.modeNone;
  const items: CauseItem[] = [];
  for (const c of cardList.filter((x) => !rowsNone.includes(x)))
    items.push(
      input.split.present.has(c)
        ? {
            kind: 'rows_contradict_card',
            detail: `the rows give benchmark_mode ${listWords(sortedUnique(input.rowsOf(c).map((r) => String(r.benchmark_mode))))}`,
            commit: c,
          }
        : { kind: 'hidden_split', detail: input.split.detail, commit: c },
    );
  for (const c of rowsNone.filter((x) => !cardList.includes(x))) {
    const why = commandWords(input.rowsOf(c), input);
    items.push(
      published.comparisonCommits.includes(c)
        ? { kind: 'rows_contradict_card', detail: `benchmark_mode is None in the rows; ${why}`, commit: c }
        : { kind: 'outside_card_comparison', detail: `${OUTSIDE_LIST}; ${why}`, commit: c },
    );
  }
  if (settled(items, `benchmark_mode None: ${listWords(rowsNone)}`, out)) return;
  out.differences.push({
    id: 'mode_none',
    what: 'commits with benchmark_mode = None',
    card: `${cardList.length}: ${cardList.join(' ')}`,
    rows: `${rowsNone.length}: ${listWords(rowsNone)} (${input.rows.filter((r) => !nonNull(r, 'benchmark_mode')).length} rows)`,
    causes: groupCauses(items),
  });
}

/** What the perf commands of a commit's rows run, in words. */
function commandWords(rows: readonly V5Row[], input: FigureInput): string {
  const commands = rows.map((r) => rowCommand(r, input.ctx).command);
  if (commands.every((c) => !c)) return 'its rows carry no perf command and the catalogue names none';
  const kinds = sortedUnique(commands.flatMap((c) => (c ? [kindOfCommand(c) ?? 'unknown'] : [])));
  const known = kinds.filter((k) => k !== 'unknown');
  const words = known.map((k) => `a ${k} benchmark`);
  if (kinds.includes('unknown')) words.push('no benchmark script isobench knows');
  return `its perf command runs ${words.join(' or ')}`;
}

/** The card's "only latency-only benchmark": latency commits whose rows hold no throughput. */
function compareLatencyOnly(published: PublishedCard, input: FigureInput, out: Findings): void {
  const latency = sortedUnique(
    input.rows
      .filter((r) => kindOfCommand(rowCommand(r, input.ctx).command) === 'latency')
      .map((r) => r.commit_short ?? '?'),
  );
  const throughputOf = (c: string) =>
    input
      .rowsOf(c)
      .filter((r) => (['baseline', 'human', 'agent'] as const).some((p) => hasPhase(r, p, 'throughput')));
  const rowsList = latency.filter((c) => !throughputOf(c).length);
  const items: CauseItem[] = [];
  for (const c of published.latencyOnly.filter((x) => !rowsList.includes(x)))
    items.push(
      input.split.present.has(c)
        ? {
            kind: 'rows_contradict_card',
            detail: latency.includes(c)
              ? 'rows of the commit hold a throughput'
              : `the rows name no latency benchmark (${commandWords(input.rowsOf(c), input)})`,
            commit: c,
          }
        : { kind: 'hidden_split', detail: input.split.detail, commit: c },
    );
  for (const c of rowsList.filter((x) => !published.latencyOnly.includes(x)))
    items.push(
      published.comparisonCommits.includes(c)
        ? {
            kind: 'rows_contradict_card',
            detail: 'a latency benchmark whose rows hold no throughput either',
            commit: c,
          }
        : {
            kind: 'outside_card_comparison',
            detail: `${OUTSIDE_LIST}; a latency benchmark whose rows hold no throughput either`,
            commit: c,
          },
    );
  const catchAll = latency.filter((c) => throughputOf(c).length);
  if (catchAll.length)
    out.agreements.push(
      `latency benchmarks whose rows hold a throughput, so not latency-only, as the card implies: ${catchAll.join(' ')}; benchmark_latency.py prints no throughput, so these values come from elsewhere (the audit lists them as metric_not_applicable)`,
    );
  const what = 'latency-only benchmarks (latency_avg and no throughput)';
  if (settled(items, `${what}: ${listWords(rowsList)}`, out)) return;
  out.differences.push({
    id: 'latency_only',
    what,
    card: listWords(published.latencyOnly),
    rows: `${listWords(rowsList)} (of ${latency.length} latency benchmarks in the input)`,
    causes: groupCauses(items),
  });
}

/** The phases the card says ran: some row of the commit holds a measurement of the phase. */
function comparePhasesRun(published: PublishedCard, input: FigureInput, out: Findings): void {
  for (const p of published.phasesRun) {
    const what = `${p.commit} ${p.phase} ran (${p.where})`;
    if (!input.split.present.has(p.commit)) {
      out.unverifiable.push(`${what}: the commit is not in the input`);
      continue;
    }
    const holding = input.rowsOf(p.commit).filter((r) => hasPhase(r, p.phase));
    if (holding.length) {
      out.agreements.push(`${what}: ${holding.length} rows hold ${p.phase} numbers`);
      continue;
    }
    out.differences.push({
      id: `phase_ran:${p.commit}:${p.phase}`,
      what,
      card: `the ${p.phase} run succeeded`,
      rows: `no row holds a ${p.phase} measurement`,
      causes: [
        {
          kind: 'rows_contradict_card',
          detail: `none of the ${input.rowsOf(p.commit).length} rows of the commit holds a ${p.phase} metric`,
          commits: [p.commit],
        },
      ],
    });
  }
}

/** The schema category of a v5 column, as the card's "Schema" table groups them. */
function categoryOf(column: string): keyof PublishedCard['columnCategories'] {
  if (/_raw$/.test(column) || column === 'test_script') return 'raw';
  if (/^(?:human_improvement|agent_improvement|agent_vs_human)_/.test(column)) return 'improvement';
  for (const p of ['baseline', 'human', 'agent'] as const)
    if (V5_METRICS.some((m) => metricColumn(p, m) === column)) return p;
  return 'identity';
}

/** The column count, its categories, and the GPU. */
function compareSchema(published: PublishedCard, input: FigureInput, out: Findings): void {
  const n = input.card.columns.length;
  const byCategory = { identity: 0, baseline: 0, human: 0, agent: 0, improvement: 0, raw: 0 };
  for (const c of input.card.columns) byCategory[categoryOf(c)]++;
  const words = (x: Record<string, number>) =>
    Object.entries(x)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
  const off = (Object.keys(byCategory) as Array<keyof typeof byCategory>).filter(
    (k) => byCategory[k] !== published.columnCategories[k],
  );
  if (n === published.columns && !off.length) out.agreements.push(`columns: ${n} (${words(byCategory)})`);
  else
    out.differences.push({
      id: 'columns',
      what: 'columns of the schema, by category',
      card: `${published.columns} (${words(published.columnCategories)})`,
      rows: `${n} (${words(byCategory)})`,
      causes: [
        {
          kind: 'unexplained',
          detail: `the input's column set differs${off.length ? ` in ${off.join(', ')}` : ''}`,
          commits: [],
        },
      ],
    });
  const named = input.rows.filter((r) => r.gpu_config);
  const gpus = sortedUnique(named.map((r) => String(r.gpu_config)));
  const unnamed = input.rows.length - named.length;
  const otherRows = named.filter((r) => !String(r.gpu_config).includes(published.gpu));
  const none = unnamed ? ` (${unnamed} rows name none)` : '';
  if (!named.length) {
    out.unverifiable.push(`GPU ${published.gpu}: no row's gpu_config names a GPU`);
    return;
  }
  if (!otherRows.length) {
    out.agreements.push(
      `GPU: every row's gpu_config that names one names ${published.gpu}: ${listWords(gpus)}${none}`,
    );
    return;
  }
  const other = sortedUnique(otherRows.map((r) => String(r.gpu_config)));
  out.differences.push({
    id: 'gpu',
    what: 'GPU',
    card: published.gpu,
    rows: `${gpus.join(', ')}${none}`,
    causes: [
      {
        kind: 'rows_contradict_card',
        detail: `gpu_config ${other.join(', ')} on ${otherRows.length} rows`,
        commits: sortedUnique(otherRows.map((r) => r.commit_short ?? '?')),
      },
    ],
  });
}
