import { describe, expect, it } from 'vitest';
import { auditRows } from '../../src/dataset/audit.js';
import { regradeRows } from '../../src/dataset/regrade.js';
import { V5_COLUMNS } from '../../src/dataset/v5-schema.js';
import { catalogueLookups, publishedCsv, publishedParquet } from '../support/fixtures.js';
import { HAVE_SHARED_DATA } from '../support/shared-data.js';

const FIXED_KINDS = new Set([
  'derived_missing',
  'derived_mismatch',
  'derived_without_inputs',
  'metric_mismatch',
  'metric_missing',
  'metric_not_applicable',
  'name_spelling',
  'short_commit_hash',
]);

describe.skipIf(!HAVE_SHARED_DATA)('dataset regrade', () => {
  for (const [name, load] of [
    ['Parquet', publishedParquet],
    ['CSV', publishedCsv],
  ] as const) {
    it(`leaves no formula, metric or spelling inconsistency (${name})`, async () => {
      const [t, ctx] = [await load(), await catalogueLookups()];
      const before = auditRows(t.rows, t.rowNumbers, ctx).filter((f) => FIXED_KINDS.has(f.kind));
      expect(before.length).toBeGreaterThan(1000);
      const { rows } = regradeRows(t.rows, t.rowNumbers, ctx);
      const after = auditRows(rows, t.rowNumbers, ctx).filter((f) => FIXED_KINDS.has(f.kind));
      expect(after).toEqual([]);
    });
  }

  it('lists every changed cell, with its reason, and nothing else', async () => {
    const [t, ctx] = [await publishedParquet(), await catalogueLookups()];
    const { rows, changes } = regradeRows(t.rows, t.rowNumbers, ctx);
    const actual: string[] = [];
    rows.forEach((r, i) => {
      for (const c of V5_COLUMNS)
        if (JSON.stringify(r[c]) !== JSON.stringify(t.rows[i]?.[c])) actual.push(`${t.rowNumbers[i]}:${c}`);
    });
    expect(changes.map((c) => `${c.row}:${c.column}`).sort()).toEqual(actual.sort());
    const get = (commit: string, column: string) =>
      changes.filter((c) => c.commit === commit && c.column === column);
    expect(get('6ce01f30', 'baseline_throughput')[0]).toMatchObject({
      before: 9.18,
      after: 11745.11,
      reason: 'reread_from_raw',
    });
    expect(get('9badee53', 'human_improvement_throughput')[0]?.reason).toBe('recomputed_by_formula');
    expect(get('fa63e710', 'baseline_throughput')[0]).toMatchObject({
      after: null,
      reason: 'not_a_metric_of_this_benchmark',
    });
    expect(get('2deb029d', 'commit_hash')[0]).toMatchObject({
      before: '2deb029d',
      reason: 'full_commit_hash',
    });
    expect(String(get('2deb029d', 'commit_hash')[0]?.after)).toHaveLength(40);
    expect(get('015069b0', 'agent_name')[0]).toMatchObject({
      before: 'claude-code',
      after: 'claude_code',
      reason: 'name_normalised',
    });
    // untouched: the inputs
    expect(
      t.rows.find((r) => r.commit_short === '6ce01f30' && r.agent_name === 'claude_code')
        ?.baseline_throughput,
    ).toBe(9.18);
  });

  it('is idempotent', async () => {
    const [t, ctx] = [await publishedParquet(), await catalogueLookups()];
    const once = regradeRows(t.rows, t.rowNumbers, ctx).rows;
    const twice = regradeRows(once, t.rowNumbers, ctx);
    expect(twice.changes).toEqual([]);
    expect(twice.rows).toEqual(once);
  });
});
