/**
 * How a serving job's variance splits between server starts and the client runs of one start, from
 * phases that ran the client more than once (`--client-runs`): a one-way random-effects analysis of
 * variance on the logs of the primary metric, each variant's starts its groups, pooled over the
 * variants (each variant its own mean). Within-start variance is the pooled variance of a start's
 * runs about their mean; the between-start component is the variance of the start means less what
 * the within-start variance puts into them (within / runs a start), never below 0. What it is for:
 * whether a second client run on a start pays for itself (test/bench/rounds.ts --measured).
 */
import type { MeasuredPhase } from './job.js';

/** The split of one measurement's variance, on the log scale (a variance of 0.0004 is a CV of about 2%). */
export interface StartSplit {
  /** variance between server starts (the component a start adds, whatever its runs) */
  readonly between: number;
  /** variance between client runs of one start */
  readonly within: number;
  /** between / (between + within): the share of one run's variance that more runs a start cannot remove */
  readonly share: number;
  /** starts with at least two client runs that the estimate used, and their runs */
  readonly starts: number;
  readonly runs: number;
}

/** The log values of a phase's client runs. */
function logRuns(p: MeasuredPhase, primary: string): number[] {
  return (p.runs ?? [])
    .map((r) => r.metrics[primary]?.value)
    .filter((v): v is number => v !== undefined && v > 0)
    .map(Math.log);
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The split from measured phases (warm-up rounds and failed phases left out), or null where fewer
 * than two starts of one variant ran two or more client runs (nothing to tell the levels apart).
 */
export function startSplit(phases: readonly MeasuredPhase[], primary: string): StartSplit | null {
  const byVariant = new Map<string, number[][]>();
  for (const p of phases) {
    if (p.warmup || p.status !== 'ok') continue;
    const xs = logRuns(p, primary);
    if (xs.length < 2) continue;
    byVariant.set(p.variant, [...(byVariant.get(p.variant) ?? []), xs]);
  }
  let ssWithin = 0;
  let dfWithin = 0;
  let ssMeans = 0;
  let dfMeans = 0;
  let starts = 0;
  let runs = 0;
  for (const groups of byVariant.values()) {
    const means = groups.map(mean);
    for (const [i, xs] of groups.entries()) {
      const m = means[i] ?? 0;
      ssWithin += xs.reduce((a, x) => a + (x - m) ** 2, 0);
      dfWithin += xs.length - 1;
      runs += xs.length;
    }
    starts += groups.length;
    if (groups.length < 2) continue;
    const grand = mean(means);
    ssMeans += means.reduce((a, m) => a + (m - grand) ** 2, 0);
    dfMeans += groups.length - 1;
  }
  if (dfMeans === 0 || dfWithin === 0) return null;
  const within = ssWithin / dfWithin;
  const between = Math.max(0, ssMeans / dfMeans - within / (runs / starts));
  const total = between + within;
  return { between, within, share: total > 0 ? between / total : 0, starts, runs };
}

/** Several jobs' splits pooled, each weighted by its starts; null where none has one. */
export function pooledSplit(splits: ReadonlyArray<StartSplit | null>): StartSplit | null {
  const known = splits.filter((s): s is StartSplit => s !== null);
  const starts = known.reduce((a, s) => a + s.starts, 0);
  if (!starts) return null;
  const avg = (f: (s: StartSplit) => number) => known.reduce((a, s) => a + f(s) * s.starts, 0) / starts;
  const between = avg((s) => s.between);
  const within = avg((s) => s.within);
  return {
    between,
    within,
    share: between + within > 0 ? between / (between + within) : 0,
    starts,
    runs: known.reduce((a, s) => a + s.runs, 0),
  };
}
