/**
 * `dataset regrade`: the corrected table. A published value changes only where evidence disproves
 * it: a metric where the raw output of the benchmark kind that measures it holds a different number
 * (or fills an empty cell), a derived column where the formula over the kept inputs gives another
 * value. A metric the stored raw output cannot speak for (another benchmark's output, none, cut off
 * before the result, or a result that does not print it) is kept and flagged with the reason, never
 * cleared. Names are normalised and short commit hashes expanded from the task catalogue. Every
 * change and every kept-but-flagged cell is listed, with its reason. Pure over the rows.
 */

import type { BenchmarkKind } from '../parse/types.js';
import { derivedValue, sameDerived, sameMeasurement } from '../v5/formulas.js';
import { canonicalAgent, canonicalRepo } from '../v5/names.js';
import { kindOfCommand, V5_METRICS_OF_KIND } from '../v5/primary.js';
import { type RawReading, rawLooksTruncated, readRaw } from '../v5/raw-metrics.js';
import {
  derivedColumn,
  metricColumn,
  rawColumn,
  V5_DERIVED_FAMILIES,
  V5_DERIVED_FAMILY_NAMES,
  V5_DERIVED_METRICS,
  V5_METRICS,
  V5_PHASES,
  type V5Column,
  type V5Metric,
  type V5Row,
} from '../v5/schema.js';
import { type AuditContext, fmt, rowCommand } from './audit.js';

/**
 * The version of the change-list format. 2: the list also holds the cells kept unchanged although
 * something calls them into question (`action: 'kept'`); v1 cleared those instead.
 */
export const REGRADE_REPORT_VERSION = 2;

/** Why a cell changed. */
export type ChangeReason =
  /** the raw output of the benchmark kind that measures the cell holds another number (or fills it) */
  | 'reread_from_raw'
  /** a derived column, by the formula over the two metric columns it compares (both present) */
  | 'recomputed_by_formula'
  | 'name_normalised'
  | 'full_commit_hash';

/** Why a published metric was kept, unverified, although something calls it into question. */
export type KeptReason =
  /** the stored raw output is a complete result of a benchmark that prints no such metric */
  | 'raw_of_another_kind'
  /** the stored raw output holds no result: cut off, crashed, or printed none */
  | 'raw_without_result'
  /** the stored raw output is a complete result of the right kind without this metric's line */
  | 'raw_silent'
  /** no raw output is stored, and the row's benchmark (mode or perf command) prints no such metric */
  | 'not_expected_of_this_benchmark'
  /** a published derived column whose inputs are empty: the formula cannot recompute it */
  | 'derived_inputs_missing';

/** The reasons a cell may change for: evidence that disproves the published value. */
export const CHANGE_REASONS: readonly ChangeReason[] = [
  'reread_from_raw',
  'recomputed_by_formula',
  'name_normalised',
  'full_commit_hash',
];

/** The reasons a published value is kept and flagged. */
export const KEPT_REASONS: readonly KeptReason[] = [
  'raw_of_another_kind',
  'raw_without_result',
  'raw_silent',
  'not_expected_of_this_benchmark',
  'derived_inputs_missing',
];

/**
 * One listed cell. `row` is the 1-based data row in the input file. `action: 'changed'`: `before`
 * became `after`; `action: 'kept'`: the published value stays (`before === after`), flagged with why
 * regrade could neither confirm nor disprove it.
 */
export type RegradeChange = {
  readonly row: number;
  readonly commit: string;
  readonly agent: string;
  readonly column: V5Column;
  readonly before: unknown;
  readonly after: unknown;
  readonly detail: string;
} & (
  | { readonly action: 'changed'; readonly reason: ChangeReason }
  | { readonly action: 'kept'; readonly reason: KeptReason }
);

/** What regrading needs beyond the rows. */
export interface RegradeContext extends AuditContext {
  /** the full 40-character hash of a commit, from the task catalogue */
  readonly fullHashFor?: (commitShort: string) => string | null;
}

/** The benchmark kinds a `benchmark_mode` stands for ('standalone': any script but serving). */
const KINDS_OF_MODE: Readonly<Record<string, readonly BenchmarkKind[]>> = {
  serving: ['serving'],
  prefix_caching: ['prefix_caching'],
  standalone: ['latency', 'throughput', 'prefix_caching'],
};

/** What a row says it measures: its benchmark_mode and the script of its perf command. */
interface RowBenchmark {
  readonly mode: string | null;
  /** the kinds the mode stands for; empty when the row has no (known) mode */
  readonly modeKinds: readonly BenchmarkKind[];
  /** the kind the perf command (the row's, else the catalogue's) runs */
  readonly perfKind: BenchmarkKind | null;
  /** both together */
  readonly kinds: ReadonlySet<BenchmarkKind>;
}

function rowBenchmark(row: V5Row, perfKind: BenchmarkKind | null): RowBenchmark {
  const mode = row.benchmark_mode || null;
  const modeKinds = KINDS_OF_MODE[mode ?? ''] ?? [];
  const kinds = new Set<BenchmarkKind>(modeKinds);
  if (perfKind) kinds.add(perfKind);
  return { mode, modeKinds, perfKind, kinds };
}

const prints = (kind: BenchmarkKind, metric: V5Metric) => V5_METRICS_OF_KIND[kind].includes(metric);

/**
 * Whether the output of a `kind` benchmark measures this row's `metric` cell. Latencies have one
 * producer each; `throughput` means output tokens/s of a serving run but total tokens/s of a
 * throughput run, so a raw output speaks for it only when its kind is one the row measures.
 */
function measures(kind: BenchmarkKind, metric: V5Metric, b: RowBenchmark): boolean {
  if (!prints(kind, metric)) return false;
  if (metric !== 'throughput') return true;
  return b.kinds.has(kind) || ![...b.kinds].some((k) => prints(k, 'throughput'));
}

/** The benchmark the row names that prints `metric`: its perf command's, else its (specific) mode's. */
function producerOf(metric: V5Metric, b: RowBenchmark): BenchmarkKind | null {
  if (b.perfKind && prints(b.perfKind, metric)) return b.perfKind;
  if (b.mode === 'standalone') return null;
  return b.modeKinds.find((k) => prints(k, metric)) ?? null;
}

/** Why the row's own benchmark cannot have printed `metric` (perf command or mode), or null. */
function notPrintedBy(metric: V5Metric, b: RowBenchmark): string | null {
  if (b.perfKind && !prints(b.perfKind, metric))
    return `the perf command runs a ${b.perfKind} benchmark, which prints no ${metric}`;
  if (b.modeKinds.length && !b.modeKinds.some((k) => prints(k, metric)))
    return `benchmark_mode ${b.mode} prints no ${metric}`;
  return null;
}

/** What regrade does with one metric cell, from its phase's raw output. */
type CellVerdict =
  | { verdict: 'reread'; value: number; detail: string }
  | { verdict: 'kept'; reason: KeptReason; detail: string }
  | null;

/**
 * What one phase's raw output says about one metric cell: a number to re-read (it disagrees with
 * or fills the cell), a reason to keep the published value unverified, or null (confirmed, or
 * nothing calls the cell into question).
 */
function judgeCell(
  phase: (typeof V5_PHASES)[number],
  metric: V5Metric,
  published: number | null,
  raw: string | null,
  reading: RawReading | null,
  b: RowBenchmark,
): CellVerdict {
  if (reading?.parse.ok && measures(reading.kind, metric, b)) {
    const rv = reading.values[metric];
    if (rv !== undefined) {
      if (published === null || !sameMeasurement(published, rv))
        return {
          verdict: 'reread',
          value: rv,
          detail: `the ${phase} raw output's ${reading.kind} result${
            reading.parse.truncated ? ' (read from the whole lines of a block cut at its start)' : ''
          }`,
        };
      return null;
    }
    if (published === null) return null;
    return {
      verdict: 'kept',
      reason: 'raw_silent',
      detail: `the ${phase} raw output is a ${reading.kind} result without a ${metric} line${
        reading.parse.ok && reading.parse.truncated ? ' (its start was cut off)' : ''
      }; the published ${fmt(published)} is kept unverified`,
    };
  }
  if (published === null) return null;
  const kept = `the published ${fmt(published)} is kept unverified`;
  if (reading?.parse.ok) {
    const producer = producerOf(metric, b);
    return {
      verdict: 'kept',
      reason: 'raw_of_another_kind',
      detail: `the ${phase} raw output is a ${reading.kind} run, which prints no ${metric}; ${
        producer
          ? `the published ${producer} value ${fmt(published)} is kept unverified`
          : `${kept} (${notPrintedBy(metric, b) ?? 'the row names no benchmark that prints it'}: a catch-all value?)`
      }`,
    };
  }
  if (raw) {
    const why = !reading
      ? 'shows no benchmark result'
      : rawLooksTruncated(raw, reading.parse)
        ? 'is cut off before its result'
        : `holds no result (${reading.parse.ok ? '' : reading.parse.reason})`;
    return {
      verdict: 'kept',
      reason: 'raw_without_result',
      detail: `the ${phase} raw output (${raw.length} chars) ${why}; ${kept}`,
    };
  }
  const unexpected = notPrintedBy(metric, b);
  if (!unexpected) return null;
  return {
    verdict: 'kept',
    reason: 'not_expected_of_this_benchmark',
    detail: `${unexpected}, and no ${phase} raw output is stored to check it against; ${kept}`,
  };
}

/** A row being regraded: its copy, and how a cell of it is changed or flagged as kept. */
interface RowEdit {
  readonly row: V5Row;
  set<C extends V5Column>(column: C, after: V5Row[C], reason: ChangeReason, detail: string): void;
  keep(column: V5Column, reason: KeptReason, detail: string): void;
}

function rowEdit(input: V5Row, rowNo: number, changes: RegradeChange[]): RowEdit {
  const row: V5Row = { ...input };
  const where = { row: rowNo, commit: input.commit_short ?? '?', agent: input.agent_name ?? '?' };
  return {
    row,
    set(column, after, reason, detail) {
      const before = row[column];
      if (before === after) return;
      row[column] = after;
      changes.push({ ...where, column, before, after, action: 'changed', reason, detail });
    },
    keep(column, reason, detail) {
      const value = row[column];
      changes.push({ ...where, column, before: value, after: value, action: 'kept', reason, detail });
    },
  };
}

/** Names in one spelling, and a short commit hash made full from the catalogue. */
function regradeNames(e: RowEdit, ctx: RegradeContext): void {
  const { row } = e;
  if (row.agent_name && canonicalAgent(row.agent_name) !== row.agent_name)
    e.set('agent_name', canonicalAgent(row.agent_name), 'name_normalised', 'one spelling per agent');
  if (row.repo && canonicalRepo(row.repo) !== row.repo)
    e.set('repo', canonicalRepo(row.repo), 'name_normalised', 'owner/name form');
  if (row.commit_hash && row.commit_hash.length !== 40) {
    const full = ctx.fullHashFor?.(row.commit_short ?? row.commit_hash) ?? null;
    if (full?.startsWith(row.commit_hash))
      e.set('commit_hash', full, 'full_commit_hash', 'from the task catalogue');
  }
}

/** Each metric cell against its phase's raw output: re-read, or kept with the reason. */
function regradeMetrics(e: RowEdit, input: V5Row, ctx: RegradeContext): void {
  const perfKind = kindOfCommand(rowCommand(input, ctx).command);
  const bench = rowBenchmark(input, perfKind);
  for (const phase of V5_PHASES) {
    const raw = input[rawColumn(phase)] || null;
    const reading = raw ? readRaw(raw, perfKind) : null;
    for (const metric of V5_METRICS) {
      const col = metricColumn(phase, metric);
      const judged = judgeCell(phase, metric, e.row[col], raw, reading, bench);
      if (judged?.verdict === 'reread') e.set(col, judged.value, 'reread_from_raw', judged.detail);
      else if (judged?.verdict === 'kept') e.keep(col, judged.reason, judged.detail);
    }
  }
}

/** Each derived column recomputed by its formula; kept (flagged) where its inputs are empty. */
function regradeDerived(e: RowEdit): void {
  const { row } = e;
  for (const family of V5_DERIVED_FAMILY_NAMES) {
    const { subject, reference } = V5_DERIVED_FAMILIES[family];
    for (const metric of V5_DERIVED_METRICS) {
      const column = derivedColumn(family, metric);
      const before = row[column];
      const value = derivedValue(row, family, metric);
      if (before === value) continue;
      if (before !== null && value !== null && sameDerived(before, value)) continue;
      if (value !== null) {
        e.set(
          column,
          value,
          'recomputed_by_formula',
          'percent improvement over the reference, positive = better',
        );
        continue;
      }
      const empty = [metricColumn(reference, metric), metricColumn(subject, metric)].filter(
        (c) => row[c] === null,
      );
      if (empty.length)
        e.keep(
          column,
          'derived_inputs_missing',
          `${empty.join(' and ')} ${empty.length > 1 ? 'are' : 'is'} empty, so the formula cannot recompute it; the published ${fmt(before ?? 0)} is kept unverified`,
        );
      else
        e.set(
          column,
          null,
          'recomputed_by_formula',
          `the formula gives no value: the reference ${metricColumn(reference, metric)} is not positive or ${metricColumn(subject, metric)} is zero (a failed run)`,
        );
    }
  }
}

/** Regrades rows; returns new rows (inputs untouched) and the list of changed and kept-flagged cells. */
export function regradeRows(
  rows: readonly V5Row[],
  rowNumbers: readonly number[],
  ctx: RegradeContext = {},
): { rows: V5Row[]; changes: RegradeChange[] } {
  const changes: RegradeChange[] = [];
  const out = rows.map((input, i) => {
    const e = rowEdit(input, rowNumbers[i] ?? i + 1, changes);
    regradeNames(e, ctx);
    regradeMetrics(e, input, ctx);
    regradeDerived(e);
    return e.row;
  });
  return { rows: out, changes };
}
