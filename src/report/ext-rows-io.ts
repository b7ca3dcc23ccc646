/** Reading a run's extended rows (rows.ext.jsonl) with errors that name the file and line. */
import { readFile } from 'node:fs/promises';
import type { ExtendedRow } from './run-rows.js';

/**
 * The extended-row versions this build reads: 2 lacks the attempt's effort and the accuracy check,
 * 3 the benchmark mode, variant and job folder (the report shows those as unknown).
 */
export const READABLE_EXT_VERSIONS = [2, 3, 4] as const;

/** A file that is not a readable rows.ext.jsonl. */
export class ExtRowsError extends Error {}

/** The rows of a rows.ext.jsonl file; each bad line is named (file:line and why). */
export async function readExtendedRows(file: string): Promise<ExtendedRow[]> {
  return (await readExtendedLines(file)).rows;
}

/** The rows and, for exact copies, their lines as written (blank lines dropped). */
export async function readExtendedLines(file: string): Promise<{ rows: ExtendedRow[]; lines: string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ExtRowsError(
      `${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const rows: ExtendedRow[] = [];
  const kept: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!line.trim()) continue;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch (e) {
      throw new ExtRowsError(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
    }
    const o = r as Partial<ExtendedRow> | null;
    if (!o || typeof o !== 'object' || Array.isArray(o))
      throw new ExtRowsError(`${file}:${i + 1}: not an extended row (a JSON object is expected)`);
    if (!READABLE_EXT_VERSIONS.includes(o.schemaVersion as 2 | 3 | 4))
      throw new ExtRowsError(
        `${file}:${i + 1}: schemaVersion ${JSON.stringify(o.schemaVersion)} is not one this build reads (${READABLE_EXT_VERSIONS.join(', ')})`,
      );
    for (const f of ['task', 'agent', 'model'] as const)
      if (typeof o[f] !== 'string') throw new ExtRowsError(`${file}:${i + 1}: field '${f}' must be a string`);
    if (!o.primaryMetric || typeof o.primaryMetric.name !== 'string')
      throw new ExtRowsError(`${file}:${i + 1}: field 'primaryMetric' must name the metric`);
    if (!o.variants || typeof o.variants !== 'object')
      throw new ExtRowsError(`${file}:${i + 1}: field 'variants' is missing`);
    rows.push(o as ExtendedRow);
    kept.push(line);
  }
  return { rows, lines: kept };
}
