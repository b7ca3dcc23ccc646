/**
 * The grade of a bench job, from what was measured: the workload check, each variant's samples and
 * summary, the human's gain and the task's validity here, output equivalence against the baseline
 * (the human setting the tolerance), every agent's verdict, and the optional accuracy check. Pure: no
 * I/O, no clock; the same measurement and policy give the same grade, so a finished run can be
 * graded again offline (`isobench regrade`).
 */

import { RUN_DEFAULTS } from '../util/defaults.js';
import {
  type Comparison,
  calibrate,
  compareOutputs,
  DEFAULT_EQUIVALENCE_POLICY,
  type Equivalence,
  judgeEquivalence,
  type ProbeOutput,
} from './equivalence.js';
import { clusterMeans, levelAtLook, logImprovement, looksOf, MIN_CLUSTERS } from './sequential.js';
import { bootstrapImprovement, summarize, tooFewSamples } from './stats.js';
import { type FailureClass, isInfra } from './taxonomy.js';
import type {
  AccuracyReadings,
  AccuracyResult,
  AgentJudgement,
  Design,
  GradePolicy,
  Interval,
  JobEquivalence,
  JobGrade,
  MeasuredVariant,
  VariantGrade,
} from './values.js';
import { agentVerdict, DEFAULT_POLICY, taskValidity } from './verdict.js';

export type {
  AccuracyReadings,
  AgentJudgement,
  GradePolicy,
  JobEquivalence,
  JobGrade,
  MeasuredVariant,
  VariantGrade,
};

/** One measured phase, as grading reads it (the bench job's phase record is one). */
export interface MeasuredPhase {
  readonly variant: string;
  readonly round: number;
  readonly warmup: boolean;
  readonly status: 'ok' | FailureClass;
  readonly detail: string;
  readonly metrics: Readonly<Record<string, { readonly value: number }>>;
  readonly probe: { readonly status: string; readonly detail: string } | null;
  /** each client run on the phase's server when it ran several (its `metrics` are their mean) */
  readonly runs?: ReadonlyArray<{ readonly metrics: Readonly<Record<string, { readonly value: number }>> }>;
}

/** A variant's correctness-probe outputs, as read from its last measured round, or why there are none. */
export type ProbeReading = { readonly outputs: readonly ProbeOutput[] } | { readonly failed: string };

/** Everything grading needs to know of a job. */
export interface JobGradeInput {
  readonly task: string;
  readonly primaryMetric: { readonly name: string; readonly direction: 'lower' | 'higher' };
  /** the task's correctness probe, or null when it has none */
  readonly probe: 'completions' | 'script' | null;
  readonly variants: readonly MeasuredVariant[];
  /** every phase, warm-up rounds included, as measured */
  readonly phases: readonly MeasuredPhase[];
  /** by variant id; a variant without a reading ran no probe */
  readonly probes: Readonly<Record<string, ProbeReading>>;
  readonly accuracy: AccuracyReadings | null;
  /** how the job measured: rounds, client runs a server start, adaptive looks */
  readonly design: Design;
}

/** The default policy: ±5%, the human's divergence as tolerance, 2 accuracy points. */
export const DEFAULT_GRADE_POLICY: GradePolicy = {
  verdict: DEFAULT_POLICY,
  equivalence: DEFAULT_EQUIVALENCE_POLICY,
  accuracyTolerancePts: RUN_DEFAULTS.accuracyTolerancePts,
};

/**
 * Metrics whose totals must be the same for every variant of a serving job (the workload). Generated
 * tokens are not among them: without --ignore-eos a different (equivalent or not) kernel may stop a
 * sequence earlier; where the workload fixes them, the spec's `expect` checks them in each phase.
 */
export const WORKLOAD_COUNTS = ['completed', 'total_input_tokens'] as const;

/** The verdicts that show a gain: only these agents are asked the accuracy questions. */
const GAIN = new Set(['beats_human', 'matches_human', 'below_human']);

/** The measured phases, each variant's checked against the baseline's workload. */
function checkWorkload(phases: readonly MeasuredPhase[]): MeasuredPhase[] {
  const measured = phases.filter((p) => !p.warmup);
  const reference = measured.find((p) => p.variant === 'baseline' && p.status === 'ok');
  return measured.map((p) => {
    if (p.status !== 'ok' || !reference || p.variant === 'baseline') return p;
    const off = WORKLOAD_COUNTS.filter(
      (m) => reference.metrics[m] && p.metrics[m] && reference.metrics[m]?.value !== p.metrics[m]?.value,
    );
    if (!off.length) return p;
    return {
      ...p,
      status: 'workload_mismatch' as const,
      detail: `not the baseline's workload: ${off.map((m) => `${m} ${p.metrics[m]?.value} (baseline ${reference.metrics[m]?.value})`).join(', ')}`,
    };
  });
}

function gradeVariant(v: MeasuredVariant, mine: readonly MeasuredPhase[], primary: string): GradedVariant {
  if (v.failure)
    return {
      id: v.id,
      status: v.failure.class,
      detail: v.failure.detail,
      samples: [],
      summary: null,
      means: {},
    };
  const ok = mine.filter((p) => p.status === 'ok');
  const bad = mine.find((p) => p.status !== 'ok');
  // one sample a round (server start): the mean of its client runs
  const samples = clusterMeans(
    ok.flatMap((p) =>
      (p.runs?.length ? p.runs : [p]).flatMap((r) => {
        const value = r.metrics[primary]?.value;
        return value === undefined ? [] : [{ cluster: p.round, value }];
      }),
    ),
  );
  const means: Record<string, number> = {};
  for (const name of Object.keys(ok[0]?.metrics ?? {})) {
    const vals = ok.map((p) => p.metrics[name]?.value).filter((x): x is number => x !== undefined);
    if (vals.length === ok.length) means[name] = vals.reduce((a, b) => a + b, 0) / vals.length;
  }
  return {
    id: v.id,
    status: bad ? bad.status : 'ok',
    detail: bad ? `round ${bad.round}: ${bad.detail}` : '',
    samples,
    summary: samples.length ? summarize(samples) : null,
    means,
  };
}

/** A comparison's summary: all but its per-output rows. */
function withoutOutputs({ outputs: _outputs, ...summary }: Comparison): Omit<Comparison, 'outputs'> {
  return summary;
}

/** Outputs against the baseline's, the human's divergence setting the tolerance. */
function equivalenceGrader(input: JobGradeInput, policy: GradePolicy) {
  const reading = (id: string): ProbeReading | null =>
    input.probe ? (input.probes[id] ?? { failed: 'no probe ran (its last round did not complete)' }) : null;
  const baseProbe = reading('baseline');
  const humanProbe = reading('human');
  const baseOutputs = baseProbe && 'outputs' in baseProbe ? baseProbe.outputs : null;
  const humanCmp =
    baseOutputs && humanProbe && 'outputs' in humanProbe
      ? compareOutputs(baseOutputs, humanProbe.outputs)
      : null;
  const tolerance = baseOutputs ? calibrate(humanCmp, policy.equivalence) : null;
  const baseFailed = baseProbe && 'failed' in baseProbe ? baseProbe.failed : '';
  const of = (id: string): Equivalence => {
    const none = { exactRate: null, firstDivergence: null, maxAbsDiff: null, examples: [], tolerance };
    if (!input.probe)
      return { ...none, verdict: 'unchecked', reason: `${input.task} has no correctness probe` };
    if (!baseOutputs || !tolerance)
      return { ...none, verdict: 'unchecked', reason: `the baseline's probe failed: ${baseFailed}` };
    const mine = reading(id);
    if (!mine || 'failed' in mine)
      return {
        ...none,
        verdict: 'probe_failed',
        reason: mine && 'failed' in mine ? mine.failed : 'no probe',
      };
    return judgeEquivalence(compareOutputs(baseOutputs, mine.outputs), tolerance);
  };
  const job: JobEquivalence = {
    probe: input.probe,
    tolerance,
    human: humanCmp ? withoutOutputs(humanCmp) : null,
    detail: !input.probe
      ? 'no correctness probe: outputs unchecked'
      : !tolerance
        ? `the baseline's probe failed: ${baseFailed}`
        : tolerance.detail,
  };
  return { of, job };
}

/** An agent's judgement once its accuracy reading is in. */
function withAccuracy(a: AgentJudgement, readings: AccuracyReadings, tolerancePts: number): AgentJudgement {
  const base = readings.baseline;
  const mine = typeof base === 'string' ? base : readings.agents[a.variant];
  if (mine === undefined)
    return {
      ...a,
      verdict: a.verdict && {
        ...a.verdict,
        reason: `${a.verdict.reason} (its accuracy was not measured in this run)`,
      },
    };
  if (typeof mine === 'string' || typeof base === 'string')
    return {
      ...a,
      accuracy: null,
      verdict: {
        verdict: 'probe_failed',
        reason: `the accuracy check failed: ${typeof base === 'string' ? `baseline: ${base}` : mine}`,
      },
      credited: typeof base === 'string',
    };
  const deltaPts = mine.pct - base.pct;
  const result: AccuracyResult = {
    baseline: base,
    agent: mine,
    deltaPts,
    tolerancePts,
    passed: deltaPts >= -tolerancePts,
    dataset: readings.dataset,
  };
  if (result.passed) return { ...a, accuracy: result };
  return {
    ...a,
    accuracy: result,
    credited: false,
    verdict: {
      verdict: 'accuracy_dropped',
      reason: `accuracy ${mine.pct.toFixed(1)}% vs the baseline's ${base.pct.toFixed(1)}% (${deltaPts.toFixed(1)} points, tolerance ${tolerancePts}) (speed alone: ${a.verdict?.verdict})`,
    },
  };
}

/** The agents whose speed verdict shows a gain with outputs that count: those the accuracy check asks. */
export function accuracyCandidates(grade: Pick<JobGrade, 'agents'>): string[] {
  return grade.agents
    .filter((a) => a.credited && a.verdict && GAIN.has(a.verdict.verdict))
    .map((a) => a.variant);
}

type GradedVariant = VariantGrade & { id: string };

/** How the job's intervals are made, by its design. */
interface Intervals {
  /** the improvement of `subject` over `reference` with its interval, or null */
  readonly compare: (reference: readonly number[], subject: readonly number[]) => Interval | null;
  /** why two sample sets give no interval, or null when they do */
  readonly tooFew: (
    reference: { readonly id: string; readonly n: number },
    subject: { readonly id: string; readonly n: number },
  ) => string | null;
}

/** The measured rounds of a job: the rounds with a measured (not warm-up) phase. */
export function measuredRounds(phases: readonly MeasuredPhase[]): number {
  return new Set(phases.filter((p) => !p.warmup).map((p) => p.round)).size;
}

/**
 * Fixed rounds: the percentile bootstrap at 95%. Adaptive rounds: Welch's interval on the server
 * starts' logs at the level the job's last look spent (sequential.ts), so that a verdict read at
 * whichever look stopped the job keeps the overall 95%.
 */
function intervalsOf(input: JobGradeInput, better: 'lower' | 'higher'): Intervals {
  const { design } = input;
  if (!design.adaptive)
    return { compare: (r, s) => bootstrapImprovement(r, s, better), tooFew: (r, s) => tooFewSamples(r, s) };
  const looks = looksOf(design.adaptive, design.maxRounds);
  const rounds = measuredRounds(input.phases);
  if (rounds < looks.minRounds)
    return {
      compare: () => null,
      tooFew: () =>
        `the job measured ${rounds} round(s), fewer than its first look (after round ${looks.minRounds}): no interval, no verdict`,
    };
  const level = levelAtLook(looks, Math.min(rounds, looks.maxRounds));
  return {
    compare: (r, s) => logImprovement(r, s, better, level),
    tooFew: (r, s) => {
      const short = [r, s].filter((x) => x.n < MIN_CLUSTERS);
      return short.length
        ? `${short.map((x) => `${x.id} has ${x.n} measured round(s)`).join(', ')}: Welch's interval needs ${MIN_CLUSTERS} server starts a side`
        : null;
    },
  };
}

/** What the references say: baseline and human with their samples, the human's gain, the task's validity here, the job's failure. */
interface References {
  readonly byId: ReadonlyMap<string, GradedVariant>;
  /** the baseline, when it measured samples */
  readonly baseline: GradedVariant | null;
  /** the human, when it measured samples */
  readonly human: GradedVariant | null;
  readonly humanVsBaseline: JobGrade['humanVsBaseline'];
  readonly validity: JobGrade['validity'];
  readonly failure: JobGrade['failure'];
}

function measured(v: GradedVariant | undefined): GradedVariant | null {
  return v?.status === 'ok' && v.samples.length > 0 ? v : null;
}

function referencesOf(variants: readonly GradedVariant[], intervals: Intervals): References {
  const byId = new Map(variants.map((r) => [r.id, r]));
  const baselineGrade = byId.get('baseline');
  const humanGrade = byId.get('human');
  const baseline = measured(baselineGrade);
  const human = measured(humanGrade);
  const humanVsBaseline = baseline && human ? intervals.compare(baseline.samples, human.samples) : null;
  const validity = taskValidity(
    humanVsBaseline,
    baseline ? baseline.summary : null,
    baseline && human
      ? (intervals.tooFew(
          { id: 'baseline', n: baseline.samples.length },
          { id: 'human', n: human.samples.length },
        ) ?? 'no improvement of the human over the baseline is defined')
      : undefined,
  );
  // a baseline or human that failed for the harness's reasons makes the job the harness's failure
  // (retried, never counted); otherwise the task does not hold here
  const infraOf = (v: GradedVariant | undefined) => (v && v.status !== 'ok' && isInfra(v.status) ? v : null);
  const infraRef = infraOf(baselineGrade) ?? infraOf(humanGrade);
  const failure: JobGrade['failure'] = infraRef
    ? { class: 'infra_error', detail: `${infraRef.id}: ${infraRef.status}: ${infraRef.detail}` }
    : !baseline
      ? { class: 'baseline_failed', detail: `${baselineGrade?.status}: ${baselineGrade?.detail}` }
      : !human
        ? { class: 'human_failed', detail: `${humanGrade?.status}: ${humanGrade?.detail}` }
        : null;
  return { byId, baseline, human, humanVsBaseline, validity, failure };
}

/** The speed verdict and the outputs' judgement together: diverged or failed outputs outrank speed. */
function verdictWithOutputs(
  speed: AgentJudgement['verdict'],
  equivalence: Equivalence,
): AgentJudgement['verdict'] {
  if (equivalence.verdict === 'diverged')
    return {
      verdict: 'diverged',
      reason: `outputs differ from the baseline's: ${equivalence.reason}${speed ? ` (speed alone: ${speed.verdict})` : ''}`,
    };
  if (equivalence.verdict === 'probe_failed')
    return { verdict: 'probe_failed', reason: `the correctness probe failed: ${equivalence.reason}` };
  return speed;
}

/** One agent's judgement: against its reference (the baseline, or the parent rebuilt the same way) and the human, with its outputs. */
function judgeAgent(
  r: GradedVariant,
  reference: string | undefined,
  refs: References,
  eq: ReturnType<typeof equivalenceGrader>,
  policy: GradePolicy,
  intervals: Intervals,
): AgentJudgement {
  const none = {
    variant: r.id,
    agentVsBaseline: null,
    agentVsHuman: null,
    verdict: null,
    equivalence: null,
    credited: false,
    accuracy: null,
  };
  if (r.status !== 'ok') return { ...none, failure: r.status };
  if (!refs.baseline) return { ...none, failure: 'baseline_failed' };
  const ref = refs.byId.get(reference ?? 'baseline');
  // a reference of the harness's own making that failed is the harness's failure
  if (ref?.status !== 'ok' || !ref.samples.length)
    return { ...none, failure: ref && ref.id !== 'baseline' ? 'infra_error' : 'baseline_failed' };
  const vsB = intervals.compare(ref.samples, r.samples);
  const vsH = refs.human ? intervals.compare(refs.human.samples, r.samples) : null;
  // too few rounds for an interval: no verdict either, and the reason says so
  const few = intervals.tooFew({ id: ref.id, n: ref.samples.length }, { id: r.id, n: r.samples.length });
  const speed = vsB
    ? agentVerdict(vsB, vsH, policy.verdict)
    : few
      ? { verdict: 'inconclusive' as const, reason: few }
      : null;
  const equivalence = eq.of(r.id);
  return {
    variant: r.id,
    agentVsBaseline: vsB,
    agentVsHuman: vsH,
    verdict: verdictWithOutputs(speed, equivalence),
    failure: null,
    equivalence,
    credited: equivalence.verdict === 'equivalent' || equivalence.verdict === 'unchecked',
    accuracy: null,
  };
}

/** The phases of a job up to its `k`-th measured round (warm-up rounds kept): the job as its look after round `k` saw it. */
function upToRound(phases: readonly MeasuredPhase[], k: number): MeasuredPhase[] {
  const rounds = [...new Set(phases.filter((p) => !p.warmup).map((p) => p.round))].sort((a, b) => a - b);
  const last = rounds[k - 1] ?? Number.POSITIVE_INFINITY;
  return phases.filter((p) => p.warmup || p.round <= last);
}

/**
 * An agent an adaptive job stopped measuring at a look (its verdict was decided there, or it
 * failed) is judged as that look judged it: on every variant's rounds up to it, at its level. Null
 * for an agent measured in every round.
 */
function retiredAt(input: JobGradeInput, variant: string, policy: GradePolicy): AgentJudgement | null {
  if (!input.design.adaptive) return null;
  const own = measuredRounds(input.phases.filter((p) => p.variant === variant));
  if (own === 0 || own >= measuredRounds(input.phases)) return null;
  // the accuracy readings are the caller's to add, once
  const then = gradeJob({ ...input, accuracy: null, phases: upToRound(input.phases, own) }, policy);
  return then.agents.find((a) => a.variant === variant) ?? null;
}

/** Grades a job from its measurement. */
export function gradeJob(input: JobGradeInput, policy: GradePolicy = DEFAULT_GRADE_POLICY): JobGrade {
  const better = input.primaryMetric.direction;
  const checked = checkWorkload(input.phases);
  const variants = input.variants.map((v) =>
    gradeVariant(
      v,
      checked.filter((p) => p.variant === v.id),
      input.primaryMetric.name,
    ),
  );
  const intervals = intervalsOf(input, better);
  const refs = referencesOf(variants, intervals);
  const eq = equivalenceGrader(input, policy);
  let agents = input.variants.flatMap((v) => {
    const r = refs.byId.get(v.id);
    if (v.kind !== 'agent' || !r) return [];
    return [retiredAt(input, v.id, policy) ?? judgeAgent(r, v.reference, refs, eq, policy, intervals)];
  });
  const readings = input.accuracy;
  if (readings) {
    const asked = new Set(accuracyCandidates({ agents }));
    agents = agents.map((a) =>
      asked.has(a.variant) ? withAccuracy(a, readings, policy.accuracyTolerancePts) : a,
    );
  }
  const { humanVsBaseline, validity, failure } = refs;
  return { variants, humanVsBaseline, validity, failure, agents, equivalence: eq.job };
}
