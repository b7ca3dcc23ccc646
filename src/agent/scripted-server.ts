/**
 * A scripted model server on 127.0.0.1 speaking the Anthropic Messages API, the OpenAI Responses
 * and Chat Completions APIs and Gemini's `generateContent` and `streamGenerateContent` (JSON and
 * SSE), for driving the real agent CLIs and SDKs without a paid API: in the tests, and in
 * `isobench agents doctor`. The step of a conversation is derived from the
 * request itself (tool results so far), never from the order of requests, because the CLIs make side
 * calls (preconnects, titles, retries). Requests without tools get a short text; every other path
 * gets 200 `{}`. Facts: shared/docs/AGENT-CLIS.md.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isJsonObject, jsonObject } from '../util/json.js';

/** A tool call the scripted model makes. */
export interface ScriptedToolCall {
  readonly name: string;
  /** the arguments (Anthropic input object; OpenAI function arguments), or a raw string for a custom tool */
  readonly input: unknown;
  /** OpenAI Responses: a `custom_tool_call` (e.g. Codex's apply_patch) instead of a `function_call` */
  readonly custom?: boolean;
}

/** What the model does at one step of the conversation. */
export type ScriptStep =
  | { readonly text?: string; readonly tools?: readonly ScriptedToolCall[] }
  | { readonly error: { readonly status: number; readonly message?: string } }
  | { readonly hang: true };

/** Which API a request came in on. */
export type ScriptedApi = 'anthropic' | 'openai-responses' | 'openai-chat' | 'gemini';

/** A request the server saw. */
export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly api: ScriptedApi | null;
  /** the conversation step it was answered as, for main calls */
  readonly step: number | null;
  readonly stream: boolean;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

/** The script: what to do at step `step` of a main call on `api`. Past the end, return a text. */
export type Script = (step: number, api: ScriptedApi, body: Record<string, unknown>) => ScriptStep;

/** One file edit through an edit_file tool call. */
export interface ScriptedEdit {
  readonly path: string;
  readonly old_string: string;
  readonly new_string: string;
}

/** The demo latency task's fix as an edit: the full sort in `top_k` becomes a heap (the human's idea). */
export const TOP_K_HEAP_EDIT: ScriptedEdit = {
  path: 'engine/sampler.py',
  old_string:
    '    order = sorted(range(len(scores)), key=lambda i: scores[i], reverse=True)\n    return order[:k]',
  new_string: '    import heapq\n\n    return heapq.nlargest(k, range(len(scores)), key=scores.__getitem__)',
};

/** A model that makes one edit at its first step and then calls `finish` (the tool that ends the agent). */
export function editThenFinish(
  edit: ScriptedEdit | ((body: Record<string, unknown>) => ScriptedEdit),
  finish = 'done',
): Script {
  return (step, _api, body) =>
    step === 0
      ? { tools: [{ name: 'edit_file', input: typeof edit === 'function' ? edit(body) : edit }] }
      : { tools: [{ name: finish, input: finish === 'done' ? {} : { summary: 'done' } }] };
}

/** What the server answered with a model's reply (main and side calls; errors and hangs not counted). */
export interface ServedUsage {
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/** A running server. */
export interface ScriptedServer {
  /** `http://127.0.0.1:PORT` (Anthropic and Gemini clients take it as is; OpenAI clients add `/v1`) */
  readonly url: string;
  readonly requests: LoggedRequest[];
  /** the tokens its replies reported, by its own count (what a recording proxy must agree with) */
  readonly served: Readonly<ServedUsage>;
  close(): Promise<void>;
}

/** The usage every reply reports: input and output tokens a call. */
export const SCRIPTED_USAGE = { input: 120, output: 30 } as const;
const USAGE = SCRIPTED_USAGE;

const id = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      data += c;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function sse(res: ServerResponse, events: ReadonlyArray<[string, unknown]>, done = false): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  for (const [event, data] of events) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The step of an Anthropic main call: tool_result blocks so far. */
function anthropicStep(body: Record<string, unknown>): number {
  let n = 0;
  const messages: unknown[] = Array.isArray(body.messages) ? body.messages : [];
  for (const m of messages)
    if (isJsonObject(m) && Array.isArray(m.content))
      n += m.content.filter((b: unknown) => isJsonObject(b) && b.type === 'tool_result').length;
  return n;
}

/** The step of an OpenAI Responses call: input items of a `*_call_output` type so far. */
function responsesStep(body: Record<string, unknown>): number {
  const input = body.input;
  if (!Array.isArray(input)) return 0;
  return input.filter(
    (i: unknown) => isJsonObject(i) && typeof i.type === 'string' && i.type.endsWith('_call_output'),
  ).length;
}

/** The step of a Gemini call: `functionResponse` parts in the contents so far. */
function geminiStep(body: Record<string, unknown>): number {
  const contents: unknown[] = Array.isArray(body.contents) ? body.contents : [];
  let n = 0;
  for (const c of contents)
    if (isJsonObject(c) && Array.isArray(c.parts))
      n += c.parts.filter((p: unknown) => isJsonObject(p) && isJsonObject(p.functionResponse)).length;
  return n;
}

/** Whether a Gemini request offers tools: any `functionDeclarations` in its `tools`. */
function geminiHasTools(body: Record<string, unknown>): boolean {
  const tools: unknown[] = Array.isArray(body.tools) ? body.tools : [];
  return tools.some(
    (t) => isJsonObject(t) && Array.isArray(t.functionDeclarations) && t.functionDeclarations.length > 0,
  );
}

/** The Gemini call a path names (`/v1beta/models/M:generateContent`), with its model, or null. */
function geminiCall(path: string): { model: string; stream: boolean } | null {
  const m = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
  return m ? { model: decodeURIComponent(m[1] ?? ''), stream: m[2] === 'streamGenerateContent' } : null;
}

/** The step of a Chat Completions call: tool messages so far. */
function chatStep(body: Record<string, unknown>): number {
  const messages: unknown[] = Array.isArray(body.messages) ? body.messages : [];
  return messages.filter((m) => isJsonObject(m) && m.role === 'tool').length;
}

function anthropicError(res: ServerResponse, status: number, message: string): void {
  const type =
    status === 429
      ? 'rate_limit_error'
      : status === 401
        ? 'authentication_error'
        : status >= 500
          ? 'api_error'
          : 'invalid_request_error';
  if (status === 429) res.setHeader('retry-after', '0');
  json(res, status, { type: 'error', error: { type, message } });
}

/** OpenAI's error body: a server error is `server_error`; a refused key or request is `invalid_request_error`. */
function openaiError(res: ServerResponse, status: number, message: string): void {
  if (status === 429) res.setHeader('retry-after', '0');
  const type =
    status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  json(res, status, { error: { message, type, code: status === 401 ? 'invalid_api_key' : null } });
}

/** Google's error body: the HTTP code, a message and the RPC status name clients read. */
function geminiError(res: ServerResponse, status: number, message: string): void {
  const rpc =
    status === 429
      ? 'RESOURCE_EXHAUSTED'
      : status === 401
        ? 'UNAUTHENTICATED'
        : status === 403
          ? 'PERMISSION_DENIED'
          : status >= 500
            ? 'INTERNAL'
            : 'INVALID_ARGUMENT';
  json(res, status, { error: { code: status, message, status: rpc } });
}

/** A Gemini reply: one candidate whose parts are the text, then each function call; streamed as one SSE chunk. */
function answerGemini(res: ServerResponse, model: string, stream: boolean, step: ScriptStep): void {
  const parts: Array<Record<string, unknown>> = [];
  if ('text' in step && step.text) parts.push({ text: step.text });
  for (const t of ('tools' in step ? step.tools : undefined) ?? [])
    parts.push({ functionCall: { id: id('fc'), name: t.name, args: t.input } });
  if (!parts.length) parts.push({ text: 'Done.' });
  const reply = {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata: {
      promptTokenCount: USAGE.input,
      candidatesTokenCount: USAGE.output,
      totalTokenCount: USAGE.input + USAGE.output,
    },
    modelVersion: model,
    responseId: id('resp'),
  };
  if (!stream) {
    json(res, 200, reply);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.end(`data: ${JSON.stringify(reply)}\r\n\r\n`);
}

function answerAnthropic(
  res: ServerResponse,
  body: Record<string, unknown>,
  step: ScriptStep & { text?: string },
): void {
  const model = String(body.model ?? 'scripted');
  const content: Array<Record<string, unknown>> = [];
  if ('text' in step && step.text) content.push({ type: 'text', text: step.text });
  for (const t of ('tools' in step ? step.tools : undefined) ?? [])
    content.push({ type: 'tool_use', id: id('toolu'), name: t.name, input: t.input });
  const stopReason = content.some((c) => c.type === 'tool_use') ? 'tool_use' : 'end_turn';
  if (!content.length) content.push({ type: 'text', text: 'Done.' });
  const usage = {
    input_tokens: USAGE.input,
    output_tokens: USAGE.output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  const message = {
    id: id('msg'),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage,
  };
  if (body.stream) sse(res, anthropicEvents(message, content, stopReason, usage));
  else json(res, 200, message);
}

/** A Messages answer as its stream: message_start, each block's start, delta and stop, message_delta, message_stop. */
function anthropicEvents(
  message: Record<string, unknown>,
  content: ReadonlyArray<Record<string, unknown>>,
  stopReason: string,
  usage: Record<string, number>,
): Array<[string, unknown]> {
  const events: Array<[string, unknown]> = [
    [
      'message_start',
      {
        type: 'message_start',
        message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
      },
    ],
    ['ping', { type: 'ping' }],
  ];
  content.forEach((block, index) => {
    const text = block.type === 'text';
    const start = text ? { type: 'text', text: '' } : { ...block, input: {} };
    const delta = text
      ? { type: 'text_delta', text: block.text }
      : { type: 'input_json_delta', partial_json: JSON.stringify(block.input) };
    events.push(['content_block_start', { type: 'content_block_start', index, content_block: start }]);
    events.push(['content_block_delta', { type: 'content_block_delta', index, delta }]);
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
  });
  events.push([
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: USAGE.output },
    },
  ]);
  events.push(['message_stop', { type: 'message_stop' }]);
  return events;
}

/** A step's output items in the Responses API: a message (its text, or 'Done.' with no tool), then each tool call. */
function responsesOutput(step: ScriptStep): Array<Record<string, unknown>> {
  const output: Array<Record<string, unknown>> = [];
  for (const t of ('tools' in step ? step.tools : undefined) ?? []) {
    const callId = id('call');
    output.push(
      t.custom
        ? {
            type: 'custom_tool_call',
            id: id('ctc'),
            call_id: callId,
            name: t.name,
            input: String(t.input),
            status: 'completed',
          }
        : {
            type: 'function_call',
            id: id('fc'),
            call_id: callId,
            name: t.name,
            arguments: JSON.stringify(t.input),
            status: 'completed',
          },
    );
  }
  const text = 'text' in step && step.text ? step.text : output.length ? '' : 'Done.';
  if (text)
    output.unshift({
      type: 'message',
      id: id('msg'),
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text, annotations: [] }],
    });
  return output;
}

function answerResponses(res: ServerResponse, body: Record<string, unknown>, step: ScriptStep): void {
  const output = responsesOutput(step);
  const usage = {
    input_tokens: USAGE.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: USAGE.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: USAGE.input + USAGE.output,
  };
  const response = {
    id: id('resp'),
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'completed',
    model: String(body.model ?? 'scripted'),
    output,
    usage,
    error: null,
    incomplete_details: null,
  };
  if (!body.stream) {
    json(res, 200, response);
    return;
  }
  const started = { ...response, status: 'in_progress', output: [], usage: null };
  const events: Array<Record<string, unknown>> = [
    { type: 'response.created', response: started },
    { type: 'response.in_progress', response: started },
    ...output.flatMap((item, i) => itemEvents(item, i)),
    { type: 'response.completed', response },
  ];
  sse(
    res,
    events.map((e, sequence_number): [string, unknown] => [String(e.type), { ...e, sequence_number }]),
  );
}

/**
 * One output item's stream events, as the Responses API sends them: the item added (empty), its
 * content or arguments as one delta and done, then the item done. Clients that build the answer
 * from deltas (OpenCode, Qwen Code) and those that read the finished items (Codex) both see it whole.
 */
function itemEvents(item: Record<string, unknown>, output_index: number): Array<Record<string, unknown>> {
  const item_id = item.id;
  const at = { item_id, output_index };
  const added = (empty: Record<string, unknown>) => ({
    type: 'response.output_item.added',
    output_index,
    item: { ...item, ...empty, status: 'in_progress' },
  });
  const done = { type: 'response.output_item.done', output_index, item };
  if (item.type === 'message') {
    const text =
      Array.isArray(item.content) && isJsonObject(item.content[0]) ? String(item.content[0].text) : '';
    const part = { type: 'output_text', text: '', annotations: [] };
    const full = { ...part, text };
    return [
      added({ content: [] }),
      { type: 'response.content_part.added', ...at, content_index: 0, part },
      { type: 'response.output_text.delta', ...at, content_index: 0, delta: text, logprobs: [] },
      { type: 'response.output_text.done', ...at, content_index: 0, text, logprobs: [] },
      { type: 'response.content_part.done', ...at, content_index: 0, part: full },
      done,
    ];
  }
  if (item.type === 'function_call')
    return [
      added({ arguments: '' }),
      { type: 'response.function_call_arguments.delta', ...at, delta: item.arguments },
      { type: 'response.function_call_arguments.done', ...at, arguments: item.arguments },
      done,
    ];
  return [
    added({ input: '' }),
    { type: 'response.custom_tool_call_input.delta', ...at, delta: item.input },
    { type: 'response.custom_tool_call_input.done', ...at, input: item.input },
    done,
  ];
}

function answerChat(res: ServerResponse, body: Record<string, unknown>, step: ScriptStep): void {
  const model = String(body.model ?? 'scripted');
  const tools = ('tools' in step ? step.tools : undefined) ?? [];
  const toolCalls = tools.map((t, index) => ({
    index,
    id: id('call'),
    type: 'function',
    function: { name: t.name, arguments: JSON.stringify(t.input) },
  }));
  const text = 'text' in step && step.text ? step.text : toolCalls.length ? null : 'Done.';
  const finish = toolCalls.length ? 'tool_calls' : 'stop';
  const usage = {
    prompt_tokens: USAGE.input,
    completion_tokens: USAGE.output,
    total_tokens: USAGE.input + USAGE.output,
  };
  const base = { id: id('chatcmpl'), created: Math.floor(Date.now() / 1000), model };
  if (!body.stream) {
    json(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: text,
            ...(toolCalls.length ? { tool_calls: toolCalls.map(({ index: _, ...c }) => c) } : {}),
          },
          finish_reason: finish,
          logprobs: null,
        },
      ],
      usage,
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (delta: unknown, finish_reason: string | null, extra: Record<string, unknown> = {}) =>
    res.write(
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason, logprobs: null }], ...extra })}\n\n`,
    );
  chunk({ role: 'assistant', content: text ?? '' }, null);
  if (toolCalls.length) chunk({ tool_calls: toolCalls }, null);
  chunk({}, finish, { usage });
  res.write('data: [DONE]\n\n');
  res.end();
}

/** Which API a request is a model call of, or null (answered `{}`). */
function apiOf(method: string, path: string, gemini: unknown): ScriptedApi | null {
  if (method !== 'POST') return null;
  if (gemini) return 'gemini';
  if (path.endsWith('/messages')) return 'anthropic';
  if (path.endsWith('/responses')) return 'openai-responses';
  if (path.endsWith('/chat/completions')) return 'openai-chat';
  return null;
}

/** A main call's conversation step (tool results so far), or null for a side call (no tools offered). */
function stepOf(api: ScriptedApi, body: Record<string, unknown>): number | null {
  if (api === 'gemini') return geminiHasTools(body) ? geminiStep(body) : null;
  if (!(Array.isArray(body.tools) && body.tools.length > 0)) return null;
  if (api === 'anthropic') return anthropicStep(body);
  return api === 'openai-responses' ? responsesStep(body) : chatStep(body);
}

/** Starts a scripted server on 127.0.0.1 (a free port unless `port` is given). */
export async function startScriptedServer(
  script: Script,
  opts: { port?: number } = {},
): Promise<ScriptedServer> {
  const requests: LoggedRequest[] = [];
  const served: ServedUsage = { requests: 0, inputTokens: 0, outputTokens: 0 };
  const hung = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    // a request cut off mid-body is answered as one without a body
    const raw = await readBody(req).catch(() => '');
    const body: Record<string, unknown> = (raw ? jsonObject(raw) : null) ?? {};
    const url = req.url ?? '/';
    const path = url.includes('?') ? url.slice(0, url.indexOf('?')) : url;
    const gemini = req.method === 'POST' ? geminiCall(path) : null;
    const api = apiOf(req.method ?? '', path, gemini);
    const step = api ? stepOf(api, body) : null;
    requests.push({
      method: req.method ?? '',
      path,
      api,
      step,
      stream: gemini ? gemini.stream : body.stream === true,
      headers: req.headers,
      body,
    });
    if (!api) return json(res, 200, {});
    // side calls (titles, summaries): a short text
    const action: ScriptStep = step === null ? { text: 'ok' } : script(step, api, body);
    if ('hang' in action) {
      hung.add(res);
      return;
    }
    if ('error' in action) {
      const message = action.error.message ?? `scripted HTTP ${action.error.status}`;
      if (gemini) return geminiError(res, action.error.status, message);
      return api === 'anthropic'
        ? anthropicError(res, action.error.status, message)
        : openaiError(res, action.error.status, message);
    }
    served.requests++;
    served.inputTokens += USAGE.input;
    served.outputTokens += USAGE.output;
    if (gemini) return answerGemini(res, gemini.model, gemini.stream, action);
    if (api === 'anthropic') return answerAnthropic(res, body, action);
    if (api === 'openai-responses') return answerResponses(res, body, action);
    return answerChat(res, body, action);
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  // listening on a TCP port (above), never a pipe: an address with a port
  if (address === null || typeof address === 'string') throw new Error('the scripted server has no port');
  const { port } = address;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hung) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
