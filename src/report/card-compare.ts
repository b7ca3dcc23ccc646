/**
 * The comparison of a computed dataset card with the published card's figures
 * (src/dataset/published-card.ts): each figure or list the rows do not reproduce, what the card says,
 * what the rows give, and its causes (commits held out of this split, commits outside the card's
 * 43-commit comparison, rows that contradict the card, "wrong metric" rows the card counts as patch
 * failures, labels). Pure; `computeHfCard` calls it when asked.
 */
import { type AuditContext, auditRows } from '../dataset/audit.js';
import { matchCardAgents, STATUS_WORDS } from '../dataset/card-table.js';
import type { AgentSummary, Leaderboard } from '../dataset/leaderboard.js';
import {
  type PublishedCard,
  type PublishedCardAgent,
  type PublishedDataGap,
  publishedStatus,
} from '../dataset/published-card.js';
import type { RawReading } from '../dataset/raw-metrics.js';
import { metricColumn, V5_METRICS, type V5Phase, type V5Row } from '../dataset/v5-schema.js';
import { compareCardFigures } from './card-figures.js';
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
import type { CardComparison, CardDifference, HfCard, HfCardContext } from './card-types.js';

export { hasPhase, listWords, matchCardAgents, sortedUnique };

type RowStatus = AgentSummary['perCommit'][number]['status'];
type StatusOrNone = RowStatus | 'no_row' | 'unclassified';

/** Compares the computed card with the published card's figures; each difference gets its causes. */
export function compareWithPublished(
  card: HfCard,
  rows: readonly V5Row[],
  published: PublishedCard,
  ctx: HfCardContext = {},
): CardComparison {
  const out: Findings = { differences: [], agreements: [], unverifiable: [] };
  const split = inputSplit(card, published, ctx.catalogueCommits);
  const rowsOf: RowsOf = (c) => rows.filter((r) => r.commit_short === c);
  const lb = card.leaderboard;
  const matched = matchCardAgents(published.agents, lb.agents);
  compareTotals(card, published, split, out);
  compareAgents(published.agents, lb.agents, matched, rows, split, out);
  compareComparisonCommits(published, lb, split, out);
  for (const ca of published.agents) {
    const a = matched.get(ca.id);
    if (a) compareAgentStatuses(ca, a, published, lb, rowsOf, split, out);
  }
  compareFailingForEveryAgent(card.gaps.noAgentMetrics, published, lb, rowsOf, split, out);
  compareDataGaps(published.dataGaps, rowsOf, split.present, ctx, out);
  compareNotBenchmarkable(published.notBenchmarkable, rowsOf, split.present, out);
  compareCardFigures(published, { card, rows, split, rowsOf, matched, ctx }, out);
  return { source: published.source, ...out };
}

/** Which of the card's and the catalogue's commits the input holds, and the hidden-split wording. */
function inputSplit(
  card: HfCard,
  published: PublishedCard,
  catalogueCommits: readonly string[] | undefined,
): InputSplit {
  const { commitList } = card;
  const cardCommits = published.commits;
  const present = new Set(commitList);
  const catalogue = catalogueCommits ? sortedUnique(catalogueCommits) : null;
  const absent = catalogue ? catalogue.filter((c) => !present.has(c)) : [];
  const missingCommits = cardCommits - present.size;
  const detail = `the input holds ${present.size} of the card's ${cardCommits} commits: it is a split of the release, and the rows of the other ${missingCommits} commits, held apart, cannot be in it${catalogue && absent.length ? ' (the task catalogue names them)' : ''}; every count over them is lower`;
  const foreign = catalogue ? commitList.filter((c) => !catalogue.includes(c)) : [];
  const heldRows = missingCommits > 0 && !foreign.length ? Math.max(0, published.rows - card.rows) : 0;
  return { present, absent, missingCommits, foreign, detail, heldRows };
}

/** The total rows and unique commits. */
function compareTotals(card: HfCard, published: PublishedCard, split: InputSplit, out: Findings): void {
  const { absent, missingCommits, foreign } = split;
  if (card.rows !== published.rows) {
    const explained = split.heldRows > 0;
    out.differences.push({
      id: 'rows',
      what: 'total rows',
      card: String(published.rows),
      rows: String(card.rows),
      causes: [
        explained
          ? {
              kind: 'hidden_split',
              detail: `${split.detail}; their ${published.rows - card.rows} rows are missing`,
              commits: absent,
            }
          : {
              kind: 'unexplained',
              detail: foreign.length
                ? 'the input holds commits that the task catalogue (the release) does not name'
                : 'the input holds more rows than the card counts',
              commits: foreign,
            },
      ],
    });
  } else out.agreements.push(`total rows: ${card.rows}`);
  if (card.commits !== published.commits) {
    out.differences.push({
      id: 'commits',
      what: 'unique commits',
      card: String(published.commits),
      rows: String(card.commits),
      causes: [
        ...(missingCommits > 0
          ? [{ kind: 'hidden_split' as const, detail: split.detail, commits: absent }]
          : []),
        ...(foreign.length
          ? [
              {
                kind: 'unexplained' as const,
                detail: 'commits of the input that the task catalogue (the release) does not name',
                commits: foreign,
              },
            ]
          : []),
      ],
    });
  } else out.agreements.push(`unique commits: ${card.commits}`);
}

/** The card's agents against the leaderboard's lines: presence, label and row count. */
function compareAgents(
  cardAgents: readonly PublishedCardAgent[],
  lbAgents: readonly AgentSummary[],
  matched: ReadonlyMap<string, AgentSummary | null>,
  rows: readonly V5Row[],
  split: InputSplit,
  out: Findings,
): void {
  if (lbAgents.length === cardAgents.length && [...matched.values()].every((m) => m !== null))
    out.agreements.push(`agents: ${lbAgents.length} (agent, model) run series`);
  for (const ca of cardAgents) {
    const a = matched.get(ca.id) ?? null;
    if (!a) {
      out.differences.push(missingAgent(ca, split));
      continue;
    }
    compareAgentLabel(ca, a, out);
    compareAgentRows(ca, a, rows, split, out);
  }
  for (const a of lbAgents) {
    if (![...matched.values()].some((m) => m?.key === a.key))
      out.differences.push({
        id: `agent:${a.key}:not_in_card`,
        what: `agent ${a.display}`,
        card: 'not one of its agents',
        rows: a.labels.map((l) => `${l.agentName} / ${l.agentModel} (${l.rows} rows)`).join(', '),
        causes: [{ kind: 'unexplained', detail: 'the card lists no such agent and model', commits: [] }],
      });
  }
}

/** The difference for a card agent that no leaderboard line matches. */
function missingAgent(ca: PublishedCardAgent, split: InputSplit): CardDifference {
  const cardLabel = `${ca.agentName} / ${ca.agentModel}`;
  return {
    id: `agent:${ca.id}`,
    what: `agent ${cardLabel}`,
    card: `${cardLabel} is one of its agents`,
    rows: 'no row of this agent and model',
    causes: [
      {
        kind: split.missingCommits > 0 ? 'hidden_split' : 'unexplained',
        detail:
          split.missingCommits > 0
            ? `${split.detail}; this agent's rows may all be among them`
            : 'no row names this agent and model',
        commits: [],
      },
    ],
  };
}

/** Whether the rows spell a matched agent's name and model as the card does. */
function compareAgentLabel(ca: PublishedCardAgent, a: AgentSummary, out: Findings): void {
  const cardLabel = `${ca.agentName} / ${ca.agentModel}`;
  const verbatim = a.labels.filter((l) => l.agentName === ca.agentName && l.agentModel === ca.agentModel);
  const others = a.labels.filter((l) => !(l.agentName === ca.agentName && l.agentModel === ca.agentModel));
  if (!others.length) {
    out.agreements.push(`${a.display}: labelled ${cardLabel}`);
    return;
  }
  const total = a.labels.reduce((s, l) => s + l.rows, 0);
  const labelText = a.labels
    .map((l) => `${l.agentName} / ${l.agentModel} (${l.rows} row${l.rows === 1 ? '' : 's'})`)
    .join(', ');
  const named = verbatim.reduce((s, l) => s + l.rows, 0);
  out.differences.push({
    id: `agent:${ca.id}:label`,
    what: `${a.display}: agent and model label`,
    card: cardLabel,
    rows: labelText,
    causes: [
      {
        kind: 'label',
        detail: `the card's label is that of ${named} of this run series' ${total} rows; the other ${total - named} spell it ${others.map((l) => `${l.agentName} / ${l.agentModel}`).join(', ')}${a.labels.length > 1 ? ` (the leaderboard counts them as one run series: ${a.notes.find((n) => n.includes('inconsistent model label')) ?? 'same agent, no shared commit'})` : ''}`,
        commits: [],
      },
    ],
  });
}

/** A matched agent's row count against the card's, where the card states one. */
function compareAgentRows(
  ca: PublishedCardAgent,
  a: AgentSummary,
  rows: readonly V5Row[],
  split: InputSplit,
  out: Findings,
): void {
  if (ca.rows === null) return;
  const total = a.labels.reduce((s, l) => s + l.rows, 0);
  if (ca.rows === total) {
    out.agreements.push(`${a.display}: ${total} rows`);
    return;
  }
  const theirCommits = new Set(rows.filter((r) => isRowOf(a, r)).map((r) => r.commit_short));
  const { missingCommits } = split;
  const explained = total < ca.rows && ca.rows - total <= missingCommits;
  out.differences.push({
    id: `agent:${ca.id}:rows`,
    what: `${a.display}: rows`,
    card: String(ca.rows),
    rows: `${total} (on ${theirCommits.size} commits)`,
    causes: [
      explained
        ? {
            kind: 'hidden_split',
            detail: `${split.detail}; ${ca.rows - total} of this agent's rows would be rows of those ${missingCommits} commits (at most one a commit)`,
            commits: [],
          }
        : {
            kind: 'unexplained',
            detail:
              total > ca.rows
                ? `${total} rows here, more than the card's ${ca.rows} for the whole release`
                : `${total} rows here against the card's ${ca.rows}: more are missing than the ${missingCommits} commits absent from the input can hold (at most one row a commit)`,
            commits: [],
          },
    ],
  });
}

/** The commits of the per-agent comparison, the card's against those the same rule keeps here. */
function compareComparisonCommits(
  published: PublishedCard,
  lb: Leaderboard,
  split: InputSplit,
  out: Findings,
): void {
  const inScope = new Set(lb.commitsInScope);
  const cardComparison = new Set(published.comparisonCommits);
  const cardOnly = published.comparisonCommits.filter((c) => !inScope.has(c));
  const rowsOnly = lb.commitsInScope.filter((c) => !cardComparison.has(c));
  if (!cardOnly.length && !rowsOnly.length) {
    out.agreements.push(`comparison commits: ${lb.commitsInScope.length}`);
    return;
  }
  const items: CauseItem[] = [];
  for (const c of cardOnly) {
    if (!split.present.has(c)) items.push({ kind: 'hidden_split', detail: split.detail, commit: c });
    else
      items.push({
        kind: 'rows_contradict_card',
        detail: `left out here: ${lb.excluded.find((x) => x.commit === c)?.reason ?? 'not in scope'}`,
        commit: c,
      });
  }
  for (const c of rowsOnly)
    items.push({ kind: 'outside_card_comparison', detail: OUTSIDE_DETAIL, commit: c });
  out.differences.push({
    id: 'comparison_commits',
    what: 'commits of the per-agent comparison',
    card: `${published.comparisonCommits.length} (${published.commits} − ${published.excludedWrongCommand} wrong perf commands − ${published.excludedDataIssue} data issue − those with nothing comparable)`,
    rows: `${lb.commitsInScope.length} (the same rule over the ${split.present.size} commits of the input)`,
    causes: groupCauses(items),
  });
}

/** One matched agent's status on each commit, and what its rows show for a status. */
interface AgentStatusView {
  readonly statusOf: (c: string) => StatusOrNone;
  readonly evidence: (c: string, status: StatusOrNone) => string;
}

/** The status view of one matched agent over the input's rows. */
function agentStatusView(a: AgentSummary, rowsOf: RowsOf): AgentStatusView {
  const statusOf = (c: string): StatusOrNone => {
    const p = a.perCommit.find((x) => x.commit === c);
    if (p) return p.status;
    return a.unclassified.some((u) => u.commit === c) ? 'unclassified' : 'no_row';
  };
  const metricOf = (c: string) => a.perCommit.find((x) => x.commit === c)?.metric ?? null;
  const agentRow = (c: string) => rowsOf(c).find((r) => isRowOf(a, r));
  const evidence = (c: string, status: StatusOrNone): string => {
    const m = metricOf(c);
    const row = agentRow(c);
    switch (status) {
      case 'no_row':
        return 'the input has no row of this agent for the commit';
      case 'unclassified':
        return `the row could not be classified: ${a.unclassified.find((u) => u.commit === c)?.reason ?? '?'}`;
      case 'patch_failure':
        return row
          ? 'the rows give "patch failure": the agent row holds no agent metric'
          : 'no row of this agent';
      case 'wrong_metric': {
        const held = V5_METRICS.filter((x) => row && hasPhase(row, 'agent', x));
        return `the rows give "wrong metric": the agent row holds agent ${held.join(', ')} but no agent ${m}`;
      }
      case 'missing_human_metric':
        return rowsOf(c).every((r) => !hasPhase(r, 'human', m))
          ? `the rows give "missing human metric": no row of the commit holds a human ${m}`
          : `the rows give "missing human metric": this agent's row holds no human ${m}, another row of the commit does`;
      case 'valid_for_comparison':
        return `the rows give "valid for comparison": the agent row holds agent and human ${m}`;
    }
  };
  return { statusOf, evidence };
}

/** A matched agent's commits of each status, the card's against the rows'. */
function compareAgentStatuses(
  ca: PublishedCardAgent,
  a: AgentSummary,
  published: PublishedCard,
  lb: Leaderboard,
  rowsOf: RowsOf,
  split: InputSplit,
  out: Findings,
): void {
  const view = agentStatusView(a, rowsOf);
  for (const s of [
    'valid_for_comparison',
    'missing_human_metric',
    'patch_failure',
    'wrong_metric',
  ] as const) {
    const cardSet =
      s === 'wrong_metric'
        ? []
        : published.comparisonCommits.filter((c) => publishedStatus(ca, c, published) === s);
    const rowSet = lb.commitsInScope.filter((c) => view.statusOf(c) === s);
    const cardMissing = cardSet.filter((c) => !rowSet.includes(c));
    const rowExtra = rowSet.filter((c) => !cardSet.includes(c));
    if (!cardMissing.length && !rowExtra.length) {
      if (rowSet.length) out.agreements.push(`${a.display}: ${STATUS_WORDS[s]} on ${listWords(rowSet)}`);
      else if (s !== 'wrong_metric') out.agreements.push(`${a.display}: no commit ${STATUS_WORDS[s]}`);
      continue;
    }
    const items: CauseItem[] = [
      ...cardMissing.map((c) => cardOnlyStatusCause(c, s, view, lb, split)),
      ...rowExtra.map((c) => rowsOnlyStatusCause(c, s, publishedStatus(ca, c, published), view)),
    ];
    out.differences.push({
      id: `status:${ca.id}:${s}`,
      what: `${a.display}: ${STATUS_WORDS[s]}`,
      card:
        s === 'wrong_metric'
          ? 'no such status (the card counts these rows as patch failures)'
          : `${cardSet.length} of its ${published.comparisonCommits.length} commits`,
      rows: `${rowSet.length} of the ${lb.commitsInScope.length} commits in scope`,
      causes: groupCauses(items),
    });
  }
}

/** Why a commit the card gives status `s` does not have it in the rows. */
function cardOnlyStatusCause(
  c: string,
  s: RowStatus,
  view: AgentStatusView,
  lb: Leaderboard,
  split: InputSplit,
): CauseItem {
  if (!split.present.has(c)) return { kind: 'hidden_split', detail: split.detail, commit: c };
  if (!lb.commitsInScope.includes(c))
    return {
      kind: 'rows_contradict_card',
      detail: `left out of the comparison here: ${lb.excluded.find((x) => x.commit === c)?.reason ?? '?'}`,
      commit: c,
    };
  const r = view.statusOf(c);
  return {
    kind:
      s === 'patch_failure' && r === 'wrong_metric'
        ? 'wrong_metric_counted_as_patch_failure'
        : 'rows_contradict_card',
    detail: view.evidence(c, r),
    commit: c,
  };
}

/** Why a commit the rows give status `s` does not have it on the card (`t`: the card's status, null outside its comparison). */
function rowsOnlyStatusCause(
  c: string,
  s: RowStatus,
  t: ReturnType<typeof publishedStatus>,
  view: AgentStatusView,
): CauseItem {
  if (t === null) return { kind: 'outside_card_comparison', detail: OUTSIDE_DETAIL, commit: c };
  return {
    kind:
      s === 'wrong_metric' && t === 'patch_failure'
        ? 'wrong_metric_counted_as_patch_failure'
        : 'rows_contradict_card',
    detail: `the card says "${STATUS_WORDS[t]}"; ${view.evidence(c, s)}`,
    commit: c,
  };
}

/** The commits failing for every agent: the card's list against the commits whose rows lack agent metrics. */
function compareFailingForEveryAgent(
  rowSet: readonly string[],
  published: PublishedCard,
  lb: Leaderboard,
  rowsOf: RowsOf,
  split: InputSplit,
  out: Findings,
): void {
  const cardMissing = published.failingForEveryAgent.filter((c) => !rowSet.includes(c));
  const rowExtra = rowSet.filter((c) => !published.failingForEveryAgent.includes(c));
  if (!cardMissing.length && !rowExtra.length) {
    out.agreements.push(`failing for every agent: ${listWords(rowSet)}`);
    return;
  }
  const items: CauseItem[] = [];
  for (const c of cardMissing)
    items.push(
      split.present.has(c)
        ? someAgentMetricsCause(c, lb.agents, rowsOf)
        : { kind: 'hidden_split', detail: split.detail, commit: c },
    );
  for (const c of rowExtra)
    items.push(
      published.comparisonCommits.includes(c)
        ? {
            kind: 'rows_contradict_card',
            detail: 'no row of the commit holds an agent metric, yet the card does not list it',
            commit: c,
          }
        : {
            kind: 'outside_card_comparison',
            detail: `${OUTSIDE_LIST_DETAIL}; no row of the commit holds an agent metric`,
            commit: c,
          },
    );
  out.differences.push({
    id: 'failing_for_every_agent',
    what: 'commits failing for every agent',
    card: `${published.failingForEveryAgent.length}: ${published.failingForEveryAgent.join(' ')}`,
    rows: `${rowSet.length} commits of the input whose every row lacks agent metrics`,
    causes: groupCauses(items),
  });
}

/** The cause for a commit the card lists as failing for every agent though some of its rows hold agent metrics. */
function someAgentMetricsCause(c: string, lbAgents: readonly AgentSummary[], rowsOf: RowsOf): CauseItem {
  const withMetrics = rowsOf(c).filter((r) => hasPhase(r, 'agent'));
  const statuses = withMetrics.map((r) => {
    const a = lbAgents.find((x) => isRowOf(x, r));
    const p = a?.perCommit.find((x) => x.commit === c);
    return { r, a, p };
  });
  const lumped = statuses.every((x) => x.p?.status === 'wrong_metric');
  return {
    kind: lumped ? 'wrong_metric_counted_as_patch_failure' : 'rows_contradict_card',
    detail: statuses
      .map(
        ({ r, a, p }) =>
          `the ${a?.display ?? r.agent_name} row holds agent ${V5_METRICS.filter((m) => hasPhase(r, 'agent', m)).join(', ')}${p?.status === 'wrong_metric' ? ` but no agent ${p.metric}` : ''} (${STATUS_WORDS[p?.status ?? 'patch_failure']})`,
      )
      .join('; '),
    commit: c,
  };
}

/** The card's data gaps: the rows confirm each, contradict it, or cannot check it. */
function compareDataGaps(
  dataGaps: readonly PublishedDataGap[],
  rowsOf: RowsOf,
  present: ReadonlySet<string>,
  ctx: AuditContext,
  out: Findings,
): void {
  for (const g of dataGaps) {
    const what = `data gap ${g.commit} (${g.what})`;
    if (!present.has(g.commit)) {
      out.unverifiable.push(`${what}: the commit is not in the input`);
      continue;
    }
    const holding = rowsOf(g.commit).filter((r) => hasPhase(r, g.phase, g.metric));
    const measured = `${g.phase} ${g.metric ?? 'measurement'}`;
    if (!holding.length) {
      out.agreements.push(`${what}: no row holds a ${measured}`);
      continue;
    }
    const sources = sortedUnique(holding.map((r) => String(r.data_source)));
    const held = V5_METRICS.filter((m) => holding.some((r) => hasPhase(r, g.phase, m))).map((m) =>
      metricColumn(g.phase, m),
    );
    const doubts = sortedUnique(
      auditRows(
        holding,
        holding.map((_, i) => i + 1),
        ctx,
      )
        .filter(
          (f) =>
            f.column !== null &&
            (held as string[]).includes(f.column) &&
            (f.kind === 'metric_mismatch' ||
              f.kind === 'metrics_without_run' ||
              f.kind === 'metric_not_applicable'),
        )
        .map((f) => `${f.kind} ${f.column}: ${f.detail}`),
    );
    const runs = finishedRuns(holding, g.phase, ctx);
    out.differences.push({
      id: `data_gap:${g.commit}:${g.phase}`,
      what,
      card: `no ${measured}`,
      rows: `${holding.length} of ${rowsOf(g.commit).length} rows hold a ${measured}`,
      causes: [
        {
          kind: 'rows_contradict_card',
          detail: `the rows hold ${held.join(', ')} (data_source ${sources.join(', ')})${runs.length ? `; ${runs.join('; ')}: the run did not fail` : ''}${doubts.length ? `; the audit doubts them: ${doubts.join('; ')}` : ''}`,
          commits: [g.commit],
        },
      ],
    });
  }
}

/**
 * The stored raw outputs of a phase that are whole, finished runs (a result with no sign of being
 * cut off), each said once with the rows that share it.
 */
function finishedRuns(rows: readonly V5Row[], phase: V5Phase, ctx: AuditContext): string[] {
  const byRaw = new Map<string, { reading: RawReading | null; rows: V5Row[] }>();
  for (const r of rows) {
    const stored = readPhaseRaw(r, phase, ctx);
    if (!stored) continue;
    const seen = byRaw.get(stored.raw);
    if (seen) seen.rows.push(r);
    else byRaw.set(stored.raw, { reading: stored.reading, rows: [r] });
  }
  const out: string[] = [];
  for (const { reading, rows: sharing } of byRaw.values()) {
    const parse = reading?.parse;
    if (!parse?.ok || parse.truncated || parse.warnings.some((w) => /cut off/.test(w))) continue;
    const shown = Object.entries(reading?.values ?? {})
      .map(([m, v]) => `${m} ${v}`)
      .join(', ');
    const who = sharing.map((r) => r.agent_name).join(', ');
    out.push(
      `the ${phase} raw output of the ${who} row${sharing.length > 1 ? 's' : ''} is a finished ${parse.kind} run (${shown || 'no v5 metric'})`,
    );
  }
  return out;
}

/** The commits the card calls not benchmarkable: confirmed when no row holds a baseline measurement. */
function compareNotBenchmarkable(
  notBenchmarkable: readonly string[],
  rowsOf: RowsOf,
  present: ReadonlySet<string>,
  out: Findings,
): void {
  const contradicted = notBenchmarkable.filter(
    (c) => present.has(c) && rowsOf(c).some((r) => hasPhase(r, 'baseline')),
  );
  const confirmed = notBenchmarkable.filter((c) => present.has(c) && !contradicted.includes(c));
  const hidden = notBenchmarkable.filter((c) => !present.has(c));
  if (confirmed.length)
    out.agreements.push(`not benchmarkable: no row of ${confirmed.join(' ')} holds a baseline measurement`);
  if (hidden.length) out.unverifiable.push(`not benchmarkable: ${hidden.join(' ')} are not in the input`);
  if (contradicted.length)
    out.differences.push({
      id: 'not_benchmarkable',
      what: 'commits not benchmarkable on the old vLLM',
      card: `${notBenchmarkable.length}: ${notBenchmarkable.join(' ')}`,
      rows: `${contradicted.length} of them have baseline measurements`,
      causes: [
        {
          kind: 'rows_contradict_card',
          detail: 'rows of these commits hold baseline numbers',
          commits: contradicted,
        },
      ],
    });
}

const OUTSIDE_DETAIL =
  "not among the card's 43 commits, though neither among its 9 wrong perf commands nor its data issue, and rows of the commit hold baseline or human numbers (the card's stated rule would keep it); the card does not say why it is left out";
const OUTSIDE_LIST_DETAIL = "the card's list covers only the 43 commits of its comparison";
