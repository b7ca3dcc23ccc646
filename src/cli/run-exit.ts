/**
 * The exit status of `isobench run`, from what its jobs came to (pure):
 * - 0 ({@link EXIT.ok}): every job measured its baseline, its human and every agent variant;
 * - 1 ({@link EXIT.findings}): the run finished with failures of some variants or jobs, predictions
 *   that could not be used, or it stopped at a cap;
 * - 4 ({@link RUN_EXIT_ALL_INFRA}): there were jobs and every one failed for infrastructure reasons
 *   (engine, host, image, missing prefetch): nothing about any agent was learned;
 * - 2 and 3 (bad input, a bug) come from the CLI runner before a run ends.
 */
import type { JobResult } from '../bench/types.js';
import { type FailureClass, isInfra } from '../grade/taxonomy.js';
import { EXIT } from './common.js';

/** Every job failed for infrastructure reasons. */
export const RUN_EXIT_ALL_INFRA = 4;

/** How one job ended, for the exit status. */
export type JobEnd = 'measured' | 'failed' | 'infra';

/** How a job ended: thrown errors are the harness's (infra); a job record is measured when every variant is. */
export function jobEnd(job: { readonly result: JobResult | null; readonly error: string | null }): JobEnd {
  if (job.error !== null || !job.result) return 'infra';
  const r = job.result;
  if (r.failure) return isInfra(r.failure.class) ? 'infra' : 'failed';
  const variants = r.variants;
  if (variants.length > 0 && variants.every((v) => v.status !== 'ok' && isInfra(v.status as FailureClass)))
    return 'infra';
  return variants.every((v) => v.status === 'ok') ? 'measured' : 'failed';
}

/** The exit status of a finished run. */
export function runExitCode(
  jobs: ReadonlyArray<{ readonly result: JobResult | null; readonly error: string | null }>,
  opts: { readonly problems?: number; readonly stopped?: boolean } = {},
): number {
  const ends = jobs.map(jobEnd);
  if (ends.length > 0 && ends.every((e) => e === 'infra')) return RUN_EXIT_ALL_INFRA;
  if ((opts.problems ?? 0) > 0 || opts.stopped || ends.some((e) => e !== 'measured')) return EXIT.findings;
  return EXIT.ok;
}
