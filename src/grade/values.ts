/**
 * The values a grade holds, each declared once as a zod schema with its type inferred: the grade's
 * modules compute them, src/store/schema.ts composes the stored records (job.json, the extended
 * rows) from these same schemas, so a writer and the record's reader cannot disagree. No Node
 * imports: the HTML report's page script may bundle them.
 */
import { type Shape, z } from '../util/zod.js';
import { FAILURE_CLASSES, type FailureClass } from './taxonomy.js';

const isFailureClass = (k: string): k is FailureClass => Object.hasOwn(FAILURE_CLASSES, k);
const CLASSES = Object.keys(FAILURE_CLASSES).filter(isFailureClass);

/** A failure class (src/grade/taxonomy.ts). */
export const FailureClassSchema = z.enum(CLASSES);
/** A phase's, variant's or job's status: ok, or the one class of its failure. */
export const StatusSchema = z.enum(['ok', ...CLASSES]);
/** A failure: its class and what happened. */
export const FailureSchema = z.object({ class: FailureClassSchema, detail: z.string() });
export type Failure = Shape<typeof FailureSchema>;

/** Spread of one variant's samples. */
export const SummarySchema = z.object({
  n: z.number(),
  mean: z.number(),
  /** sample standard deviation (n-1); 0 for n = 1 */
  sd: z.number(),
  /** coefficient of variation, percent of the mean */
  cvPct: z.number(),
  min: z.number(),
  max: z.number(),
});
export type Summary = Shape<typeof SummarySchema>;

/** An estimate with its confidence interval, in percent improvement (positive = better). */
export const IntervalSchema = z.object({
  estimate: z.number(),
  lo: z.number(),
  hi: z.number(),
  level: z.number(),
});
export type Interval = Shape<typeof IntervalSchema>;

/** The verdict on one agent patch. */
export const VerdictSchema = z.enum([
  'beats_human',
  'matches_human',
  'below_human',
  'no_gain',
  'regression',
  'inconclusive',
  /** faster or not, its outputs differ from the baseline's beyond the tolerance: no speed credit */
  'diverged',
  /** its own correctness probe failed (e.g. the server died answering it): no speed credit */
  'probe_failed',
  /** faster, but its accuracy on the run's dataset fell below the baseline's beyond the tolerance */
  'accuracy_dropped',
]);
export type Verdict = Shape<typeof VerdictSchema>;

/** A verdict and why. */
export const VerdictResultSchema = z.object({ verdict: VerdictSchema, reason: z.string() });
export type VerdictResult = Shape<typeof VerdictResultSchema>;

/** A bound that may be unbounded (JSON holds Infinity as null; the store's reader puts it back). */
const BOUND = z.union([z.number(), z.literal(Number.POSITIVE_INFINITY)]);

/** What a variant may differ by, calibrated from the human against the baseline. */
export const ToleranceSchema = z.object({
  /** outputs allowed not to match exactly (all of them within the top-k) */
  maxNonExact: z.number(),
  /** the largest absolute difference allowed on numeric outputs */
  maxAbsDiff: BOUND,
  /** where it came from */
  source: z.enum(['human', 'exact']),
  detail: z.string(),
});
export type Tolerance = Shape<typeof ToleranceSchema>;

/** The verdict on a variant's outputs. */
export const EquivalenceVerdictSchema = z.enum(['equivalent', 'diverged', 'probe_failed', 'unchecked']);
export type EquivalenceVerdict = Shape<typeof EquivalenceVerdictSchema>;

/** The equivalence result stored with a variant. */
export const EquivalenceSchema = z.object({
  verdict: EquivalenceVerdictSchema,
  reason: z.string(),
  exactRate: z.nullable(z.number()),
  firstDivergence: z.nullable(z.number()),
  maxAbsDiff: z.nullable(z.number()),
  examples: z.array(z.string()),
  tolerance: z.nullable(ToleranceSchema),
});
export type Equivalence = Shape<typeof EquivalenceSchema>;

/** A whole probe compared, without the per-output details. */
export const ComparisonSummarySchema = z.object({
  compared: z.number(),
  exact: z.number(),
  nonExact: z.number(),
  /** token outputs that diverged outside the top-k, or missing outputs */
  far: z.number(),
  missing: z.array(z.string()),
  firstDivergence: z.nullable(z.number()),
  maxAbsDiff: BOUND,
});
export type ComparisonSummary = Shape<typeof ComparisonSummarySchema>;

/** The job's correctness check: the tolerance the human set, and the human's own divergence. */
export const JobEquivalenceSchema = z.object({
  probe: z.nullable(z.enum(['completions', 'script'])),
  tolerance: z.nullable(ToleranceSchema),
  /** human vs baseline: what calibrated the tolerance */
  human: z.nullable(ComparisonSummarySchema),
  detail: z.string(),
});
export type JobEquivalence = Shape<typeof JobEquivalenceSchema>;

/** An accuracy score. */
export const AccuracyScoreSchema = z.object({ correct: z.number(), total: z.number(), pct: z.number() });
export type AccuracyScore = Shape<typeof AccuracyScoreSchema>;

/** The accuracy verdict of an agent. */
export const AccuracyResultSchema = z.object({
  baseline: AccuracyScoreSchema,
  agent: AccuracyScoreSchema,
  /** agent minus baseline, percentage points */
  deltaPts: z.number(),
  tolerancePts: z.number(),
  passed: z.boolean(),
  dataset: z.string(),
});
export type AccuracyResult = Shape<typeof AccuracyResultSchema>;

/** What a variant is to grading: its id and kind, its reference, and what kept it from being measured. */
export const MeasuredVariantSchema = z.object({
  id: z.string(),
  kind: z.enum(['baseline', 'human', 'agent']),
  /** what an agent's gain is measured against, when not the baseline (a native patch: the parent rebuilt) */
  reference: z.optional(z.string()),
  /** what kept it from being measured (prepare, setup), null when it was measured */
  failure: z.nullable(FailureSchema),
});
export type MeasuredVariant = Shape<typeof MeasuredVariantSchema>;

/** A variant's measured rounds, graded. */
export const VariantGradeSchema = z.object({
  status: StatusSchema,
  detail: z.string(),
  /** the primary metric of each measured round */
  samples: z.array(z.number()),
  summary: z.nullable(SummarySchema),
  /** mean over measured rounds of every metric the parser read */
  means: z.record(z.string(), z.number()),
});
export type VariantGrade = Shape<typeof VariantGradeSchema>;

/** The verdict on one agent variant. */
export const AgentJudgementSchema = z.object({
  variant: z.string(),
  agentVsBaseline: z.nullable(IntervalSchema),
  agentVsHuman: z.nullable(IntervalSchema),
  verdict: z.nullable(VerdictResultSchema),
  failure: z.nullable(FailureClassSchema),
  /** its outputs against the baseline's (unchecked when the task has no probe) */
  equivalence: z.nullable(EquivalenceSchema),
  /** whether its speed verdict counts: outputs equivalent, or not checkable for reasons not its own */
  credited: z.boolean(),
  /** the optional accuracy check (only for agents whose speed verdict shows a gain) */
  accuracy: z.nullable(AccuracyResultSchema),
});
export type AgentJudgement = Shape<typeof AgentJudgementSchema>;

/** A job's grade: each variant's, the human against the baseline, whether the task held, each agent's. */
export const JobGradeSchema = z.object({
  /** by variant id, in the input's order */
  variants: z.array(z.object({ ...VariantGradeSchema.shape, id: z.string() })),
  humanVsBaseline: z.nullable(IntervalSchema),
  validity: z.object({ valid: z.boolean(), reason: z.string() }),
  /** the failure of the job as a whole (baseline or human), null when both were measured */
  failure: z.nullable(FailureSchema),
  agents: z.array(AgentJudgementSchema),
  equivalence: JobEquivalenceSchema,
});
export type JobGrade = Shape<typeof JobGradeSchema>;

/** Verdict policy. */
export const VerdictPolicySchema = z.object({
  /** percent; default 5 */
  thresholdPct: z.number(),
});
export type VerdictPolicy = Shape<typeof VerdictPolicySchema>;

/** How the tolerance is derived: extra non-exact outputs and a factor on the human's numeric deviation. */
export const EquivalencePolicySchema = z.object({ extraNonExact: z.number(), absDiffFactor: z.number() });
export type EquivalencePolicy = Shape<typeof EquivalencePolicySchema>;

/** How to grade. */
export const GradePolicySchema = z.object({
  verdict: VerdictPolicySchema,
  equivalence: EquivalencePolicySchema,
  /** how many percentage points of accuracy an agent may lose against the baseline */
  accuracyTolerancePts: z.number(),
});
export type GradePolicy = Shape<typeof GradePolicySchema>;

/** The accuracy check as measured: a score, or why there is none, for the baseline and each agent asked. */
export const AccuracyReadingsSchema = z.object({
  dataset: z.string(),
  baseline: z.union([AccuracyScoreSchema, z.string()]),
  agents: z.record(z.string(), z.union([AccuracyScoreSchema, z.string()])),
});
export type AccuracyReadings = Shape<typeof AccuracyReadingsSchema>;

/**
 * Adaptive rounds (src/grade/sequential.ts): the job looks after `minRounds` rounds and after every
 * round up to its most (the run's repeats), spends α = 0.05 over those looks by `spending`, and stops
 * once every verdict is decided.
 */
export const AdaptiveSchema = z.object({
  minRounds: z.number().check(z.int(), z.minimum(2)),
  spending: z.enum(['pocock', 'obrien-fleming']),
});
export type Adaptive = Shape<typeof AdaptiveSchema>;

/**
 * How a job measured, as grading must know it: at most `maxRounds` server starts (rounds) a variant,
 * `clientRuns` measured client runs on each start (their mean is the start's sample), and the
 * adaptive looks, or null for fixed rounds (the percentile bootstrap).
 */
export const DesignSchema = z.object({
  maxRounds: z.number().check(z.int(), z.minimum(1)),
  clientRuns: z.number().check(z.int(), z.minimum(1)),
  adaptive: z.nullable(AdaptiveSchema),
});
export type Design = Shape<typeof DesignSchema>;

/** One look of an adaptive job: after how many measured rounds, its intervals' level, and the agents still undecided. */
export const LookSchema = z.object({
  rounds: z.number(),
  level: z.number(),
  undecided: z.array(z.string()),
});
export type Look = Shape<typeof LookSchema>;

/**
 * Why a job's rounds ended: `fixed` (its rounds were fixed), `decided` (every verdict was decided at
 * a look), `max_rounds` (the most rounds were run with a verdict still open), `nothing_to_decide`
 * (no agent and no human gain left to decide: each failed or was refused).
 */
export const StopSchema = z.object({
  reason: z.enum(['fixed', 'decided', 'max_rounds', 'nothing_to_decide']),
  /** the measured rounds the job ran */
  rounds: z.number(),
  detail: z.string(),
  looks: z.array(LookSchema),
});
export type Stop = Shape<typeof StopSchema>;
