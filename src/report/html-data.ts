/**
 * The data an HTML report embeds (versioned): what the report is of, and its rows as tuples under
 * one column list (a third of the size of one object per row, which matters at 10,000 rows).
 * Pure: the page script decodes with the same module.
 */
import { REPORT_DATA_VERSION, type ReportData, type ReportSource } from '../store/report-record.js';
import type { ReportRow } from './board-rows.js';

export type { ReportData, ReportSource };
/** The embedded data, declared once by its schema (src/store/report-record.ts). */
export { REPORT_DATA_VERSION };

/** The row fields, in tuple order. */
export const REPORT_COLUMNS = [
  'task',
  'agent',
  'model',
  'attempt',
  'mode',
  'metric',
  'unit',
  'better',
  'verdict',
  'verdictReason',
  'hard',
  'credited',
  'validHere',
  'valid',
  'failure',
  'vsHuman',
  'vsBaseline',
  'humanVsBaseline',
  'means',
  'minSigSpeedup',
  'equivalence',
  'tamperFail',
  'tamperWarn',
  'tamperNotes',
  'quadrant',
  'targeting',
  'approach',
  'judge',
  'judgeReason',
  'cost',
  'tokensIn',
  'tokensOut',
  'turns',
  'toolCalls',
  'wallMs',
  'outcome',
  'job',
  'attemptDir',
  'variant',
] as const satisfies ReadonlyArray<keyof ReportRow>;

/** Rows to tuples. */
export function encodeRows(rows: readonly ReportRow[]): ReportData['rows'] {
  return rows.map((r) => REPORT_COLUMNS.map((c) => r[c] ?? null));
}

/** Tuples back to rows (by the document's own column list, so older pages keep reading). */
export function decodeRows(columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): ReportRow[] {
  return rows.map((t) => {
    const o: Record<string, unknown> = {};
    for (const [i, c] of columns.entries()) o[c] = t[i];
    // unchecked: the page decodes the tuples that encodeRows wrote from ReportRows
    return o as unknown as ReportRow;
  });
}
