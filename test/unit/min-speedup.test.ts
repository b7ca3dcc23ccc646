/**
 * SWE-Perf's minimum significant speedup (report/min-speedup.ts): the Mann-Whitney p-values against
 * SciPy 1.17's `mannwhitneyu(a, b, alternative='less')` (exact, and asymptotic with ties and
 * continuity), the outlier filter, and the largest gain the rounds show significantly.
 */
import { describe, expect, it } from 'vitest';
import { mannWhitneyLess, minSignificantSpeedup, withoutOutliers } from '../../src/report/min-speedup.js';

const range = (n: number, shift = 0) => Array.from({ length: n }, (_, i) => i + shift);

describe('mannWhitneyLess', () => {
  it("matches SciPy's exact p-values", () => {
    expect(mannWhitneyLess([1, 2, 3], [4, 5, 6])).toBeCloseTo(0.05, 12);
    expect(mannWhitneyLess([1, 3, 5, 7, 9], [2, 4, 6, 8, 10])).toBeCloseTo(0.34523809523809523, 12);
    expect(mannWhitneyLess(range(40), range(40, 5.5))).toBeCloseTo(0.024354581945865518, 10);
    expect(mannWhitneyLess([4, 5, 6], [1, 2, 3])).toBe(1);
  });

  it("matches SciPy's asymptotic p-values (ties; samples past the exact table)", () => {
    expect(mannWhitneyLess([1, 1, 2, 2, 3], [2, 3, 3, 4, 5])).toBeCloseTo(0.02658669135678911, 6);
    expect(mannWhitneyLess(range(60), range(60, 5.5))).toBeCloseTo(0.049400239960017425, 6);
  });
});

describe('minSignificantSpeedup', () => {
  const base = [100, 101, 99, 100.5, 99.5];
  const faster = base.map((x) => x * 0.8);

  it('is the largest gain the rounds still show at 0.1, below the true 20%', () => {
    const x = minSignificantSpeedup('lower', base, faster);
    expect(x).toBeGreaterThan(0.18);
    expect(x).toBeLessThan(0.2);
    // a rate: throughput 25% higher is a 20% shorter time
    const rate = minSignificantSpeedup(
      'higher',
      base,
      base.map((v) => v * 1.25),
    );
    expect(rate).toBeGreaterThan(0.18);
    expect(rate).toBeLessThan(0.2);
  });

  it('is 0 where the patch is not significantly faster, null where the rounds are too few', () => {
    expect(minSignificantSpeedup('lower', base, base)).toBe(0);
    expect(
      minSignificantSpeedup(
        'lower',
        base,
        [...base].reverse().map((x) => x * 1.1),
      ),
    ).toBe(0);
    expect(minSignificantSpeedup('lower', [100], faster)).toBeNull();
    expect(minSignificantSpeedup('lower', base, [80, Number.NaN])).toBeNull();
  });

  it('drops values beyond 1 IQR of the quartiles first', () => {
    expect(withoutOutliers([10, 11, 12, 13, 100])).toEqual([10, 11, 12, 13]);
    // one slow outlier round of the patch does not hide its gain
    const x = minSignificantSpeedup('lower', base, [...faster.slice(0, 4), 500]);
    expect(x).toBeGreaterThan(0.15);
  });
});
