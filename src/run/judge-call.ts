/**
 * Asking the judge (src/grade/judge.ts holds the rubric, the question and the answer's check): a
 * forced tool call to the Anthropic or OpenAI API, answers cached by their key under the cache
 * folder (`<cache-root>/judge/<key>.json`, read through the store's reader), so a second report
 * costs nothing. A failure of the call or of the answer is a judge failure, never cached.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkedAnswer,
  JUDGE_CACHE_VERSION,
  JUDGE_TOOL,
  type JudgeAnswer,
  type JudgeCacheEntry,
  type JudgeInput,
  type JudgeResult,
  judgeKey,
  judgeQuestion,
  RUBRIC,
  RUBRIC_VERSION,
  sha256,
} from '../grade/judge.js';
import { readStoredIfThere } from '../store/read.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { errorMessage } from '../util/errors.js';

/** Which judge, and where answers are cached. */
export interface JudgeConfig {
  readonly provider: 'anthropic' | 'openai';
  readonly model: string;
  readonly apiKey: string | null;
  readonly baseUrl?: string;
  readonly cacheDir: string;
  readonly maxTokens?: number;
  /** characters of each diff shown (longer ones are cut, and the judge is told so) */
  readonly maxDiffChars?: number;
}

/** Asks the judge once; throws when the call fails or its answer does not fit the rubric. */
async function ask(input: JudgeInput, cfg: JudgeConfig): Promise<JudgeAnswer> {
  const text = judgeQuestion(input, cfg.maxDiffChars ?? 40_000);
  if (cfg.provider === 'anthropic') {
    const { default: Anthropic } = await import('@anthropic-ai/sdk');
    const client = new Anthropic({ apiKey: cfg.apiKey ?? 'none', baseURL: cfg.baseUrl, maxRetries: 2 });
    const msg = await client.messages.create({
      model: cfg.model,
      max_tokens: cfg.maxTokens ?? 1024,
      system: RUBRIC,
      messages: [{ role: 'user', content: text }],
      tools: [
        {
          name: JUDGE_TOOL.name,
          description: JUDGE_TOOL.description,
          input_schema: { ...JUDGE_TOOL.parameters, required: [...JUDGE_TOOL.parameters.required] },
        },
      ],
      tool_choice: { type: 'tool', name: JUDGE_TOOL.name },
    });
    const call = msg.content.find((b) => b.type === 'tool_use' && b.name === JUDGE_TOOL.name);
    if (call?.type !== 'tool_use') throw new Error(`the judge did not call ${JUDGE_TOOL.name}`);
    return checkedAnswer(call.input);
  }
  const { default: OpenAI } = await import('openai');
  const client = new OpenAI({ apiKey: cfg.apiKey ?? 'none', baseURL: cfg.baseUrl, maxRetries: 2 });
  const res = await client.chat.completions.create({
    model: cfg.model,
    messages: [
      { role: 'system', content: RUBRIC },
      { role: 'user', content: text },
    ],
    tools: [{ type: 'function', function: { ...JUDGE_TOOL } }],
    tool_choice: { type: 'function', function: { name: JUDGE_TOOL.name } },
  });
  const call = res.choices[0]?.message.tool_calls?.find(
    (c) => c.type === 'function' && c.function.name === JUDGE_TOOL.name,
  );
  if (call?.type !== 'function') throw new Error(`the judge did not call ${JUDGE_TOOL.name}`);
  let args: unknown;
  try {
    args = JSON.parse(call.function.arguments);
  } catch {
    throw new Error(`the judge's arguments are not JSON: ${call.function.arguments.slice(0, 200)}`);
  }
  return checkedAnswer(args);
}

/** A cached answer, or null: a missing, unreadable or other-version entry is a miss (asked again). */
async function cached(file: string): Promise<JudgeAnswer | null> {
  // an unreadable entry is a miss: the judge is asked again and the entry rewritten
  const entry = await readStoredIfThere('judge-cache', file).catch(() => null);
  return entry?.answer ?? null;
}

/** Judges one patch, from the cache when the same question was answered before. */
export async function judgePatch(input: JudgeInput, cfg: JudgeConfig): Promise<JudgeResult> {
  const key = judgeKey(input, cfg);
  const file = join(cfg.cacheDir, `${key}.json`);
  const hit = await cached(file);
  if (hit)
    return { status: 'judged', answer: hit, cached: true, rubricVersion: RUBRIC_VERSION, model: cfg.model };
  try {
    const answer = await ask(input, cfg);
    const entry: JudgeCacheEntry = {
      schemaVersion: JUDGE_CACHE_VERSION,
      key,
      rubricVersion: RUBRIC_VERSION,
      provider: cfg.provider,
      model: cfg.model,
      task: input.task,
      patchSha256: sha256(input.agentPatch),
      answer,
      at: new Date().toISOString(),
    };
    await mkdir(cfg.cacheDir, { recursive: true });
    await writeFileAtomic(file, `${JSON.stringify(entry, null, 2)}\n`);
    return { status: 'judged', answer, cached: false, rubricVersion: RUBRIC_VERSION, model: cfg.model };
  } catch (e) {
    const status = e instanceof Error && 'status' in e && typeof e.status === 'number' ? e.status : undefined;
    return {
      status: 'judge_failed',
      detail: `${status ? `HTTP ${status}: ` : ''}${errorMessage(e).split('\n')[0]?.slice(0, 300)}`,
      rubricVersion: RUBRIC_VERSION,
      model: cfg.model,
    };
  }
}
