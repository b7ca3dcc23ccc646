/** Reading a run's extended rows (rows.ext.jsonl) with errors that name the file and line. */
import { readFile } from 'node:fs/promises';
import {
  type Check,
  type DeepReadonly,
  parseStored,
  type ReadableVersion,
  type Same,
  type StoredRecord,
  StoredRecordError,
} from '../store/schema.js';

/**
 * An extended row as read back: version 4 (the `ExtendedRow` of run-rows.ts, which the store's schema
 * is checked to equal), or version 3 as written, without the benchmark kind, variant and job folder.
 */
export type ReadExtendedRow = DeepReadonly<StoredRecord<'ext-row'>>;

/**
 * The extended-row versions this build reads: 2 lacks the attempt's effort and the accuracy check,
 * 3 the benchmark mode, variant and job folder (the report shows those as unknown).
 */
export const READABLE_EXT_VERSIONS = [2, 3, 4] as const;

/** The versions this file reads are those the store's reader of the kind `ext-row` reads. */
export type ExtVersionsAgree = Check<
  Same<(typeof READABLE_EXT_VERSIONS)[number], ReadableVersion<'ext-row'>>
>;

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
    throw new ExtRowsError(
      `${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
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
