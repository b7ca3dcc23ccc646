/**
 * Usage measured at the model API, whatever the agent reports: a recording proxy on 127.0.0.1
 * between an agent and its model endpoint. The agent is given the proxy's base URL (the upstream's
 * path kept, so `/v1` stays where the agent expects it); each request goes on unchanged to the
 * upstream (asking it for an uncompressed answer), each answer comes back as it streams, and the
 * proxy reads the usage the API itself put in it: Anthropic Messages (`usage`, in a stream
 * `message_start` then `message_delta`), OpenAI Responses (`response.usage`) and Chat Completions
 * (`usage`), Gemini (`usageMetadata`), JSON or SSE. A stream's counts are cumulative, so an answer's
 * last value of each count is its usage. It counts requests, model answers and HTTP statuses too.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ApiUsage, ApiUsageSchema } from '../store/usage.js';
import { isJsonObject, jsonObject } from '../util/json.js';
import type { Infer } from '../util/zod.js';

/** The proxy's running tally (an ApiUsage being counted). */
type Tally = Infer<typeof ApiUsageSchema>;

/** Nothing seen yet. */
export function emptyApiUsage(): Tally {
  return {
    requests: 0,
    modelCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    statuses: {},
  };
}

/** One answer's usage, as the four APIs name it (Anthropic, OpenAI Responses, Chat Completions, Gemini). */
interface Counts {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
}

const num = (o: Record<string, unknown>, k: string): number | undefined => {
  const v = o[k];
  return typeof v === 'number' ? v : undefined;
};

/** The counts of one usage object, whichever API's it is. */
function countsOf(u: Record<string, unknown>): Counts {
  const details = isJsonObject(u.input_tokens_details)
    ? u.input_tokens_details
    : isJsonObject(u.prompt_tokens_details)
      ? u.prompt_tokens_details
      : {};
  return {
    input: num(u, 'input_tokens') ?? num(u, 'prompt_tokens') ?? num(u, 'promptTokenCount'),
    output: num(u, 'output_tokens') ?? num(u, 'completion_tokens') ?? num(u, 'candidatesTokenCount'),
    cacheRead:
      num(u, 'cache_read_input_tokens') ?? num(details, 'cached_tokens') ?? num(u, 'cachedContentTokenCount'),
    cacheWrite: num(u, 'cache_creation_input_tokens'),
  };
}

/** The usage objects inside one JSON value of an answer (the body, or one SSE event). */
function usagesIn(o: Record<string, unknown>): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  if (isJsonObject(o.usage)) found.push(o.usage);
  if (isJsonObject(o.usageMetadata)) found.push(o.usageMetadata);
  for (const k of ['message', 'response']) {
    const inner = o[k];
    if (isJsonObject(inner) && isJsonObject(inner.usage)) found.push(inner.usage);
  }
  return found;
}

/** The JSON values of an answer's body: the body itself, or each SSE `data:` line. */
function valuesOf(body: string, contentType: string): Record<string, unknown>[] {
  if (!contentType.includes('event-stream')) {
    const o = jsonObject(body);
    return o ? [o] : [];
  }
  const out: Record<string, unknown>[] = [];
  for (const line of body.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    const o = jsonObject(line.slice(5).trim());
    if (o) out.push(o);
  }
  return out;
}

/** One answer's usage: each count's last value (streams repeat them cumulatively); null when it has none. */
export function answerUsage(body: string, contentType: string): Counts | null {
  const c: Counts = {};
  let any = false;
  for (const v of valuesOf(body, contentType))
    for (const u of usagesIn(v)) {
      any = true;
      Object.assign(c, Object.fromEntries(Object.entries(countsOf(u)).filter(([, x]) => x !== undefined)));
    }
  return any ? c : null;
}

/** A running proxy. */
export interface UsageProxy {
  /** the base URL to give the agent: the proxy's origin with the upstream's path */
  readonly url: string;
  /** what it has seen so far */
  usage(): ApiUsage;
  close(): Promise<void>;
}

/** Adds one answer to the tally. */
function tally(u: Tally, status: string, body: string, contentType: string): void {
  u.statuses[status] = (u.statuses[status] ?? 0) + 1;
  const c = answerUsage(body, contentType);
  if (!c) return;
  u.modelCalls++;
  u.inputTokens += c.input ?? 0;
  u.outputTokens += c.output ?? 0;
  u.cacheReadTokens += c.cacheRead ?? 0;
  u.cacheWriteTokens += c.cacheWrite ?? 0;
}

/** Forwards one request to the upstream origin and the answer back, reading its usage on the way. */
function forward(
  upstream: URL,
  req: IncomingMessage,
  res: ServerResponse,
  u: Tally,
  onAnswer: (u: ApiUsage) => void,
): void {
  u.requests++;
  const headers = { ...req.headers, host: upstream.host, 'accept-encoding': 'identity' };
  const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
  const out = send(
    {
      protocol: upstream.protocol,
      hostname: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      const chunks: Buffer[] = [];
      answer.on('data', (d: Buffer) => {
        chunks.push(d);
        res.write(d);
      });
      answer.on('end', () => {
        res.end();
        tally(
          u,
          String(answer.statusCode ?? 0),
          Buffer.concat(chunks).toString('utf8'),
          String(answer.headers['content-type'] ?? ''),
        );
        onAnswer(structuredClone(u));
      });
      answer.on('error', () => res.destroy());
    },
  );
  out.on('error', (e) => {
    u.statuses.error = (u.statuses.error ?? 0) + 1;
    // the agent sees what it would have seen without the proxy: the connection fails
    if (!res.headersSent) res.destroy(e);
  });
  req.pipe(out);
}

/**
 * Starts a recording proxy to `upstream` (a base URL: origin and path) on 127.0.0.1; `onAnswer` is
 * told the tally after each answer has come back whole (the cost guard, cost-guard.ts).
 */
export async function startUsageProxy(
  upstream: string,
  onAnswer: (u: ApiUsage) => void = () => undefined,
): Promise<UsageProxy> {
  const target = new URL(upstream);
  const u = emptyApiUsage();
  const server = createServer((req, res) => forward(target, req, res, u, onAnswer));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  // listening on a TCP port (above): an address with a port
  if (address === null || typeof address === 'string') throw new Error('the usage proxy has no port');
  const path = target.pathname.replace(/\/+$/, '');
  return {
    url: `http://127.0.0.1:${address.port}${path}`,
    usage: () => structuredClone(u),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
