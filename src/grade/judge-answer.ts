/**
 * The soft-metric judge's answer and its cache entry, declared once (types inferred); no Node
 * imports, so the stored records' schemas (src/store/schema.ts) can include them. The judge itself
 * is ./judge.ts.
 */
import { type Shape, z } from '../util/zod.js';

/** The version of the rubric (prompt and answer schema); a change invalidates cached answers. */
export const RUBRIC_VERSION = 1;
/** The version of cached answer files. */
export const JUDGE_CACHE_VERSION = 1;

export const TARGETING = ['same', 'related', 'different', 'none'] as const;
export const APPROACH = ['similar', 'valid_alternative', 'partial', 'ineffective'] as const;

/** The judge's answer. */
export const JudgeAnswerSchema = z.strictObject({
  targeting: z.enum(TARGETING),
  approach: z.enum(APPROACH),
  reason: z.string().check(z.minLength(1), z.maxLength(1000)),
});
export type JudgeAnswer = Shape<typeof JudgeAnswerSchema>;

/**
 * A cached answer (`<cacheDir>/<key>.json`). The stored-record kind `judge-cache` of
 * store/schema.ts; read here with this schema (grade sits below the store).
 */
export const JudgeCacheSchema = z.object({
  schemaVersion: z.literal(JUDGE_CACHE_VERSION),
  key: z.string(),
  rubricVersion: z.number(),
  provider: z.enum(['anthropic', 'openai']),
  model: z.string(),
  task: z.string(),
  patchSha256: z.string(),
  answer: JudgeAnswerSchema,
  at: z.string(),
});
/** A cached answer. */
export type JudgeCacheEntry = Shape<typeof JudgeCacheSchema>;
