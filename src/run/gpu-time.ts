/**
 * The GPU time a task's bench job takes, from its workload, bounded on both sides: at least what the
 * workload itself forces (a serving client at a finite `--request-rate` sends its N prompts over N/r
 * seconds, so a phase lasts that long however fast the engine is), at most what the phases' limits
 * allow (server start plus benchmark timeout). Times the phase count: (warm-up + measured rounds) x
 * variants. Image builds, the probe and the accuracy check are not counted. Pure.
 */
import type { TaskSpec } from '../task/schema.js';

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
  rounds: { readonly warmup: number; readonly repeats: number; readonly fewest?: number },
  variants: number,
): GpuTime {
  const phases = (rounds.warmup + rounds.repeats) * variants;
  const fewestPhases = (rounds.warmup + (rounds.fewest ?? rounds.repeats)) * variants;
  const floor = phaseFloor(task);
  const start = task.benchmark.kind === 'serving' ? task.timeouts.serverStartS : 0;
  return {
    phases,
    fewestPhases,
    atLeastS: floor.seconds * fewestPhases,
    atMostS: (start + task.timeouts.benchmarkS) * phases,
    basis: floor.basis,
  };
}

/** Seconds as hours and minutes, e.g. `3 h 20 min`. */
export function hoursMinutes(s: number): string {
  const m = Math.round(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min` : `${m} min`;
}
