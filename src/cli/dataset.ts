/** `isobench dataset audit|regrade|diff`: the published v5 table, checked and corrected. */
import { resolve } from 'node:path';
import {
  AUDIT_KIND_MEANING,
  AUDIT_REPORT_VERSION,
  type AuditFinding,
  auditRows,
} from '../published/audit.js';
import { REGRADE_REPORT_VERSION, regradeRows } from '../published/table-regrade.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { errorMessage } from '../util/errors.js';
import { readV5Table, TableFileError, tableFormatOf, type V5Table, writeV5Table } from '../v5/io.js';
import { V5_COLUMNS } from '../v5/schema.js';
import { columns, EXIT, err, out, outJson, UsageError } from './common.js';
import { catalogueContext } from './context.js';

async function readTable(file: string): Promise<V5Table> {
  try {
    return await readV5Table(resolve(file));
  } catch (e) {
    if (e instanceof TableFileError) throw new UsageError(e.message);
    throw e;
  }
}

function printTableProblems(t: V5Table): void {
  for (const p of t.problems)
    err(
      `${t.path}: ${p.row === null ? '' : `row ${p.row}`}${p.column ? ` (${p.column})` : ''}: ${p.message}`,
    );
}

const KIND_MEANING: Readonly<Record<string, string>> = AUDIT_KIND_MEANING;

/** `dataset audit FILE`. */
export async function datasetAudit(
  file: string,
  opts: { json?: boolean; tasksDir?: string; kind?: string; summary?: boolean },
): Promise<number> {
  const table = await readTable(file);
  const ctx = await catalogueContext(opts.tasksDir);
  let findings = auditRows(table.rows, table.rowNumbers, ctx);
  if (opts.kind) {
    const kinds = new Set(opts.kind.split(',').map((k) => k.trim()));
    const unknown = [...kinds].filter((k) => !(k in KIND_MEANING));
    if (unknown.length)
      throw new UsageError(
        `unknown finding kind(s) ${unknown.join(', ')}; known: ${Object.keys(KIND_MEANING).join(', ')}`,
      );
    findings = findings.filter((f) => kinds.has(f.kind));
  }
  const bySeverity = { error: 0, warning: 0, info: 0 };
  const byKind = new Map<string, { n: number; severity: string }>();
  for (const f of findings) {
    bySeverity[f.severity]++;
    byKind.set(f.kind, { n: (byKind.get(f.kind)?.n ?? 0) + 1, severity: f.severity });
  }
  if (opts.json) {
    outJson({
      schemaVersion: AUDIT_REPORT_VERSION,
      file: table.path,
      format: table.format,
      rows: table.rows.length,
      tableProblems: table.problems,
      summary: { ...bySeverity, byKind: Object.fromEntries([...byKind].map(([k, v]) => [k, v.n])) },
      findings,
    });
  } else {
    out(
      `dataset audit: ${table.path} (${table.format}, ${table.rows.length} rows, ${V5_COLUMNS.length} columns)`,
    );
    out(
      `  ${findings.length} finding(s): ${bySeverity.error} error(s), ${bySeverity.warning} warning(s), ${bySeverity.info} info`,
    );
    const kinds = [...byKind].sort((a, b) => b[1].n - a[1].n);
    for (const line of columns(
      kinds.map(([k, v]) => [`    ${k}`, String(v.n), v.severity, KIND_MEANING[k] ?? '']),
    ))
      out(line);
    if (!opts.summary && findings.length) {
      out();
      for (const line of columns(findings.map(findingCells))) out(line);
    }
    printTableProblems(table);
  }
  return bySeverity.error > 0 || table.problems.length > 0 ? EXIT.findings : EXIT.ok;
}

function findingCells(f: AuditFinding): string[] {
  return [`row ${f.row}`, f.commit, f.agent, f.column ?? '-', `${f.kind}: ${f.detail}`];
}

/** `dataset regrade FILE --out OUT`. */
export async function datasetRegrade(
  file: string,
  opts: { out: string; json?: boolean; changes?: string; tasksDir?: string },
): Promise<number> {
  const outPath = resolve(opts.out);
  try {
    tableFormatOf(outPath);
  } catch (e) {
    throw new UsageError(errorMessage(e));
  }
  const table = await readTable(file);
  if (table.problems.length) {
    printTableProblems(table);
    throw new UsageError(
      `${table.path}: ${table.problems.length} row(s) could not be read; regrading would drop them, so nothing was written`,
    );
  }
  const ctx = await catalogueContext(opts.tasksDir);
  const { rows, changes } = regradeRows(table.rows, table.rowNumbers, ctx);
  await writeV5Table(outPath, rows);
  const report = {
    schemaVersion: REGRADE_REPORT_VERSION,
    input: table.path,
    output: outPath,
    rows: rows.length,
    changes,
  };
  if (opts.changes) await writeFileAtomic(resolve(opts.changes), `${JSON.stringify(report, null, 2)}\n`);
  if (opts.json) {
    outJson(report);
    return EXIT.ok;
  }
  const changed = changes.filter((c) => c.action === 'changed');
  const kept = changes.filter((c) => c.action === 'kept');
  const byReason = (list: typeof changes) => {
    const n = new Map<string, number>();
    for (const c of list) n.set(c.reason, (n.get(c.reason) ?? 0) + 1);
    return columns([...n].sort().map(([r, k]) => [`    ${r}`, String(k)]));
  };
  out(`dataset regrade: ${table.path} -> ${outPath} (${rows.length} rows)`);
  out(`  ${changed.length} cell(s) changed`);
  for (const line of byReason(changed)) out(line);
  out(`  ${kept.length} published value(s) kept unverified (nothing in the row contradicts them)`);
  for (const line of byReason(kept)) out(line);
  if (changes.length) {
    out();
    for (const line of columns(
      changes.map((c) => [
        `row ${c.row}`,
        c.commit,
        c.agent,
        c.column,
        c.action === 'kept' ? `${show(c.before)} kept` : `${show(c.before)} -> ${show(c.after)}`,
        `${c.reason}: ${c.detail}`,
      ]),
    )) {
      out(line);
    }
  }
  if (opts.changes) out(`\nchange list written to ${resolve(opts.changes)}`);
  return EXIT.ok;
}

function show(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
  const s = JSON.stringify(v);
  return s.length > 50 ? `${s.slice(0, 47)}...` : s;
}

/** `dataset diff A B`: cell-by-cell differences between two v5 tables of the same rows. */
export async function datasetDiff(a: string, b: string, opts: { json?: boolean }): Promise<number> {
  const [ta, tb] = [await readTable(a), await readTable(b)];
  if (ta.rows.length !== tb.rows.length) {
    throw new UsageError(
      `${ta.path} has ${ta.rows.length} rows and ${tb.path} ${tb.rows.length}: not the same table`,
    );
  }
  const diffs: Array<{ row: number; commit: string; agent: string; column: string; a: unknown; b: unknown }> =
    [];
  ta.rows.forEach((ra, i) => {
    const rb = tb.rows[i];
    if (!rb) return;
    if (ra.commit_short !== rb.commit_short) {
      throw new UsageError(
        `row ${ta.rowNumbers[i]} is commit ${ra.commit_short} in ${ta.path} but ${rb.commit_short} in ${tb.path}: rows are not in the same order`,
      );
    }
    for (const c of V5_COLUMNS) {
      const [va, vb] = [ra[c], rb[c]];
      if (JSON.stringify(va) !== JSON.stringify(vb))
        diffs.push({
          row: ta.rowNumbers[i] ?? i + 1,
          commit: ra.commit_short ?? '?',
          agent: ra.agent_name ?? '?',
          column: c,
          a: va,
          b: vb,
        });
    }
  });
  if (opts.json)
    outJson({ schemaVersion: 1, a: ta.path, b: tb.path, rows: ta.rows.length, differences: diffs });
  else {
    out(
      `dataset diff: ${ta.path} vs ${tb.path}: ${diffs.length} cell(s) differ in ${new Set(diffs.map((d) => d.row)).size} row(s)`,
    );
    for (const line of columns(
      diffs.map((d) => [`row ${d.row}`, d.commit, d.agent, d.column, show(d.a), show(d.b)]),
    ))
      out(line);
  }
  return diffs.length ? EXIT.findings : EXIT.ok;
}
