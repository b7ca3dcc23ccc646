import { describe, expect, it } from 'vitest';
import { auditRows, rowCommand } from '../../src/published/audit.js';
import {
  CHANGE_REASONS,
  KEPT_REASONS,
  type RegradeChange,
  type RegradeContext,
  regradeRows,
} from '../../src/published/table-regrade.js';
import { derivedValue } from '../../src/v5/formulas.js';
import type { V5Table } from '../../src/v5/io.js';
import { kindOfCommand, V5_METRICS_OF_KIND } from '../../src/v5/primary.js';
import { readRaw } from '../../src/v5/raw-metrics.js';
import {
  derivedColumn,
  metricColumn,
  rawColumn,
  V5_COLUMNS,
  V5_DERIVED_FAMILIES,
  type V5_DERIVED_METRICS,
  V5_METRICS,
  V5_PHASES,
  type V5Column,
  type V5Row,
} from '../../src/v5/schema.js';
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

const LOADS = [
  ['Parquet', publishedParquet],
  ['CSV', publishedCsv],
] as const;

const METRIC_COLUMNS = new Set<V5Column>(V5_PHASES.flatMap((p) => V5_METRICS.map((m) => metricColumn(p, m))));

/** The changes of one cell (by file row and column). */
function at(changes: readonly RegradeChange[], row: number, column: string): RegradeChange[] {
  return changes.filter((c) => c.row === row && c.column === column);
}

/** The file row number of the row of `commit` and `agent` (the first when several). */
function rowOf(t: V5Table, commit: string, agent: string): number {
  const i = t.rows.findIndex((r) => r.commit_short === commit && r.agent_name === agent);
  if (i < 0) throw new Error(`no row ${commit} ${agent}`);
  return t.rowNumbers[i] as number;
}

/** The published non-null metric cells of a row. */
function publishedMetrics(r: V5Row): V5Column[] {
  return [...METRIC_COLUMNS].filter((c) => r[c] !== null);
}

/**
 * Checks, against the input and output rows and independently of regrade's own logic, that each
 * changed cell has evidence: a metric cell the raw output of a kind that prints it re-reads to the
 * new value; a derived cell the formula over the output row gives, and a derived cell cleared only
 * where both inputs are kept (the formula disproves it). Returns the problems.
 */
function unsupported(
  t: V5Table,
  out: readonly V5Row[],
  changes: readonly RegradeChange[],
  ctx: RegradeContext,
) {
  const problems: string[] = [];
  const byCell = new Map(changes.map((c) => [`${c.row}:${c.column}`, c]));
  t.rows.forEach((input, i) => {
    const rowNo = t.rowNumbers[i] as number;
    const output = out[i] as V5Row;
    for (const col of V5_COLUMNS) {
      const change = byCell.get(`${rowNo}:${col}`);
      const moved = JSON.stringify(input[col]) !== JSON.stringify(output[col]);
      if (!moved) {
        if (change && change.action !== 'kept')
          problems.push(`${rowNo}:${col} listed as changed but unchanged`);
        continue;
      }
      if (change?.action !== 'changed') {
        problems.push(`${rowNo}:${col} changed without a listed reason`);
        continue;
      }
      if (!CHANGE_REASONS.includes(change.reason)) problems.push(`${rowNo}:${col} reason ${change.reason}`);
      if (METRIC_COLUMNS.has(col)) {
        const [phase, ...rest] = col.split('_');
        const metric = rest.join('_') as (typeof V5_METRICS)[number];
        const raw = input[rawColumn(phase as (typeof V5_PHASES)[number])] as string | null;
        const reading = raw ? readRaw(raw, kindOfCommand(rowCommand(input, ctx).command)) : null;
        if (output[col] === null) problems.push(`${rowNo}:${col} metric cleared`);
        else if (
          change.reason !== 'reread_from_raw' ||
          !reading?.parse.ok ||
          !V5_METRICS_OF_KIND[reading.kind].includes(metric) ||
          reading.values[metric] !== output[col]
        )
          problems.push(`${rowNo}:${col} ${change.reason}: not what a raw output of its kind says`);
      } else if (change.reason === 'recomputed_by_formula') {
        const fam = Object.keys(V5_DERIVED_FAMILIES).find((f) => col.startsWith(`${f}_`)) as
          | keyof typeof V5_DERIVED_FAMILIES
          | undefined;
        const metric = fam ? (col.slice(fam.length + 1) as (typeof V5_DERIVED_METRICS)[number]) : null;
        if (!fam || !metric || derivedColumn(fam, metric) !== col) {
          problems.push(`${rowNo}:${col} recomputed but not a derived column`);
          continue;
        }
        if (derivedValue(output, fam, metric) !== output[col])
          problems.push(`${rowNo}:${col} not the formula's`);
        const { subject, reference } = V5_DERIVED_FAMILIES[fam];
        if (
          output[col] === null &&
          (output[metricColumn(subject, metric)] === null || output[metricColumn(reference, metric)] === null)
        )
          problems.push(`${rowNo}:${col} cleared for missing inputs`);
      } else if (change.reason === 'reread_from_raw') {
        problems.push(`${rowNo}:${col} re-read but not a metric column`);
      }
    }
  });
  for (const c of changes.filter((x) => x.action === 'kept')) {
    const i = t.rowNumbers.indexOf(c.row);
    const [input, output] = [t.rows[i] as V5Row, out[i] as V5Row];
    if (!KEPT_REASONS.includes(c.reason)) problems.push(`${c.row}:${c.column} kept for ${c.reason}`);
    if (
      c.before === null ||
      c.before !== c.after ||
      input[c.column] !== c.before ||
      output[c.column] !== c.before
    )
      problems.push(`${c.row}:${c.column} kept but not the published value`);
    if (!c.detail.includes('kept unverified')) problems.push(`${c.row}:${c.column} kept without saying so`);
  }
  return problems;
}

describe.skipIf(!HAVE_SHARED_DATA)('dataset regrade', () => {
  for (const [name, load] of LOADS) {
    it(`leaves no formula, metric or spelling inconsistency but on the cells it keeps and flags (${name})`, async () => {
      const [t, ctx] = [await load(), await catalogueLookups()];
      const before = auditRows(t.rows, t.rowNumbers, ctx).filter((f) => FIXED_KINDS.has(f.kind));
      expect(before.length).toBeGreaterThan(1000);
      const { rows, changes } = regradeRows(t.rows, t.rowNumbers, ctx);
      const kept = new Set(changes.filter((c) => c.action === 'kept').map((c) => `${c.row}:${c.column}`));
      const after = auditRows(rows, t.rowNumbers, ctx).filter((f) => FIXED_KINDS.has(f.kind));
      // what is left is the published values regrade could not disprove: each one listed as kept
      expect(after.filter((f) => !kept.has(`${f.row}:${f.column}`))).toEqual([]);
      expect(new Set(after.map((f) => f.kind))).toEqual(
        new Set(['metric_not_applicable', 'derived_without_inputs']),
      );
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
    const changed = changes.filter((c) => c.action === 'changed');
    expect(changed.map((c) => `${c.row}:${c.column}`).sort()).toEqual(actual.sort());
    const get = (commit: string, column: string) =>
      changed.filter((c) => c.commit === commit && c.column === column);
    expect(get('6ce01f30', 'baseline_throughput')[0]).toMatchObject({
      before: 9.18,
      after: 11745.11,
      reason: 'reread_from_raw',
    });
    expect(get('9badee53', 'human_improvement_throughput')[0]?.reason).toBe('recomputed_by_formula');
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
    const first = regradeRows(t.rows, t.rowNumbers, ctx);
    const twice = regradeRows(first.rows, t.rowNumbers, ctx);
    expect(twice.changes.filter((c) => c.action === 'changed')).toEqual([]);
    // the same cells kept for the same reasons (the agent column names the input's spelling)
    const plain = (cs: RegradeChange[]) => cs.map(({ agent: _, ...c }) => c);
    expect(plain(twice.changes)).toEqual(plain(first.changes.filter((c) => c.action === 'kept')));
    expect(twice.rows).toEqual(first.rows);
  });
});

describe.skipIf(!HAVE_SHARED_DATA)(
  'dataset regrade never deletes a published value it cannot disprove',
  () => {
    for (const [name, load] of LOADS) {
      it(`every cell it changes or clears, over the whole table, has evidence of an allowed kind (${name})`, async () => {
        const [t, ctx] = [await load(), await catalogueLookups()];
        const { rows, changes } = regradeRows(t.rows, t.rowNumbers, ctx);
        expect(unsupported(t, rows, changes, ctx)).toEqual([]);
        // no published metric becomes empty, anywhere
        const cleared = t.rows.flatMap((r, i) =>
          publishedMetrics(r)
            .filter((c) => rows[i]?.[c] === null)
            .map((c) => `${t.rowNumbers[i]}:${c}`),
        );
        expect(cleared).toEqual([]);
        // every metric the audit calls impossible for its benchmark is kept, and says why
        const kept = new Map(
          changes.filter((c) => c.action === 'kept').map((c) => [`${c.row}:${c.column}`, c]),
        );
        const impossible = auditRows(t.rows, t.rowNumbers, ctx).filter(
          (f) => f.kind === 'metric_not_applicable',
        );
        expect(impossible.length).toBeGreaterThan(120);
        for (const f of impossible)
          expect(kept.get(`${f.row}:${f.column}`)?.reason, `${f.row}:${f.column}`).toBeDefined();
        // and the rule did not freeze everything
        expect(changes.filter((c) => c.action === 'changed' && c.reason === 'reread_from_raw').length).toBe(
          36,
        );
        expect(
          changes.filter((c) => c.action === 'changed' && c.reason === 'recomputed_by_formula').length,
        ).toBeGreaterThan(900);
      });
    }

    it('58eee5f2 (trae, row 143): the header-cut agent block confirms its ten cells, and corrects a wrong one', async () => {
      const [t, ctx] = [await publishedParquet(), await catalogueLookups()];
      const i = t.rowNumbers.indexOf(143);
      const row = t.rows[i] as V5Row;
      expect([row.commit_short, row.agent_name]).toEqual(['58eee5f2', 'trae']);
      const agentCells = (cs: readonly RegradeChange[]) =>
        cs.filter((c) => /^agent_(?:ttft|tpot|itl|throughput|latency)/.test(c.column));
      // confirmed: neither changed nor kept unverified (it was "kept: cut off before its result")
      expect(agentCells(regradeRows([row], [143], ctx).changes)).toEqual([]);
      const wrong = { ...row, agent_itl_p99: 1, agent_throughput: null };
      const { changes } = regradeRows([wrong], [143], ctx);
      expect(
        agentCells(changes).filter(
          (c) => c.column.startsWith('agent_itl') || c.column === 'agent_throughput',
        ),
      ).toEqual([
        expect.objectContaining({
          column: 'agent_itl_p99',
          before: 1,
          after: 349.21,
          reason: 'reread_from_raw',
        }),
        expect.objectContaining({
          column: 'agent_throughput',
          before: null,
          after: 2907.55,
          reason: 'reread_from_raw',
        }),
      ]);
      expect(agentCells(changes)[0]?.detail).toMatch(/block cut at its start/);
    });

    it('99abb8b6: the corrected serving values beside a latency run are kept and flagged; its latency is re-read', async () => {
      const [t, ctx] = [await publishedParquet(), await catalogueLookups()];
      const { rows, changes } = regradeRows(t.rows, t.rowNumbers, ctx);
      const n = rowOf(t, '99abb8b6', 'claude_code');
      const [input, output] = [
        t.rows[t.rowNumbers.indexOf(n)] as V5Row,
        rows[t.rowNumbers.indexOf(n)] as V5Row,
      ];
      const serving = publishedMetrics(input).filter((c) => !c.endsWith('_latency_avg'));
      expect(serving).toHaveLength(23); // 10 baseline, 10 human, 3 agent
      for (const col of serving) {
        expect(output[col], col).toBe(input[col]);
        const [flag] = at(changes, n, col);
        expect(flag, col).toMatchObject({
          action: 'kept',
          reason: 'raw_of_another_kind',
          before: input[col],
        });
        expect(flag?.detail).toMatch(
          /raw output is a latency run, which prints no \w+; the published serving value .* is kept unverified/,
        );
      }
      // the latency run does speak for latency_avg: published values it agrees with stay, the empty one is filled
      expect(output.baseline_latency_avg).toBe(input.baseline_latency_avg);
      expect(at(changes, n, 'baseline_latency_avg')).toEqual([]);
      expect(at(changes, n, 'agent_latency_avg')[0]).toMatchObject({
        action: 'changed',
        before: null,
        reason: 'reread_from_raw',
      });
      expect(output.agent_latency_avg).toBeCloseTo(2186.5848, 3);
      // derived columns are recomputed from the kept inputs, not cleared with them
      expect(output.human_improvement_ttft_mean).toBe(input.human_improvement_ttft_mean);
      expect(output.human_improvement_ttft_median).toBeCloseTo(92.8712, 3);
      // a derived value whose input the table never had: the formula cannot speak, so it is kept too
      expect(at(changes, n, 'agent_improvement_throughput')[0]).toMatchObject({
        action: 'kept',
        reason: 'derived_inputs_missing',
      });
      expect(output.agent_improvement_throughput).toBe(input.agent_improvement_throughput);
      // the codex and TRAE rows of the commit: latency values with no raw output, beside a serving command
      for (const agent of ['codex', 'trae']) {
        const m = rowOf(t, '99abb8b6', agent);
        for (const col of ['baseline_latency_avg', 'human_latency_avg']) {
          expect(at(changes, m, col)[0], `${m}:${col}`).toMatchObject({
            action: 'kept',
            reason: 'not_expected_of_this_benchmark',
          });
          expect(rows[t.rowNumbers.indexOf(m)]?.[col as V5Column]).toBe(
            t.rows[t.rowNumbers.indexOf(m)]?.[col as V5Column],
          );
        }
        // ...whose human_improvement_throughput disagrees with its own kept inputs: recomputed
        expect(at(changes, m, 'human_improvement_throughput')[0]).toMatchObject({
          action: 'changed',
          reason: 'recomputed_by_formula',
          before: -16.14183121503485,
        });
      }
    });

    it('3476ed08 (latency-only, a serving command): its baseline and human latency are kept and flagged', async () => {
      // This split holds no row of 3476ed08; its published rows look like 22dd9c27's (the same perf
      // command, standalone mode, only latency_avg filled). Two of those, as 3476ed08 rows whose perf
      // command is the catalogue's: one without raw output, one with a crashed baseline raw output.
      const [t, ctx] = [await publishedParquet(), await catalogueLookups()];
      expect(kindOfCommand(ctx.commandFor?.('3476ed08'))).toBe('serving');
      const model = t.rows.filter(
        (r) => r.commit_short === '22dd9c27' && r.agent_name === 'claude-code',
      )[0] as V5Row;
      const base: V5Row = {
        ...model,
        commit_short: '3476ed08',
        commit_hash: '3476ed0809ec91a3457da0cb90543133a4f4b519',
        parent_commit: '54600709b6d419fb243ce718a48ab7d40f5c3eb7',
        perf_command: null,
        benchmark_mode: 'standalone',
        baseline_latency_avg: 1000,
        human_latency_avg: 900,
        human_improvement_latency_avg: 10,
      };
      const rows = [{ ...base, baseline_raw: null }, base];
      expect(rows[1]?.baseline_raw).toBeTruthy();
      const { rows: out, changes } = regradeRows(rows, [1, 2], ctx);
      for (const [i, reason] of [
        [0, 'not_expected_of_this_benchmark'],
        [1, 'raw_without_result'],
      ] as const) {
        expect(out[i]?.baseline_latency_avg).toBe(1000);
        expect(out[i]?.human_latency_avg).toBe(900);
        expect(out[i]?.human_improvement_latency_avg).toBe(10);
        expect(at(changes, i + 1, 'baseline_latency_avg')[0]).toMatchObject({ action: 'kept', reason });
        expect(at(changes, i + 1, 'human_latency_avg')[0]).toMatchObject({
          action: 'kept',
          reason: 'not_expected_of_this_benchmark',
        });
      }
      expect(at(changes, 1, 'baseline_latency_avg')[0]?.detail).toBe(
        'the perf command runs a serving benchmark, which prints no latency_avg, and no baseline raw output is stored to check it against; the published 1000 is kept unverified',
      );
      expect(changes.filter((c) => c.action === 'changed' && METRIC_COLUMNS.has(c.column))).toEqual([]);
    });

    it('each branch on the real rows: kept unverifiable, changed because contradicted, recomputed by formula', async () => {
      const [t, ctx] = [await publishedParquet(), await catalogueLookups()];
      const { rows, changes } = regradeRows(t.rows, t.rowNumbers, ctx);
      const cell = (commit: string, agent: string, col: V5Column) => {
        const n = rowOf(t, commit, agent);
        const i = t.rowNumbers.indexOf(n);
        return { published: t.rows[i]?.[col], regraded: rows[i]?.[col], change: at(changes, n, col)[0] };
      };
      // kept: a latency run's catch-all throughput (fa63e710), which nothing in the raw output disproves
      expect(cell('fa63e710', 'claude_code', 'baseline_throughput')).toMatchObject({
        published: 12797,
        regraded: 12797,
        change: { action: 'kept', reason: 'raw_of_another_kind' },
      });
      expect(cell('fa63e710', 'claude_code', 'baseline_throughput').change?.detail).toContain(
        'a catch-all value?',
      );
      // kept: raw output cut off before its result (4c822298's first 3000 characters)
      expect(cell('4c822298', 'claude-code', 'baseline_latency_avg')).toMatchObject({
        published: 1076.7869629999989,
        regraded: 1076.7869629999989,
        change: { action: 'kept', reason: 'raw_without_result' },
      });
      expect(cell('4c822298', 'claude-code', 'baseline_latency_avg').change?.detail).toContain(
        'is cut off before its result',
      );
      // kept: a latency value beside a serving command, no raw output (22dd9c27)
      expect(cell('22dd9c27', 'codex', 'baseline_latency_avg')).toMatchObject({
        published: 821.5512847331411,
        regraded: 821.5512847331411,
        change: { action: 'kept', reason: 'not_expected_of_this_benchmark' },
      });
      // kept: the serving values of 6ce01f30's agent beside a throughput run...
      expect(cell('6ce01f30', 'claude_code', 'agent_ttft_mean')).toMatchObject({
        published: 862.53,
        regraded: 862.53,
        change: { action: 'kept', reason: 'raw_of_another_kind' },
      });
      // ...while its throughput cells, which that run does measure, are contradicted by it and change
      expect(cell('6ce01f30', 'claude_code', 'baseline_throughput')).toMatchObject({
        published: 9.18,
        regraded: 11745.11,
        change: { action: 'changed', reason: 'reread_from_raw' },
      });
      expect(cell('0ec82edd', 'trae', 'agent_throughput')).toMatchObject({
        published: 9575.5,
        regraded: 13816.61,
        change: { action: 'changed', reason: 'reread_from_raw' },
      });
      // recomputed by the formula from the kept inputs
      expect(cell('9badee53', 'claude-code', 'human_improvement_throughput').change).toMatchObject({
        action: 'changed',
        reason: 'recomputed_by_formula',
      });
      expect(cell('9badee53', 'claude-code', 'human_improvement_throughput').regraded).toBeCloseTo(
        -67.660628,
        5,
      );
    });
  },
);
