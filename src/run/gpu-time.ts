/**
 * The GPU time a task's bench job takes, from its workload, bounded on both sides: at least what the
 * workload itself forces (a serving client at a finite `--request-rate` sends its N prompts over N/r
 * seconds, so a phase lasts that long however fast the engine is), at most what the phases' limits
 * allow (server start plus benchmark timeout). Times the phase count: (warm-up + measured rounds) x
 * variants. Image builds, the probe and the accuracy check are not counted. Pure.
 */

import { median } from '../grade/stats.js';
import type { TaskSpec } from '../task/schema.js';
import type { RecordedTimings } from './recorded-timings.js';

/** The prompts a serving client sends when `--num-prompts` is not given (benchmark_serving.py and `vllm bench serve`). */
const DEFAULT_NUM_PROMPTS = 1000;

/** The bounds of one job's GPU time. */
export interface GpuTime {
  /** the most phases (fixed rounds: the phases) */
  readonly phases: number;
  /** the fewest phases: adaptive rounds may stop at their first look, fixed ones run them all */
  readonly fewestPhases: number;
  /** seconds the workload forces, at least (0 when nothing in it sets a floor) */
  readonly atLeastS: number;
  /** seconds the phase limits allow, at most */
  readonly atMostS: number;
  /** how the floor was found */
  readonly basis: string;
  /**
   * what earlier runs on this machine recorded, applied to this job: phases x (server start + client
   * runs x client run), from the fewest phases to the most; null where nothing was recorded
   */
  readonly expected: { readonly fewestS: number; readonly mostS: number; readonly basis: string } | null;
}

/** The rounds and client runs a job measures with. */
export interface JobRounds {
  readonly warmup: number;
  readonly repeats: number;
  /** adaptive rounds: the fewest measured rounds (the first look) */
  readonly fewest?: number;
  /** client runs on each server start (serving; default 1) */
  readonly clientRuns?: number;
}

/** The value of `--flag` in an argv (`--flag v` or `--flag=v`), or undefined. */
function optionValue(argv: readonly string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

/** What one phase of the task's client must last at least, in seconds, and why. */
function phaseFloor(task: TaskSpec): { seconds: number; basis: string } {
  const argv = task.benchmark.client?.argv ?? [];
  if (task.benchmark.kind !== 'serving') return { seconds: 0, basis: 'no floor: an offline benchmark' };
  const rate = Number(optionValue(argv, '--request-rate') ?? 'inf');
  const given = optionValue(argv, '--num-prompts');
  const prompts = Number(given ?? DEFAULT_NUM_PROMPTS);
  if (!Number.isFinite(rate) || rate <= 0 || !Number.isFinite(prompts))
    return { seconds: 0, basis: 'no floor: requests sent at once (--request-rate inf)' };
  return {
    seconds: prompts / rate,
    basis: `${prompts} prompts${given ? '' : ' (the default)'} at ${rate} req/s: ${Math.round(prompts / rate)} s a phase`,
  };
}

/**
 * The GPU time of the task's job with `variants` variants measured over `rounds`: all `repeats` of
 * them, or (adaptive) at least `fewest` and at most `repeats`.
 */
export function gpuTimeOf(
  task: TaskSpec,
  rounds: JobRounds,
  variants: number,
  recorded?: RecordedTimings,
): GpuTime {
  const phases = (rounds.warmup + rounds.repeats) * variants;
  const fewestPhases = (rounds.warmup + (rounds.fewest ?? rounds.repeats)) * variants;
  const floor = phaseFloor(task);
  const serving = task.benchmark.kind === 'serving';
  const runs = serving ? (rounds.clientRuns ?? 1) : 1;
  const start = serving ? task.timeouts.serverStartS : 0;
  const phase = recorded ? expectedPhase(task, recorded, floor.seconds, runs) : null;
  return {
    phases,
    fewestPhases,
    atLeastS: floor.seconds * runs * fewestPhases,
    atMostS: (start + runs * task.timeouts.benchmarkS) * phases,
    basis: floor.basis,
    expected: phase ? { fewestS: phase.s * fewestPhases, mostS: phase.s * phases, basis: phase.basis } : null,
  };
}

/**
 * One phase's expected seconds from what was recorded: the task's own medians where it ran here,
 * else (serving) the median start of the serving tasks that ran here and a client run at the
 * workload's floor; null where neither is known.
 */
function expectedPhase(
  task: TaskSpec,
  recorded: RecordedTimings,
  floorS: number,
  runs: number,
): { s: number; basis: string } | null {
  const own = recorded.tasks.get(task.id);
  const serving = task.benchmark.kind === 'serving';
  const where = `recorded in ${recorded.root}`;
  if (own?.runS.length && (!serving || own.startS.length)) {
    const start = serving ? median(own.startS) : 0;
    const run = median(own.runS);
    return {
      s: start + runs * run,
      basis: serving
        ? `this task's median start ${Math.round(start)} s + ${runs} x client run ${Math.round(run)} s, from ${own.startS.length} phases ${where}`
        : `this task's median run ${Math.round(run)} s, from ${own.runS.length} runs ${where}`,
    };
  }
  if (!serving || floorS <= 0) return null;
  const starts = [...recorded.tasks.values()].flatMap((t) => (t.serving ? t.startS : []));
  if (!starts.length) return null;
  const start = median(starts);
  return {
    s: start + runs * floorS,
    basis: `median start of the serving tasks ${where} ${Math.round(start)} s (${starts.length} starts) + ${runs} x the workload's ${Math.round(floorS)} s`,
  };
}

/** Seconds as hours and minutes, e.g. `3 h 20 min`. */
export function hoursMinutes(s: number): string {
  const m = Math.round(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min` : `${m} min`;
}

/** What a run's phases are expected to take, for the progress view's time left. */
export interface RunTimePlan {
  /** whether any task uses a GPU: the time is GPU time (each phase times its GPUs), else the phases' time */
  readonly gpu: boolean;
  /** GPUs per task id (0: a CPU task) */
  readonly gpusOf: ReadonlyMap<string, number>;
  /** the most the phases are expected to take, seconds, where every task had records; null otherwise */
  readonly expectedS: number | null;
}

/** The run's expected phase time: each task's recorded expectation at its most rounds, times its GPUs. */
export function runTimePlan(
  tasks: readonly TaskSpec[],
  rounds: JobRounds,
  variantsOf: (task: TaskSpec) => number,
  recorded: RecordedTimings,
): RunTimePlan {
  const gpu = tasks.some((t) => t.hardware.count > 0);
  const counted = gpu ? tasks.filter((t) => t.hardware.count > 0) : tasks;
  let expectedS: number | null = 0;
  for (const t of counted) {
    const e = gpuTimeOf(t, rounds, variantsOf(t), recorded).expected;
    expectedS = e && expectedS !== null ? expectedS + e.mostS * Math.max(1, t.hardware.count) : null;
  }
  return { gpu, gpusOf: new Map(tasks.map((t) => [t.id, t.hardware.count])), expectedS };
}
