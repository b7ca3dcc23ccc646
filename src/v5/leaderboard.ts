/**
 * The per-agent summary of the published dataset card, computed from v5 rows by the card's
 * definitions: over the commits in scope, how many of an agent's commits are valid for comparison,
 * patch failures (no agent metrics, whatever the reason), missing the human metric, or reporting the
 * wrong metric; and, over the valid ones, how often the agent beats, matches or trails the human on
 * the primary metric (a ±band, 5% by default as in the ISO-Bench paper). Pure.
 */
import { classifyPublishedRow, type PublishedStatus } from './classify.js';
import { improvementPct, V5_METRIC_BETTER } from './formulas.js';
import { AGENT_DISPLAY, canonicalAgent, canonicalModel } from './names.js';
import { metricColumn, V5_METRICS, type V5Metric, type V5Row } from './schema.js';

/** The version of the leaderboard JSON format. */
export const LEADERBOARD_VERSION = 1;

/** Which commits the summary covers. */
/**
 * Which commits the summary covers: `card43` the card's own 43-commit comparison (its headline table),
 * `card` the card's stated rule (96 − its exclusions − nothing comparable), `benchmarkable` this
 * catalogue's, `all` every commit of the rows.
 */
export type LeaderboardScope = 'card43' | 'card' | 'benchmarkable' | 'all';

/** Why a commit is out of scope. */
export interface ScopeExclusion {
  readonly commit: string;
  readonly reason: string;
}

/** What the leaderboard needs to know about commits besides the rows. */
export interface LeaderboardContext {
  /** the card's own exclusions (its 9 wrong perf commands and 1 data issue), by short hash */
  readonly cardExcluded?: (commit: string) => string | null;
  /** why the task catalogue cannot benchmark a commit, or null when it can (or does not know it) */
  readonly notBenchmarkable?: (commit: string) => string | null;
  /** the published perf command of a commit, for rows that carry none */
  readonly commandFor?: (commit: string) => string | null;
  /** the 43 commits of the published card's per-agent table (scope `card43`; src/published/card.ts) */
  readonly cardCommits?: readonly string[];
}

/** One row the summary could not place. */
export interface Unclassified {
  readonly row: number;
  readonly commit: string;
  readonly reason: string;
}

/** One agent's line of the summary. */
export interface AgentSummary {
  readonly key: string;
  readonly agent: string;
  readonly model: string;
  readonly display: string;
  /** the (agent_name, agent_model) spellings merged into this line, with their row counts */
  readonly labels: ReadonlyArray<{ agentName: string; agentModel: string; rows: number }>;
  readonly commits: number;
  readonly counts: Readonly<Record<PublishedStatus, number>>;
  /** commits in scope for which this agent has no row at all (counted as patch failures, as the card does) */
  readonly noRow: readonly string[];
  readonly comparison: {
    readonly beats: number;
    readonly similar: number;
    readonly worse: number;
    readonly band: number;
  };
  /** per commit: status, primary metric and agent-vs-human percent where comparable */
  readonly perCommit: ReadonlyArray<{
    commit: string;
    status: PublishedStatus;
    metric: V5Metric | null;
    agentVsHumanPct: number | null;
  }>;
  readonly unclassified: readonly Unclassified[];
  readonly notes: readonly string[];
}

/** The whole summary. */
export interface Leaderboard {
  readonly schemaVersion: typeof LEADERBOARD_VERSION;
  readonly scope: LeaderboardScope;
  readonly band: number;
  readonly commitsInScope: readonly string[];
  readonly excluded: readonly ScopeExclusion[];
  readonly agents: readonly AgentSummary[];
}

const STATUSES: readonly PublishedStatus[] = [
  'valid_for_comparison',
  'patch_failure',
  'missing_human_metric',
  'wrong_metric',
];

function hasMetrics(row: V5Row, phase: 'baseline' | 'human'): boolean {
  return V5_METRICS.some((m) => typeof row[metricColumn(phase, m)] === 'number');
}

/** Chooses the commits in scope. */
export function leaderboardScope(
  rows: readonly V5Row[],
  scope: LeaderboardScope,
  ctx: LeaderboardContext,
): { commits: string[]; excluded: ScopeExclusion[] } {
  const all = [...new Set(rows.map((r) => r.commit_short ?? '').filter((c) => c))].sort();
  const excluded: ScopeExclusion[] = [];
  if (scope === 'card43') return card43Scope(rows, all, ctx);
  const commits = all.filter((c) => {
    if (scope === 'all') return true;
    if (scope === 'card') {
      const card = ctx.cardExcluded?.(c) ?? null;
      if (card) {
        excluded.push({ commit: c, reason: `excluded by the card: ${card}` });
        return false;
      }
      const comparable = rows.some(
        (r) => r.commit_short === c && (hasMetrics(r, 'baseline') || hasMetrics(r, 'human')),
      );
      if (!comparable) {
        excluded.push({
          commit: c,
          reason: 'nothing comparable: no row has a baseline or human measurement',
        });
        return false;
      }
      return true;
    }
    const why = ctx.notBenchmarkable?.(c) ?? null;
    if (why) excluded.push({ commit: c, reason: `not benchmarkable: ${why}` });
    return !why;
  });
  return { commits, excluded };
}

/**
 * The card's 43 commits that the rows hold; each other commit of the rows is excluded with the card's
 * reason, or as one the card's rule keeps but its table leaves out without saying why.
 */
function card43Scope(
  rows: readonly V5Row[],
  all: readonly string[],
  ctx: LeaderboardContext,
): { commits: string[]; excluded: ScopeExclusion[] } {
  if (!ctx.cardCommits)
    throw new Error("scope card43 needs the card's commits (LeaderboardContext.cardCommits)");
  const card = new Set(ctx.cardCommits);
  const { commits: byRule } = leaderboardScope(rows, 'card', ctx);
  const ruled = new Set(byRule);
  const excluded: ScopeExclusion[] = [];
  for (const c of all) {
    if (card.has(c)) continue;
    const own = ctx.cardExcluded?.(c) ?? null;
    excluded.push({
      commit: c,
      reason: own
        ? `excluded by the card: ${own}`
        : ruled.has(c)
          ? "not in the card's 43-commit table, which its stated rule would keep: the card leaves it out without saying why"
          : "not in the card's 43-commit table: nothing comparable (no row has a baseline or human measurement)",
    });
  }
  return { commits: all.filter((c) => card.has(c)), excluded };
}

interface Group {
  agent: string;
  model: string;
  rows: Array<{ row: V5Row; rowNo: number }>;
  labels: Map<string, number>;
  notes: string[];
}

/** Groups rows by agent and model; model labels of one agent that never share a commit with its main label are merged into it (one run series, inconsistently labelled). */
function groupRows(rows: readonly V5Row[], rowNumbers: readonly number[]): Group[] {
  const byAgent = new Map<string, Map<string, Group>>();
  rows.forEach((row, i) => {
    const agent = canonicalAgent(row.agent_name ?? '?');
    const model = canonicalModel(row.agent_model ?? '?');
    const models = byAgent.get(agent) ?? new Map<string, Group>();
    byAgent.set(agent, models);
    const g: Group = models.get(model) ?? { agent, model, rows: [], labels: new Map(), notes: [] };
    models.set(model, g);
    g.rows.push({ row, rowNo: rowNumbers[i] ?? i + 1 });
    const label = `${row.agent_name ?? '?'}|${row.agent_model ?? '?'}`;
    g.labels.set(label, (g.labels.get(label) ?? 0) + 1);
  });
  const groups: Group[] = [];
  for (const models of byAgent.values()) {
    const sorted = [...models.values()].sort((a, b) => b.rows.length - a.rows.length);
    const main = sorted[0];
    if (!main) continue;
    const kept: Group[] = [main];
    for (const g of sorted.slice(1)) {
      const mainCommits = new Set(main.rows.map((r) => r.row.commit_short));
      const overlap = g.rows.some((r) => mainCommits.has(r.row.commit_short));
      if (!overlap && g.rows.length * 5 < main.rows.length) {
        main.rows.push(...g.rows);
        for (const [l, n] of g.labels) main.labels.set(l, (main.labels.get(l) ?? 0) + n);
        main.notes.push(
          `${g.rows.length} row(s) labelled model '${g.model}' (rows ${g.rows.map((r) => r.rowNo).join(', ')}) share no commit with the ${main.rows.length - g.rows.length} labelled '${main.model}': counted as one run series with an inconsistent model label`,
        );
      } else kept.push(g);
    }
    groups.push(...kept);
  }
  return groups.sort((a, b) => a.agent.localeCompare(b.agent) || b.rows.length - a.rows.length);
}

/** One agent's counts as its commits are read. */
interface Tally {
  readonly counts: Record<PublishedStatus, number>;
  readonly comparison: { beats: number; similar: number; worse: number; band: number };
  readonly unclassified: Unclassified[];
  readonly perCommit: Array<AgentSummary['perCommit'][number]>;
  readonly noRow: string[];
  readonly notes: string[];
}

/** Counts one commit in scope for one agent: no row (a patch failure), unclassifiable, or its status and agent-vs-human gain. */
function tallyCommit(t: Tally, g: Group, commit: string, band: number, ctx: LeaderboardContext): void {
  const mine = g.rows.filter((r) => r.row.commit_short === commit);
  const first = mine[0];
  if (!first) {
    t.noRow.push(commit);
    t.counts.patch_failure++;
    t.perCommit.push({ commit, status: 'patch_failure', metric: null, agentVsHumanPct: null });
    return;
  }
  if (mine.length > 1)
    t.notes.push(
      `commit ${commit} has ${mine.length} rows (${mine.map((r) => `row ${r.rowNo}`).join(', ')}); the first is used`,
    );
  const { row, rowNo } = first;
  const cls = classifyPublishedRow(row, ctx.commandFor?.(commit) ?? null);
  if (!cls.ok) {
    t.unclassified.push({ row: rowNo, commit, reason: cls.reason });
    return;
  }
  t.counts[cls.status]++;
  let pct: number | null = null;
  if (cls.status === 'valid_for_comparison') {
    pct = improvementPct(
      row[metricColumn('human', cls.metric)],
      row[metricColumn('agent', cls.metric)],
      V5_METRIC_BETTER[cls.metric],
    );
    if (pct === null)
      t.unclassified.push({
        row: rowNo,
        commit,
        reason: `agent-vs-human ${cls.metric} is not computable (a value is not positive)`,
      });
    else if (pct > band) t.comparison.beats++;
    else if (pct < -band) t.comparison.worse++;
    else t.comparison.similar++;
  }
  t.perCommit.push({ commit, status: cls.status, metric: cls.metric, agentVsHumanPct: pct });
}

/** One agent's (and model's) line over the commits in scope. */
function agentSummary(
  g: Group,
  commits: readonly string[],
  multiModel: ReadonlySet<string>,
  band: number,
  ctx: LeaderboardContext,
): AgentSummary {
  const t: Tally = {
    counts: { valid_for_comparison: 0, patch_failure: 0, missing_human_metric: 0, wrong_metric: 0 },
    comparison: { beats: 0, similar: 0, worse: 0, band },
    unclassified: [],
    perCommit: [],
    noRow: [],
    notes: [...g.notes],
  };
  for (const commit of commits) tallyCommit(t, g, commit, band, ctx);
  const inScope = new Set(commits);
  for (const { row, rowNo } of g.rows) {
    if (!inScope.has(row.commit_short ?? '')) continue;
    if (!row.commit_short) t.unclassified.push({ row: rowNo, commit: '?', reason: 'no commit_short' });
  }
  const display = `${AGENT_DISPLAY[g.agent] ?? g.agent}${multiModel.has(g.agent) ? ` (${g.model})` : ''}`;
  return {
    key: `${g.agent}/${g.model}`,
    agent: g.agent,
    model: g.model,
    display,
    labels: [...g.labels].map(([l, n]) => {
      const [agentName = '', agentModel = ''] = l.split('|');
      return { agentName, agentModel, rows: n };
    }),
    commits: commits.length,
    counts: t.counts,
    noRow: t.noRow,
    comparison: t.comparison,
    perCommit: t.perCommit,
    unclassified: t.unclassified,
    notes: t.notes,
  };
}

/** Computes the summary. */
export function computeLeaderboard(
  rows: readonly V5Row[],
  rowNumbers: readonly number[],
  opts: { scope: LeaderboardScope; band: number },
  ctx: LeaderboardContext = {},
): Leaderboard {
  const { commits, excluded } = leaderboardScope(rows, opts.scope, ctx);
  const groups = groupRows(rows, rowNumbers);
  const multiModel = new Set(groups.map((g) => g.agent).filter((a, i, all) => all.indexOf(a) !== i));
  return {
    schemaVersion: LEADERBOARD_VERSION,
    scope: opts.scope,
    band: opts.band,
    commitsInScope: commits,
    excluded,
    agents: groups.map((g) => agentSummary(g, commits, multiModel, opts.band, ctx)),
  };
}

/** The statuses in display order. */
export { STATUSES as LEADERBOARD_STATUSES };
