import { describe, expect, it } from 'vitest';
import { apiUsageRecord } from '../../src/agent/api-usage.js';
import { NO_USAGE } from '../../src/agent/types.js';
import { answerUsage, emptyApiUsage } from '../../src/agent/usage-proxy.js';

const sse = (...events: unknown[]) => events.map((e) => `event: x\ndata: ${JSON.stringify(e)}\n\n`).join('');

describe('usage read at the API', () => {
  it('takes each count of an Anthropic stream from its last event (message_start, then message_delta)', () => {
    const body = sse(
      {
        type: 'message_start',
        message: { usage: { input_tokens: 120, output_tokens: 1, cache_read_input_tokens: 7 } },
      },
      { type: 'content_block_delta', delta: { text: 'hi' } },
      { type: 'message_delta', usage: { output_tokens: 42 } },
    );
    expect(answerUsage(body, 'text/event-stream')).toEqual({ input: 120, output: 42, cacheRead: 7 });
  });

  it('reads Responses, Chat Completions and Gemini bodies', () => {
    const responses = sse({
      type: 'response.completed',
      response: { usage: { input_tokens: 10, output_tokens: 3, input_tokens_details: { cached_tokens: 4 } } },
    });
    expect(answerUsage(responses, 'text/event-stream; charset=utf-8')).toEqual({
      input: 10,
      output: 3,
      cacheRead: 4,
    });
    const chat = JSON.stringify({ choices: [], usage: { prompt_tokens: 11, completion_tokens: 5 } });
    expect(answerUsage(chat, 'application/json')).toEqual({ input: 11, output: 5 });
    const gemini = JSON.stringify({ usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 2 } });
    expect(answerUsage(gemini, 'application/json')).toEqual({ input: 9, output: 2 });
  });

  it('gives null for an answer without usage (an error body, a model list)', () => {
    expect(answerUsage('{"error":{"message":"no"}}', 'application/json')).toBeNull();
    expect(answerUsage('not json', 'text/plain')).toBeNull();
  });
});

describe('api-usage.json', () => {
  const counted = { ...emptyApiUsage(), requests: 3, modelCalls: 2, inputTokens: 100, outputTokens: 20 };

  it('names each count the agent reported differently, and only those', () => {
    const agent = { ...NO_USAGE, inputTokens: 90, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 0 };
    const r = apiUsageRecord('http://127.0.0.1:1/v1', [emptyApiUsage(), counted], agent);
    expect(r.counted).toEqual(counted);
    expect(r.source).toBe('both');
    expect(r.disagreements).toEqual([{ field: 'inputTokens', agent: 90, api: 100 }]);
  });

  it('says the usage came from the proxy alone when the agent reported none', () => {
    const r = apiUsageRecord('http://127.0.0.1:1/v1', [counted], NO_USAGE);
    expect(r.source).toBe('proxy');
    expect(r.disagreements).toEqual([]);
  });
});
