/** Reading a run's extended rows (rows.ext.jsonl) with errors that name the file and line. */
import { readFile } from 'node:fs/promises';
import { parseStored, type StoredRecord, StoredRecordError } from '../store/schema.js';
import { errorMessage } from '../util/errors.js';
import type { DeepReadonly } from '../util/zod.js';

/**
 * An extended row as read back: version 4 (`ExtendedRow`), or version 3 as written, without the
 * benchmark kind, variant and job folder; version 2, which lacks the attempt's effort and the
 * accuracy check, is read as version 3 (the report shows what it lacks as unknown).
 */
export type ReadExtendedRow = DeepReadonly<StoredRecord<'ext-row'>>;

/** A file that is not a readable rows.ext.jsonl. */
export class ExtRowsError extends Error {}

/** The rows of a rows.ext.jsonl file; each bad line is named (file:line and why). */
export async function readExtendedRows(file: string): Promise<ReadExtendedRow[]> {
  return (await readExtendedLines(file)).rows;
}

/** The rows and, for exact copies, their lines as written (blank lines dropped). */
export async function readExtendedLines(file: string): Promise<{ rows: ReadExtendedRow[]; lines: string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
    throw new ExtRowsError(`${file}: cannot read it (${code ?? errorMessage(e)})`);
  }
  const rows: ReadExtendedRow[] = [];
  const kept: string[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    try {
      rows.push(parseStored('ext-row', line, `${file}:${i + 1}`));
    } catch (e) {
      if (e instanceof StoredRecordError) throw new ExtRowsError(e.message);
      throw e;
    }
    kept.push(line);
  }
  return { rows, lines: kept };
}
