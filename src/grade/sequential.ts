/**
 * Intervals that stay valid when a job looks at its data after every round and stops once every
 * verdict is decided (adaptive rounds). Two parts, each a textbook method:
 *
 * - **Alpha spending** (Lan & DeMets 1983, "Discrete sequential boundaries for clinical trials",
 *   Biometrika 70(3):659-663): the error rate α is spent over the looks by a spending function A(t)
 *   of the information fraction t = rounds / maxRounds, A(1) = α; the look at t_j spends
 *   α_j = A(t_j) - A(t_{j-1}) and its interval has level 1 - α_j. By the union bound (Bonferroni),
 *   the chance that any look's interval misses the truth, and so that any verdict read from it is
 *   false, is at most Σ α_j = α, however the looks depend on each other and whenever the job stops.
 *   `pocock` is the Pocock-type A(t) = α ln(1 + (e - 1) t) (spends early, for early stops);
 *   `obrien-fleming` is A(t) = 2 - 2 Φ(z_{1-α/2} / √t) (keeps almost all of α for the last look).
 * - **Welch's t interval on logarithms** of the per-server-start means (clusters): a server start
 *   is the unit that varies (model load, CUDA graphs, compile, placement), and the client runs on
 *   one start are averaged into one value, so both levels of variation count and runs of one start
 *   are never taken for independent samples. The interval of the difference of mean logs is turned
 *   into a percent improvement, 100 (1 - e^d) for lower-is-better metrics. Unlike the percentile
 *   bootstrap, it keeps its coverage with 3 samples a side (its width grows with t's quantile).
 *
 * Pure: no I/O, no clock, no randomness.
 */
import cdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { Better } from '../v5/formulas.js';
import type { Adaptive, Interval } from './values.js';

/** How α is spent over the looks. */
export type Spending = 'pocock' | 'obrien-fleming';

/** The looks of an adaptive design: the first after `minRounds`, then after every round up to `maxRounds`. */
export interface Looks {
  readonly minRounds: number;
  readonly maxRounds: number;
  readonly spending: Spending;
  /** the error rate spent over all looks (0.05: 95% overall) */
  readonly alpha: number;
}

/** The fewest server starts a side Welch's interval is given: with 2 it has at most 2 degrees of freedom. */
export const MIN_CLUSTERS = 2;

/** A(t): the error rate spent by information fraction t (0 <= t <= 1). */
export function spent(spending: Spending, alpha: number, t: number): number {
  if (t <= 0) return 0;
  const f = Math.min(1, t);
  if (spending === 'pocock') return alpha * Math.log(1 + (Math.E - 1) * f);
  return 2 - 2 * cdf(normalQuantile(1 - alpha / 2, 0, 1) / Math.sqrt(f), 0, 1);
}

/** The error rate A spends at the look after `rounds` rounds: between the previous look and this one. */
export function spentAtLook(looks: Looks, rounds: number): number {
  checkLook(looks, rounds);
  const at = (r: number) => spent(looks.spending, looks.alpha, r / looks.maxRounds);
  return rounds === looks.minRounds ? at(rounds) : at(rounds) - at(rounds - 1);
}

function checkLook(looks: Looks, rounds: number): void {
  if (!Number.isInteger(rounds) || rounds < looks.minRounds || rounds > looks.maxRounds)
    throw new Error(
      `no look after round ${rounds}: looks are after rounds ${looks.minRounds}..${looks.maxRounds}`,
    );
}

/** The standard normal density. */
const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const bigPhi = (x: number) => cdf(x, 0, 1);

/** The grid step of the recursion, on the scale of the sum W(t) (its standard deviation at t is √t). */
const STEP = 0.01;

/**
 * The repeated-confidence-interval boundaries of the looks (z scale): c_k such that, for a
 * standardised mean difference observed at every look, the chance of first leaving (-c_j, c_j) at
 * look k is what A spends there. Computed by the recursive numerical integration of Armitage,
 * McPherson & Rowe (1969) over the sum's density on a grid; the looks' statistics are correlated
 * (each look holds the rounds of the one before), so each c_k is below the union bound's.
 */
function boundaries(looks: Looks): number[] {
  const out: number[] = [];
  let grid: number[] = [];
  let dens: number[] = [];
  let prevT = 0;
  for (let r = looks.minRounds; r <= looks.maxRounds; r++) {
    const t = r / looks.maxRounds;
    const dt = t - prevT;
    const target = spentAtLook(looks, r);
    let b: number;
    if (!out.length) b = Math.sqrt(t) * normalQuantile(1 - target / 2, 0, 1);
    else {
      const sd = Math.sqrt(dt);
      const cross = (bound: number) =>
        grid.reduce(
          (acc, u, i) =>
            acc + (dens[i] ?? 0) * STEP * (bigPhi((-bound - u) / sd) + 1 - bigPhi((bound - u) / sd)),
          0,
        );
      // the crossing chance falls as the bound rises: bisection
      let lo = 0;
      let hi = 12;
      for (let i = 0; i < 60; i++) {
        const mid = (lo + hi) / 2;
        if (cross(mid) > target) lo = mid;
        else hi = mid;
      }
      b = (lo + hi) / 2;
    }
    b = Math.min(b, 8 * Math.sqrt(t));
    const next: number[] = [];
    for (let s = -b + STEP / 2; s < b; s += STEP) next.push(s);
    dens = out.length
      ? next.map((s) =>
          grid.reduce(
            (acc, u, i) => acc + ((dens[i] ?? 0) * STEP * phi((s - u) / Math.sqrt(dt))) / Math.sqrt(dt),
            0,
          ),
        )
      : next.map((s) => phi(s / Math.sqrt(t)) / Math.sqrt(t));
    grid = next;
    prevT = t;
    out.push(b / Math.sqrt(t));
  }
  return out;
}

const known = new Map<string, number[]>();

/**
 * The level of the interval at the look after `rounds` rounds: 2Φ(c_k) - 1 for the look's
 * repeated-confidence-interval boundary c_k (Jennison & Turnbull 1989, "Interim analyses: the
 * repeated confidence interval approach", JRSS B 51(3):305-361). The job's intervals at all its
 * looks cover the truth together with chance 1 - α, so a verdict read at whichever look stopped the
 * job is false at most α of the time. With an estimated spread the level is carried to Student's t
 * at the look's degrees of freedom (their significance-level approach).
 */
export function levelAtLook(looks: Looks, rounds: number): number {
  checkLook(looks, rounds);
  const key = `${looks.minRounds} ${looks.maxRounds} ${looks.spending} ${looks.alpha}`;
  let cs = known.get(key);
  if (!cs) {
    cs = boundaries(looks);
    known.set(key, cs);
  }
  const c = cs[rounds - looks.minRounds] ?? Number.NaN;
  return 2 * bigPhi(c) - 1;
}

/** Each look's interval level, by rounds (min..max). */
export function lookLevels(looks: Looks): Array<{ readonly rounds: number; readonly level: number }> {
  const out: Array<{ rounds: number; level: number }> = [];
  for (let r = looks.minRounds; r <= looks.maxRounds; r++)
    out.push({ rounds: r, level: levelAtLook(looks, r) });
  return out;
}

function meanVar(xs: readonly number[]): { mean: number; v: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : 0;
  return { mean, v };
}

/**
 * Percent improvement of `subject` over `reference` (positive = better) with Welch's t interval at
 * `level` on the logs of the samples (one per server start): each side's own spread, so a noisy
 * variant (a 0.05 ms kernel) never borrows a quiet one's. Null with fewer than {@link MIN_CLUSTERS}
 * samples a side or a value that is not positive.
 */
export function logImprovement(
  reference: readonly number[],
  subject: readonly number[],
  better: Better,
  level: number,
): Interval | null {
  if (reference.length < MIN_CLUSTERS || subject.length < MIN_CLUSTERS) return null;
  if ([...reference, ...subject].some((x) => !(x > 0) || !Number.isFinite(x))) return null;
  const r = meanVar(reference.map(Math.log));
  const s = meanVar(subject.map(Math.log));
  const d = s.mean - r.mean;
  const { se, df } = welch(r.v / reference.length, reference.length, s.v / subject.length, subject.length);
  // with no spread at all the interval is the point
  const half = se > 0 ? tQuantile(1 - (1 - level) / 2, df) * se : 0;
  const pct = (x: number) => (better === 'lower' ? 100 * (1 - Math.exp(x)) : 100 * (Math.exp(x) - 1));
  const a = pct(d - half);
  const b = pct(d + half);
  return { estimate: pct(d), lo: Math.min(a, b), hi: Math.max(a, b), level };
}

/** Welch's standard error and Welch-Satterthwaite degrees of freedom from each side's variance of its mean. */
function welch(vr: number, nr: number, vs: number, ns: number): { se: number; df: number } {
  const se = Math.sqrt(vr + vs);
  return { se, df: se > 0 ? (vr + vs) ** 2 / (vr ** 2 / (nr - 1) + vs ** 2 / (ns - 1)) : 1 };
}

/** The mean of each cluster (server start) of a variant's client runs, in the order of the clusters. */
export function clusterMeans(
  runs: ReadonlyArray<{ readonly cluster: number; readonly value: number }>,
): number[] {
  const by = new Map<number, number[]>();
  for (const r of runs) {
    const xs = by.get(r.cluster) ?? [];
    xs.push(r.value);
    by.set(r.cluster, xs);
  }
  return [...by.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, xs]) => xs.reduce((a, b) => a + b, 0) / xs.length);
}

/** The error rate spent over all looks of an adaptive job: its intervals hold together at 95%. */
export const SEQUENTIAL_ALPHA = 0.05;

/** The looks of a job's adaptive rounds: from its first look to its most rounds, spending {@link SEQUENTIAL_ALPHA}. */
export function looksOf(adaptive: Adaptive, maxRounds: number): Looks {
  return { ...adaptive, maxRounds, alpha: SEQUENTIAL_ALPHA };
}
