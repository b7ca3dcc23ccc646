/**
 * A run's configuration is checked whole, once (store/config.ts): a bad field is named by its path,
 * a resume names the settings it changes, and a queue payload is checked against the same schemas.
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  changedSettings,
  checkPayload,
  checkRunConfig,
  PAYLOAD_VERSION,
  type RunConfig,
} from '../../src/store/config.js';
import { loadTasks } from '../../src/task/loader.js';
import { TASKS_DIR } from '../support/fixtures.js';
import { testRunConfig } from '../support/run-config.js';

const base = (): RunConfig => testRunConfig({ runId: 'r', outDir: '/tmp/runs', tasks: ['demo/cpu-latency'] });

/** The field a bad configuration is refused for. */
function refusedField(raw: unknown): string {
  try {
    checkRunConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).field;
  }
  throw new Error('accepted');
}

describe('RunConfig', () => {
  it('accepts the defaults and keeps every part as given', () => {
    const c = base();
    expect(c.bench).toEqual({ repeats: 5, warmup: 1, thresholdPct: 5 });
    expect(checkRunConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('names the field of a bad value, however deep', () => {
    const c = base();
    expect(refusedField({ ...c, bench: { ...c.bench, repeats: 0 } })).toBe('bench.repeats');
    expect(refusedField({ ...c, bench: { ...c.bench, warmup: 1.5 } })).toBe('bench.warmup');
    expect(refusedField({ ...c, bench: { ...c.bench, thresholdPct: -1 } })).toBe('bench.thresholdPct');
    expect(refusedField({ ...c, bench: { ...c.bench, tamperPolicy: { refuseAt: 'maybe' } } })).toBe(
      'bench.tamperPolicy.refuseAt',
    );
    expect(refusedField({ ...c, bench: { ...c.bench, accuracy: { dataset: '' } } })).toBe(
      'bench.accuracy.dataset',
    );
    expect(refusedField({ ...c, executor: 'podman' })).toBe('executor');
    expect(
      refusedField({
        ...c,
        agents: [{ name: 'codex', model: 'm', options: {}, apiKeyEnv: null, budgets: { maxTurns: 0 } }],
      }),
    ).toBe('agents.0.budgets.maxTurns');
    expect(refusedField({ ...c, caps: { wallMs: 0 } })).toBe('caps.wallMs');
  });

  it('a resume names each setting it changes, and not the run name, arguments or tasks', () => {
    const before = base();
    const after: RunConfig = {
      ...before,
      runId: 'other',
      args: ['run', '--repeats', '3'],
      tasks: ['demo/cpu-serving'],
      bench: { ...before.bench, repeats: 3, cache: '/cache' },
      caps: { maxCostUsd: 2 },
    };
    expect(changedSettings(before, after)).toEqual([
      'bench.cache: unset -> "/cache"',
      'bench.repeats: 5 -> 3',
      'caps.maxCostUsd: unset -> 2',
    ]);
    expect(changedSettings(before, { ...before, runId: 'x', args: [] })).toEqual([]);
  });
});

describe('queue payloads', () => {
  it('are checked against the configuration schemas, naming the field', async () => {
    const task = (await loadTasks(TASKS_DIR)).tasks.find((t) => t.id === 'demo/cpu-latency');
    const good = {
      v: PAYLOAD_VERSION,
      kind: 'bench_job',
      runId: 'r',
      key: 'k',
      slug: 'demo_cpu-latency',
      task,
      patches: [],
      bench: base().bench,
    };
    expect(checkPayload(good)).toEqual(good);
    expect(() => checkPayload({ ...good, v: 1 })).toThrow(/payload version 1 is not 2/);
    expect(() => checkPayload({ ...good, bench: { ...good.bench, repeats: 'five' } })).toThrow(
      /^payload\.bench\.repeats: /,
    );
    expect(() => checkPayload({ ...good, kind: 'other' })).toThrow(/^payload\.kind: /);
    expect(() => checkPayload({ ...good, task: { ...task, id: 7 } })).toThrow(/^payload\.task\.id: /);
  });
});
