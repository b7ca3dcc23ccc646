/**
 * Simulated bench jobs, graded by the real grade (job.ts) and stopped by the real look (stopping.ts):
 * how a measured design (fixed or adaptive rounds, client runs a server start) trades GPU time for
 * decided verdicts, and how often its verdicts are false, on noise and effects the caller draws (the
 * benchmark test/bench/rounds.ts draws them from the published rows). Values are log-normal around
 * each variant's true level: a server start's own offset (between starts) and each client run's
 * (within a start). Deterministic for a seed.
 */
import { gradeJob, type JobGradeInput, type MeasuredPhase } from './job.js';
import { rng } from './stats.js';
import { lookAt, measuredAfterLook, stopAtLook } from './stopping.js';
import type { Adaptive, Design, JobGrade, Stop, Verdict } from './values.js';

/** A simulated task: its metric's direction, its noise, the true gains, and what a start and a client run cost. */
export interface Scenario {
  readonly better: 'lower' | 'higher';
  /** between server starts: the standard deviation of a start's log offset (0.02 is about 2%) */
  readonly sdStart: number;
  /** within a start: the standard deviation of each client run's log offset */
  readonly sdRun: number;
  /** the human's true improvement over the baseline, percent (positive = better) */
  readonly humanPct: number;
  /** each agent's true improvement over the baseline, percent */
  readonly agentPct: readonly number[];
  /** GPU seconds of a server start (0 for offline benchmarks, whose runs load the model themselves) */
  readonly startS: number;
  /** GPU seconds of one client run */
  readonly runS: number;
}

/** How a simulated job measures: the rounds (fixed, or adaptive up to `maxRounds`), warm-up, client runs a start. */
export interface SimDesign {
  readonly name: string;
  readonly maxRounds: number;
  readonly adaptive: Adaptive | null;
  /** warm-up rounds (a start and one client run each, not measured) */
  readonly warmupRounds: number;
  /** measured client runs on each start */
  readonly clientRuns: number;
  /** client runs on each start before the measured ones, not measured */
  readonly warmupRuns: number;
  /** peek at every look at the fixed 95% level with no spending: the error this design must not make */
  readonly naive?: boolean;
}

/** What a simulated job came to. */
export interface SimResult {
  readonly verdicts: readonly Verdict[];
  /** whether each verdict contradicts the true gains */
  readonly wrong: readonly boolean[];
  readonly gpuS: number;
  readonly rounds: number;
  readonly stop: Stop['reason'];
}

const PRIMARY = 'm';

/** A standard normal draw (Box-Muller). */
export function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** A variant's true level from its improvement over a baseline of 100. */
function level(better: 'lower' | 'higher', pct: number): number {
  return better === 'lower' ? 100 * (1 - pct / 100) : 100 * (1 + pct / 100);
}

/** Improvement of `subject` over `reference` levels, percent (positive = better). */
function gain(better: 'lower' | 'higher', reference: number, subject: number): number {
  return better === 'lower'
    ? (100 * (reference - subject)) / reference
    : (100 * (subject - reference)) / reference;
}

/**
 * Whether a verdict contradicts the truth (threshold t): each verdict claims where the true gains
 * lie, and `inconclusive` claims nothing.
 */
export function isWrong(verdict: Verdict, vsBaseline: number, vsHuman: number, t: number): boolean {
  switch (verdict) {
    case 'regression':
      return vsBaseline >= -t;
    case 'no_gain':
      return Math.abs(vsBaseline) > t;
    case 'beats_human':
      return vsBaseline <= t || vsHuman <= t;
    case 'below_human':
      return vsBaseline <= t || vsHuman >= -t;
    case 'matches_human':
      return vsBaseline <= t || Math.abs(vsHuman) > t;
    default:
      return false;
  }
}

const variantId = (i: number) => (i === 0 ? 'baseline' : i === 1 ? 'human' : `agent:${i - 1}`);

/**
 * The noise of one server start: its own draws, keyed by the job's seed, the variant, the measured
 * round (0 for warm-up rounds, which are keyed apart) and whether it is a warm-up, so that every
 * design sees the same noise in the same start and run, however many it uses.
 */
function startNoise(seed: number, variant: number, round: number, warmup: boolean): () => number {
  return rng(
    (Math.imul(seed, 2654435761) ^
      Math.imul(variant + 1, 40503) ^
      Math.imul(round + 1, 69069) ^
      (warmup ? 0x5bd1e995 : 0)) >>>
      0,
  );
}

/** The phases of one round: each active variant's start, its warm-up runs and measured runs. */
function roundPhases(
  sc: Scenario,
  d: SimDesign,
  levels: readonly number[],
  active: ReadonlySet<string>,
  at: { readonly round: number; readonly measured: number; readonly warmup: boolean; readonly seed: number },
) {
  const { round, warmup } = at;
  const out: MeasuredPhase[] = [];
  levels.forEach((mu, i) => {
    const next = startNoise(at.seed, i, at.measured, warmup);
    const offset = sc.sdStart * normal(next);
    // the warm-up runs of a start come after its measured runs in the draws: designs with and
    // without them measure the same values
    const measuredValues = Array.from(
      { length: warmup ? 1 : d.clientRuns },
      () => mu * Math.exp(offset + sc.sdRun * normal(next)),
    );
    const warmValues = Array.from(
      { length: warmup ? 0 : d.warmupRuns },
      () => mu * Math.exp(offset + sc.sdRun * normal(next)),
    );
    const values = [...warmValues, ...measuredValues];
    if (!active.has(variantId(i))) return;
    for (const [k, value] of values.entries())
      out.push({
        variant: variantId(i),
        round,
        warmup: warmup || k < d.warmupRuns,
        status: 'ok',
        detail: '',
        metrics: { [PRIMARY]: { value } },
        probe: null,
      });
  });
  return out;
}

function gradeOf(sc: Scenario, d: SimDesign, phases: readonly MeasuredPhase[], rounds: number): JobGrade {
  const variants: JobGradeInput['variants'] = [
    { id: 'baseline', kind: 'baseline', failure: null },
    { id: 'human', kind: 'human', failure: null },
    ...sc.agentPct.map((_, i) => ({ id: `agent:${i + 1}`, kind: 'agent' as const, failure: null })),
  ];
  // the naive design reads every look as if it were its last and only one: all of α spent there (95%)
  const design: Design = d.naive
    ? { maxRounds: rounds, clientRuns: d.clientRuns, adaptive: { minRounds: rounds, spending: 'pocock' } }
    : { maxRounds: d.maxRounds, clientRuns: d.clientRuns, adaptive: d.adaptive };
  return gradeJob({
    task: 'sim',
    primaryMetric: { name: PRIMARY, direction: sc.better },
    probe: null,
    variants,
    phases,
    probes: {},
    accuracy: null,
    design,
  });
}

/** A simulated job before its rounds: each variant's true level (baseline, human, agents), all active, no phase. */
function jobOf(sc: Scenario): { levels: number[]; active: Set<string>; phases: MeasuredPhase[] } {
  const levels = [
    level(sc.better, 0),
    level(sc.better, sc.humanPct),
    ...sc.agentPct.map((p) => level(sc.better, p)),
  ];
  return { levels, active: new Set(levels.map((_, i) => variantId(i))), phases: [] };
}

/** One simulated job under design `d`: an adaptive job stops measuring each agent once its verdict is decided. */
export function simulateJob(sc: Scenario, d: SimDesign, seed: number, thresholdPct = 5): SimResult {
  const { levels, active, phases } = jobOf(sc);
  let gpuS = 0;
  for (let w = 1; w <= d.warmupRounds; w++) {
    phases.push(...roundPhases(sc, d, levels, active, { round: w, measured: w, warmup: true, seed }));
    gpuS += active.size * (sc.startS + sc.runS);
  }
  const first = d.adaptive?.minRounds ?? d.maxRounds;
  let rounds = 0;
  let stop: Stop['reason'] = d.adaptive ? 'max_rounds' : 'fixed';
  for (let m = 1; m <= d.maxRounds; m++) {
    phases.push(
      ...roundPhases(sc, d, levels, active, { round: d.warmupRounds + m, measured: m, warmup: false, seed }),
    );
    gpuS += active.size * (sc.startS + (d.warmupRuns + d.clientRuns) * sc.runS);
    rounds = m;
    if (!d.adaptive || m < first) continue;
    const look = lookAt(gradeOf(sc, d, phases, m));
    const stopped = stopAtLook(look);
    if (stopped) {
      stop = stopped;
      break;
    }
    // the decided agents are measured no more (the naive design keeps them: it has no look of its own to judge them at)
    if (!d.naive) for (const id of [...active]) if (!measuredAfterLook(look, id)) active.delete(id);
  }
  const final = gradeOf(sc, d, phases, rounds);
  const human = levels[1] ?? 100;
  const verdicts = final.agents.map((a) => a.verdict?.verdict ?? 'inconclusive');
  const wrong = verdicts.map((v, i) => {
    const mu = levels[i + 2] ?? 100;
    return isWrong(v, gain(sc.better, 100, mu), gain(sc.better, human, mu), thresholdPct);
  });
  return { verdicts, wrong, gpuS, rounds, stop };
}

/**
 * Which comparisons of a simulated job have an interval, at any of its looks (every one run, none
 * stopping the job), that misses the true gain: `human` (against the baseline), then each agent's
 * against the baseline and against the human. A comparison's repeated confidence intervals miss
 * together at most α of the time; a job's several comparisons are not corrected for each other, as
 * in fixed rounds.
 */
export function looksMissing(sc: Scenario, d: SimDesign, seed: number): Record<string, boolean> {
  const { levels, active, phases } = jobOf(sc);
  const first = d.adaptive?.minRounds ?? d.maxRounds;
  const out: Record<string, boolean> = {};
  const check = (key: string, i: { lo: number; hi: number } | null, truth: number) => {
    out[key] = (out[key] ?? false) || (i !== null && (truth < i.lo || truth > i.hi));
  };
  const human = levels[1] ?? 100;
  for (let m = 1; m <= d.maxRounds; m++) {
    phases.push(...roundPhases(sc, d, levels, active, { round: m, measured: m, warmup: false, seed }));
    if (m < first) continue;
    const g = gradeOf(sc, d, phases, m);
    check('human', g.humanVsBaseline, gain(sc.better, 100, human));
    for (const [k, a] of g.agents.entries()) {
      const mu = levels[k + 2] ?? 100;
      check(`${a.variant} vs baseline`, a.agentVsBaseline, gain(sc.better, 100, mu));
      check(`${a.variant} vs human`, a.agentVsHuman, gain(sc.better, human, mu));
    }
  }
  return out;
}
