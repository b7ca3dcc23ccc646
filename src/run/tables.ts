/**
 * The rows of a run, as `isobench run` and `isobench regrade` both write them: the bench jobs of the
 * matrix in plan order (task, then attempt number), each job's rows with the effort of the attempts
 * behind its patches, and the tables (`rows.v5.{csv,jsonl,parquet}`, `rows.ext.jsonl`).
 */
import { join } from 'node:path';
import type { ExtendedRow } from '../report/job-rows.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { variantSlug } from '../util/slug.js';
import { writeV5Table } from '../v5/io.js';
import type { V5Row } from '../v5/schema.js';

/** One bench job of the matrix: a task and an attempt number. */
export interface JobGroup<T> {
  readonly task: T;
  readonly n: number;
  /** its folder under `jobs/` */
  readonly slug: string;
}

/** The bench jobs of a run, in plan order: each task, then each attempt number. */
export function jobGroups<T extends { readonly id: string }>(
  tasks: readonly T[],
  attempts: number,
): JobGroup<T>[] {
  return tasks.flatMap((task) =>
    Array.from({ length: attempts }, (_, i) => ({
      task,
      n: i + 1,
      slug: attempts > 1 ? `${variantSlug(task.id)}_a${i + 1}` : variantSlug(task.id),
    })),
  );
}

/** Writes the run's tables into `dir`: the v5 rows in three formats and the extended rows. */
export async function writeRunRows(
  dir: string,
  v5: readonly V5Row[],
  extended: readonly ExtendedRow[],
): Promise<void> {
  for (const ext of ['csv', 'jsonl', 'parquet']) await writeV5Table(join(dir, `rows.v5.${ext}`), v5);
  await writeFileAtomic(
    join(dir, 'rows.ext.jsonl'),
    extended.map((r) => JSON.stringify(r)).join('\n') + (extended.length ? '\n' : ''),
  );
}
