/**
 * The card's headline table beside the rows': for each agent line of the published card, its counts
 * over the card's 43 commits (valid for comparison, patch failure, missing the human metric), the
 * same counts over the 43 commits this table holds, what the rows give there (`leaderboard --scope
 * card43`), and every commit where the two disagree, named. Pure.
 */
import type { PublishedStatus } from '../v5/classify.js';
import type { AgentSummary, Leaderboard } from '../v5/leaderboard.js';
import { canonicalAgent, canonicalModel } from '../v5/names.js';
import { PUBLISHED_CARD, type PublishedCard, type PublishedCardAgent, publishedStatus } from './card.js';

/** The leaderboard line of each card agent: the line whose normalised name and model are the card's, else the one whose merged labels include the card's, else the only line of that agent left. */
export function matchCardAgents(
  cardAgents: readonly PublishedCardAgent[],
  lbAgents: readonly AgentSummary[],
): Map<string, AgentSummary | null> {
  const out = new Map<string, AgentSummary | null>();
  const taken = new Set<string>();
  const canon = (a: PublishedCardAgent) => `${canonicalAgent(a.agentName)}/${canonicalModel(a.agentModel)}`;
  const passes: Array<(c: PublishedCardAgent, a: AgentSummary) => boolean> = [
    (c, a) => a.key === canon(c),
    (c, a) =>
      a.labels.some((l) => `${canonicalAgent(l.agentName)}/${canonicalModel(l.agentModel)}` === canon(c)),
    (c, a) =>
      a.agent === canonicalAgent(c.agentName) &&
      lbAgents.filter((b) => b.agent === a.agent && !taken.has(b.key)).length === 1,
  ];
  for (const pass of passes) {
    for (const c of cardAgents) {
      if (out.get(c.id)) continue;
      const hit = lbAgents.find((a) => !taken.has(a.key) && pass(c, a));
      if (hit) {
        out.set(c.id, hit);
        taken.add(hit.key);
      }
    }
  }
  for (const c of cardAgents) if (!out.has(c.id)) out.set(c.id, null);
  return out;
}

/** The card's three statuses (it counts a wrong metric as a patch failure). */
type CardStatus = 'valid_for_comparison' | 'patch_failure' | 'missing_human_metric';

/** Counts of the card's statuses. */
export type CardCounts = Readonly<Record<CardStatus, number>>;

/** One commit where the card and the rows disagree. */
export interface CardTableDifference {
  readonly commit: string;
  readonly card: CardStatus;
  /** what the rows give: a status, or no row of this agent */
  readonly rows: PublishedStatus | 'no_row' | 'unclassified';
  readonly detail: string;
}

/** One agent line of the card beside the rows. */
export interface CardTableLine {
  readonly cardAgent: string;
  readonly label: string;
  /** the leaderboard line it is, or null when the rows have none */
  readonly line: string | null;
  /** the card's counts over its 43 commits */
  readonly card: CardCounts;
  /** the card's counts over those of the 43 this table holds */
  readonly cardHere: CardCounts;
  /** the rows' counts over the same commits (wrong metric counted as the card does: a patch failure) */
  readonly rows: CardCounts;
  readonly differences: readonly CardTableDifference[];
}

/** The card's table beside the rows. */
export interface CardTable {
  readonly source: string;
  /** the card's 43 commits this table holds, and those it does not */
  readonly present: readonly string[];
  readonly absent: readonly string[];
  readonly lines: readonly CardTableLine[];
}

/** A status (or its absence) in words, as the card's comparisons write it. */
const STATUS_WORDS: Record<PublishedStatus | 'no_row' | 'unclassified', string> = {
  valid_for_comparison: 'valid for comparison',
  patch_failure: 'patch failure',
  missing_human_metric: 'missing human metric',
  wrong_metric: 'wrong metric',
  no_row: 'no row',
  unclassified: 'unclassified',
};

const zero = (): Record<CardStatus, number> => ({
  valid_for_comparison: 0,
  patch_failure: 0,
  missing_human_metric: 0,
});

/** The card status a row's status counts as (the card has no "wrong metric" and no "no row"). */
const asCard = (s: PublishedStatus | 'no_row'): CardStatus =>
  s === 'wrong_metric' || s === 'no_row' ? 'patch_failure' : s;

/** Why the rows give `rows` where the card says `card`, in words. */
function why(card: CardStatus, rows: CardTableDifference['rows'], pct: number | null): string {
  if (rows === 'no_row') return `the card counts ${STATUS_WORDS[card]}; this agent has no row for the commit`;
  if (rows === 'unclassified')
    return `the card counts ${STATUS_WORDS[card]}; the row could not be classified`;
  if (rows === 'wrong_metric')
    return `the card counts ${STATUS_WORDS[card]}; the row's agent metrics are not the task's primary metric`;
  const measured =
    rows === 'valid_for_comparison' && pct !== null ? ` (agent vs human ${pct.toFixed(1)}%)` : '';
  return `the card counts ${STATUS_WORDS[card]}; the row is ${STATUS_WORDS[rows]}${measured}`;
}

/** One card agent's line: the card's counts, the rows', and each commit they disagree on. */
function tableLine(
  ca: PublishedCardAgent,
  a: AgentSummary | null,
  card: PublishedCard,
  present: readonly string[],
): CardTableLine {
  const all = zero();
  const here = zero();
  const rows = zero();
  const differences: CardTableDifference[] = [];
  for (const c of card.comparisonCommits) {
    const s = publishedStatus(ca, c, card) ?? 'patch_failure';
    all[s]++;
    if (!present.includes(c)) continue;
    here[s]++;
    const mine = a?.perCommit.find((p) => p.commit === c) ?? null;
    const r = !a || a.noRow.includes(c) ? 'no_row' : mine ? mine.status : 'unclassified';
    if (r !== 'unclassified') rows[asCard(r)]++;
    if (r === 'unclassified' || asCard(r) !== s || r === 'wrong_metric' || r === 'no_row')
      differences.push({ commit: c, card: s, rows: r, detail: why(s, r, mine?.agentVsHumanPct ?? null) });
  }
  return {
    cardAgent: ca.id,
    label: `${ca.agentName} / ${ca.agentModel}`,
    line: a?.display ?? null,
    card: all,
    cardHere: here,
    rows,
    differences: differences.filter((d) => d.rows !== 'no_row' || d.card !== 'patch_failure'),
  };
}

/** The card's table beside a leaderboard of scope `card43`. */
export function cardTable(lb: Leaderboard, card: PublishedCard = PUBLISHED_CARD): CardTable {
  const present = card.comparisonCommits.filter((c) => lb.commitsInScope.includes(c));
  const matched = matchCardAgents(card.agents, lb.agents);
  return {
    source: card.source,
    present,
    absent: card.comparisonCommits.filter((c) => !present.includes(c)),
    lines: card.agents.map((ca) => tableLine(ca, matched.get(ca.id) ?? null, card, present)),
  };
}
