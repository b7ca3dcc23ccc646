/**
 * The exit status of `isobench run`, from what its jobs came to (pure):
 * - 0 ({@link EXIT.ok}): every job measured its baseline, its human and every agent variant;
 * - 1 ({@link EXIT.findings}): the run finished with failures of some variants or jobs, predictions
 *   that could not be used, or it stopped at a cap;
 * - 4 ({@link RUN_EXIT_ALL_INFRA}): there were jobs and every one failed for infrastructure reasons
 *   (engine, host, image, missing prefetch): nothing about any agent was learned;
 * - 3 ({@link EXIT.bug}): some unit (a job, an agent attempt) failed on a bug of isobench (a harness
 *   error, its stack in the unit's `harness-error.log`): the run's results are incomplete for a
 *   reason that is neither the agents' nor the infrastructure's;
 * - 2 ({@link EXIT.badInput}): bad input, said by the CLI runner before a run starts, or a
 *   configuration error found by an agent attempt (its credentials refused or missing): the run
 *   stopped starting units at once; a resume runs them once it is fixed.
 *
 * `isobench solve` exits by the same rule over its attempts ({@link attemptsExitCode}).
 */
import type { JobResult } from '../bench/types.js';
import { isInfra } from '../grade/taxonomy.js';
import { EXIT } from './common.js';

/** Every job failed for infrastructure reasons. */
export const RUN_EXIT_ALL_INFRA = 4;

/** How one job ended, for the exit status. */
export type JobEnd = 'measured' | 'failed' | 'infra' | 'harness_error';

/** A job as the run reports it. */
export interface JobOutcome {
  readonly result: JobResult | null;
  readonly error: string | null;
  /** it failed on a bug of isobench */
  readonly harness?: boolean;
}

/**
 * How a job ended: a thrown error is a harness error when it was one, else the infrastructure's; a
 * job record is measured when every variant is.
 */
export function jobEnd(job: JobOutcome): JobEnd {
  if (job.harness) return 'harness_error';
  if (job.error !== null || !job.result) return 'infra';
  const r = job.result;
  if (r.failure) return isInfra(r.failure.class) ? 'infra' : 'failed';
  const variants = r.variants;
  if (variants.length > 0 && variants.every((v) => v.status !== 'ok' && isInfra(v.status))) return 'infra';
  return variants.every((v) => v.status === 'ok') ? 'measured' : 'failed';
}

/** The exit status of a finished run. */
export function runExitCode(
  jobs: readonly JobOutcome[],
  opts: {
    readonly problems?: number;
    readonly stopped?: boolean;
    readonly harnessErrors?: number;
    readonly configErrors?: number;
  } = {},
): number {
  const ends = jobs.map(jobEnd);
  if ((opts.harnessErrors ?? 0) > 0 || ends.includes('harness_error')) return EXIT.bug;
  if ((opts.configErrors ?? 0) > 0) return EXIT.badInput;
  if (ends.length > 0 && ends.every((e) => e === 'infra')) return RUN_EXIT_ALL_INFRA;
  if ((opts.problems ?? 0) > 0 || opts.stopped || ends.some((e) => e !== 'measured')) return EXIT.findings;
  return EXIT.ok;
}

/**
 * The exit status of `isobench solve`, from its attempts' outcomes: 3 a harness error, 2 a
 * configuration error, 4 every attempt failed for infrastructure reasons, 1 some attempt did not
 * complete (crashed, a budget, infra), 0 every attempt completed.
 */
export function attemptsExitCode(
  kinds: readonly string[],
  opts: { readonly notStarted?: number } = {},
): number {
  if (kinds.includes('harness_error')) return EXIT.bug;
  if (kinds.includes('config_error')) return EXIT.badInput;
  if (kinds.length > 0 && kinds.every((k) => k === 'infra')) return RUN_EXIT_ALL_INFRA;
  if ((opts.notStarted ?? 0) > 0 || kinds.some((k) => k !== 'completed')) return EXIT.findings;
  return EXIT.ok;
}
