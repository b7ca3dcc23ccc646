/**
 * A new command-line agent, as the README tells a user to add one (issue 21): a folder with its
 * agent.json, checked by `agents doctor SPEC`, tried with no API key by `agents try SPEC` (the agent
 * solves a demo task against the scripted model, the patch is measured and graded), and one
 * leaderboard line with its effort.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { atifProblems } from '../../src/agent/atif.js';
import { runCliSync } from '../support/cli.js';
import { PROJECT_ROOT } from '../support/shared-data.js';

const tmp = mkdtempSync(join(tmpdir(), 'isobench-try-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// no key anywhere: the try must not need one
const NO_KEYS = { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', EXAMPLE_AGENT_KEY: '' };

/** The user's own agent: the example's script under another name, in a folder of theirs. */
function userAgent(scripted: boolean): string {
  const dir = join(tmp, scripted ? 'my-agent' : 'my-agent-plain');
  cpSync(resolve(PROJECT_ROOT, 'agents/example-command'), dir, { recursive: true });
  const spec = JSON.parse(readFileSync(join(dir, 'agent.json'), 'utf8'));
  spec.name = scripted ? 'my-agent' : 'my-agent-plain';
  if (!scripted) delete spec.scriptedEdit;
  writeFileSync(join(dir, 'agent.json'), JSON.stringify(spec, null, 2));
  return join(dir, 'agent.json');
}

describe('a new command-line agent, from its spec alone', () => {
  it('agents try SPEC: solved against the scripted model with no key, measured, graded, one leaderboard line with its effort', () => {
    const spec = userAgent(true);
    const doctor = runCliSync(['agents', 'doctor', spec], { env: NO_KEYS });
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain(`${spec}: ok: a scripted edit became a 1-file patch`);
    const t = runCliSync(['agents', 'try', spec, '--out', tmp, '--json'], { env: NO_KEYS });
    expect(t.code, t.stderr).toBe(0);
    const r = JSON.parse(t.stdout);
    expect(r).toMatchObject({ agent: 'my-agent', task: 'demo/cpu-latency', outcome: { kind: 'completed' } });
    expect(r.patch).toContain('+    return heapq.nlargest(k, range(len(scores)), key=scores.__getitem__)');
    expect(r.effort).toMatchObject({ turns: 2, toolCalls: 2, inputTokens: expect.any(Number) });
    // three rounds: a verdict with an interval, whatever it is on this machine
    expect(r.verdict).toBeTruthy();
    expect(r.verdictReason).toMatch(/\[-?\d+\.\d, -?\d+\.\d\]/);
    const board = runCliSync(['leaderboard', r.runDir, '--json']);
    expect(board.code, board.stderr).toBe(0);
    const agents = JSON.parse(board.stdout).agents;
    expect(agents).toHaveLength(1);
    expect(agents[0]).toMatchObject({ agent: 'my-agent', attempts: 1 });
    expect(agents[0].tokens.input).toBe(r.effort.inputTokens);
  }, 180_000);

  it('agents doctor SPEC without scriptedEdit says what it saw and what to add', () => {
    const spec = userAgent(false);
    const d = runCliSync(['agents', 'doctor', spec], { env: NO_KEYS });
    expect(d.code).toBe(1);
    expect(d.stdout).toContain(`${spec}: FAILED: it ran headless and ended by itself`);
    expect(d.stdout).toMatch(/the scripted model answered 1 request\(s\)/);
    expect(d.stdout).toContain('declares scriptedEdit');
  }, 120_000);
});

describe('the headless CLIs users bring, tried on a demo task through the usage proxy (issue 24)', () => {
  for (const name of ['gemini-cli', 'opencode', 'qwen-code', 'copilot-cli'])
    it(`${name}: a patch, usage measured at the API equal to what the scripted model served, a verdict and an ATIF trajectory`, () => {
      const t = runCliSync(['agents', 'try', name, '--usage-proxy', '--out', tmp, '--json'], {
        env: NO_KEYS,
      });
      expect(t.code, t.stderr).toBe(0);
      const r = JSON.parse(t.stdout);
      expect(r.outcome, JSON.stringify(r.outcome)).toMatchObject({ kind: 'completed' });
      expect(r.patch).toContain('+    return heapq.nlargest(k, range(len(scores)), key=scores.__getitem__)');
      expect(r.verdict).toBeTruthy();
      expect(r.verdictReason).toMatch(/\[-?\d+\.\d, -?\d+\.\d\]/);
      // the proxy's count is the scripted model's own, and the row says where its tokens came from
      const dir = join(r.runDir, r.effort.path);
      const api = JSON.parse(readFileSync(join(dir, 'api-usage.json'), 'utf8'));
      expect(api.counted).toMatchObject({
        inputTokens: r.served.inputTokens,
        outputTokens: r.served.outputTokens,
      });
      expect(r.effort).toMatchObject({ inputTokens: r.served.inputTokens, tokensFrom: api.source });
      expect(['both', 'proxy']).toContain(r.effort.tokensFrom);
      const atif = JSON.parse(readFileSync(join(dir, 'trajectory.atif.json'), 'utf8'));
      expect(atifProblems(atif)).toEqual([]);
      expect(atif.steps.some((s: { tool_calls?: unknown[] }) => (s.tool_calls ?? []).length > 0)).toBe(true);
    }, 240_000);
});
