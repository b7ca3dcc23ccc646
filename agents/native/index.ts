/**
 * The native agent: a small agent loop built into isobench on the official SDKs, so a new *model*
 * can be evaluated with no agent CLI. Tools: `bash` (a command in the workspace, through the
 * sandbox), `view_file`, `edit_file` (exact, unique replacement), `write_file` and `finish`.
 * Providers: Anthropic Messages (`@anthropic-ai/sdk`), OpenAI Responses or Chat Completions
 * (`openai`). Budgets are its own: turns (model calls), wall clock, and cost when prices are given.
 * Every raw API response is kept in `agent.responses.jsonl`.
 */
import { appendFile, mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { isAuthStatus } from '../../src/agent/credentials.js';
import type {
  AgentAdapter,
  AgentDeps,
  AgentEvent,
  AgentOutcome,
  AgentRunInput,
  OutcomeKind,
  Usage,
} from '../../src/agent/types.js';
import { NO_USAGE } from '../../src/agent/types.js';
import { errorMessage } from '../../src/util/errors.js';
import { readTextIfThere } from '../../src/util/if-there.js';
import { isJsonObject } from '../../src/util/json.js';
import { type Infer, z } from '../../src/util/zod.js';

/** The native agent's version (recorded as the agent version). */
export const NATIVE_VERSION = 'isobench-native/1';

const OptionsSchema = z.strictObject({
  provider: z.enum(['anthropic', 'openai']),
  /** OpenAI only: the Responses API (default) or Chat Completions */
  api: z.optional(z.enum(['responses', 'chat'])),
  /** SDK base URL (Anthropic: without /v1; OpenAI: with /v1) */
  baseUrl: z.optional(z.string()),
  maxTokens: z.optional(z.number()),
  /** SDK retries per call (default 0: the harness retries infra failures) */
  maxRetries: z.optional(z.number()),
  /** one command's limit, seconds (default 600) */
  commandTimeoutS: z.optional(z.number()),
  /** US dollars per million input and output tokens, for the cost budget */
  prices: z.optional(z.strictObject({ input: z.number(), output: z.number() })),
});
type Options = Infer<typeof OptionsSchema>;

const SYSTEM =
  'You are an expert performance engineer working in a git repository. Use the tools to inspect the code, run commands and edit files. ' +
  'When your change is complete, call finish with a short summary.';

interface ToolSpec {
  readonly name: string;
  readonly description: string;
  readonly parameters: { type: 'object'; properties: Record<string, unknown>; required: string[] };
}

const TOOLS: readonly ToolSpec[] = [
  {
    name: 'bash',
    description:
      'Run a bash command in the repository root; returns the exit code and the output (truncated).',
    parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
  },
  {
    name: 'view_file',
    description: 'Show a file with line numbers (optionally a line range).',
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        start_line: { type: 'integer' },
        end_line: { type: 'integer' },
      },
      required: ['path'],
    },
  },
  {
    name: 'edit_file',
    description: 'Replace old_string, which must occur exactly once in the file, by new_string.',
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string' },
        old_string: { type: 'string' },
        new_string: { type: 'string' },
      },
      required: ['path', 'old_string', 'new_string'],
    },
  },
  {
    name: 'write_file',
    description: 'Create or overwrite a file with the given content.',
    parameters: {
      type: 'object',
      properties: { path: { type: 'string' }, content: { type: 'string' } },
      required: ['path', 'content'],
    },
  },
  {
    name: 'finish',
    description: 'Say that the change is complete.',
    parameters: { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'] },
  },
];

const MAX_OUTPUT = 20_000;
const clip = (s: string) =>
  s.length > MAX_OUTPUT
    ? `${s.slice(0, MAX_OUTPUT / 2)}\n[... ${s.length - MAX_OUTPUT} characters cut ...]\n${s.slice(-MAX_OUTPUT / 2)}`
    : s;

/** A path inside the workspace, or an error message. */
async function inside(workspace: string, p: string): Promise<string> {
  const abs = resolve(workspace, p);
  const root = await realpath(workspace);
  // a file to be written is not there yet: its folder's real path, with its name
  const real = await realpath(abs).catch(async () =>
    // nor its folder: the path as given (write_file makes the folders)
    join(await realpath(dirname(abs)).catch(() => dirname(abs)), basename(abs)),
  );
  const rel = relative(root, real);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`${p} is outside the repository`);
  return abs;
}

/** Runs one tool; the result is text for the model. `finish` returns null. */
async function runTool(
  name: string,
  args: Record<string, unknown>,
  input: AgentRunInput,
  deps: AgentDeps,
  deadline: number,
  n: number,
  timeoutS: number,
): Promise<string | null> {
  try {
    if (name === 'finish') return null;
    if (name === 'bash') {
      const out = join(input.logDir, `cmd-${n}.out`);
      const left = Math.max(1000, deadline - Date.now());
      const r = await deps.sandbox.exec(['bash', '-lc', String(args.command ?? '')], {
        cwd: input.workspace,
        env: { HOME: input.home },
        timeoutMs: Math.min(timeoutS * 1000, left),
        stdoutPath: out,
        stderrPath: out,
      });
      const text = (await readTextIfThere(out)) ?? '';
      return `exit code: ${r.timedOut ? 'killed (time limit)' : r.exitCode}\n${clip(text)}`;
    }
    const path = await inside(input.workspace, String(args.path ?? ''));
    if (name === 'view_file') {
      const lines = (await readFile(path, 'utf8')).split('\n');
      const from = Math.max(1, Number(args.start_line ?? 1));
      const to = Math.min(lines.length, Number(args.end_line ?? lines.length));
      return clip(
        lines
          .slice(from - 1, to)
          .map((l, i) => `${String(from + i).padStart(6)}\t${l}`)
          .join('\n'),
      );
    }
    if (name === 'edit_file') {
      const text = await readFile(path, 'utf8');
      const old = String(args.old_string ?? '');
      const count = old ? text.split(old).length - 1 : 0;
      if (count !== 1)
        return `error: old_string occurs ${count} times in ${args.path}; it must occur exactly once`;
      await writeFile(
        path,
        text.replace(old, () => String(args.new_string ?? '')),
      );
      return `edited ${args.path}`;
    }
    if (name === 'write_file') {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, String(args.content ?? ''));
      return `wrote ${args.path}`;
    }
    return `error: no tool named ${name}`;
  } catch (e) {
    return `error: ${errorMessage(e)}`;
  }
}

/** One model turn, provider-neutral. */
interface Turn {
  readonly text: string;
  readonly calls: Array<{ id: string; name: string; args: Record<string, unknown> }>;
  readonly model: string | null;
  readonly usage: { input: number; output: number; cacheRead: number };
}

interface Conversation {
  next(): Promise<Turn>;
  /** adds the results of the last turn's calls */
  answer(results: Array<{ id: string; output: string }>): void;
}

function anthropicConversation(
  client: Anthropic,
  model: string,
  prompt: string,
  maxTokens: number,
  log: (r: unknown) => Promise<void>,
): Conversation {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: prompt }];
  return {
    async next() {
      const r = await client.messages.create({
        model,
        max_tokens: maxTokens,
        system: SYSTEM,
        messages,
        tools: TOOLS.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters })),
      });
      await log(r);
      messages.push({ role: 'assistant', content: r.content });
      return {
        text: r.content.map((b) => (b.type === 'text' ? b.text : '')).join(''),
        calls: r.content.flatMap((b) =>
          b.type === 'tool_use'
            ? [{ id: b.id, name: b.name, args: isJsonObject(b.input) ? b.input : {} }]
            : [],
        ),
        model: r.model,
        usage: {
          input: r.usage.input_tokens,
          output: r.usage.output_tokens,
          cacheRead: r.usage.cache_read_input_tokens ?? 0,
        },
      };
    },
    answer(results) {
      messages.push({
        role: 'user',
        content: results.map((x) => ({ type: 'tool_result' as const, tool_use_id: x.id, content: x.output })),
      });
    },
  };
}

function responsesConversation(
  client: OpenAI,
  model: string,
  prompt: string,
  maxTokens: number,
  log: (r: unknown) => Promise<void>,
): Conversation {
  const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: prompt }];
  return {
    async next() {
      const r = await client.responses.create({
        model,
        instructions: SYSTEM,
        input,
        max_output_tokens: maxTokens,
        tools: TOOLS.map((t) => ({
          type: 'function' as const,
          name: t.name,
          description: t.description,
          parameters: t.parameters,
          strict: false,
        })),
      });
      await log(r);
      const calls: Turn['calls'] = [];
      let text = '';
      for (const item of r.output) {
        // the API takes its output items back as input (no stored state); the SDK's types differ only
        // for kinds this agent's function tools never produce (a computer call's `failed` status)
        input.push(item as OpenAI.Responses.ResponseInputItem);
        if (item.type === 'function_call')
          calls.push({ id: item.call_id, name: item.name, args: JSON.parse(item.arguments || '{}') });
        if (item.type === 'message')
          for (const c of item.content) if (c.type === 'output_text') text += c.text;
      }
      return {
        text,
        calls,
        model: r.model,
        usage: {
          input: r.usage?.input_tokens ?? 0,
          output: r.usage?.output_tokens ?? 0,
          cacheRead: r.usage?.input_tokens_details?.cached_tokens ?? 0,
        },
      };
    },
    answer(results) {
      for (const x of results) input.push({ type: 'function_call_output', call_id: x.id, output: x.output });
    },
  };
}

function chatConversation(
  client: OpenAI,
  model: string,
  prompt: string,
  maxTokens: number,
  log: (r: unknown) => Promise<void>,
): Conversation {
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: prompt },
  ];
  return {
    async next() {
      const r = await client.chat.completions.create({
        model,
        messages,
        max_completion_tokens: maxTokens,
        tools: TOOLS.map((t) => ({
          type: 'function' as const,
          function: { name: t.name, description: t.description, parameters: t.parameters },
        })),
      });
      await log(r);
      const m = r.choices[0]?.message;
      messages.push({
        role: 'assistant',
        content: m?.content ?? '',
        ...(m?.tool_calls?.length ? { tool_calls: m.tool_calls } : {}),
      });
      const calls: Turn['calls'] = [];
      for (const c of m?.tool_calls ?? [])
        if (c.type === 'function')
          calls.push({ id: c.id, name: c.function.name, args: JSON.parse(c.function.arguments || '{}') });
      return {
        text: m?.content ?? '',
        calls,
        model: r.model,
        usage: {
          input: r.usage?.prompt_tokens ?? 0,
          output: r.usage?.completion_tokens ?? 0,
          cacheRead: r.usage?.prompt_tokens_details?.cached_tokens ?? 0,
        },
      };
    },
    answer(results) {
      for (const x of results) messages.push({ role: 'tool', tool_call_id: x.id, content: x.output });
    },
  };
}

/** Whether an SDK error is the API refusing the credentials (the user's configuration). */
export function isAuth(e: unknown): boolean {
  if (e instanceof Anthropic.APIError || e instanceof OpenAI.APIError) {
    const status = e.status;
    return status !== undefined && isAuthStatus(status);
  }
  return false;
}

/** Whether an SDK error is the API's or the network's (infra), not the agent's. */
export function isInfra(e: unknown): boolean {
  if (e instanceof Anthropic.APIError || e instanceof OpenAI.APIError) {
    const status = e.status;
    return status === undefined || status === 408 || status === 429 || status >= 500;
  }
  return false;
}

/** The conversation with the model the options name: Messages, Responses or Chat Completions. */
function conversationOf(input: AgentRunInput, o: Options, deadline: number): Conversation {
  const responses = join(input.logDir, 'agent.responses.jsonl');
  const log = (r: unknown) => appendFile(responses, `${JSON.stringify(r)}\n`);
  const maxTokens = o.maxTokens ?? 8192;
  const common = {
    // the SDKs refuse an empty key; a local server takes any
    apiKey: input.apiKey || 'none',
    maxRetries: o.maxRetries ?? 0,
    timeout: Math.max(1000, deadline - Date.now()),
    baseURL: o.baseUrl,
  };
  if (o.provider === 'anthropic')
    return anthropicConversation(new Anthropic(common), input.model, input.prompt, maxTokens, log);
  if ((o.api ?? 'responses') === 'responses')
    return responsesConversation(new OpenAI(common), input.model, input.prompt, maxTokens, log);
  return chatConversation(new OpenAI(common), input.model, input.prompt, maxTokens, log);
}

/** What an attempt has done so far: events, tokens, turns, tool calls, the model that answered. */
class Tally {
  readonly events: AgentEvent[] = [];
  readonly tokens = { input: 0, output: 0, cacheRead: 0 };
  turns = 0;
  toolCalls = 0;
  model: string | null = null;

  constructor(private readonly prices: Options['prices']) {}

  cost(): number | null {
    return this.prices
      ? (this.tokens.input * this.prices.input + this.tokens.output * this.prices.output) / 1e6
      : null;
  }

  add(turn: Turn): void {
    this.turns++;
    this.model = turn.model ?? this.model;
    this.tokens.input += turn.usage.input;
    this.tokens.output += turn.usage.output;
    this.tokens.cacheRead += turn.usage.cacheRead;
    if (turn.text) this.events.push({ type: 'message', text: turn.text });
  }

  end(kind: OutcomeKind, detail: string): AgentOutcome {
    const usage: Usage = {
      ...NO_USAGE,
      inputTokens: this.tokens.input,
      outputTokens: this.tokens.output,
      cacheReadTokens: this.tokens.cacheRead,
      costUsd: this.cost(),
      turns: this.turns,
      toolCalls: this.toolCalls,
    };
    const { events, model } = this;
    return { kind, detail, usage, model, agentVersion: NATIVE_VERSION, events, denials: [], exitCode: null };
  }
}

/**
 * The outcome when a budget (time, turns, cost) is spent before the next turn, or isobench has
 * stopped the agent (`stop`: the cost budget it keeps at the API); null while none is.
 */
function budgetSpent(
  t: Tally,
  budgets: AgentRunInput['budgets'],
  deadline: number,
  stop: AbortSignal | undefined,
): AgentOutcome | null {
  if (Date.now() >= deadline) return t.end('timeout', `ran past the ${budgets.timeMin}-minute budget`);
  if (stop?.aborted) return t.end('cost_limit', `stopped by isobench: ${errorMessage(stop.reason)}`);
  if (t.turns >= budgets.maxTurns)
    return t.end('turn_limit', `stopped at the ${budgets.maxTurns}-turn limit`);
  const c = t.cost();
  if (budgets.maxCostUsd !== null && c !== null && c >= budgets.maxCostUsd)
    return t.end('cost_limit', `stopped at the $${budgets.maxCostUsd} cost limit ($${c.toFixed(4)})`);
  return null;
}

/** The outcome of a failed model call: past the deadline, the credentials refused, the API's fault, or a crash. */
function modelCallFailed(
  t: Tally,
  e: unknown,
  budgets: AgentRunInput['budgets'],
  deadline: number,
): AgentOutcome {
  const msg = errorMessage(e);
  t.events.push({ type: 'error', text: msg });
  if (Date.now() >= deadline) return t.end('timeout', `ran past the ${budgets.timeMin}-minute budget`);
  if (isAuth(e)) return t.end('config_error', `the model API refused the credentials: ${msg.slice(0, 300)}`);
  return isInfra(e)
    ? t.end('infra', `the model API failed: ${msg.slice(0, 300)}`)
    : t.end('crashed', `the model call failed: ${msg.slice(0, 300)}`);
}

/** Runs a turn's tool calls in order; `finished` when one of them was `finish`. */
async function runCalls(
  t: Tally,
  calls: Turn['calls'],
  input: AgentRunInput,
  deps: AgentDeps,
  deadline: number,
  timeoutS: number,
): Promise<{ results: Array<{ id: string; output: string }>; finished: boolean }> {
  const results: Array<{ id: string; output: string }> = [];
  let finished = false;
  for (const call of calls) {
    t.toolCalls++;
    t.events.push({ type: 'tool_call', tool: call.name, text: JSON.stringify(call.args) });
    const out = await runTool(call.name, call.args, input, deps, deadline, t.toolCalls, timeoutS);
    if (out === null) finished = true;
    else t.events.push({ type: 'tool_result', tool: call.name, text: out });
    results.push({ id: call.id, output: out ?? 'ok' });
  }
  return { results, finished };
}

async function run(input: AgentRunInput, deps: AgentDeps): Promise<AgentOutcome> {
  // checked by the adapter's optionsSchema before run is called (src/agent/attempt.ts)
  const o = input.options as Options;
  const deadline = Date.now() + input.budgets.timeMin * 60_000;
  const conversation = conversationOf(input, o, deadline);
  const t = new Tally(o.prices);
  for (;;) {
    const spent = budgetSpent(t, input.budgets, deadline, deps.stop);
    if (spent) return spent;
    let turn: Turn;
    try {
      turn = await conversation.next();
    } catch (e) {
      return modelCallFailed(t, e, input.budgets, deadline);
    }
    t.add(turn);
    if (!turn.calls.length) return t.end('completed', `finished after ${t.turns} turns without a tool call`);
    const { results, finished } = await runCalls(
      t,
      turn.calls,
      input,
      deps,
      deadline,
      o.commandTimeoutS ?? 600,
    );
    if (finished) return t.end('completed', `called finish after ${t.turns} turns`);
    conversation.answer(results);
  }
}

/** The native agent adapter; its provider follows the `provider` option. */
export const adapter: AgentAdapter = {
  name: 'native',
  provider: null,
  install: { kind: 'none' },
  optionsSchema: OptionsSchema,
  // its cost is known only at the prices given
  keepsCostBudget: (o) => o.prices !== undefined,
  run,
  smoke: {
    script: (e) => (step) =>
      step === 0
        ? { tools: [{ name: 'edit_file', input: { path: e.file, old_string: e.old, new_string: e.new } }] }
        : { tools: [{ name: 'finish', input: { summary: 'done' } }] },
    options: (url) => ({ provider: 'anthropic', baseUrl: url }),
  },
};
