import { describe, expect, it } from 'vitest';
import { type AggregateRow, aggregateCells, aggregatesOf, speedupOf } from '../../src/report/aggregates.js';

const row = (task: string, agent: number | null, over: Partial<AggregateRow> = {}): AggregateRow => ({
  task,
  better: 'lower',
  // the human halves the baseline's time: a speedup of 2
  means: { baseline: 100, human: 50, agent },
  credited: true,
  failure: null,
  validHere: true,
  ...over,
});
const infra = (f: string) => f === 'infra_error';

describe('the field’s aggregates', () => {
  it('speedup is time over time, or rate over rate', () => {
    expect(speedupOf('lower', 100, 50)).toBe(2);
    expect(speedupOf('higher', 100, 150)).toBe(1.5);
    expect(speedupOf('lower', 100, 0)).toBeNull();
    expect(speedupOf('lower', null, 50)).toBeNull();
  });

  it('SWE-fficiency’s speedup ratio: harmonic mean; a failed or uncredited patch scores speedup 1', () => {
    const g = aggregatesOf(
      [
        row('a', 50), // as fast as the human: SR 1
        row('b', 100 / 3), // speedup 3: SR 1.5
        row('c', 40, { credited: false }), // outputs diverged: speedup 1, SR 0.5
        row('d', null, { failure: 'patch_apply_failed' }), // SR 0.5
      ],
      infra,
    );
    expect(g.speedupRatio).toBeCloseTo(4 / (1 + 1 / 1.5 + 2 + 2), 12);
    expect(g.rows).toBe(4);
  });

  it('leaves out rows whose task did not hold here and rows the harness failed, and counts them', () => {
    const g = aggregatesOf(
      [row('a', 50), row('b', 50, { validHere: false }), row('c', null, { failure: 'infra_error' })],
      infra,
    );
    expect(g.rows).toBe(1);
    expect(g.leftOut).toEqual({ notValidHere: 1, infra: 1 });
    expect(aggregatesOf([row('b', 50, { validHere: false })], infra).speedupRatio).toBeNull();
  });

  it('GSO’s Opt@1 and Opt@K: above p of the human’s speedup, and at least 1.2x over the baseline', () => {
    const g = aggregatesOf(
      [
        // task a: two attempts, one at the human's speed (ratio 1 > 0.95), one at 1.25x (ratio 0.625)
        row('a', 50),
        row('a', 80),
        // task b: 1.14x over the baseline rounds to 1.1 < 1.2: never optimised, whatever p
        row('b', 100 / 1.14, { means: { baseline: 100, human: 99, agent: 100 / 1.14 } }),
      ],
      infra,
    );
    expect(g.k).toBe(2);
    expect(g.tasks).toBe(2);
    expect(g.optAt1).toBeCloseTo((1 / 2 + 0) / 2, 12);
    expect(g.optAtK).toBe(0.5);
    const at = (p: number) => g.curve.find((c) => c.p === p)?.optAt1;
    // p 0.5: both of task a's attempts (0.625 > 0.5); task b never
    expect(at(0.5)).toBe(0.5);
    expect(at(1)).toBe(0);
    // two tasks: a resample is both once, or one of them twice; Opt@1 of task 'x' alone is 0, of 'y' alone 0.5
    const [sr, opt, minSig] = aggregateCells(g);
    expect(opt).toBe('25.0% [0.0, 50.0] / 50.0% (K 2, 2 tasks)');
    expect(minSig).toBe('0.0% [0.0, 0.0] (3)');
    const [lo, hi] = g.intervals.speedupRatio ?? [Number.NaN, Number.NaN];
    expect(lo).toBeLessThan(g.speedupRatio ?? Number.NaN);
    expect(hi).toBeGreaterThan(g.speedupRatio ?? Number.NaN);
    expect(sr).toBe(`${g.speedupRatio?.toFixed(3)} [${lo.toFixed(2)}, ${hi.toFixed(2)}] (3)`);
  });

  it('SWE-Perf’s minimum significant speedup: the mean over rows; 0 for a failed or uncredited patch and for rounds too few', () => {
    const g = aggregatesOf(
      [
        row('a', 50, { minSigSpeedup: 0.4 }),
        row('b', 50, { minSigSpeedup: 0.2 }),
        row('c', 40, { credited: false, minSigSpeedup: 0.5 }),
        row('d', null, { failure: 'patch_apply_failed' }),
        row('e', 50, { minSigSpeedup: null }),
        row('f', 50, { minSigSpeedup: 0.9, validHere: false }),
      ],
      infra,
    );
    expect(g.minSigSpeedup).toBeCloseTo(0.6 / 5, 12);
    expect(aggregateCells(g)[2]).toMatch(/^12\.0% \[[\d.]+, [\d.]+\] \(5\)$/);
    expect(aggregatesOf([], infra).minSigSpeedup).toBeNull();
  });

  it('intervals by a seeded bootstrap over tasks: none under two tasks, the same every time, narrowing with tasks', () => {
    expect(aggregatesOf([row('a', 40), row('a', 60)], infra).intervals).toEqual({
      speedupRatio: null,
      optAt1: null,
      minSigSpeedup: null,
    });
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        row(`t${i}`, i % 2 ? 40 : 60, { minSigSpeedup: i % 2 ? 0.3 : 0.1 }),
      );
    const few = aggregatesOf(many(6), infra);
    expect(aggregatesOf(many(6), infra).intervals).toEqual(few.intervals);
    const lots = aggregatesOf(many(60), infra);
    const width = (i: readonly [number, number] | null) => (i ? i[1] - i[0] : Number.NaN);
    expect(width(lots.intervals.speedupRatio)).toBeLessThan(width(few.intervals.speedupRatio));
    expect(width(lots.intervals.minSigSpeedup)).toBeLessThan(width(few.intervals.minSigSpeedup));
    const [lo, hi] = lots.intervals.minSigSpeedup ?? [Number.NaN, Number.NaN];
    expect(lo).toBeLessThan(0.2);
    expect(hi).toBeGreaterThan(0.2);
  });
});
