import { describe, expect, it } from 'vitest';
import { gradeJob, type JobGradeInput } from '../../src/grade/job.js';
import { levelAtLook, logImprovement, lookLevels, spent, spentAtLook } from '../../src/grade/sequential.js';
import { looksMissing, type Scenario, type SimDesign, simulateJob } from '../../src/grade/simulate.js';
import { rng } from '../../src/grade/stats.js';
import { lookAt, measuredAfterLook, stopAtLook } from '../../src/grade/stopping.js';

const looks = (min: number, max: number, spending: 'pocock' | 'obrien-fleming' = 'pocock') => ({
  minRounds: min,
  maxRounds: max,
  spending,
  alpha: 0.05,
});

describe('alpha spending and repeated confidence intervals', () => {
  it('spends all of α by the last look, more of it early with pocock than with obrien-fleming', () => {
    expect(spent('pocock', 0.05, 1)).toBeCloseTo(0.05, 12);
    expect(spent('obrien-fleming', 0.05, 1)).toBeCloseTo(0.05, 12);
    expect(spent('pocock', 0.05, 0.25)).toBeGreaterThan(spent('obrien-fleming', 0.05, 0.25) * 10);
    const l = looks(3, 8);
    let total = 0;
    for (let r = 3; r <= 8; r++) total += spentAtLook(l, r);
    expect(total).toBeCloseTo(0.05, 12);
    expect(() => spentAtLook(l, 2)).toThrow('no look after round 2: looks are after rounds 3..8');
  });

  it('one look is the fixed 95% interval; several looks each get a wider one, wider than Bonferroni never', () => {
    expect(levelAtLook(looks(5, 5), 5)).toBeCloseTo(0.95, 6);
    for (const spending of ['pocock', 'obrien-fleming'] as const) {
      const l = looks(3, 8, spending);
      for (const { rounds, level } of lookLevels(l)) {
        expect(level).toBeGreaterThan(0.95);
        // the union bound's level: what the look alone spends; correlated looks need less
        expect(level).toBeLessThanOrEqual(1 - spentAtLook(l, rounds) + 1e-9);
      }
    }
    // Lan-DeMets Pocock-type, five equally spaced looks: 2.44, 2.43, 2.41, 2.40, 2.39 on the z scale
    const z = lookLevels(looks(1, 5)).map((x) => x.level);
    expect(z[0]).toBeCloseTo(0.98524, 3);
    expect(z[4]).toBeCloseTo(0.98299, 3);
  });

  it('the looks of a random walk leave the boundaries together with chance α (Monte Carlo)', () => {
    const l = looks(2, 6, 'obrien-fleming');
    const c = lookLevels(l).map((x) => x.level);
    const next = rng(42);
    const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const N = 40000;
    let crossed = 0;
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let r = 1; r <= 6; r++) {
        s += normal();
        const level = c[r - 2];
        // |Z| beyond the two-sided quantile of `level`: the chance outside is 1 - level
        if (level !== undefined && 2 * (1 - cdfAbs(Math.abs(s / Math.sqrt(r)))) <= 1 - level) {
          crossed++;
          break;
        }
      }
    }
    expect(crossed / N).toBeGreaterThan(0.05 - 3 * Math.sqrt((0.05 * 0.95) / N));
    expect(crossed / N).toBeLessThan(0.05 + 3 * Math.sqrt((0.05 * 0.95) / N));
  });
});

/** Φ(x) by the complementary error function's series (Abramowitz-Stegun 7.1.26 is too coarse here): numeric integration. */
function cdfAbs(x: number): number {
  let s = 0;
  const h = 1e-3;
  for (let t = 0; t < x; t += h) s += Math.exp(-0.5 * (t + h / 2) ** 2) * h;
  return 0.5 + s / Math.sqrt(2 * Math.PI);
}

describe('intervals on logs of the server starts', () => {
  it('estimates the ratio of levels with Welch’s interval, each side its own spread', () => {
    const base = [100, 102, 98, 101];
    const fast = [80, 81.6, 78.4, 80.8];
    const w = logImprovement(base, fast, 'lower', 0.95);
    expect(w?.estimate).toBeCloseTo(20, 6);
    expect(w?.lo).toBeLessThan(20);
    expect(w?.hi).toBeGreaterThan(20);
    // a noisy subject widens the interval; its estimate stays the ratio of geometric means
    const noisy = logImprovement(base, [70, 90, 72, 88], 'lower', 0.95);
    expect((noisy?.hi ?? 0) - (noisy?.lo ?? 0)).toBeGreaterThan(4 * ((w?.hi ?? 0) - (w?.lo ?? 0)));
    expect(logImprovement(base, fast, 'higher', 0.95)?.estimate).toBeCloseTo(-20, 6);
    expect(logImprovement([100], fast, 'lower', 0.95)).toBeNull();
    expect(logImprovement([100, 0], fast, 'lower', 0.95)).toBeNull();
    // no spread at all: the point
    const point = logImprovement([100, 100], [50, 50], 'lower', 0.99);
    expect(point?.estimate).toBeCloseTo(50, 9);
    expect([point?.lo, point?.hi]).toEqual([point?.estimate, point?.estimate]);
  });
});

const adaptive = (min: number, max: number, spending: 'pocock' | 'obrien-fleming' = 'pocock'): SimDesign => ({
  name: `adaptive ${min}..${max} ${spending}`,
  maxRounds: max,
  adaptive: { minRounds: min, spending },
  warmupRounds: 0,
  clientRuns: 1,
  warmupRuns: 0,
});

describe('adaptive rounds keep the nominal error (simulation through the real grade)', () => {
  // a human gain and three agents close to and on the verdicts' edges
  const sc: Scenario = {
    better: 'lower',
    sdStart: 0.03,
    sdRun: 0.01,
    humanPct: 12,
    agentPct: [0, 5.2, 9],
    startS: 100,
    runS: 50,
  };
  const N = 600;
  const bound = 0.05 + 3 * Math.sqrt((0.05 * 0.95) / N);

  it('each comparison’s intervals at all its looks cover the truth together in 95% of jobs; peeking at 95% does not', () => {
    /** The worst comparison's rate of jobs where one of its looks missed. */
    const worst = (d: SimDesign) => {
      const missed: Record<string, number> = {};
      for (let i = 0; i < N; i++)
        for (const [k, m] of Object.entries(looksMissing(sc, d, 7000 + i)))
          missed[k] = (missed[k] ?? 0) + (m ? 1 : 0);
      return Math.max(...Object.values(missed)) / N;
    };
    for (const d of [adaptive(2, 8), adaptive(3, 8, 'obrien-fleming')])
      expect(worst(d), d.name).toBeLessThan(bound);
    expect(worst({ ...adaptive(2, 8), naive: true })).toBeGreaterThan(bound);
  });

  it('false verdicts stay under α when agents are retired and jobs stopped as soon as verdicts are decided', () => {
    const clear: Scenario = { ...sc, agentPct: [0, 30] };
    for (const d of [adaptive(2, 8), adaptive(3, 6, 'obrien-fleming')]) {
      let wrong = 0;
      let verdicts = 0;
      let early = 0;
      for (let i = 0; i < N; i++) {
        for (const s of [sc, clear]) {
          const r = simulateJob(s, d, 9000 + i);
          wrong += r.wrong.filter(Boolean).length;
          verdicts += r.verdicts.length;
          if (r.stop === 'decided' && r.rounds < d.maxRounds) early++;
        }
      }
      expect(wrong / verdicts, d.name).toBeLessThan(0.05);
      // the stopping is real: jobs end before their most rounds
      expect(early, d.name).toBeGreaterThan(N / 10);
    }
  });
});

describe('the look', () => {
  const phases = (variant: string, values: readonly number[]) =>
    values.map((v, i) => ({
      variant,
      round: i + 1,
      warmup: false,
      status: 'ok' as const,
      detail: '',
      metrics: { m: { value: v } },
      probe: null,
    }));
  const input = (agent: readonly number[], rounds = 3): JobGradeInput => ({
    task: 't',
    primaryMetric: { name: 'm', direction: 'lower' },
    probe: null,
    variants: [
      { id: 'baseline', kind: 'baseline', failure: null },
      { id: 'human', kind: 'human', failure: null },
      { id: 'agent:a', kind: 'agent', failure: null },
    ],
    phases: [
      ...phases('baseline', [100, 101, 99, 100.5].slice(0, rounds)),
      ...phases('human', [70, 70.5, 69.5, 70.2].slice(0, rounds)),
      ...phases('agent:a', agent.slice(0, rounds)),
    ],
    probes: {},
    accuracy: null,
    design: { maxRounds: 6, clientRuns: 1, adaptive: { minRounds: 3, spending: 'pocock' } },
  });

  it('finds a clear agent decided and a straddling one open; the level is the look’s', () => {
    const clear = gradeJob(input([100.2, 99.4, 100.9]));
    expect(clear.agents[0]?.verdict?.verdict).toBe('no_gain');
    expect(clear.agents[0]?.agentVsBaseline?.level).toBeCloseTo(levelAtLook(looks(3, 6), 3), 12);
    expect(lookAt(clear)).toEqual({ undecided: [], nothingToDecide: null });
    const open = gradeJob(input([96, 90, 99]));
    expect(open.agents[0]?.verdict?.verdict).toBe('inconclusive');
    expect(lookAt(open).undecided).toEqual(['agent:a']);
    expect(gradeJob(input([100, 100, 100], 2)).agents[0]?.verdict?.reason).toMatch(
      /fewer than its first look/,
    );
  });

  it('an agent no longer measured after a look keeps the judgement of that look', () => {
    const full = input([100.2, 99.4, 100.9]);
    const later = {
      ...full,
      phases: [
        ...full.phases,
        ...phases('baseline', [100, 100, 100, 100.5]).slice(3),
        ...phases('human', [70, 70, 70, 70.3]).slice(3),
      ],
    };
    expect(gradeJob(later).agents[0]).toEqual(gradeJob(full).agents[0]);
  });

  it('a failed baseline leaves nothing to decide', () => {
    const g = gradeJob({
      ...input([100, 100, 100]),
      variants: [
        { id: 'baseline', kind: 'baseline', failure: { class: 'build_failed', detail: 'x' } },
        { id: 'human', kind: 'human', failure: null },
        { id: 'agent:a', kind: 'agent', failure: null },
      ],
    });
    expect(lookAt(g).nothingToDecide).toMatch(/baseline_failed/);
    expect(stopAtLook(lookAt(g))).toBe('nothing_to_decide');
  });

  it('the rounds stop where nothing is open, and after a look only open agents and the references are measured', () => {
    expect(stopAtLook(lookAt(gradeJob(input([100.2, 99.4, 100.9]))))).toBe('decided');
    const open = { undecided: ['agent:a'], nothingToDecide: null };
    expect(stopAtLook(open)).toBeNull();
    expect(['baseline', 'human', 'agent:a', 'agent:b'].filter((v) => measuredAfterLook(open, v))).toEqual([
      'baseline',
      'human',
      'agent:a',
    ]);
  });
});
