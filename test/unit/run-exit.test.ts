/** The exit status of `isobench run` from what its jobs came to. */
import { describe, expect, it } from 'vitest';
import { attemptKey, credentialAdvice, PLACEHOLDER_KEY } from '../../src/agent/credentials.js';
import type { JobResult, VariantResult } from '../../src/bench/types.js';
import { EXIT } from '../../src/cli/common.js';
import { attemptsExitCode, jobEnd, RUN_EXIT_ALL_INFRA, runExitCode } from '../../src/cli/run-exit.js';

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

  it('2 when an attempt found a configuration error, above findings and all-infra (a bug still wins)', () => {
    const thrown = { result: null, error: 'the Docker engine refused the container' };
    expect(runExitCode([], { configErrors: 1 })).toBe(EXIT.badInput);
    expect(runExitCode([thrown], { configErrors: 1 })).toBe(EXIT.badInput);
    expect(runExitCode([], { configErrors: 1, harnessErrors: 1 })).toBe(EXIT.bug);
  });
});

describe('the exit status of isobench solve (issue 21: it exited 0 when every attempt crashed)', () => {
  it('0 all completed, 1 failures, 2 configuration, 3 a bug, 4 all infra', () => {
    expect(attemptsExitCode(['completed', 'completed'])).toBe(EXIT.ok);
    expect(attemptsExitCode(['crashed', 'crashed'])).toBe(EXIT.findings);
    expect(attemptsExitCode(['completed', 'timeout'])).toBe(EXIT.findings);
    expect(attemptsExitCode(['completed'], { notStarted: 1 })).toBe(EXIT.findings);
    expect(attemptsExitCode(['infra', 'infra'])).toBe(RUN_EXIT_ALL_INFRA);
    expect(attemptsExitCode(['infra', 'completed'])).toBe(EXIT.findings);
    expect(attemptsExitCode(['config_error', 'crashed'])).toBe(EXIT.badInput);
    expect(attemptsExitCode(['harness_error', 'config_error'])).toBe(EXIT.bug);
  });
});

describe("an attempt's key", () => {
  it('its variable; with a base URL and none set, a placeholder (a CLI insists on one); else none', () => {
    expect(attemptKey('ANTHROPIC_API_KEY', undefined, { ANTHROPIC_API_KEY: 'sk-real' })).toBe('sk-real');
    expect(attemptKey('ANTHROPIC_API_KEY', 'http://127.0.0.1:9', {})).toBe(PLACEHOLDER_KEY);
    expect(attemptKey('ANTHROPIC_API_KEY', undefined, {})).toBeNull();
    expect(attemptKey(null, 'http://127.0.0.1:9', {})).toBeNull();
    expect(credentialAdvice('OPENAI_API_KEY', null)).toBe(
      'the key in $OPENAI_API_KEY was refused (a configuration error, not retried): set $OPENAI_API_KEY to a valid key, or give a base URL for a local server',
    );
  });
});
