/**
 * SWE-Perf's performance score of one patch (arXiv 2507.12415, its evaluation's `check_performance`
 * step): the largest relative gain x that the patch's runtimes still show significantly, that is, the
 * largest x for which a one-sided Mann-Whitney U test at alpha 0.1 finds the patched runtimes lower
 * than the original ones scaled by (1 - x); 0 when not even x = 0 is significant. Outliers beyond
 * 1 IQR of each side's quartiles are dropped first. SWE-Perf runs each test 20 times; here the
 * samples are a job's rounds (server-start means of the primary metric), a rate (throughput) taken
 * as its inverse, a time. Pure (the HTML report's page bundles it).
 */
import { quantile } from '../grade/stats.js';

/** SWE-Perf's significance level (one-sided). */
export const MIN_SPEEDUP_ALPHA = 0.1;
/** SWE-Perf's outlier filter: beyond this many IQRs outside the quartiles. */
const IQR_K = 1;

/** The values within IQR_K interquartile ranges of the quartiles. */
export function withoutOutliers(xs: readonly number[]): number[] {
  const s = [...xs].sort((a, b) => a - b);
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  const iqr = q3 - q1;
  return s.filter((x) => x >= q1 - IQR_K * iqr && x <= q3 + IQR_K * iqr);
}

/** U: pairs where `a` is below `b`, ties counting half. */
function uStatistic(a: readonly number[], b: readonly number[]): { u: number; ties: boolean } {
  let u = 0;
  let ties = false;
  for (const x of a)
    for (const y of b) {
      if (x < y) u += 1;
      else if (x === y) {
        u += 0.5;
        ties = true;
      }
    }
  return { u, ties };
}

/** How many arrangements of n a's and m b's give each U (exact null distribution, no ties). */
const exactCounts = new Map<string, number[]>();
function countsOf(n: number, m: number): number[] {
  const key = `${n},${m}`;
  const known = exactCounts.get(key);
  if (known) return known;
  // f(n, m)[u] = f(n - 1, m)[u - m] + f(n, m - 1)[u]: the largest of all is an a or a b
  let out: number[];
  if (n === 0 || m === 0) out = [1];
  else {
    const withA = countsOf(n - 1, m);
    const withB = countsOf(n, m - 1);
    out = Array.from({ length: n * m + 1 }, (_, u) => (u >= m ? (withA[u - m] ?? 0) : 0) + (withB[u] ?? 0));
  }
  exactCounts.set(key, out);
  return out;
}

/** The standard normal's upper tail. */
function upperTail(z: number): number {
  // Abramowitz-Stegun 7.1.26 on erfc, accurate to 1.5e-7
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/**
 * The one-sided p-value of `a` being stochastically lower than `b` (Mann-Whitney U): exact where
 * there are no ties and the samples are small, else the normal approximation with continuity correction.
 */
export function mannWhitneyLess(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const m = b.length;
  if (!n || !m) return 1;
  const { u, ties } = uStatistic(a, b);
  if (!ties && n * m <= 2500) {
    const counts = countsOf(n, m);
    const total = counts.reduce((s, c) => s + c, 0);
    let tail = 0;
    for (let k = Math.ceil(u); k < counts.length; k++) tail += counts[k] ?? 0;
    return tail / total;
  }
  // the variance corrected for ties: each group of t equal values takes (t^3 - t) / (N (N - 1)) off N + 1
  const all = [...a, ...b];
  const N = n + m;
  const groups = new Map<number, number>();
  for (const x of all) groups.set(x, (groups.get(x) ?? 0) + 1);
  const tied = [...groups.values()].reduce((s, t) => s + t ** 3 - t, 0);
  const sd = Math.sqrt(((n * m) / 12) * (N + 1 - tied / (N * (N - 1))));
  return sd > 0 ? upperTail((u - 0.5 - (n * m) / 2) / sd) : 1;
}

/**
 * The largest x in [0, 1) with the patched times significantly below the original's times (1 - x)
 * (bisection to 1e-4: the p-value only grows with x), 0 when none; null where a side has fewer than
 * two samples or a value that is not a positive number.
 */
export function minSignificantSpeedup(
  better: 'lower' | 'higher',
  original: readonly number[],
  patched: readonly number[],
): number | null {
  if (original.length < 2 || patched.length < 2) return null;
  if (![...original, ...patched].every((v) => Number.isFinite(v) && v > 0)) return null;
  const time = (v: number) => (better === 'lower' ? v : 1 / v);
  const before = withoutOutliers(original.map(time));
  const after = withoutOutliers(patched.map(time));
  const significant = (x: number) =>
    mannWhitneyLess(
      after,
      before.map((t) => t * (1 - x)),
    ) < MIN_SPEEDUP_ALPHA;
  if (!significant(0)) return 0;
  let lo = 0;
  let hi = 1;
  while (hi - lo > 1e-4) {
    const mid = (lo + hi) / 2;
    if (significant(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
