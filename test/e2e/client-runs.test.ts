/**
 * Client runs per server start end to end, through the CLI on the CPU serving demo (local executor,
 * real server and client processes): `--client-runs 2` runs the client twice on each start, keeps
 * each run's logs, JSON result and metrics, makes the phase's metrics their mean and the start's
 * sample; the design is recorded; a later `run --dry-run` on the same runs folder expects GPU time
 * from what this run recorded, and the progress line counts the time spent.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStored, type StoredRecord } from '../../src/store/schema.js';
import { runCliSync } from '../support/cli.js';

const out = mkdtempSync(join(tmpdir(), 'isobench-client-runs-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const jobDir = join(out, 'cr', 'jobs', 'demo_cpu-serving');
let run: ReturnType<typeof runCliSync>;
let m: StoredRecord<'measurement'>;

beforeAll(() => {
  run = runCliSync([
    'run',
    '--tasks',
    'demo/cpu-serving',
    '--client-runs',
    '2',
    '--repeats',
    '3',
    '--warmup',
    '0',
    '--executor',
    'local',
    '--out',
    out,
    '--run-id',
    'cr',
  ]);
  m = parseStored('measurement', readFileSync(join(jobDir, 'measurement.json'), 'utf8'), 'measurement.json');
}, 300_000);

describe('--client-runs 2 on the serving demo', () => {
  it('runs and records the design', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/3 measured rounds \+ 0 warm-up, 2 client runs a server start/);
    expect(m.design).toEqual({ maxRounds: 3, clientRuns: 2, adaptive: null });
  });

  it('runs the client twice on each start, each run with its own logs and metrics, the phase their mean', () => {
    const primary = m.primaryMetric.name;
    expect(m.phases).toHaveLength(9);
    for (const p of m.phases) {
      expect(p.status, p.detail).toBe('ok');
      expect(p.runs.map((r) => r.run)).toEqual([1, 2]);
      const values = p.runs.map((r) => r.metrics[primary]?.value ?? Number.NaN);
      expect(values.every(Number.isFinite)).toBe(true);
      expect(p.metrics[primary]?.value).toBeCloseTo(((values[0] ?? 0) + (values[1] ?? 0)) / 2, 9);
      // two client processes, one server
      expect(p.runs[0]?.client.stdoutPath).not.toBe(p.runs[1]?.client.stdoutPath);
      expect(p.client).toEqual(p.runs[0]?.client);
      const dir = join(jobDir, 'phases', `0${p.round}-${p.variant.replace(/[^\w.-]+/g, '_')}`);
      for (const f of ['client.stdout', 'client-2.stdout', 'server.log'])
        expect(existsSync(join(dir, f)), f).toBe(true);
    }
  });

  it('grades each start by the mean of its runs', () => {
    const job = parseStored('job', readFileSync(join(jobDir, 'job.json'), 'utf8'), 'job.json');
    const base = m.phases.filter((p) => p.variant === 'baseline');
    const samples = job.variants.find((v) => v.id === 'baseline')?.samples ?? [];
    expect(samples).toHaveLength(3);
    for (const [i, p] of base.entries())
      expect(samples[i]).toBeCloseTo(p.metrics[m.primaryMetric.name]?.value ?? Number.NaN, 9);
  });

  it('counts the phase time spent on the progress line (nothing recorded before: no time left told)', () => {
    expect(run.stdout).toMatch(/\| phase time \d+s spent \| \d+s elapsed/);
  });

  it('a later dry run expects the time this run recorded, with the client runs asked', () => {
    const dry = runCliSync([
      'run',
      '--tasks',
      'demo/cpu-serving',
      '--client-runs',
      '3',
      '--dry-run',
      '--json',
      '--out',
      out,
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout);
    expect(plan.schemaVersion).toBe(4);
    const t = plan.tasks[0];
    expect(t.rounds.clientRuns).toBe(3);
    expect(t.gpuTime.expected.basis).toMatch(
      /this task's median start \d+ s \+ 3 x client run \d+ s, from 9 phases recorded in/,
    );
    expect(t.gpuTime.expected.mostS).toBeGreaterThan(0);
  });

  it('a later run tells the time left from what the first one recorded', () => {
    const again = runCliSync([
      'run',
      '--tasks',
      'demo/cpu-serving',
      '--repeats',
      '1',
      '--warmup',
      '0',
      '--executor',
      'local',
      '--out',
      out,
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/phase time \d+s spent, about \d+s left of \d+s expected/);
  });
});
