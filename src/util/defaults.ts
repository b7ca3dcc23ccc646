/**
 * The defaults of a measurement and its grade, declared once: the command line's options, the bench
 * job and the verdict policy all read them here (they used to repeat in three places each).
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
} as const;
