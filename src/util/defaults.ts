/**
 * Every default of a run, declared once: the command line's options, the bench job, the attempt,
 * the worker and the verdict policy all read them here.
 */
export const RUN_DEFAULTS = {
  /** measured rounds per variant */
  repeats: 5,
  /** warm-up rounds before them, not measured */
  warmup: 1,
  /** the verdicts' band, percent (the published benchmark's ±5%) */
  thresholdPct: 5,
  /** tokens per answer of the optional accuracy check */
  accuracyMaxTokens: 256,
  /** percentage points below the baseline an agent may score on the accuracy check */
  accuracyTolerancePts: 2,
  /** an agent attempt's wall-clock budget, minutes, and its turn budget (no cost budget unless given) */
  attemptTimeMin: 120,
  attemptMaxTurns: 100,
  /** attempts per agent and task */
  attempts: 1,
  /** agent attempts at once in one process */
  agentConcurrency: 2,
  /** retries of a bench job that failed for infrastructure reasons, and the first back-off (doubling) */
  jobRetries: 1,
  jobRetryBackoffS: 5,
  /** retries of a measured phase that failed for infrastructure reasons, inside its job */
  phaseRetries: 1,
  /** retries of an agent attempt that hit an infrastructure failure (rate limit), and the first back-off */
  attemptRetries: 2,
  attemptRetryBackoffS: 30,
  /** how much faster a rehearsal's stand-in engine runs in the human's image */
  rehearseHumanSpeedup: 1.25,
  /** the key prefix of the queues on Redis */
  queuePrefix: 'isobench',
  /** a worker's job lock: a worker silent this long loses its job to another */
  workerLockMs: 30_000,
  /** agent attempts at once on a worker */
  workerAgentSlots: 2,
} as const;

/** The image sandboxes run in when no per-commit image is asked for (scripts/base-image.sh). */
export const BASE_IMAGE = 'isobench-base:bookworm';
/** The rehearsal images' base: the stand-in engine in place of vLLM's runtime (scripts/rehearse-image.sh). */
export const REHEARSE_BASE_IMAGE = 'isobench-rehearse-base:bookworm';
