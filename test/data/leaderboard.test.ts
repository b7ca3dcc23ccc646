/**
 * The dataset card's per-agent summary, recomputed from the rows. The card (2026-01-19) and the
 * authors' status table list, for the 43 commits of its comparison, which agent rows are valid for
 * comparison; this development split holds 29 of those commits.
 */
import { describe, expect, it } from 'vitest';
import { computeLeaderboard } from '../../src/dataset/leaderboard.js';
import { PUBLISHED_CARD } from '../../src/dataset/published-card.js';
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
