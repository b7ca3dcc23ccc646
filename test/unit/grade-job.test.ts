/**
 * The job-level grade (src/grade/job.ts), pure: phases and probe readings in, verdicts out. Every
 * case builds its measurement by hand, so each rule is seen deciding on its own.
 */
import { describe, expect, it } from 'vitest';
import type { ProbeOutput } from '../../src/grade/equivalence.js';
import {
  accuracyCandidates,
  DEFAULT_GRADE_POLICY,
  type GradePolicy,
  gradeJob,
  type JobGradeInput,
  type MeasuredPhase,
} from '../../src/grade/job.js';
import { FAILURE_CLASSES, type FailureClass, isInfra } from '../../src/grade/taxonomy.js';

/** Phases of one variant: a warm-up round, then one measured round per sample. */
function rounds(
  variant: string,
  samples: readonly number[],
  extra: Record<string, number> = {},
): MeasuredPhase[] {
  const metric = (v: number) => ({
    latency_avg: { value: v },
    ...Object.fromEntries(Object.entries(extra).map(([k, x]) => [k, { value: x }])),
  });
  return [
    {
      variant,
      round: 1,
      warmup: true,
      status: 'ok',
      detail: '',
      metrics: metric(samples[0] ?? 1),
      probe: null,
    },
    ...samples.map((v, i) => ({
      variant,
      round: i + 2,
      warmup: false,
      status: 'ok' as const,
      detail: '',
      metrics: metric(v),
      probe: i === samples.length - 1 ? { status: 'ok', detail: '' } : null,
    })),
  ];
}

const around = (x: number) => [x * 0.99, x, x * 1.01, x * 1.005, x * 0.995];

function job(
  over: Partial<JobGradeInput> & { agents?: Record<string, readonly number[]> } = {},
): JobGradeInput {
  const agents = over.agents ?? { 'agent:a': around(50) };
  return {
    task: 'demo/x',
    primaryMetric: { name: 'latency_avg', direction: 'lower' },
    probe: null,
    variants: [
      { id: 'baseline', kind: 'baseline', failure: null },
      { id: 'human', kind: 'human', failure: null },
      ...Object.keys(agents).map((id) => ({ id, kind: 'agent' as const, failure: null })),
    ],
    phases: [
      ...rounds('baseline', around(100)),
      ...rounds('human', around(60)),
      ...Object.entries(agents).flatMap(([id, s]) => rounds(id, s)),
    ],
    probes: {},
    accuracy: null,
    design: { maxRounds: 5, clientRuns: 1, adaptive: null },
    ...over,
  };
}

const outputs = (texts: string[]): ProbeOutput[] =>
  texts.map((t, i) => ({ id: String(i), tokens: t.split(' ') }));

describe('gradeJob', () => {
  it('gives the same grade, to the byte, for the same measurement and policy', () => {
    const a = JSON.stringify(gradeJob(job()));
    const b = JSON.stringify(gradeJob(job()));
    expect(a).toBe(b);
    expect(gradeJob(job()).agents[0]?.verdict?.verdict).toBe('beats_human');
  });

  it('changes the verdict with the band: within ±t of the human it matches, outside it beats', () => {
    const input = job({ agents: { 'agent:a': around(55) } });
    expect(gradeJob(input).agents[0]?.verdict?.verdict).toBe('beats_human');
    const wide: GradePolicy = { ...DEFAULT_GRADE_POLICY, verdict: { thresholdPct: 15 } };
    expect(gradeJob(input, wide).agents[0]?.verdict?.verdict).toBe('matches_human');
  });

  it('checks the workload against the baseline: a variant that completes fewer requests is not measured', () => {
    const input = job();
    const phases = input.phases.map((p) => ({
      ...p,
      metrics: { ...p.metrics, completed: { value: p.variant === 'agent:a' ? 90 : 100 } },
    }));
    const g = gradeJob({ ...input, phases });
    const agent = g.variants.find((v) => v.id === 'agent:a');
    expect(agent?.status).toBe('workload_mismatch');
    expect(agent?.detail).toContain('completed 90 (baseline 100)');
    expect(g.agents[0]?.failure).toBe('workload_mismatch');
    expect(g.agents[0]?.credited).toBe(false);
  });

  it('measures a native patch against its reference (the parent rebuilt), and a failed reference is infra', () => {
    // the CI-built baseline runs at 100 ms, the same parent rebuilt with the image's compiler at 80
    const base = job({ agents: { 'agent:n': around(76) } });
    const input: JobGradeInput = {
      ...base,
      variants: [
        ...base.variants.map((v) => (v.id === 'agent:n' ? { ...v, reference: 'baseline-rebuilt' } : v)),
        { id: 'baseline-rebuilt', kind: 'baseline', failure: null },
      ],
      phases: [...base.phases, ...rounds('baseline-rebuilt', around(80))],
    };
    const judged = gradeJob(input).agents.find((a) => a.variant === 'agent:n');
    // 5% over its own reference, not the 24% the CI build would credit it with
    expect(judged?.agentVsBaseline?.estimate).toBeCloseTo(5, 1);
    expect(gradeJob(base).agents[0]?.agentVsBaseline?.estimate).toBeCloseTo(24, 1);
    const failed: JobGradeInput = {
      ...input,
      variants: input.variants.map((v) =>
        v.id === 'baseline-rebuilt'
          ? { ...v, failure: { class: 'infra_error', detail: 'rebuild failed' } }
          : v,
      ),
    };
    expect(gradeJob(failed).agents.find((a) => a.variant === 'agent:n')?.failure).toBe('infra_error');
  });

  it('leaves warm-up rounds out of the samples', () => {
    const input = job();
    const phases = input.phases.map((p) =>
      p.warmup ? { ...p, metrics: { latency_avg: { value: 1e6 } } } : p,
    );
    const g = gradeJob({ ...input, phases });
    expect(g.variants.find((v) => v.id === 'baseline')?.samples).toEqual(around(100));
  });

  it('carries every failure class of a phase to its variant and, for an agent, to its judgement', () => {
    for (const cls of Object.keys(FAILURE_CLASSES) as FailureClass[]) {
      const input = job();
      const phases = input.phases.map((p) =>
        p.variant === 'agent:a' && p.round === 3 ? { ...p, status: cls, detail: 'it broke' } : p,
      );
      const g = gradeJob({ ...input, phases });
      expect(g.variants.find((v) => v.id === 'agent:a')?.status, cls).toBe(cls);
      expect(g.agents[0]?.failure, cls).toBe(cls);
      expect(g.agents[0]?.verdict, cls).toBeNull();
      expect(g.failure, cls).toBeNull();
    }
  });

  it('makes a failed baseline the job failure: infra classes make it the harness failure', () => {
    for (const cls of Object.keys(FAILURE_CLASSES) as FailureClass[]) {
      const input = job();
      const phases = input.phases.map((p) =>
        p.variant === 'baseline' && !p.warmup ? { ...p, status: cls } : p,
      );
      const g = gradeJob({ ...input, phases });
      expect(g.failure?.class, cls).toBe(isInfra(cls) ? 'infra_error' : 'baseline_failed');
      expect(g.agents[0]?.failure, cls).toBe('baseline_failed');
      expect(g.validity.valid).toBe(false);
    }
  });

  it('names a failed human, keeps the agent graded against the baseline and calls it inconclusive', () => {
    const input = job();
    const g = gradeJob({
      ...input,
      variants: input.variants.map((v) =>
        v.id === 'human' ? { ...v, failure: { class: 'build_failed' as const, detail: 'no compiler' } } : v,
      ),
    });
    expect(g.failure).toEqual({ class: 'human_failed', detail: 'build_failed: no compiler' });
    expect(g.agents[0]?.agentVsBaseline?.estimate).toBeGreaterThan(40);
    expect(g.agents[0]?.verdict?.verdict).toBe('inconclusive');
  });

  it('takes the speed credit of an agent whose outputs diverge beyond the human tolerance', () => {
    const input = job({
      probe: 'completions',
      probes: {
        baseline: { outputs: outputs(['a b c', 'd e f']) },
        human: { outputs: outputs(['a b c', 'd e f']) },
        'agent:a': { outputs: outputs(['a b c', 'x y z']) },
      },
    });
    const g = gradeJob(input);
    expect(g.agents[0]?.equivalence?.verdict).toBe('diverged');
    expect(g.agents[0]?.verdict?.verdict).toBe('diverged');
    expect(g.agents[0]?.verdict?.reason).toContain('speed alone: beats_human');
    expect(g.agents[0]?.credited).toBe(false);
    expect(g.equivalence.tolerance?.source).toBe('human');
  });

  it('calls a missing probe reading probe_failed, and a failed baseline probe unchecked (credited)', () => {
    const base = job({ probe: 'completions', probes: { baseline: { outputs: outputs(['a']) } } });
    expect(gradeJob(base).agents[0]?.verdict?.verdict).toBe('probe_failed');
    expect(gradeJob(base).agents[0]?.verdict?.reason).toContain('no probe ran');
    const noBase = job({ probe: 'completions', probes: { baseline: { failed: 'it crashed' } } });
    const g = gradeJob(noBase);
    expect(g.agents[0]?.equivalence?.verdict).toBe('unchecked');
    expect(g.agents[0]?.credited).toBe(true);
    expect(g.equivalence.detail).toContain('it crashed');
  });

  it('applies the accuracy readings only to credited gains, under the tolerance of the policy', () => {
    const input = job({ agents: { 'agent:a': around(50), 'agent:slow': around(100) } });
    expect(accuracyCandidates(gradeJob(input))).toEqual(['agent:a']);
    const readings = {
      dataset: 'qa.jsonl',
      baseline: { correct: 50, total: 50, pct: 100 },
      agents: { 'agent:a': { correct: 48, total: 50, pct: 96 } },
    };
    const dropped = gradeJob({ ...input, accuracy: readings });
    expect(dropped.agents[0]?.verdict?.verdict).toBe('accuracy_dropped');
    expect(dropped.agents[0]?.credited).toBe(false);
    expect(dropped.agents[1]?.accuracy).toBeNull();
    const lenient = gradeJob(
      { ...input, accuracy: readings },
      { ...DEFAULT_GRADE_POLICY, accuracyTolerancePts: 5 },
    );
    expect(lenient.agents[0]?.verdict?.verdict).toBe('beats_human');
    expect(lenient.agents[0]?.accuracy?.passed).toBe(true);
  });

  it('says so when the accuracy of a newly qualifying agent was never measured, and when the baseline failed', () => {
    const input = job();
    const missing = gradeJob({
      ...input,
      accuracy: { dataset: 'qa', baseline: { correct: 1, total: 1, pct: 100 }, agents: {} },
    });
    expect(missing.agents[0]?.verdict?.verdict).toBe('beats_human');
    expect(missing.agents[0]?.verdict?.reason).toContain('not measured in this run');
    const noBase = gradeJob({
      ...input,
      accuracy: { dataset: 'qa', baseline: 'server_crash: died', agents: {} },
    });
    expect(noBase.agents[0]?.verdict?.verdict).toBe('probe_failed');
    expect(noBase.agents[0]?.verdict?.reason).toContain('baseline: server_crash');
    expect(noBase.agents[0]?.credited).toBe(true);
  });
});
