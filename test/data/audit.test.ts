import { describe, expect, it } from 'vitest';
import { type AuditFinding, auditRows } from '../../src/published/audit.js';
import { V5_COLUMNS, type V5Row } from '../../src/v5/schema.js';
import { catalogueLookups, publishedCsv, publishedParquet } from '../support/fixtures.js';
import { HAVE_SHARED_DATA } from '../support/shared-data.js';

/** The two releases differ in some cells (and '' in Parquet is an empty cell, i.e. null, in CSV). */
function sameRow(a: V5Row, b: V5Row): boolean {
  return V5_COLUMNS.every(
    (c) => JSON.stringify(a[c] === '' ? null : a[c]) === JSON.stringify(b[c] === '' ? null : b[c]),
  );
}

function find(fs: readonly AuditFinding[], pred: (f: AuditFinding) => boolean): AuditFinding[] {
  return fs.filter(pred);
}

describe.skipIf(!HAVE_SHARED_DATA)('dataset audit of the published table', () => {
  it('gives the same findings from Parquet and CSV for every row the two files hold alike', async () => {
    const [pq, csv, ctx] = [await publishedParquet(), await publishedCsv(), await catalogueLookups()];
    const fp = auditRows(pq.rows, pq.rowNumbers, ctx);
    const fc = auditRows(csv.rows, csv.rowNumbers, ctx);
    const differing = new Set(
      pq.rows.flatMap((r, i) => (sameRow(r, csv.rows[i] as V5Row) ? [] : [pq.rowNumbers[i]])),
    );
    // the releases differ in a known handful of rows (see `isobench dataset diff`); everything else must agree
    expect(differing.size).toBeGreaterThan(0);
    expect(differing.size).toBeLessThan(80);
    const keep = (f: AuditFinding) =>
      !differing.has(f.row) &&
      !(
        f.kind === 'shared_measurements' &&
        f.detail.match(/row (\d+)/g)?.some((m) => differing.has(Number(m.slice(4))))
      );
    expect(fc.filter(keep)).toEqual(fp.filter(keep));
    expect(fp.filter(keep).length).toBeGreaterThan(500);
  });

  it('reads the header-cut serving block of 58eee5f2 (trae agent, row 143) flagged, and checks its cells', async () => {
    const [pq, ctx] = [await publishedParquet(), await catalogueLookups()];
    const i = pq.rowNumbers.indexOf(143);
    const row = pq.rows[i] as V5Row;
    expect([row.commit_short, row.agent_name]).toEqual(['58eee5f2', 'trae']);
    // the stored text starts with the last "="s of the header and the block's first lines are gone
    expect(row.agent_raw?.startsWith('======\nRequest throughput (req/s):')).toBe(true);
    const f = auditRows([row], [143], ctx).filter((x) => x.column?.startsWith('agent_'));
    expect(f.filter((x) => x.kind === 'raw_truncated')).toEqual([]);
    const cut = f.filter((x) => x.kind === 'raw_read_cut');
    expect(cut).toHaveLength(1);
    expect(cut[0]?.detail).toMatch(/the 12 metric lines from line 2 to the closing rule on line 14/);
    // its ten metric cells are what those lines say: nothing to correct, nothing unverifiable
    expect(f.filter((x) => x.kind.startsWith('metric_'))).toEqual([]);
    // a changed cell is found: the reading is not vacuous
    const wrong = { ...row, agent_ttft_p99: 1000 };
    expect(auditRows([wrong], [143], ctx).filter((x) => x.kind === 'metric_mismatch')).toEqual([
      expect.objectContaining({ column: 'agent_ttft_p99', published: 1000, expected: 1017.67 }),
    ]);
  });

  it('finds the defects the data card and LESSONS name', async () => {
    const [pq, ctx] = [await publishedParquet(), await catalogueLookups()];
    const f = auditRows(pq.rows, pq.rowNumbers, ctx);
    // derived columns that disagree with the formula, e.g. human_improvement_throughput on 9badee53
    const mismatch = find(f, (x) => x.kind === 'derived_mismatch');
    expect(mismatch.length).toBe(17);
    expect(mismatch).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          commit: '9badee53',
          column: 'human_improvement_throughput',
          kind: 'derived_mismatch',
        }),
      ]),
    );
    const x = mismatch.find((m) => m.commit === '9badee53' && m.column === 'human_improvement_throughput');
    expect(x?.published).toBeCloseTo(-11.494418, 5);
    expect(x?.expected).toBeCloseTo(-67.660628, 5);
    // derived columns missing where their inputs exist
    expect(find(f, (x) => x.kind === 'derived_missing').length).toBeGreaterThan(500);
    // the effective workload differs from perf_command: random_input_len=512 where the command says 1000
    const wl = find(f, (x) => x.kind === 'workload_mismatch' && x.commit === '299ebb62');
    expect(wl).toHaveLength(3);
    expect(wl[0]?.detail).toContain('--random-input-len 1000 ran as random_input_len=512');
    // requests/s stored as tokens/s
    expect(
      find(
        f,
        (x) => x.kind === 'metric_mismatch' && x.commit === '6ce01f30' && x.column === 'baseline_throughput',
      )[0]?.detail,
    ).toContain("the raw output's request_throughput (req/s)");
    // throughput of latency benchmarks filled by a catch-all regex
    const na = find(
      f,
      (x) =>
        x.kind === 'metric_not_applicable' && x.commit === 'fa63e710' && x.column === 'baseline_throughput',
    );
    expect(na.map((x) => x.agent)).toContain('claude_code');
    expect(na[0]?.detail).toMatch(/latency benchmark.* prints no throughput/);
    // baseline and human numbers shared across agents from other runs
    const shared = find(
      f,
      (x) => x.kind === 'shared_measurements' && x.commit === '015069b0' && x.column === 'baseline_*',
    );
    expect(shared.map((s) => s.agent).sort()).toEqual(['claude-code', 'codex', 'trae']);
    // spellings and short hashes
    expect(
      find(f, (x) => x.kind === 'short_commit_hash')
        .map((s) => s.commit)
        .sort(),
    ).toEqual(['19d98e0c', '2deb029d', '9f1710f1']);
    expect(find(f, (x) => x.kind === 'name_spelling' && x.column === 'agent_name').length).toBe(64);
    expect(find(f, (x) => x.kind === 'name_spelling' && x.column === 'repo').length).toBe(42);
    // truncated raw output that lost its metric lines
    expect(find(f, (x) => x.kind === 'raw_truncated').length).toBeGreaterThan(10);
    // a run whose raw output is another benchmark than its perf command
    expect(
      find(f, (x) => x.kind === 'raw_other_benchmark')
        .map((s) => s.commit)
        .sort(),
    ).toEqual(['22dd9c27', '22dd9c27', 'eefbf4a6']);
  });

  it('is deterministic and ordered by row', async () => {
    const [pq, ctx] = [await publishedParquet(), await catalogueLookups()];
    const a = auditRows(pq.rows, pq.rowNumbers, ctx);
    const b = auditRows(pq.rows, pq.rowNumbers, ctx);
    expect(b).toEqual(a);
    expect(a.map((f) => f.row)).toEqual([...a.map((f) => f.row)].sort((x, y) => x - y));
  });
});
