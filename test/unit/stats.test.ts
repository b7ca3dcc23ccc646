import { describe, expect, it } from 'vitest';
import {
  bootstrapImprovement,
  MIN_BOOTSTRAP_SAMPLES,
  medianInterval,
  summarize,
  tooFewSamples,
} from '../../src/grade/stats.js';
import { agentVerdict, taskValidity } from '../../src/grade/verdict.js';

const iv = (estimate: number, lo: number, hi: number) => ({ estimate, lo, hi, level: 0.95 });

describe('statistics', () => {
  it('summarises with the sample standard deviation and the CV in percent', () => {
    const s = summarize([10, 12, 14]);
    expect(s).toMatchObject({ n: 3, mean: 12, sd: 2, min: 10, max: 14 });
    expect(s.cvPct).toBeCloseTo(16.667, 3);
    expect(summarize([5]).sd).toBe(0);
    expect(() => summarize([])).toThrow();
  });

  it('gives a bootstrap interval around the improvement, deterministic for the same data', () => {
    const base = [100, 102, 98, 101, 99];
    const fast = [50, 51, 49, 50, 50];
    const a = bootstrapImprovement(base, fast, 'lower');
    expect(a?.estimate).toBeCloseTo(50, 1);
    expect(a?.lo).toBeGreaterThan(45);
    expect(a?.hi).toBeLessThan(55);
    expect(bootstrapImprovement(base, fast, 'lower')).toEqual(a);
    const same = bootstrapImprovement(base, [101, 99, 100, 98, 102], 'lower');
    expect(same?.lo).toBeLessThan(0);
    expect(same?.hi).toBeGreaterThan(0);
    expect(bootstrapImprovement(base, [200, 210, 205], 'higher')?.estimate).toBeCloseTo(105, 0);
    expect(bootstrapImprovement([], fast, 'lower')).toBeNull();
  });

  it('gives no interval from fewer than 3 rounds a side (issue 21: one round made a zero-width "95%" interval)', () => {
    expect(MIN_BOOTSTRAP_SAMPLES).toBe(3);
    expect(bootstrapImprovement([100], [99], 'lower')).toBeNull();
    expect(bootstrapImprovement([100, 101], [50, 51, 52], 'lower')).toBeNull();
    expect(tooFewSamples({ id: 'baseline', n: 5 }, { id: 'agent:x', n: 1 })).toMatch(
      /^agent:x has 1 measured round: a bootstrap interval needs at least 3 a side/,
    );
    expect(tooFewSamples({ id: 'baseline', n: 3 }, { id: 'agent:x', n: 3 })).toBeNull();
  });

  it('a median interval from order statistics only where its exact coverage reaches 95%', () => {
    const xs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    // 2 tasks gave their min-max as a "95% interval": coverage 50%
    expect(medianInterval(xs(2))).toBeNull();
    // [min, max] of 5 covers 1 - 2/32 = 93.75%
    expect(medianInterval(xs(5))).toBeNull();
    // of 6: 1 - 2/64 = 96.9%
    expect(medianInterval(xs(6))).toEqual([1, 6]);
    // of 10: [x2, x9] covers 97.9%, [x3, x8] only 89.1%
    expect(medianInterval(xs(10))).toEqual([2, 9]);
    // of 100: the textbook [x40, x61]
    expect(medianInterval(xs(100))).toEqual([40, 61]);
  });
});

describe('verdicts', () => {
  it('regression, no gain, and the comparisons with the human', () => {
    expect(agentVerdict(iv(-20, -25, -15), iv(-40, -45, -35)).verdict).toBe('regression');
    expect(agentVerdict(iv(1, -3, 4), iv(-40, -45, -35)).verdict).toBe('no_gain');
    expect(agentVerdict(iv(50, 45, 55), iv(20, 10, 30)).verdict).toBe('beats_human');
    expect(agentVerdict(iv(50, 45, 55), iv(0, -3, 3)).verdict).toBe('matches_human');
    expect(agentVerdict(iv(30, 25, 35), iv(-30, -40, -20)).verdict).toBe('below_human');
    expect(agentVerdict(iv(50, 45, 55), iv(4, -2, 9)).verdict).toBe('inconclusive');
    expect(agentVerdict(iv(6, 2, 10), iv(0, -1, 1)).verdict).toBe('inconclusive');
    expect(agentVerdict(iv(50, 45, 55), null).verdict).toBe('inconclusive');
    expect(agentVerdict(iv(8, 6, 10), iv(0, -1, 1), { thresholdPct: 20 }).verdict).toBe('no_gain');
  });

  it('a task is valid here only when the human gain clears the baseline noise', () => {
    const base = summarize([100, 110, 90]);
    expect(taskValidity(iv(50, 40, 60), base).valid).toBe(true);
    expect(taskValidity(iv(8, 5, 12), base).valid).toBe(false);
    expect(taskValidity(null, base).valid).toBe(false);
  });
});
