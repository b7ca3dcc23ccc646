/**
 * `dataset audit`: re-derives every derived column of a v5 table from its metric columns, and every
 * metric from the raw output where the row kept it, and reports each inconsistency by row and
 * column. Pure over the rows: the same rows give the same findings whatever file format they came from.
 */

import type { BenchmarkKind, ParseResult } from '../parse/types.js';
import { type ParsedPerfCommand, parsePerfCommand } from '../task/perf-command.js';
import { derivedValue, sameDerived, sameMeasurement } from '../v5/formulas.js';
import { canonicalAgent, canonicalRepo } from '../v5/names.js';
import { kindOfCommand, V5_METRICS_OF_KIND } from '../v5/primary.js';
import { type RawReading, rawLooksTruncated, readRaw } from '../v5/raw-metrics.js';
import {
  derivedColumn,
  metricColumn,
  rawColumn,
  V5_DERIVED_FAMILY_NAMES,
  V5_DERIVED_METRICS,
  V5_METRICS,
  V5_PHASES,
  type V5Phase,
  type V5Row,
} from '../v5/schema.js';
import { compareWorkload } from '../v5/workload.js';

/** The version of the audit report format. */
export const AUDIT_REPORT_VERSION = 2;

/** What kind of inconsistency a finding is. */
export type AuditKind =
  | 'derived_missing'
  | 'derived_mismatch'
  | 'derived_without_inputs'
  | 'metric_mismatch'
  | 'metric_missing'
  | 'metric_not_applicable'
  | 'metric_unverifiable'
  | 'raw_truncated'
  | 'raw_read_cut'
  | 'raw_without_metrics'
  | 'raw_other_benchmark'
  | 'metrics_without_run'
  | 'workload_mismatch'
  | 'shared_measurements'
  | 'name_spelling'
  | 'short_commit_hash'
  | 'mode_mismatch';

/** What each kind of finding means, in a few words (for summaries). */
export const AUDIT_KIND_MEANING: Readonly<Record<AuditKind, string>> = {
  derived_missing: 'derived column null although its inputs exist',
  derived_mismatch: 'derived column disagrees with the formula',
  derived_without_inputs: 'derived column set although its inputs are missing',
  metric_mismatch: 'metric disagrees with the raw output',
  metric_missing: 'metric null although the raw output holds it',
  metric_not_applicable: 'metric the benchmark cannot produce (catch-all regex)',
  metric_unverifiable: 'metric the stored raw output does not show',
  metrics_without_run: 'metrics present but the stored run failed',
  raw_truncated: 'raw output cut off; metrics unverifiable',
  raw_read_cut: 'raw output cut at its start; its whole metric lines read, flagged',
  raw_without_metrics: 'raw output holds no result',
  raw_other_benchmark: 'raw output of a different benchmark than the perf command',
  workload_mismatch: 'the run used other arguments than the perf command',
  shared_measurements: 'baseline/human numbers reused from another run',
  name_spelling: 'non-canonical agent or repository spelling',
  short_commit_hash: 'commit_hash not a full hash',
  mode_mismatch: 'benchmark_mode disagrees with the perf command',
};

/** One inconsistency. `row` is the 1-based data row in the file. */
export interface AuditFinding {
  readonly row: number;
  readonly commit: string;
  readonly agent: string;
  readonly column: string | null;
  readonly kind: AuditKind;
  readonly severity: 'error' | 'warning' | 'info';
  readonly detail: string;
  readonly published?: number | string | null;
  readonly expected?: number | string | null;
}

/** Optional knowledge from the task catalogue. */
export interface AuditContext {
  /** the published perf command of a commit, for rows that carry none */
  readonly commandFor?: (commitShort: string) => string | null;
}

const V5_MODE_OF_KIND: Record<BenchmarkKind, string> = {
  serving: 'serving',
  latency: 'standalone',
  throughput: 'standalone',
  prefix_caching: 'prefix_caching',
};

/** A metric value as findings and regrade's change list print it: at most 6 decimals. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'null';
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
}

/** The effective perf command of a row: its own, or the catalogue's for its commit. */
export function rowCommand(
  row: V5Row,
  ctx: AuditContext,
): { command: string | null; source: 'row' | 'catalogue' | null } {
  if (row.perf_command) return { command: row.perf_command, source: 'row' };
  const c = ctx.commandFor?.(row.commit_short ?? '') ?? null;
  return c ? { command: c, source: 'catalogue' } : { command: null, source: null };
}

const parsedCommands = new Map<string, ReturnType<typeof parsePerfCommand>>();
/** Parses a perf command once per distinct text (most rows of a table share a handful). */
export function parseCommandCached(command: string): ReturnType<typeof parsePerfCommand> {
  let res = parsedCommands.get(command);
  if (!res) {
    res = parsePerfCommand(command);
    parsedCommands.set(command, res);
  }
  return res;
}

/** Audits rows; `rowNumbers[i]` is the file row of `rows[i]`. */
export function auditRows(
  rows: readonly V5Row[],
  rowNumbers: readonly number[],
  ctx: AuditContext = {},
): AuditFinding[] {
  const findings: AuditFinding[] = [];
  rows.forEach((row, i) => {
    findings.push(...auditRow(row, rowNumbers[i] ?? i + 1, ctx));
  });
  findings.push(...sharedMeasurements(rows, rowNumbers));
  return findings.sort(
    (a, b) => a.row - b.row || (a.column ?? '').localeCompare(b.column ?? '') || a.kind.localeCompare(b.kind),
  );
}

/** Adds a finding of the row being audited. */
type AddFinding = (f: Omit<AuditFinding, 'row' | 'commit' | 'agent'>) => void;

/** Where a row's effective perf command came from ({@link rowCommand}). */
type CommandSource = ReturnType<typeof rowCommand>['source'];

/** Every finding of one row. */
function auditRow(row: V5Row, rowNo: number, ctx: AuditContext): AuditFinding[] {
  const out: AuditFinding[] = [];
  const commit = row.commit_short ?? '?';
  const agent = row.agent_name ?? '?';
  const add: AddFinding = (f) => out.push({ row: rowNo, commit, agent, ...f });

  auditNames(row, add);
  // which benchmark the row is about
  const { command, source } = rowCommand(row, ctx);
  const perfKind = kindOfCommand(command);
  const parsedCommand = command ? parseCommandCached(command) : null;
  if (perfKind && row.benchmark_mode && row.benchmark_mode !== V5_MODE_OF_KIND[perfKind]) {
    add({
      column: 'benchmark_mode',
      kind: 'mode_mismatch',
      severity: 'warning',
      detail: `benchmark_mode '${row.benchmark_mode}' but the perf command${source === 'catalogue' ? ' (from the task catalogue)' : ''} runs a ${perfKind} benchmark`,
      published: row.benchmark_mode,
      expected: V5_MODE_OF_KIND[perfKind],
    });
  }
  for (const phase of V5_PHASES) auditPhase(row, phase, perfKind, parsedCommand, source, add);
  auditDerived(row, add);
  return out;
}

/** Names and identifiers: agent and repository spellings, and the commit hash's length. */
function auditNames(row: V5Row, add: AddFinding): void {
  if (row.agent_name && canonicalAgent(row.agent_name) !== row.agent_name) {
    add({
      column: 'agent_name',
      kind: 'name_spelling',
      severity: 'info',
      detail: `'${row.agent_name}' is spelled '${canonicalAgent(row.agent_name)}' elsewhere`,
      published: row.agent_name,
      expected: canonicalAgent(row.agent_name),
    });
  }
  if (row.repo && canonicalRepo(row.repo) !== row.repo) {
    add({
      column: 'repo',
      kind: 'name_spelling',
      severity: 'info',
      detail: `'${row.repo}' stands for '${canonicalRepo(row.repo)}'`,
      published: row.repo,
      expected: canonicalRepo(row.repo),
    });
  }
  if (row.commit_hash && row.commit_hash.length !== 40) {
    add({
      column: 'commit_hash',
      kind: 'short_commit_hash',
      severity: 'warning',
      detail: `commit_hash '${row.commit_hash}' has ${row.commit_hash.length} characters, not a full 40-character hash`,
      published: row.commit_hash,
    });
  }
}

/** One phase's metric columns against its raw output, and the workload its run used. */
function auditPhase(
  row: V5Row,
  phase: V5Phase,
  perfKind: BenchmarkKind | null,
  parsedCommand: ReturnType<typeof parsePerfCommand> | null,
  source: CommandSource,
  add: AddFinding,
): void {
  const raw = row[rawColumn(phase)];
  if (!raw) {
    if (perfKind) notApplicable(row, phase, perfKind, `the perf command runs a ${perfKind} benchmark`, add);
    return;
  }
  const reading = readRaw(raw, perfKind);
  if (!reading) {
    add({
      column: rawColumn(phase),
      kind: 'raw_without_metrics',
      severity: 'info',
      detail: `${phase} raw output (${raw.length} chars) shows no benchmark result and the perf command names no known script`,
    });
    return;
  }
  if (reading.detected && perfKind && reading.kind !== perfKind) {
    add({
      column: rawColumn(phase),
      kind: 'raw_other_benchmark',
      severity: 'error',
      detail: `the ${phase} raw output is a ${reading.kind} benchmark's, but the perf command runs a ${perfKind} benchmark: the row does not measure its stated workload`,
    });
  }
  if (!reading.parse.ok) {
    auditFailedRun(row, phase, raw, reading.parse, add);
    if (perfKind) notApplicable(row, phase, perfKind, `the perf command runs a ${perfKind} benchmark`, add);
    return;
  }
  if (reading.parse.truncated)
    add({
      column: rawColumn(phase),
      kind: 'raw_read_cut',
      severity: 'info',
      detail: `${phase} raw output (${raw.length} chars): ${reading.parse.truncated}; the metric columns are checked against those lines`,
    });
  auditMetrics(row, phase, reading, add);
  // the workload the run really used
  if (parsedCommand?.ok && parsedCommand.parsed.kind === reading.kind)
    auditWorkload(phase, reading.namespaces, parsedCommand.parsed, source, add);
}

/** A raw output that gave no result: truncated or not, and metric columns filled from another run. */
function auditFailedRun(
  row: V5Row,
  phase: V5Phase,
  raw: string,
  parse: Extract<ParseResult, { ok: false }>,
  add: AddFinding,
): void {
  const truncated = rawLooksTruncated(raw, parse);
  add({
    column: rawColumn(phase),
    kind: truncated ? 'raw_truncated' : 'raw_without_metrics',
    severity: truncated ? 'warning' : 'info',
    detail: `${phase} raw output (${raw.length} chars): ${parse.reason}: ${parse.detail}; its metric columns cannot be checked against it`,
  });
  const filled = V5_METRICS.filter((m) => row[metricColumn(phase, m)] !== null);
  if (filled.length && !truncated) {
    add({
      column: rawColumn(phase),
      kind: 'metrics_without_run',
      severity: 'warning',
      detail: `${filled.map((m) => metricColumn(phase, m)).join(', ')} hold values, but the stored ${phase} run ${parse.reason === 'crashed' ? 'crashed' : 'printed no result'}: the numbers come from another run`,
    });
  }
}

/** Each metric column of a phase against the value its parsed raw output holds. */
function auditMetrics(row: V5Row, phase: V5Phase, reading: RawReading, add: AddFinding): void {
  for (const metric of V5_METRICS) {
    const col = metricColumn(phase, metric);
    const v = row[col];
    const rv = reading.values[metric];
    if (rv !== undefined) {
      if (v === null) {
        add({
          column: col,
          kind: 'metric_missing',
          severity: 'warning',
          detail: `null, but the ${phase} raw output holds ${fmt(rv)}`,
          published: null,
          expected: rv,
        });
      } else if (!sameMeasurement(v, rv)) {
        const alias = Object.entries(reading.parse.ok ? reading.parse.metrics : {}).find(([, m]) =>
          sameMeasurement(m.value, v),
        );
        const hint = alias ? `; the published value is the raw output's ${alias[0]} (${alias[1].unit})` : '';
        add({
          column: col,
          kind: 'metric_mismatch',
          severity: 'error',
          detail: `published ${fmt(v)}, the ${phase} raw output says ${fmt(rv)}${hint}`,
          published: v,
          expected: rv,
        });
      }
    } else if (v !== null && !reading.applicable.includes(metric)) {
      add({
        column: col,
        kind: 'metric_not_applicable',
        severity: 'error',
        detail: `published ${fmt(v)}, but a ${reading.kind} benchmark prints no ${metric}; the value cannot come from this run`,
        published: v,
        expected: null,
      });
    } else if (v !== null) {
      add({
        column: col,
        kind: 'metric_unverifiable',
        severity: 'info',
        detail: `published ${fmt(v)}; the ${phase} raw output does not show it`,
        published: v,
      });
    }
  }
}

/** The arguments each bare Namespace line of a phase's run echoes, against the perf command's. */
function auditWorkload(
  phase: V5Phase,
  namespaces: RawReading['namespaces'],
  command: ParsedPerfCommand,
  source: CommandSource,
  add: AddFinding,
): void {
  for (const ns of namespaces.filter((n) => n.source === 'bare')) {
    const { differences } = compareWorkload(command, ns);
    if (differences.length) {
      add({
        column: rawColumn(phase),
        kind: 'workload_mismatch',
        severity: 'error',
        detail: `the ${phase} run's Namespace (line ${ns.line}) differs from the perf command${source === 'catalogue' ? ' (from the task catalogue)' : ''}: ${differences.map((d) => `${d.option} ran as ${d.dest}=${d.actual}`).join('; ')}`,
      });
    }
  }
}

/** Each derived column against the formula over its inputs. */
function auditDerived(row: V5Row, add: AddFinding): void {
  for (const family of V5_DERIVED_FAMILY_NAMES) {
    for (const metric of V5_DERIVED_METRICS) {
      const col = derivedColumn(family, metric);
      const published = row[col];
      const expected = derivedValue(row, family, metric);
      if (published === null && expected === null) continue;
      if (published === null) {
        add({
          column: col,
          kind: 'derived_missing',
          severity: 'warning',
          detail: `null, but its inputs give ${fmt(expected)}`,
          published: null,
          expected,
        });
      } else if (expected === null) {
        add({
          column: col,
          kind: 'derived_without_inputs',
          severity: 'error',
          detail: `published ${fmt(published)} but its inputs are missing or not positive`,
          published,
          expected: null,
        });
      } else if (!sameDerived(published, expected)) {
        add({
          column: col,
          kind: 'derived_mismatch',
          severity: 'error',
          detail: `published ${fmt(published)}, the formula gives ${fmt(expected)}`,
          published,
          expected,
        });
      }
    }
  }
}

function notApplicable(row: V5Row, phase: V5Phase, kind: BenchmarkKind, why: string, add: AddFinding): void {
  for (const metric of V5_METRICS) {
    const col = metricColumn(phase, metric);
    const v = row[col];
    if (v !== null && !V5_METRICS_OF_KIND[kind].includes(metric)) {
      add({
        column: col,
        kind: 'metric_not_applicable',
        severity: 'error',
        detail: `published ${fmt(v)}, but ${why}, which prints no ${metric}`,
        published: v,
        expected: null,
      });
    }
  }
}

/** Rows of one commit whose baseline (or human) numbers are identical: measured once, reused across runs. */
function sharedMeasurements(rows: readonly V5Row[], rowNumbers: readonly number[]): AuditFinding[] {
  const out: AuditFinding[] = [];
  for (const phase of ['baseline', 'human'] as const) {
    const groups = new Map<string, Array<{ i: number; row: V5Row }>>();
    rows.forEach((row, i) => {
      const values = V5_METRICS.map((m) => row[metricColumn(phase, m)]);
      if (values.every((v) => v === null)) return;
      const key = `${row.commit_short}|${values.map((v) => (v === null ? '-' : String(v))).join(',')}`;
      groups.set(key, [...(groups.get(key) ?? []), { i, row }]);
    });
    for (const members of groups.values()) {
      if (members.length < 2) continue;
      const sources = new Set(
        members.map(({ row }) => `${canonicalAgent(row.agent_name ?? '')}/${row.data_source ?? ''}`),
      );
      if (sources.size < 2) continue;
      for (const { i, row } of members) {
        const others = members
          .filter((m) => m.i !== i)
          .map((m) => `row ${rowNumbers[m.i]} (${m.row.agent_name}, ${m.row.data_source})`);
        out.push({
          row: rowNumbers[i] ?? i + 1,
          commit: row.commit_short ?? '?',
          agent: row.agent_name ?? '?',
          column: `${phase}_*`,
          kind: 'shared_measurements',
          severity: 'warning',
          detail: `the ${phase} numbers are identical to ${others.join(', ')}: measured once and reused across runs, not in the same job as this agent's`,
        });
      }
    }
  }
  return out;
}
