/**
 * Failures honest: only known infrastructure errors are `infra` (retried with back-off, never
 * counted); anything else (a TypeError in a parser, say) is a harness error, recorded with its stack
 * and where the stack is, never retried, and it makes `run` exit 3. Seen on a real agent attempt (an
 * adapter that throws) and on a real run of the matrix (a backend whose bench job throws).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentAdapter } from '../../src/agent/types.js';
import type { JobResult } from '../../src/bench/types.js';
import { runExitCode } from '../../src/cli/run-exit.js';
import { LocalExecutor } from '../../src/executor/local.js';
import { InfraError } from '../../src/executor/types.js';
import { runEvaluation } from '../../src/run/evaluate.js';
import type { Backend } from '../../src/sched/backend.js';
import { errorReport, isKnownInfra } from '../../src/util/errors.js';
import { z } from '../../src/util/zod.js';
import { agentHarness, scriptedAttempt } from '../support/agent-harness.js';
import { testRunConfig } from '../support/run-config.js';

const h = agentHarness('honest');

function throwing(name: string, make: () => Error): AgentAdapter & { calls: number } {
  const a = {
    name,
    provider: null,
    install: { kind: 'none' as const },
    optionsSchema: z.object({}),
    calls: 0,
    run: async () => {
      a.calls++;
      throw make();
    },
  };
  return a as unknown as AgentAdapter & { calls: number };
}

const coded = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code });

describe('which errors are infrastructure', () => {
  it('knows the executor, the host network and disk, the Docker engine, through causes; nothing else', () => {
    expect(isKnownInfra(new InfraError('engine gone'))).toBe(true);
    expect(isKnownInfra(coded('ECONNREFUSED'))).toBe(true);
    expect(isKnownInfra(coded('ENOSPC'))).toBe(true);
    expect(isKnownInfra(new Error('wrapped', { cause: coded('ETIMEDOUT') }))).toBe(true);
    expect(
      isKnownInfra(Object.assign(new Error('(HTTP code 500) server error'), { statusCode: 500, json: {} })),
    ).toBe(true);
    expect(isKnownInfra(new TypeError("Cannot read properties of undefined (reading 'value')"))).toBe(false);
    expect(isKnownInfra(coded('ENOENT'))).toBe(false);
    expect(isKnownInfra(new Error('plain'))).toBe(false);
    expect(isKnownInfra('a string')).toBe(false);
    const report = errorReport(new Error('outer', { cause: new TypeError('inner') }));
    expect(report).toMatch(/^Error: outer\n\s+at /);
    expect(report).toContain('caused by: TypeError: inner');
  });
});

describe('an agent attempt whose adapter throws', () => {
  it('records a TypeError as harness_error with its stack, and does not retry it', async () => {
    const a = throwing('buggy', () => new TypeError("Cannot read properties of undefined (reading 'usage')"));
    const { record, dir } = await scriptedAttempt(h, a, 'bug', null, {
      options: () => ({}),
      attemptRetries: 2,
    });
    expect(record.outcome.kind).toBe('harness_error');
    expect(a.calls).toBe(1);
    expect(record.tries).toHaveLength(1);
    const log = join(dir, 'logs', 'try-1', 'harness-error.log');
    expect(record.outcome.detail).toContain(log);
    expect(readFileSync(log, 'utf8')).toMatch(
      /^TypeError: Cannot read properties of undefined \(reading 'usage'\)\n\s+at /,
    );
  });

  it('retries a known infrastructure error with back-off and records it as infra', async () => {
    const a = throwing('flaky', () => coded('ECONNRESET'));
    const { record, dir } = await scriptedAttempt(h, a, 'flaky', null, {
      options: () => ({}),
      attemptRetries: 2,
    });
    expect(record.outcome.kind).toBe('infra');
    expect(a.calls).toBe(3);
    expect(existsSync(join(dir, 'logs', 'try-1', 'harness-error.log'))).toBe(false);
  });
});

/** A backend whose every bench job throws `make()`. */
function failingBackend(make: () => Error): Backend & { benches: number } {
  const b = {
    name: 'failing',
    benches: 0,
    bench: async (): Promise<JobResult> => {
      b.benches++;
      throw make();
    },
    agent: async () => {
      throw new Error('no agents here');
    },
    slotUsage: () => [],
    close: async () => undefined,
  };
  return b;
}

async function evaluate(runId: string, backend: Backend, notes: string[] = []) {
  return runEvaluation({
    config: testRunConfig(
      { runId, outDir: join(h.root, 'runs'), tasks: [h.task.id] },
      { bench: { repeats: 1, warmup: 0 }, benchRetries: { retries: 2, backoffMs: 10 } },
    ),
    tasks: [h.task],
    patches: new Map(),
    executor: new LocalExecutor(),
    backend,
    onNote: (n) => notes.push(n),
  });
}

describe('a bench job that throws', () => {
  it('a harness error: recorded with its stack in the job folder, not retried, exit 3; a resume runs it again and says so', async () => {
    const backend = failingBackend(() => new TypeError("Cannot read properties of null (reading 'metrics')"));
    const r = await evaluate('bug', backend);
    expect(backend.benches).toBe(1);
    expect(r.jobs[0]?.harness).toBe(true);
    const jobDir = join(r.runDir, 'jobs', 'demo_cpu-latency');
    const unit = JSON.parse(readFileSync(join(jobDir, 'unit.json'), 'utf8'));
    expect(unit.status).toBe('harness_error');
    expect(unit.retries).toEqual([]);
    expect(unit.detail).toContain(join(jobDir, 'harness-error.log'));
    expect(readFileSync(join(jobDir, 'harness-error.log'), 'utf8')).toMatch(/^TypeError: .*\n\s+at /);
    expect(runExitCode(r.jobs)).toBe(3);
    const notes: string[] = [];
    const again = await evaluate('bug', backend, notes);
    expect(backend.benches).toBe(2);
    expect(again.jobs[0]?.harness).toBe(true);
    expect(notes.join('\n')).toContain('its last run ended in a harness error (a bug in isobench');
  });

  it('a known infrastructure error: retried with back-off, then recorded as infra (exit 4)', async () => {
    const backend = failingBackend(() => new InfraError('the Docker engine does not answer'));
    const r = await evaluate('infra', backend);
    expect(backend.benches).toBe(3);
    expect(r.jobs[0]?.harness).toBe(false);
    const unit = JSON.parse(readFileSync(join(r.runDir, 'jobs', 'demo_cpu-latency', 'unit.json'), 'utf8'));
    expect(unit.status).toBe('infra');
    expect(unit.retries).toHaveLength(2);
    expect(runExitCode(r.jobs)).toBe(4);
  });
});
