/**
 * The data an HTML report embeds (versioned): what the report is of, and its rows as tuples under
 * one column list (a third of the size of one object per row, which matters at 10,000 rows).
 * Pure: the page script decodes with the same module.
 */
import type { Check, Same, StoredRecord } from '../store/schema.js';
import type { ReportRow } from './board-rows.js';

/** The version of the embedded data. */
export const REPORT_DATA_VERSION = 3;

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

/** What the report was made from. */
export interface ReportSource {
  /** run: a run folder; rows: a rows.ext.jsonl file; v5: a schema-v5 table */
  readonly kind: 'run' | 'rows' | 'v5';
  readonly path: string;
  readonly runId: string | null;
  readonly createdAt: string | null;
  readonly status: string | null;
  readonly executor: string | null;
  readonly repeats: number | null;
  readonly warmup: number | null;
  readonly thresholdPct: number | null;
  readonly command: string | null;
  /** the devices the jobs were measured on (GPU or CPU names, with counts) */
  readonly devices: Readonly<Record<string, number>>;
  /** the judges behind the rows' soft metrics ("model, rubric vN" → rows), judge failures included */
  readonly judges: Readonly<Record<string, number>>;
  /** what the reader must know about these rows (shown under the title) */
  readonly notes: readonly string[];
}

/** The embedded document. */
export interface ReportData {
  readonly schemaVersion: typeof REPORT_DATA_VERSION;
  readonly title: string;
  readonly generatedAt: string;
  readonly isobenchVersion: string;
  readonly source: ReportSource;
  /** from the report file to the run folder (links), '' when beside it; null when links are off */
  readonly linkBase: string | null;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly unknown[]>;
  /** embedded artifact texts by run-relative path (--embed-artifacts), else null */
  readonly artifacts: Readonly<Record<string, string>> | null;
  /**
   * `rows` and `artifacts` as gzip of their JSON, base64 (then `rows` is empty and `artifacts` null):
   * about a seventh of the size; the page unpacks it with the browser's DecompressionStream
   */
  readonly packed: string | null;
}

/**
 * The embedded data as store/schema.ts reads it is a ReportData, REPORT_DATA_VERSION its version:
 * the same fields, and cells of the JSON kinds rows hold (the compiler checks it here).
 */
export type ReportDataAgrees = Check<Same<Omit<StoredRecord<'report'>, 'rows'>, Omit<ReportData, 'rows'>>>;
export type ReportRowsAgree = Check<StoredRecord<'report'>['rows'] extends ReportData['rows'] ? true : false>;

/** Rows to tuples. */
export function encodeRows(rows: readonly ReportRow[]): unknown[][] {
  return rows.map((r) => REPORT_COLUMNS.map((c) => r[c]));
}

/** Tuples back to rows (by the document's own column list, so older pages keep reading). */
export function decodeRows(columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): ReportRow[] {
  return rows.map((t) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) o[columns[i] as string] = t[i];
    return o as unknown as ReportRow;
  });
}
