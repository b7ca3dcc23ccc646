/**
 * The data an HTML report embeds (src/report/html-data.ts), declared once: the store's reader checks
 * it in Node, and the report's page script bundles this module to check it in the browser, so it
 * imports nothing but zod.
 */
import { type Shape, z } from '../util/zod.js';

/** The version of the embedded data. */
export const REPORT_DATA_VERSION = 3;

const SCALAR = z.union([z.string(), z.number(), z.boolean()]);
/** One cell of a report row: a scalar, a list of them (an interval), an object (the means), or null. */
const CELL = z.nullable(z.union([SCALAR, z.array(z.nullable(SCALAR)), z.looseObject({})]));

/** What the report was made from. */
export const ReportSourceSchema = z.object({
  /** run: a run folder; rows: a rows.ext.jsonl file; v5: a schema-v5 table */
  kind: z.enum(['run', 'rows', 'v5']),
  path: z.string(),
  runId: z.nullable(z.string()),
  createdAt: z.nullable(z.string()),
  status: z.nullable(z.string()),
  executor: z.nullable(z.string()),
  repeats: z.nullable(z.number()),
  warmup: z.nullable(z.number()),
  thresholdPct: z.nullable(z.number()),
  command: z.nullable(z.string()),
  /** the devices the jobs were measured on (GPU or CPU names, with counts) */
  devices: z.record(z.string(), z.number()),
  /** the judges behind the rows' soft metrics ("model, rubric vN" → rows), judge failures included */
  judges: z.record(z.string(), z.number()),
  /** what the reader must know about these rows (shown under the title) */
  notes: z.array(z.string()),
});
export type ReportSource = Shape<typeof ReportSourceSchema>;

/** The rows (tuples under the document's column list) and the embedded artifact texts. */
export const ReportPayloadSchema = z.object({
  rows: z.array(z.array(CELL)),
  /** embedded artifact texts by run-relative path (--embed-artifacts), else null */
  artifacts: z.nullable(z.record(z.string(), z.string())),
});

/** The embedded document. */
export const ReportDataSchema = z.object({
  schemaVersion: z.literal(REPORT_DATA_VERSION),
  title: z.string(),
  generatedAt: z.string(),
  isobenchVersion: z.string(),
  source: ReportSourceSchema,
  /** from the report file to the run folder (links), '' when beside it; null when links are off */
  linkBase: z.nullable(z.string()),
  columns: z.array(z.string()),
  ...ReportPayloadSchema.shape,
  /**
   * `rows` and `artifacts` as gzip of their JSON, base64 (then `rows` is empty and `artifacts` null):
   * about a seventh of the size; the page unpacks it with the browser's DecompressionStream
   */
  packed: z.nullable(z.string()),
});
export type ReportData = Shape<typeof ReportDataSchema>;
