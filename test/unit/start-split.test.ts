/**
 * The split of a serving job's variance between server starts and client runs (grade/start-split.ts),
 * on phases drawn with a known split: the estimate finds it, a split with nothing between starts
 * comes out near 0, and phases that cannot tell the levels apart give none.
 */
import { describe, expect, it } from 'vitest';
import type { MeasuredPhase } from '../../src/grade/job.js';
import { normal } from '../../src/grade/simulate.js';
import { pooledSplit, startSplit } from '../../src/grade/start-split.js';
import { rng } from '../../src/grade/stats.js';

const M = 'ttft_mean';

/** `starts` starts of each of two variants, `runs` client runs each, log-normal with the given sds. */
function phases(seed: number, starts: number, runs: number, sdStart: number, sdRun: number): MeasuredPhase[] {
  const next = rng(seed);
  const out: MeasuredPhase[] = [];
  for (const [variant, mu] of [
    ['baseline', 100],
    ['human', 60],
  ] as const)
    for (let round = 1; round <= starts; round++) {
      const offset = sdStart * normal(next);
      const values = Array.from({ length: runs }, () => mu * Math.exp(offset + sdRun * normal(next)));
      out.push({
        variant,
        round,
        warmup: false,
        status: 'ok',
        detail: '',
        metrics: { [M]: { value: values.reduce((a, b) => a + b, 0) / runs } },
        probe: null,
        runs: values.map((value) => ({ metrics: { [M]: { value } } })),
      });
    }
  return out;
}

describe('startSplit', () => {
  it('finds a known split (each variant its own mean)', () => {
    const s = startSplit(phases(7, 300, 3, 0.03, 0.02), M);
    expect(s).not.toBeNull();
    if (!s) return;
    expect(s.starts).toBe(600);
    expect(s.runs).toBe(1800);
    expect(s.within).toBeGreaterThan(0.0004 * 0.85);
    expect(s.within).toBeLessThan(0.0004 * 1.15);
    expect(s.between).toBeGreaterThan(0.0009 * 0.75);
    expect(s.between).toBeLessThan(0.0009 * 1.25);
    expect(s.share).toBeGreaterThan(0.6);
    expect(s.share).toBeLessThan(0.78);
  });

  it('puts next to nothing between starts where starts add nothing', () => {
    const s = startSplit(phases(11, 300, 3, 0, 0.03), M);
    expect(s?.share ?? 1).toBeLessThan(0.08);
  });

  it('gives none where the levels cannot be told apart, and leaves out warm-up and failed phases', () => {
    expect(startSplit(phases(3, 5, 1, 0.03, 0.02), M)).toBeNull();
    expect(startSplit(phases(3, 1, 3, 0.03, 0.02), M)).toBeNull();
    const ps = phases(5, 4, 2, 0.03, 0.02);
    const spoiled = ps.map((p, i) =>
      i % 2 ? { ...p, warmup: true } : { ...p, status: 'bench_error' as const },
    );
    expect(startSplit(spoiled, M)).toBeNull();
  });

  it('pools jobs by their starts', () => {
    const a = startSplit(phases(1, 50, 2, 0.03, 0.01), M);
    const b = startSplit(phases(2, 150, 2, 0.01, 0.03), M);
    const p = pooledSplit([a, null, b]);
    expect(p?.starts).toBe(400);
    if (!a || !b || !p) throw new Error('no split');
    expect(p.within).toBeCloseTo((a.within * 100 + b.within * 300) / 400, 12);
    expect(pooledSplit([null])).toBeNull();
  });
});
