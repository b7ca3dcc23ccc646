/**
 * The card's count figures and single-row claims against the rows, on the shared split and as if
 * the split were the whole release (the project has only part of the 361 rows): a count the rows
 * exceed by exactly the rows a changelog entry touched predates that entry; any other mismatch
 * contradicts the card; on a split, a count within reach of the rows held apart is unverifiable.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHED_CARD, type PublishedCard } from '../../src/dataset/published-card.js';
import type { V5Table } from '../../src/dataset/v5-io.js';
import type { V5Row } from '../../src/dataset/v5-schema.js';
import type { CardComparison } from '../../src/report/card-types.js';
import { computeHfCard } from '../../src/report/hf-card.js';
import { catalogueLookups, publishedParquet } from '../support/fixtures.js';
import { HAVE_SHARED_DATA } from '../support/shared-data.js';

let t: V5Table;
let lookups: Awaited<ReturnType<typeof catalogueLookups>>;

/** The comparison of `rows` with `published`; `whole`: the rows are the whole release (no split). */
function compare(published: PublishedCard, rows: readonly V5Row[] = t.rows, whole = true): CardComparison {
  const commits = [...new Set(rows.map((r) => r.commit_short ?? ''))];
  const card = whole ? { ...published, rows: rows.length, commits: commits.length } : published;
  const computed = computeHfCard(
    {
      rows,
      rowNumbers: rows.map((_, i) => i + 1),
      source: { name: 'v5-rows.parquet', format: 'parquet', kind: 'table' },
      shards: [],
      extended: null,
      comparePublished: true,
    },
    { ...lookups, catalogueCommits: whole ? commits : undefined, published: card },
  );
  if (!computed.published) throw new Error('no comparison');
  return computed.published;
}

/** The card with one count figure set to `count`. */
function withCount(id: string, count: number, base: PublishedCard = PUBLISHED_CARD): PublishedCard {
  return { ...base, rowCounts: base.rowCounts.map((f) => (f.id === id ? { ...f, count } : f)) };
}

const claude = (r: V5Row) => r.agent_name === 'claude-code' || r.agent_name === 'claude_code';
const holds = (r: V5Row, c: keyof V5Row) => r[c] !== null;

describe.skipIf(!HAVE_SHARED_DATA)("the card's count figures", () => {
  beforeAll(async () => {
    [t, lookups] = [await publishedParquet(), await catalogueLookups()];
  });

  it('names the changelog entry when the excess is exactly the rows it touched, and contradicts otherwise', () => {
    const n = t.rows.filter((r) => holds(r, 'agent_ttft_mean')).length;
    const fixed = PUBLISHED_CARD.changelog.find((c) => c.id === 'claude_serving_fixed');
    const touched = t.rows.filter(
      (r) => claude(r) && fixed?.commits.includes(r.commit_short ?? '') && holds(r, 'agent_ttft_mean'),
    );
    expect(touched.map((r) => r.commit_short).sort()).toEqual([
      '19d98e0c',
      '89a84b0b',
      '99abb8b6',
      '9badee53',
    ]);
    const at = (c: CardComparison) => c.differences.find((d) => d.id === 'coverage:agent_ttft_mean');

    const predates = at(compare(withCount('coverage:agent_ttft_mean', n - touched.length)));
    expect(predates).toMatchObject({ card: String(n - 4), rows: String(n) });
    expect(predates?.causes).toEqual([
      expect.objectContaining({
        kind: 'card_predates_its_fixes',
        commits: ['19d98e0c', '89a84b0b', '99abb8b6', '9badee53'],
      }),
    ]);
    expect(predates?.causes[0]?.detail).toMatch(
      new RegExp(
        `"7 Claude Code serving commits corrected .*touched 4 of these rows; without them the rows give ${n - 4}`,
      ),
    );

    const more = at(compare(withCount('coverage:agent_ttft_mean', n - 6)));
    expect(more?.causes).toEqual([expect.objectContaining({ kind: 'rows_contradict_card' })]);
    expect(more?.causes[0]?.detail).toMatch(
      /give 6 more than the card; .* accounts for 4 of them .*, not for all/,
    );

    const fewer = at(compare(withCount('coverage:agent_ttft_mean', n + 3)));
    expect(fewer?.causes).toEqual([
      expect.objectContaining({
        kind: 'rows_contradict_card',
        detail: "the release's rows give 3 fewer than the card",
      }),
    ]);

    const same = compare(withCount('coverage:agent_ttft_mean', n));
    expect(at(same)).toBeUndefined();
    expect(same.agreements).toContain(`agent metrics: agent_ttft_mean: ${n} rows (agent_ttft_mean non-null)`);
  });

  it("reads the 3-way counts by the card's filter code, and sums them as the overview does", () => {
    const serving = t.rows.filter(
      (r) => holds(r, 'baseline_tpot_mean') && holds(r, 'human_tpot_mean') && holds(r, 'agent_tpot_mean'),
    ).length;
    const standalone = t.rows.filter(
      (r) =>
        holds(r, 'baseline_latency_avg') && holds(r, 'human_latency_avg') && holds(r, 'agent_latency_avg'),
    ).length;
    expect([serving, standalone]).toEqual([58, 20]);
    const exact = withCount('three_way:standalone', standalone, withCount('three_way:serving', serving));
    const agreed = compare({
      ...exact,
      threeWayTotal: { ...exact.threeWayTotal, count: serving + standalone },
    });
    expect(agreed.differences.filter((d) => d.id.startsWith('three_way'))).toEqual([]);
    expect(agreed.agreements).toContain(
      '3-way complete rows, total (three_way:serving + three_way:standalone): 78',
    );
    const off = compare({ ...exact, threeWayTotal: { ...exact.threeWayTotal, count: 98 } });
    expect(off.differences.find((d) => d.id === 'three_way:total')).toMatchObject({
      card: '98',
      rows: '78 (58 serving + 20 standalone)',
      causes: [expect.objectContaining({ kind: 'rows_contradict_card' })],
    });
  });

  it('on the split: a count within reach of the held-apart rows is unverifiable, one beyond it contradicts', () => {
    const n = t.rows.filter((r) => holds(r, 'human_latency_avg')).length;
    const within = compare(PUBLISHED_CARD, t.rows, false);
    expect(within.differences.some((d) => d.id === 'coverage:human_latency_avg')).toBe(false);
    expect(within.unverifiable.some((u) => u.includes(`the card's 48, the input's ${n}`))).toBe(true);
    // a held-apart row can count in both 3-way sets: the total's bound is twice the rows held apart
    expect(within.unverifiable).toContainEqual(
      expect.stringMatching(/^3-way complete rows, total .*between 78 and 298\)$/),
    );
    const beyond = compare(withCount('coverage:human_latency_avg', n + 111), t.rows, false);
    expect(beyond.differences.find((d) => d.id === 'coverage:human_latency_avg')?.causes).toEqual([
      expect.objectContaining({
        kind: 'rows_contradict_card',
        detail: `even if the 110 rows held apart added all they could (110), the release would give ${n + 110}, fewer than the card's ${n + 111}`,
      }),
    ]);
  });

  it('checks the GPU, a quoted value and a phase the card says ran, each against the rows', () => {
    const rows = t.rows.map((r, i) => (i === 0 ? { ...r, gpu_config: 'A100:1' } : r));
    const c = compare(PUBLISHED_CARD, rows, false);
    expect(c.differences.find((d) => d.id === 'gpu')).toMatchObject({
      card: 'H100',
      causes: [
        expect.objectContaining({
          detail: 'gpu_config A100:1 on 1 rows',
          commits: [t.rows[0]?.commit_short],
        }),
      ],
    });
    expect(compare(PUBLISHED_CARD, t.rows, false).differences.some((d) => d.id === 'gpu')).toBe(false);
    // the quoted value the row holds is confirmed
    const quoted: PublishedCard = {
      ...PUBLISHED_CARD,
      quotedValues: [
        { ...(PUBLISHED_CARD.quotedValues[0] as PublishedCard['quotedValues'][number]), value: 5711.09 },
      ],
    };
    expect(compare(quoted, t.rows, false).agreements).toContain(
      '2deb029d claude_code agent_throughput (changelog 2026-01-19): 5711.09',
    );
    // a quoted number the row does not hold is looked for in every cell and raw output, as a whole number
    const elsewhere: PublishedCard = {
      ...PUBLISHED_CARD,
      quotedValues: [
        { ...(PUBLISHED_CARD.quotedValues[0] as PublishedCard['quotedValues'][number]), value: 5685.86 },
      ],
    };
    const found = compare(elsewhere, t.rows, false).differences.find((d) =>
      d.id.startsWith('quoted:2deb029d'),
    );
    expect(found?.causes[0]?.detail).toMatch(
      /5685\.86 is in 2deb029d claude-code human_throughput; 2deb029d claude-code human_raw \(printed\); 2deb029d codex human_throughput/,
    );
    const prefix: PublishedCard = {
      ...PUBLISHED_CARD,
      quotedValues: [
        { ...(PUBLISHED_CARD.quotedValues[0] as PublishedCard['quotedValues'][number]), value: 5711 },
      ],
    };
    // 5711 is not 5711.09
    expect(
      compare(prefix, t.rows, false).differences.find((d) => d.id.startsWith('quoted:2deb029d'))?.causes[0]
        ?.detail,
    ).toMatch(/5711 is in no cell and no raw output of the input$/);
    // 83450458's baseline ran (the card: "Success"); a phase with no numbers would contradict it
    expect(c.agreements).toContain(
      '83450458 baseline ran (partial data: baseline "Success"): 4 rows hold baseline numbers',
    );
    const noBaseline = t.rows.map((r) =>
      r.commit_short === '83450458'
        ? { ...r, baseline_throughput: null, baseline_latency_avg: null, baseline_ttft_mean: null }
        : r,
    );
    expect(compare(PUBLISHED_CARD, noBaseline, false).differences.map((d) => d.id)).toContain(
      'phase_ran:83450458:baseline',
    );
  });
});
