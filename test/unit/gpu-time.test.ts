/**
 * The GPU time a job is expected to take from what earlier runs recorded (run/gpu-time.ts): the
 * task's own medians where it ran, the serving tasks' median start and the workload's floor where it
 * did not, nothing where nothing tells; client runs multiply the client's share, not the start's.
 */
import { describe, expect, it } from 'vitest';
import { gpuTimeOf, runTimePlan } from '../../src/run/gpu-time.js';
import type { RecordedTimings } from '../../src/run/recorded-timings.js';
import { loadTasks } from '../../src/task/loader.js';
import type { TaskSpec } from '../../src/task/schema.js';
import { TASKS_DIR } from '../support/fixtures.js';

const tasks = (await loadTasks(TASKS_DIR)).tasks;
const byId = (id: string): TaskSpec => {
  const t = tasks.find((x) => x.id === id);
  if (!t) throw new Error(`no ${id}`);
  return t;
};
const serving = byId('demo/cpu-serving');
const latency = byId('demo/gpu-rmsnorm');
/** a serving task at a finite request rate (its workload sets a floor) */
const paced: TaskSpec = {
  ...serving,
  id: 'paced',
  benchmark: {
    ...serving.benchmark,
    client: { ...serving.benchmark.client, argv: ['x', '--request-rate', '2', '--num-prompts', '100'] },
  },
} as TaskSpec;

const recorded: RecordedTimings = {
  root: '/runs',
  measurements: 3,
  unreadable: 0,
  tasks: new Map([
    [
      'demo/cpu-serving',
      { task: 'demo/cpu-serving', serving: true, startS: [10, 30, 20], runS: [5, 7, 6, 100] },
    ],
    ['demo/gpu-rmsnorm', { task: 'demo/gpu-rmsnorm', serving: false, startS: [], runS: [40, 44] }],
  ]),
};

describe('expected GPU time', () => {
  it("is the task's own median start plus its client runs' medians, fewest to most phases", () => {
    const g = gpuTimeOf(serving, { warmup: 1, repeats: 5, fewest: 3, clientRuns: 2 }, 3, recorded);
    // median start 20 s + 2 x median run 6.5 s = 33 s a phase; 12 to 18 phases
    expect(g.expected?.fewestS).toBeCloseTo(33 * 12, 9);
    expect(g.expected?.mostS).toBeCloseTo(33 * 18, 9);
    expect(g.expected?.basis).toMatch(
      /median start 20 s \+ 2 x client run 7 s, from 3 phases recorded in \/runs/,
    );
  });

  it('is the median run of an offline task, whatever the client runs asked', () => {
    const g = gpuTimeOf(latency, { warmup: 0, repeats: 2, clientRuns: 3 }, 2, recorded);
    expect(g.expected?.mostS).toBeCloseTo(42 * 4, 9);
  });

  it("falls back to the serving tasks' median start and the workload's floor, else to none", () => {
    const g = gpuTimeOf(paced, { warmup: 0, repeats: 1 }, 2, recorded);
    expect(g.expected?.mostS).toBeCloseTo((20 + 50) * 2, 9);
    expect(g.expected?.basis).toMatch(/median start of the serving tasks/);
    const none: RecordedTimings = { ...recorded, tasks: new Map() };
    expect(gpuTimeOf(paced, { warmup: 0, repeats: 1 }, 2, none).expected).toBeNull();
    expect(gpuTimeOf(serving, { warmup: 0, repeats: 1 }, 2).expected).toBeNull();
  });

  it('bounds the client runs too', () => {
    const one = gpuTimeOf(paced, { warmup: 0, repeats: 1 }, 2);
    const two = gpuTimeOf(paced, { warmup: 0, repeats: 1, clientRuns: 2 }, 2);
    expect(two.atLeastS).toBeCloseTo(2 * one.atLeastS, 9);
    expect(two.atMostS - one.atMostS).toBeCloseTo(2 * paced.timeouts.benchmarkS, 9);
  });

  it("sums a run's GPU tasks, or is unknown where one has nothing recorded", () => {
    const plan = runTimePlan([serving, latency], { warmup: 0, repeats: 2 }, () => 3, recorded);
    expect(plan.gpu).toBe(true);
    expect(plan.expectedS).toBeCloseTo(42 * 6 * Math.max(1, latency.hardware.count), 9);
    expect(
      runTimePlan([paced, serving], { warmup: 0, repeats: 2 }, () => 3, { ...recorded, tasks: new Map() })
        .expectedS,
    ).toBeNull();
  });
});
