/**
 * The dataset card's per-agent summary, recomputed from the rows. The card (2026-01-19) and the
 * authors' status table list, for the 43 commits of its comparison, which agent rows are valid for
 * comparison; this development split holds 29 of those commits.
 */
import { describe, expect, it } from 'vitest';
import { PUBLISHED_CARD } from '../../src/published/card.js';
import { cardTable } from '../../src/published/card-table.js';
import { computeLeaderboard } from '../../src/v5/leaderboard.js';
import { catalogueLookups, publishedCsv, publishedParquet } from '../support/fixtures.js';
import { HAVE_SHARED_DATA } from '../support/shared-data.js';

const CARD_43 = PUBLISHED_CARD.comparisonCommits;
/**
 * The leaderboard line of each of the card's agents. The card labels Claude Code's model
 * claude-sonnet-4-20250514; 64 of its 67 rows here say sonnet-4.5 and the leaderboard counts the
 * three differently labelled rows as the same run series.
 */
const ROWS_KEY: Record<string, string> = {
  claude_code: 'claude_code/claude-sonnet-4.5',
  codex: 'codex/gpt-5',
  trae_sonnet45: 'trae/claude-sonnet-4.5',
  trae_gpt5: 'trae/gpt-5',
};
const VALID: Record<string, readonly string[]> = Object.fromEntries(
  PUBLISHED_CARD.agents.map((a) => [ROWS_KEY[a.id], a.validForComparison]),
);
/** The card's "missing human_ttft" entries. */
const MISSING_HUMAN: Record<string, readonly string[]> = Object.fromEntries(
  PUBLISHED_CARD.agents.filter((a) => a.missingHuman.length).map((a) => [ROWS_KEY[a.id], a.missingHuman]),
);

describe.skipIf(!HAVE_SHARED_DATA)('leaderboard: the card summary from the rows', () => {
  it("classifies every agent row of the card's commits as the card does, except where the rows contradict the card", async () => {
    const [t, ctx] = [await publishedCsv(), await catalogueLookups()];
    const lb = computeLeaderboard(t.rows, t.rowNumbers, { scope: 'card', band: 5 }, ctx);
    expect(lb.agents.map((a) => a.key).sort()).toEqual(Object.keys(VALID).sort());
    const disagreements: string[] = [];
    let compared = 0;
    for (const a of lb.agents) {
      for (const p of a.perCommit) {
        if (!CARD_43.includes(p.commit)) continue;
        compared++;
        const card = VALID[a.key]?.includes(p.commit)
          ? 'valid_for_comparison'
          : MISSING_HUMAN[a.key]?.includes(p.commit)
            ? 'missing_human_metric'
            : 'patch_failure';
        if (p.status !== card) disagreements.push(`${a.key} ${p.commit} ${p.status} (card: ${card})`);
      }
    }
    expect(compared).toBe(4 * 29);
    // The card counts these two Claude Code commits as valid, but no row of either commit holds a
    // human TTFT (the card took it from outside the table).
    expect(disagreements.sort()).toEqual([
      'claude_code/claude-sonnet-4.5 19d98e0c missing_human_metric (card: valid_for_comparison)',
      'claude_code/claude-sonnet-4.5 89a84b0b missing_human_metric (card: valid_for_comparison)',
    ]);
    for (const c of ['19d98e0c', '89a84b0b']) {
      expect(t.rows.filter((r) => r.commit_short === c).every((r) => r.human_ttft_mean === null)).toBe(true);
    }
  });

  it("applies the card's exclusions and says why for every excluded commit and unplaced row", async () => {
    const [t, ctx] = [await publishedParquet(), await catalogueLookups()];
    const lb = computeLeaderboard(t.rows, t.rowNumbers, { scope: 'card', band: 5 }, ctx);
    const card10 = [
      'ed250545',
      '8a4e5c5f',
      'f26c4aee',
      '6d0734c5',
      '61b8cea3',
      'cf2f084d',
      '80aa7e91',
      'ca7a2d5f',
      '8bc68e19',
      '6ce01f30',
    ];
    const inSplit = new Set(t.rows.map((r) => r.commit_short));
    for (const c of card10.filter((c) => inSplit.has(c))) {
      expect(lb.excluded.find((x) => x.commit === c)?.reason).toMatch(/^excluded by the card: /);
      expect(lb.commitsInScope).not.toContain(c);
    }
    for (const x of lb.excluded) expect(x.reason.length).toBeGreaterThan(10);
    expect(lb.commitsInScope.length + lb.excluded.length).toBe(inSplit.size);
    for (const a of lb.agents) {
      const counted = Object.values(a.counts).reduce((s, n) => s + n, 0) + a.unclassified.length;
      expect(counted).toBe(lb.commitsInScope.length);
      const { beats, similar, worse } = a.comparison;
      const uncomputable = a.unclassified.filter((u) => u.reason.startsWith('agent-vs-human')).length;
      expect(beats + similar + worse + uncomputable).toBe(a.counts.valid_for_comparison);
      for (const u of a.unclassified) expect(u.reason.length).toBeGreaterThan(10);
    }
    // Claude Code's three rows spelled claude_code / claude-sonnet-4-20250514 are the same run series
    const cc = lb.agents.find((a) => a.agent === 'claude_code');
    expect(cc?.labels.map((l) => `${l.agentName}|${l.agentModel}|${l.rows}`).sort()).toEqual([
      'claude-code|sonnet-4.5|64',
      'claude_code|claude-sonnet-4-20250514|3',
    ]);
    expect(cc?.notes.join(' ')).toContain('inconsistent model label');
  });

  it('counts beats/similar/worse on the primary metric with the chosen band', async () => {
    const [t, ctx] = [await publishedCsv(), await catalogueLookups()];
    const wide = computeLeaderboard(t.rows, t.rowNumbers, { scope: 'card', band: 1e9 }, ctx);
    const narrow = computeLeaderboard(t.rows, t.rowNumbers, { scope: 'card', band: 0 }, ctx);
    for (const a of wide.agents) {
      expect(a.comparison.beats + a.comparison.worse).toBe(0);
      const n = narrow.agents.find((b) => b.key === a.key);
      expect(n?.comparison.similar).toBeLessThanOrEqual(1);
      expect((n?.comparison.beats ?? 0) + (n?.comparison.worse ?? 0) + (n?.comparison.similar ?? 0)).toBe(
        a.comparison.similar,
      );
    }
    // a commit where the agent beat the human by the published numbers
    const codex = narrow.agents.find((a) => a.key === 'codex/gpt-5');
    const p = codex?.perCommit.find((x) => x.commit === '30172b49');
    expect(p?.metric).toBe('ttft_mean');
    expect(p?.agentVsHumanPct).toBeGreaterThan(5);
  });
});

describe.skipIf(!HAVE_SHARED_DATA)(
  "leaderboard --scope card43: the card's own table beside the rows'",
  () => {
    it("covers the card's 43 commits this split holds, and says why each other commit is left out", async () => {
      const [t, ctx] = [await publishedCsv(), await catalogueLookups()];
      const lb = computeLeaderboard(t.rows, t.rowNumbers, { scope: 'card43', band: 5 }, ctx);
      const present = new Set(t.rows.map((r) => r.commit_short));
      expect(lb.commitsInScope).toEqual(CARD_43.filter((c) => present.has(c)).sort());
      expect(lb.commitsInScope).toHaveLength(29);
      const reasons = new Map(lb.excluded.map((e) => [e.commit, e.reason]));
      expect(reasons.size + lb.commitsInScope.length).toBe(present.size);
      // kept by the card's stated rule (the `card` scope), left out of its table without a word
      const rule = computeLeaderboard(t.rows, t.rowNumbers, { scope: 'card', band: 5 }, ctx).commitsInScope;
      for (const c of rule.filter((x) => !CARD_43.includes(x)))
        expect(reasons.get(c), c).toMatch(/which its stated rule would keep: the card leaves it out/);
      expect(reasons.get('6ce01f30')).toMatch(/^excluded by the card: .*documented data issue/);
      expect(reasons.get('0d243f2a')).toMatch(/nothing comparable/);
    });

    it("reproduces the card's table line by line, naming each commit the rows force to differ", async () => {
      const ctx = await catalogueLookups();
      for (const [release, t] of [
        ['csv', await publishedCsv()],
        ['parquet', await publishedParquet()],
      ] as const) {
        const card = cardTable(computeLeaderboard(t.rows, t.rowNumbers, { scope: 'card43', band: 5 }, ctx));
        expect(card.present).toHaveLength(29);
        expect(card.absent).toHaveLength(14);
        const line = (id: string) => card.lines.find((l) => l.cardAgent === id);
        // the card's headline counts over its 43 commits: 28 / 16 / 16 / 12 valid
        expect(card.lines.map((l) => l.card.valid_for_comparison)).toEqual([28, 16, 16, 12]);
        for (const l of card.lines)
          expect(l.card.valid_for_comparison + l.card.patch_failure + l.card.missing_human_metric).toBe(43);
        // Codex and both TRAE lines: the rows give the card's status on every commit they hold
        for (const id of ['codex', 'trae_sonnet45', 'trae_gpt5']) {
          expect(line(id)?.rows, `${release} ${id}`).toEqual(line(id)?.cardHere);
          expect(line(id)?.differences, `${release} ${id}`).toEqual([]);
        }
        // Claude Code: two commits the card counts valid lack the human metric in the rows; in the
        // Parquet release (not the CSV) three of its patch failures carry an agent throughput, which is
        // not those tasks' primary metric
        const cc = line('claude_code');
        expect(cc?.line).toBe('Claude Code');
        expect(cc?.cardHere).toEqual({
          valid_for_comparison: 19,
          patch_failure: 10,
          missing_human_metric: 0,
        });
        expect(cc?.rows).toEqual({ valid_for_comparison: 17, patch_failure: 10, missing_human_metric: 2 });
        expect(
          cc?.differences.map((d) => `${d.commit} ${d.card} -> ${d.rows}`),
          release,
        ).toEqual([
          '89a84b0b valid_for_comparison -> missing_human_metric',
          '19d98e0c valid_for_comparison -> missing_human_metric',
          ...(release === 'parquet'
            ? [
                'fc7b8d1e patch_failure -> wrong_metric',
                '3a243095 patch_failure -> wrong_metric',
                'e3580537 patch_failure -> wrong_metric',
              ]
            : []),
        ]);
      }
    });
  },
);
