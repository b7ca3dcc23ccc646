/** The exit status of `isobench run` from what its jobs came to. */
import { describe, expect, it } from 'vitest';
import type { JobResult, VariantResult } from '../../src/bench/types.js';
import { EXIT } from '../../src/cli/common.js';
import { jobEnd, RUN_EXIT_ALL_INFRA, runExitCode } from '../../src/cli/run-exit.js';

const variant = (id: string, status: VariantResult['status']): VariantResult => ({
  id,
  kind: id === 'baseline' ? 'baseline' : id === 'human' ? 'human' : 'agent',
  agent: null,
  model: null,
  status,
  detail: '',
  samples: [],
  summary: null,
  means: {},
  patch: null,
  tamper: [],
  setup: [],
});
const job = (failure: JobResult['failure'], ...vs: VariantResult[]) => ({
  error: null,
  result: { failure, variants: vs } as unknown as JobResult,
});
const measured = job(null, variant('baseline', 'ok'), variant('human', 'ok'), variant('agent:a', 'ok'));

describe('run exit status', () => {
  it('0 when every job measured every variant', () => {
    expect(runExitCode([measured, measured])).toBe(EXIT.ok);
  });

  it('1 when a variant or a job failed, predictions were unusable, or a cap stopped the run', () => {
    const patchFailed = job(
      null,
      variant('baseline', 'ok'),
      variant('human', 'ok'),
      variant('agent:a', 'patch_apply_failed'),
    );
    expect(jobEnd(patchFailed)).toBe('failed');
    expect(runExitCode([measured, patchFailed])).toBe(EXIT.findings);
    const humanFailed = job(
      { class: 'human_failed', detail: '' },
      variant('baseline', 'ok'),
      variant('human', 'server_crash'),
    );
    expect(runExitCode([humanFailed])).toBe(EXIT.findings);
    expect(runExitCode([measured], { problems: 1 })).toBe(EXIT.findings);
    expect(runExitCode([measured], { stopped: true })).toBe(EXIT.findings);
    // some infra, some measured: the run learned something
    expect(runExitCode([measured, { result: null, error: 'engine gone' }])).toBe(EXIT.findings);
  });

  it(`${RUN_EXIT_ALL_INFRA} when there were jobs and every one failed for infrastructure reasons`, () => {
    const thrown = { result: null, error: 'the Docker engine refused the container' };
    const prefetch = job({ class: 'prefetch_missing', detail: 'no cache' });
    const infra = job({ class: 'infra_error', detail: 'prepare failed' }, variant('baseline', 'infra_error'));
    expect([thrown, prefetch, infra].map(jobEnd)).toEqual(['infra', 'infra', 'infra']);
    expect(runExitCode([thrown, prefetch, infra])).toBe(RUN_EXIT_ALL_INFRA);
    expect(runExitCode([])).toBe(EXIT.ok);
  });
});
