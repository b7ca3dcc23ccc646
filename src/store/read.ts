/** Stored records read from their files and checked (./schema.ts), every problem naming the file. */
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../util/errors.js';
import { parseStored, type RecordKind, type StoredRecord, StoredRecordError } from './schema.js';

/** Reads and checks a stored record of `kind`. */
export async function readStored<K extends RecordKind>(kind: K, file: string): Promise<StoredRecord<K>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new StoredRecordError(
      file,
      null,
      `cannot be read: ${e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : errorMessage(e)}`,
    );
  }
  return parseStored(kind, text, file);
}

/** Reads and checks a stored record of `kind`, or null when there is no such file. */
export async function readStoredIfThere<K extends RecordKind>(
  kind: K,
  file: string,
): Promise<StoredRecord<K> | null> {
  return readStored(kind, file).catch((e: unknown) => {
    if (e instanceof StoredRecordError && e.problem === 'cannot be read: ENOENT') return null;
    throw e;
  });
}
