import { dirname, join, resolve, sep } from 'node:path';
import { statIfThere } from '../util/if-there.js';

/** A report source that cannot be read. */
export class ReportInputError extends Error {}

async function isDir(p: string): Promise<boolean> {
  return (await statIfThere(p))?.isDirectory() ?? false;
}

/** What a report is made from. */
export interface ReportInput {
  readonly runDir: string | null;
  readonly rowsFile: string;
  /** the file is a schema-v5 table, not extended rows */
  readonly v5?: boolean;
}

/** Resolves RUN_ID (under runsDir), a run folder, a rows.ext.jsonl file or a v5 table. */
export async function resolveReportInput(input: string, runsDir: string): Promise<ReportInput> {
  const asPath = resolve(input);
  if (await isDir(asPath)) return { runDir: asPath, rowsFile: join(asPath, 'rows.ext.jsonl') };
  if ((await statIfThere(asPath))?.isFile()) {
    // a schema-v5 table (the published rows, a v5 export): .parquet, .csv, or .jsonl other than *.ext.jsonl
    if (/\.(parquet|csv)$/i.test(asPath) || (/\.jsonl$/i.test(asPath) && !/\.ext\.jsonl$/i.test(asPath)))
      return { runDir: null, rowsFile: asPath, v5: true };
    const dir = dirname(asPath);
    const runDir = (await statIfThere(join(dir, 'run.json'))) ? dir : null;
    return { runDir, rowsFile: asPath };
  }
  const byId = join(resolve(runsDir), input);
  if (!input.includes(sep) && (await isDir(byId)))
    return { runDir: byId, rowsFile: join(byId, 'rows.ext.jsonl') };
  throw new ReportInputError(
    `${input}: not a run folder, a rows.ext.jsonl file, or a run id under ${resolve(runsDir)}`,
  );
}
