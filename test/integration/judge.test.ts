/**
 * The soft-metric judge against the scripted model server, through the real SDKs: a forced tool call
 * checked against the rubric's schema, cached (a second report sends nothing), judge failures kept as
 * failures (never a verdict, never cached), and quadrants from hard verdicts × targeting.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Script, startScriptedServer } from '../../src/agent/scripted-server.js';
import { hardSuccess, type JudgeInput, quadrant, RUBRIC_VERSION } from '../../src/grade/judge.js';
import { judgePatch } from '../../src/run/judge-call.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-judge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const input: JudgeInput = {
  task: 'demo/cpu-latency',
  statement: 'top_k sorts every score although only k are needed.',
  humanDiff:
    '--- a/engine/sampler.py\n+++ b/engine/sampler.py\n@@\n-    return sorted(scores)[:k]\n+    return heapq.nlargest(k, scores)\n',
  agentPatch:
    '--- a/engine/sampler.py\n+++ b/engine/sampler.py\n@@\n-    return sorted(scores)[:k]\n+    return heapq.nsmallest(k, scores)\n',
};
const answer = (targeting: string) => ({
  tools: [
    {
      name: 'record_judgement',
      input: {
        targeting,
        approach: 'similar',
        reason: 'Both replace the full sort in engine/sampler.py top_k.',
      },
    },
  ],
});

describe('the judge', () => {
  it('answers through a forced tool call (Anthropic API) and caches the answer', async () => {
    const server = await startScriptedServer(() => answer('same'));
    try {
      const cfg = {
        provider: 'anthropic' as const,
        model: 'judge-1',
        apiKey: 'k',
        baseUrl: server.url,
        cacheDir: join(root, 'a'),
      };
      const first = await judgePatch(input, cfg);
      expect(first).toMatchObject({ status: 'judged', cached: false, rubricVersion: RUBRIC_VERSION });
      if (first.status !== 'judged') throw new Error('not judged');
      expect(first.answer.targeting).toBe('same');
      const body = server.requests.find((r) => r.api === 'anthropic')?.body as {
        tool_choice: { name: string };
        messages: Array<{ content: string }>;
      };
      expect(body.tool_choice.name).toBe('record_judgement');
      expect(body.messages[0]?.content).toContain('heapq.nlargest');
      const sent = server.requests.length;
      const again = await judgePatch(input, cfg);
      expect(again).toMatchObject({ status: 'judged', cached: true });
      expect(server.requests.length).toBe(sent); // a cache hit costs nothing
      // another patch is another question
      const other = await judgePatch({ ...input, agentPatch: `${input.agentPatch}\n` }, cfg);
      expect(other).toMatchObject({ status: 'judged', cached: false });
      expect(readdirSync(cfg.cacheDir)).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('answers through the OpenAI chat API too', async () => {
    const server = await startScriptedServer(() => answer('related'));
    try {
      const r = await judgePatch(input, {
        provider: 'openai',
        model: 'judge-2',
        apiKey: 'k',
        baseUrl: `${server.url}/v1`,
        cacheDir: join(root, 'o'),
      });
      expect(r).toMatchObject({ status: 'judged', answer: { targeting: 'related' } });
    } finally {
      await server.close();
    }
  });

  it('records an answer outside the rubric, or an HTTP error, as a judge failure, uncached', async () => {
    const bad: Script = () => answer('maybe');
    const server = await startScriptedServer(bad);
    const cfg = {
      provider: 'anthropic' as const,
      model: 'judge-1',
      apiKey: 'k',
      baseUrl: server.url,
      cacheDir: join(root, 'f'),
    };
    try {
      const r = await judgePatch(input, cfg);
      expect(r.status).toBe('judge_failed');
      if (r.status === 'judge_failed') expect(r.detail).toMatch(/targeting/);
      expect(() => readdirSync(cfg.cacheDir)).toThrow();
    } finally {
      await server.close();
    }
    const down = await startScriptedServer(() => ({ error: { status: 500, message: 'overloaded' } }));
    try {
      const r = await judgePatch(input, { ...cfg, baseUrl: down.url });
      expect(r).toMatchObject({ status: 'judge_failed' });
      if (r.status === 'judge_failed') expect(r.detail).toMatch(/500/);
      // the hard verdict stands; there is no quadrant without a judgement
      expect(quadrant(hardSuccess({ verdict: 'beats_human', credited: true }), r)).toBe(null);
    } finally {
      await down.close();
    }
  }, 60_000);

  it('places rows in the quadrants', () => {
    const judged = (targeting: 'same' | 'different') =>
      ({
        status: 'judged',
        answer: { targeting, approach: 'similar', reason: 'r' },
        cached: false,
        rubricVersion: 1,
        model: 'm',
      }) as const;
    expect(quadrant(true, judged('same'))).toBe('true_success');
    expect(quadrant(false, judged('same'))).toBe('good_intent');
    expect(quadrant(true, judged('different'))).toBe('lucky_win');
    expect(quadrant(false, judged('different'))).toBe('failure');
    expect(hardSuccess({ verdict: 'matches_human', credited: false })).toBe(false);
  });
});
