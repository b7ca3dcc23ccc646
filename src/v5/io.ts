/**
 * Reading and writing v5 leaderboard tables as Parquet, CSV and JSONL with the same 76 columns and
 * types. Reading never throws on bad content: the file's problems are returned (by row, column and
 * what was expected), and the valid rows are kept.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { writeFileAtomic } from '../util/atomic-write.js';
import { errorMessage } from '../util/errors.js';
import { isJsonObject } from '../util/json.js';
import { pyReprFloat, pyReprStringList, readPyStringList } from '../util/python-literal.js';
import { isV5Column, V5_COLUMN_TYPES, V5_COLUMNS, type V5Column, type V5Row, V5RowSchema } from './schema.js';

/** A table file format, chosen by extension. */
export type TableFormat = 'parquet' | 'csv' | 'jsonl';

/** One problem found while reading a table. `row` is 1-based over data rows; null for file-level problems. */
export interface TableProblem {
  readonly row: number | null;
  readonly column: string | null;
  readonly message: string;
}

/** A table read from a file. `rowNumbers[i]` is the 1-based data-row number of `rows[i]` in the file. */
export interface V5Table {
  readonly path: string;
  readonly format: TableFormat;
  readonly rows: V5Row[];
  readonly rowNumbers: number[];
  readonly problems: TableProblem[];
}

/** An unreadable table file (missing, wrong format, wrong columns): nothing in it can be used. */
export class TableFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** The format of a table path, from its extension; throws {@link TableFileError} for anything else. */
export function tableFormatOf(path: string): TableFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet') return 'parquet';
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new TableFileError(path, `unknown table format '${ext || '(none)'}': use .parquet, .csv or .jsonl`);
}

/** Reads a v5 table from Parquet, CSV or JSONL. */
export async function readV5Table(path: string): Promise<V5Table> {
  const format = tableFormatOf(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new TableFileError(path, `cannot read: ${errorMessage(e)}`);
  }
  const raw =
    format === 'parquet'
      ? await parquetRecords(path, bytes)
      : format === 'csv'
        ? csvRecords(path, bytes)
        : jsonlRecords(path, bytes);
  return validateRecords(path, format, raw.records, raw.problems);
}

interface RawRecords {
  records: Array<Record<string, unknown> | null>;
  problems: TableProblem[];
}

function checkColumns(path: string, found: readonly string[]): void {
  const missing = V5_COLUMNS.filter((c) => !found.includes(c));
  const extra = found.filter((c) => !isV5Column(c));
  if (missing.length || extra.length) {
    const parts = [];
    if (missing.length) parts.push(`missing column(s) ${missing.join(', ')}`);
    if (extra.length) parts.push(`unknown column(s) ${extra.join(', ')}`);
    throw new TableFileError(path, `not a schema-v5 table: ${parts.join('; ')}`);
  }
  const misplaced = V5_COLUMNS.findIndex((c, i) => found[i] !== c);
  if (misplaced >= 0) {
    throw new TableFileError(
      path,
      `columns out of the published order: position ${misplaced + 1} is '${found[misplaced]}', expected '${V5_COLUMNS[misplaced]}'`,
    );
  }
}

async function parquetRecords(path: string, bytes: Buffer): Promise<RawRecords> {
  const { parquetMetadata, parquetReadObjects, parquetSchema } = await import('hyparquet');
  const file = new Uint8Array(bytes).buffer; // a copy of the file's bytes in an ArrayBuffer of its own
  let metadata: ReturnType<typeof parquetMetadata>;
  try {
    metadata = parquetMetadata(file);
  } catch (e) {
    throw new TableFileError(path, `not a Parquet file: ${errorMessage(e)}`);
  }
  const top = parquetSchema(metadata).children.map((c) => c.element.name);
  checkColumns(path, top);
  const codecs = new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)));
  const needsCompressors = [...codecs].some((c) => c !== 'SNAPPY' && c !== 'UNCOMPRESSED');
  const compressors = needsCompressors ? (await import('hyparquet-compressors')).compressors : undefined;
  const objects: Array<Record<string, unknown>> = await parquetReadObjects({ file, metadata, compressors });
  return { records: objects.map(normaliseParquetValues), problems: [] };
}

/** hyparquet returns INT64 as bigint and may return typed arrays; bring values to plain JSON shapes. */
function normaliseParquetValues(rec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) {
    if (typeof v === 'bigint') out[k] = Number(v);
    else if (v !== null && typeof v === 'object' && !Array.isArray(v) && ArrayBuffer.isView(v))
      // a typed array: hyparquet gives no DataView, the one ArrayBufferView that is not ArrayLike
      out[k] = Array.from(v as unknown as ArrayLike<unknown>);
    else out[k] = v;
  }
  return out;
}

interface CsvCell {
  value: string;
  quoted: boolean;
}

function csvRecords(path: string, bytes: Buffer): RawRecords {
  let table: CsvCell[][];
  try {
    // the `cast` option below makes each cell a CsvCell; csv-parse's types cannot say so
    table = parseCsv(bytes, {
      bom: true,
      relax_column_count: true,
      cast: (value: string, ctx: { quoting: boolean }) => ({ value, quoted: ctx.quoting }),
    }) as unknown as CsvCell[][];
  } catch (e) {
    throw new TableFileError(path, `not a readable CSV file: ${errorMessage(e)}`);
  }
  const [header, ...body] = table;
  if (!header) throw new TableFileError(path, 'empty CSV file (no header row)');
  checkColumns(
    path,
    header.map((h) => h.value),
  );
  const problems: TableProblem[] = [];
  const records = body.map((cells, i) => {
    const row = i + 1;
    if (cells.length !== V5_COLUMNS.length) {
      problems.push({
        row,
        column: null,
        message: `has ${cells.length} cells, expected ${V5_COLUMNS.length}`,
      });
      return null;
    }
    const rec: Record<string, unknown> = {};
    V5_COLUMNS.forEach((col, j) => {
      const cell = cells[j];
      if (cell === undefined) throw new Error(`CSV row ${row} has no cell ${j + 1}`); // its length was checked above
      const conv = fromCsvCell(col, cell);
      if ('error' in conv) {
        problems.push({ row, column: col, message: conv.error });
        rec[col] = null;
      } else rec[col] = conv.value;
    });
    return rec;
  });
  return { records, problems };
}

const CSV_NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

function fromCsvCell(col: V5Column, cell: CsvCell): { value: unknown } | { error: string } {
  const { value, quoted } = cell;
  if (value === '' && !quoted) return { value: null };
  switch (V5_COLUMN_TYPES[col]) {
    case 'string':
      return { value };
    case 'string_list': {
      const res = readPyStringList(value);
      return res.ok
        ? { value: res.value }
        : {
            error: `expected a Python list of strings such as ['a', 'b'], got '${clip(value)}' (${res.error})`,
          };
    }
    case 'bool':
      if (value === 'True') return { value: true };
      if (value === 'False') return { value: false };
      return { error: `expected True or False, got '${clip(value)}'` };
    case 'double':
      if (!CSV_NUMBER.test(value)) return { error: `expected a finite number, got '${clip(value)}'` };
      return { value: Number(value) };
  }
}

function jsonlRecords(path: string, bytes: Buffer): RawRecords {
  const problems: TableProblem[] = [];
  const lines = bytes.toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const records = lines.map((line, i) => {
    try {
      const v: unknown = JSON.parse(line);
      if (!isJsonObject(v)) {
        problems.push({ row: i + 1, column: null, message: 'expected a JSON object' });
        return null;
      }
      return v;
    } catch (e) {
      problems.push({ row: i + 1, column: null, message: `not JSON: ${errorMessage(e)}` });
      return null;
    }
  });
  const first = records.find((r) => r !== null);
  if (first) checkColumns(path, Object.keys(first));
  return { records, problems };
}

function validateRecords(
  path: string,
  format: TableFormat,
  records: Array<Record<string, unknown> | null>,
  problems: TableProblem[],
): V5Table {
  const rows: V5Row[] = [];
  const rowNumbers: number[] = [];
  const failed = new Set(problems.map((p) => p.row));
  records.forEach((rec, i) => {
    const row = i + 1;
    if (rec === null || failed.has(row)) return;
    // Parquet and CSV values are typed column by column on the way in (from the same schema); a
    // per-cell check is enough. JSONL is free-form, so it goes through the full zod schema.
    const issues = format === 'jsonl' ? zodIssues(rec) : typedIssues(rec);
    if (issues.length) {
      for (const issue of issues) problems.push({ row, ...issue });
      return;
    }
    rows.push(rec as V5Row); // zodIssues or typedIssues found no issue: rec has the V5Row shape
    rowNumbers.push(row);
  });
  return { path, format, rows, rowNumbers, problems };
}

function zodIssues(rec: Record<string, unknown>): Array<{ column: string | null; message: string }> {
  const parsed = V5RowSchema.safeParse(rec);
  return parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ column: i.path.join('.') || null, message: i.message }));
}

/** The same checks as {@link V5RowSchema}, cell by cell, for values already typed by their column. */
function typedIssues(rec: Record<string, unknown>): Array<{ column: string | null; message: string }> {
  const out: Array<{ column: string | null; message: string }> = [];
  for (const c of V5_COLUMNS) {
    const v = rec[c];
    if (v === null) continue;
    const t = V5_COLUMN_TYPES[c];
    const ok =
      t === 'string'
        ? typeof v === 'string'
        : t === 'double'
          ? typeof v === 'number' && Number.isFinite(v)
          : t === 'bool'
            ? typeof v === 'boolean'
            : Array.isArray(v) && v.every((x) => typeof x === 'string');
    if (!ok)
      out.push({
        column: c,
        message: `expected ${t === 'string_list' ? 'a list of strings' : t === 'double' ? 'a finite number' : `a ${t}`}, got ${JSON.stringify(v)?.slice(0, 60)}`,
      });
  }
  for (const k of Object.keys(rec))
    if (!(k in V5_COLUMN_TYPES)) out.push({ column: k, message: 'not a schema-v5 column' });
  return out;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Serialises rows as CSV the way the published file is written (pandas `to_csv`: Python reprs,
 * minimal quoting, `\n` line ends). A null is an empty cell; an empty string is written `""` so that
 * the two stay distinct on a round trip (the published CSV has no empty strings).
 */
export function v5ToCsv(rows: readonly V5Row[]): string {
  const lines = [V5_COLUMNS.join(',')];
  for (const r of rows) lines.push(V5_COLUMNS.map((c) => csvField(toCsvCell(r[c]))).join(','));
  return `${lines.join('\n')}\n`;
}

/** Python csv QUOTE_MINIMAL: quote fields holding the delimiter, a quote or a line break; double inner quotes. */
function csvField(text: string | null): string {
  if (text === null) return '';
  if (text === '' || /[",\n\r]/.test(text)) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

/** A cell's CSV text; a valid row's value has the JS type of its column's type. */
function toCsvCell(v: V5Row[V5Column] | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pyReprFloat(v);
  return pyReprStringList(v);
}

/** Serialises rows as JSON Lines, keys in the published order. */
export function v5ToJsonl(rows: readonly V5Row[]): string {
  return (
    rows.map((r) => JSON.stringify(Object.fromEntries(V5_COLUMNS.map((c) => [c, r[c]])))).join('\n') +
    (rows.length ? '\n' : '')
  );
}

/** Serialises rows as Parquet with the published physical schema (optional UTF8 strings, LIST of UTF8, BOOLEAN, DOUBLE). */
export async function v5ToParquet(rows: readonly V5Row[]): Promise<Uint8Array> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const schema: Array<Record<string, unknown>> = [
    { name: 'schema', repetition_type: 'REQUIRED', num_children: V5_COLUMNS.length },
  ];
  const utf8 = {
    type: 'BYTE_ARRAY',
    repetition_type: 'OPTIONAL',
    converted_type: 'UTF8',
    logical_type: { type: 'STRING' },
  };
  for (const c of V5_COLUMNS) {
    switch (V5_COLUMN_TYPES[c]) {
      case 'string':
        schema.push({ name: c, ...utf8 });
        break;
      case 'string_list':
        schema.push({
          name: c,
          repetition_type: 'OPTIONAL',
          num_children: 1,
          converted_type: 'LIST',
          logical_type: { type: 'LIST' },
        });
        schema.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
        schema.push({ name: 'element', ...utf8 });
        break;
      case 'bool':
        schema.push({ name: c, type: 'BOOLEAN', repetition_type: 'OPTIONAL' });
        break;
      case 'double':
        schema.push({ name: c, type: 'DOUBLE', repetition_type: 'OPTIONAL' });
        break;
    }
  }
  const buf = parquetWriteBuffer({
    // biome-ignore lint/suspicious/noExplicitAny: hyparquet's SchemaElement type is structural; ours is built to match it
    schema: schema as any,
    columnData: V5_COLUMNS.map((c) => ({ name: c, data: rows.map((r) => r[c] ?? null) })),
    createdBy: 'isobench',
  });
  return new Uint8Array(buf);
}

/** Writes rows to `path` in the format of its extension, atomically. */
export async function writeV5Table(path: string, rows: readonly V5Row[]): Promise<void> {
  const format = tableFormatOf(path);
  const data =
    format === 'parquet' ? await v5ToParquet(rows) : format === 'csv' ? v5ToCsv(rows) : v5ToJsonl(rows);
  await writeFileAtomic(path, data);
}
