/**
 * Statistics over repeated measurements: spread of each variant, and the improvement of one variant
 * over another with a bootstrap confidence interval. Pure and deterministic: the resampling is
 * seeded from the data, so the same measurements give the same interval.
 */
import { type Better, improvementPct } from '../v5/formulas.js';
import type { Interval, Summary } from './values.js';

export type { Interval, Summary };

/** Summarises samples (at least one). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const n = samples.length;
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return {
    n,
    mean,
    sd,
    cvPct: mean !== 0 ? (100 * sd) / Math.abs(mean) : 0,
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}

/** mulberry32: a small seeded generator (uniform in [0, 1)). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(...xs: ReadonlyArray<readonly number[]>): number {
  let h = 2166136261;
  for (const arr of xs) {
    for (const v of arr) {
      const s = v.toString();
      for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    }
    h = Math.imul(h ^ 0x2c, 16777619);
  }
  return h >>> 0;
}

function resampleMean(xs: readonly number[], next: () => number): number {
  let s = 0;
  // 0 <= floor(next() * n) < n: next() is in [0, 1)
  for (let i = 0; i < xs.length; i++) s += xs[Math.floor(next() * xs.length)] as number;
  return s / xs.length;
}

/** The q-quantile of sorted values by linear interpolation between order statistics (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const k = (sorted.length - 1) * q;
  const lo = Math.floor(k);
  const hi = Math.min(lo + 1, sorted.length - 1);
  // 0 <= lo <= hi < n: k is in [0, n-1] (q in [0, 1], n > 0: the callers' draws and tails)
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (k - lo);
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  return quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}

/**
 * The fewest samples a side the percentile bootstrap is given: with one, every resample is the
 * sample (an interval of zero width); with two, a side's resampled mean takes one of 3 values. Below
 * it there is no interval, and so no verdict (`tooFewSamples` says why).
 */
export const MIN_BOOTSTRAP_SAMPLES = 3;

/** Why two sample sets are too few for an interval (null when they are enough). */
export function tooFewSamples(
  reference: { readonly id: string; readonly n: number },
  subject: { readonly id: string; readonly n: number },
): string | null {
  const short = [reference, subject].filter((s) => s.n < MIN_BOOTSTRAP_SAMPLES);
  if (!short.length) return null;
  return `${short.map((s) => `${s.id} has ${s.n} measured round${s.n === 1 ? '' : 's'}`).join(', ')}: a bootstrap interval needs at least ${MIN_BOOTSTRAP_SAMPLES} a side, so there is no interval and no verdict (run --repeats ${MIN_BOOTSTRAP_SAMPLES} or more)`;
}

/**
 * Percent improvement of `subject` over `reference` (positive = better) with a percentile bootstrap
 * interval: both sample sets are resampled independently `iterations` times. Null when either has
 * fewer than {@link MIN_BOOTSTRAP_SAMPLES} samples (no honest interval) or no improvement is defined.
 */
export function bootstrapImprovement(
  reference: readonly number[],
  subject: readonly number[],
  better: Better,
  opts: { iterations?: number; level?: number } = {},
): Interval | null {
  if (reference.length < MIN_BOOTSTRAP_SAMPLES || subject.length < MIN_BOOTSTRAP_SAMPLES) return null;
  const level = opts.level ?? 0.95;
  const iterations = opts.iterations ?? 2000;
  const point = improvementPct(summarize(reference).mean, summarize(subject).mean, better);
  if (point === null) return null;
  const next = rng(seedOf(reference, subject));
  const draws: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const v = improvementPct(resampleMean(reference, next), resampleMean(subject, next), better);
    if (v !== null) draws.push(v);
  }
  if (draws.length === 0) return null;
  draws.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { estimate: point, lo: quantile(draws, tail), hi: quantile(draws, 1 - tail), level };
}

/** P(X <= k) for X ~ Binomial(n, 1/2). */
function binomHalfCdf(n: number, k: number): number {
  let term = 0.5 ** n;
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term = (term * (n - i + 1)) / i;
    sum += term;
  }
  return sum;
}

/**
 * The distribution-free interval of a median from order statistics (sorted input): the narrowest
 * [x(k), x(n+1-k)] whose exact binomial coverage is at least `level`. Null below the n that allows
 * one (6 at 95%: even [min, max] of 5 samples covers the median only 93.75% of the time).
 */
export function medianInterval(sorted: readonly number[], level = 0.95): readonly [number, number] | null {
  const n = sorted.length;
  let best: number | null = null;
  // coverage of [x(k), x(n+1-k)] (1-indexed) is 1 - 2 P(X <= k-1)
  for (let k = 1; k <= Math.floor(n / 2); k++) if (1 - 2 * binomHalfCdf(n, k - 1) >= level) best = k;
  if (best === null) return null;
  // 1 <= best <= n/2: both order statistics are in [0, n-1]
  return [sorted[best - 1] as number, sorted[n - best] as number];
}
