import { describe, expect, it } from 'vitest';
import {
  calibrate,
  compareOutputs,
  judgeEquivalence,
  type ProbeOutput,
  parseProbeOutputs,
} from '../../src/grade/equivalence.js';

const tok = (id: string, tokens: string[], top?: Array<Record<string, number>>): ProbeOutput => ({
  id,
  tokens,
  topLogprobs: top ?? null,
});
const base = [
  tok('a', ['x', 'y', 'z'], [{ x: -0.1, q: -1 }, { y: -0.1, w: -2 }, { z: -0.1 }]),
  tok('b', ['p', 'q'], [{ p: -0.1 }, { q: -0.1, r: -1 }]),
];

describe('output equivalence', () => {
  it('calls identical outputs exact and equivalent', () => {
    const c = compareOutputs(base, base);
    expect(c).toMatchObject({ compared: 2, exact: 2, nonExact: 0, far: 0, firstDivergence: null });
    expect(judgeEquivalence(c, calibrate(c)).verdict).toBe('equivalent');
  });

  it('calls a divergence within each side’s top-k close, one outside it far', () => {
    const closeOther = [
      tok('a', ['x', 'w', 'z'], [{ x: -0.1 }, { w: -0.1, y: -0.3 }, { z: -0.1 }]),
      tok('b', ['p', 'q']),
    ];
    const c = compareOutputs(base, closeOther);
    expect(c.outputs[0]).toMatchObject({ exact: false, firstDivergence: 1, close: true });
    expect(c.far).toBe(0);
    const farOther = [
      tok('a', ['x', 'k', 'z'], [{ x: -0.1 }, { k: -0.1 }, { z: -0.1 }]),
      tok('b', ['p', 'q']),
    ];
    const f = compareOutputs(base, farOther);
    expect(f.far).toBe(1);
    expect(judgeEquivalence(f, calibrate(compareOutputs(base, base))).verdict).toBe('diverged');
  });

  it('calibrates the tolerance from the human: close divergences allowed only as many as the human had', () => {
    const human = compareOutputs(base, [
      tok('a', ['x', 'w', 'z'], [{ x: 0 }, { w: 0, y: -1 }, { z: 0 }]),
      tok('b', ['p', 'q']),
    ]);
    const tol = calibrate(human);
    expect(tol).toMatchObject({ maxNonExact: 1, source: 'human' });
    const agentTwo = compareOutputs(base, [
      tok('a', ['x', 'w', 'z'], [{ x: 0 }, { w: 0, y: -1 }, { z: 0 }]),
      tok('b', ['p', 'r'], [{ p: 0 }, { r: 0, q: -1 }]),
    ]);
    const j = judgeEquivalence(agentTwo, tol);
    expect(j.verdict).toBe('diverged');
    expect(j.reason).toContain('2 output(s) differ, the tolerance allows 1');
    // with the human exact, any difference diverges
    expect(judgeEquivalence(human, calibrate(compareOutputs(base, base))).verdict).toBe('diverged');
  });

  it('compares numeric outputs by their largest absolute difference, up to twice the human’s', () => {
    const b = [{ id: 'v', values: [1, 2, 3] }];
    const human = compareOutputs(b, [{ id: 'v', values: [1, 2.001, 3] }]);
    const tol = calibrate(human);
    expect(tol.maxAbsDiff).toBeCloseTo(0.002, 12);
    expect(judgeEquivalence(compareOutputs(b, [{ id: 'v', values: [1.0015, 2, 3] }]), tol).verdict).toBe(
      'equivalent',
    );
    expect(judgeEquivalence(compareOutputs(b, [{ id: 'v', values: [1, 2, 3.01] }]), tol).verdict).toBe(
      'diverged',
    );
    expect(judgeEquivalence(compareOutputs(b, [{ id: 'v', values: [1, Number.NaN, 3] }]), tol).verdict).toBe(
      'diverged',
    );
  });

  it('treats missing outputs (half the work) as diverged, and parses probe files strictly', () => {
    const j = judgeEquivalence(
      compareOutputs(base, [base[0] as ProbeOutput]),
      calibrate(compareOutputs(base, base)),
    );
    expect(j.verdict).toBe('diverged');
    expect(j.reason).toContain('missing outputs for 1 probe input(s): b');
    expect(parseProbeOutputs('{"id":"a","tokens":["x"]}\n')).toEqual({
      ok: true,
      outputs: [{ id: 'a', tokens: ['x'] }],
    });
    expect(parseProbeOutputs('{"id":"a"}\n')).toEqual({
      ok: false,
      detail: 'line 1: expected {id, tokens | values | text}',
    });
    expect(parseProbeOutputs('')).toEqual({ ok: false, detail: 'the probe wrote no outputs' });
  });
});
