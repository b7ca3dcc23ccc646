/**
 * Soft metrics: an LLM judge compares the agent's patch with the human's diff and the task's
 * bottleneck statement, and says whether the agent targeted the same bottleneck (same, related,
 * different, none) and how its approach compares (similar, valid alternative, partial, ineffective),
 * with a short reason. This file is the judge without I/O: the rubric (versioned), the question,
 * the answer's schema and its check, the cache key (rubric version, provider, judge model, task,
 * patch hash) and entry, and the quadrants; asking a model and the cache files are
 * src/run/judge-call.ts. A judge that fails (HTTP error, no tool call, an answer outside the
 * schema) is a judge failure, never a verdict, and never cached.
 *
 * Quadrants cross the hard verdict (measured: credited and at least matching the human) with the
 * soft one (targeting same or related): true success, good intent, lucky win, failure.
 */
import { createHash } from 'node:crypto';
import { APPROACH, type JudgeAnswer, JudgeAnswerSchema, RUBRIC_VERSION, TARGETING } from './judge-answer.js';

export {
  APPROACH,
  JUDGE_CACHE_VERSION,
  type JudgeAnswer,
  JudgeAnswerSchema,
  type JudgeCacheEntry,
  JudgeCacheSchema,
  RUBRIC_VERSION,
  TARGETING,
} from './judge-answer.js';

/** The tool the judge must call (JSON Schema of JudgeAnswerSchema). */
export const JUDGE_TOOL = {
  name: 'record_judgement',
  description: 'Record the judgement of the agent patch.',
  parameters: {
    type: 'object',
    properties: {
      targeting: {
        type: 'string',
        enum: [...TARGETING],
        description: 'the bottleneck the agent worked on, against the human',
      },
      approach: {
        type: 'string',
        enum: [...APPROACH],
        description: 'how the approach compares with the human',
      },
      reason: { type: 'string', description: 'one to three sentences, citing the files or functions' },
    },
    required: ['targeting', 'approach', 'reason'],
    additionalProperties: false,
  },
} as const;

export const RUBRIC = `You judge a coding agent's attempt to optimise a performance bottleneck in a real repository.
You get the task's bottleneck statement, the human expert's optimising diff, and the agent's patch.
Judge only from the diffs; do not guess at measurements.
targeting: "same" when the agent changed the code path the human optimised for the same cause;
"related" when it optimised the same component or a neighbouring cause of that bottleneck;
"different" when it optimised something else; "none" when the patch optimises nothing (empty,
cosmetic, tests or benchmarks only).
approach: "similar" when the technique matches the human's; "valid_alternative" when a different
technique would plausibly remove the same cost; "partial" when it addresses part of it;
"ineffective" when it would not plausibly speed anything up.
Answer by calling record_judgement once.`;

/** What is judged. */
export interface JudgeInput {
  readonly task: string;
  readonly statement: string;
  readonly humanDiff: string;
  readonly agentPatch: string;
}

/** The judge's result for one patch. */
export type JudgeResult =
  | {
      readonly status: 'judged';
      readonly answer: JudgeAnswer;
      readonly cached: boolean;
      readonly rubricVersion: number;
      readonly model: string;
    }
  | {
      readonly status: 'judge_failed';
      readonly detail: string;
      readonly rubricVersion: number;
      readonly model: string;
    };

/** sha256 of a text, hex. */
export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The cache key of an answer. */
export function judgeKey(
  input: JudgeInput,
  cfg: { readonly provider: string; readonly model: string },
): string {
  return sha256(
    JSON.stringify([
      RUBRIC_VERSION,
      cfg.provider,
      cfg.model,
      input.task,
      sha256(input.agentPatch),
      sha256(input.humanDiff),
    ]),
  );
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n[... cut: ${text.length - max} more characters]`;
}

/** The question put to the judge, each diff cut at `max` characters (and the judge told so). */
export function judgeQuestion(input: JudgeInput, max: number): string {
  return [
    `Task: ${input.task}`,
    `Bottleneck statement:\n${input.statement}`,
    `Human diff:\n${cut(input.humanDiff, max)}`,
    `Agent patch:\n${input.agentPatch.trim() ? cut(input.agentPatch, max) : '(empty)'}`,
  ].join('\n\n');
}

/** The answer inside a tool call, checked; an error names what is wrong. */
export function checkedAnswer(raw: unknown): JudgeAnswer {
  const r = JudgeAnswerSchema.safeParse(raw);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new Error(`the answer does not fit the rubric: ${i?.path.join('.') || '(root)'}: ${i?.message}`);
}

/** The published quadrants. */
export type Quadrant = 'true_success' | 'good_intent' | 'lucky_win' | 'failure';

/** Hard success: the speed verdict counts (outputs equivalent) and the agent at least matches the human. */
export function hardSuccess(row: { verdict: string | null; credited: boolean }): boolean {
  return row.credited && (row.verdict === 'beats_human' || row.verdict === 'matches_human');
}

/** Soft success: the agent targeted the human's bottleneck (same or related). */
export function softSuccess(answer: JudgeAnswer): boolean {
  return answer.targeting === 'same' || answer.targeting === 'related';
}

/** The quadrant of a row, or null when the judge gave no answer (a judge failure is no verdict). */
export function quadrant(hard: boolean, judged: JudgeResult | null): Quadrant | null {
  if (judged?.status !== 'judged') return null;
  const soft = softSuccess(judged.answer);
  return hard ? (soft ? 'true_success' : 'lucky_win') : soft ? 'good_intent' : 'failure';
}
