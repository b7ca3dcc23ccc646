/**
 * The whole path through the command line: `isobench solve` runs the native agent against a scripted
 * model on 127.0.0.1 (two attempts in parallel), and `isobench run` measures the predictions it wrote.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { editThenFinish, startScriptedServer, TOP_K_HEAP_EDIT } from '../../src/agent/scripted-server.js';
import { quickRun } from '../support/cli.js';
import { PROJECT_ROOT } from '../support/shared-data.js';

const tmp = mkdtempSync(join(tmpdir(), 'isobench-solve-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI without blocking this process (the scripted server lives here). */
function isobench(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const c = spawn(process.execPath, [resolve(PROJECT_ROOT, 'bin/isobench.mjs'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => {
      stdout += d;
    });
    c.stderr.on('data', (d) => {
      stderr += d;
    });
    c.on('close', (code) => ok({ code, stdout, stderr }));
  });
}

describe('isobench solve, then isobench run on its predictions', () => {
  it('runs attempts in parallel, writes predictions that the bench measures', async () => {
    const server = await startScriptedServer(editThenFinish(TOP_K_HEAP_EDIT, 'finish'));
    try {
      const s = await isobench(
        [
          'solve',
          '--agent',
          'native',
          '--option',
          'provider=openai',
          '--option',
          'api=chat',
          '--base-url',
          `${server.url}/v1`,
          '--model',
          'scripted-model',
          '--tasks',
          'demo/cpu-latency',
          '--attempts',
          '2',
          '--concurrency',
          '2',
          '--cache',
          join(tmp, 'cache'),
          '--out',
          tmp,
          '--run-id',
          'solve-1',
        ],
        { OPENAI_API_KEY: '' },
      );
      expect(s.code, s.stderr).toBe(0);
      expect(s.stdout).toMatch(/\[2\/2\] demo\/cpu-latency #\d: completed \(patch 1 file\(s\) \+3 -2/);
      expect(s.stdout).toContain('outcomes: completed 2; patches: 2/2');
      const summary = JSON.parse(readFileSync(join(tmp, 'solve-1', 'solve.json'), 'utf8'));
      expect(summary).toMatchObject({
        schemaVersion: 1,
        agent: 'native',
        patches: 2,
        outcomes: { completed: 2 },
      });
      const lines = readFileSync(join(tmp, 'solve-1', 'predictions.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => [l.task, l.attempt, l.agent, l.model])).toEqual([
        ['demo/cpu-latency', 1, 'native', 'scripted-model'],
        ['demo/cpu-latency', 2, 'native', 'scripted-model'],
      ]);
      expect(lines[0].model_patch).toContain('heapq.nlargest');
    } finally {
      await server.close();
    }
    const r = await isobench([
      'run',
      '--predictions',
      join(tmp, 'solve-1', 'predictions.jsonl'),
      ...quickRun(tmp, 'bench-1'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const job = JSON.parse(
      readFileSync(join(tmp, 'bench-1', 'jobs', 'demo_cpu-latency', 'job.json'), 'utf8'),
    );
    expect(job.variants.map((v: { id: string; status: string }) => [v.id, v.status])).toEqual([
      ['baseline', 'ok'],
      ['human', 'ok'],
      ['agent:native', 'ok'],
      ['agent:native#2', 'ok'],
    ]);
  }, 180_000);

  it('refuses a missing key, a bad option and an unknown agent, naming them', async () => {
    const noKey = await isobench(['solve', '--agent', 'claude-code', '--model', 'm'], {
      ANTHROPIC_API_KEY: '',
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('claude-code needs an API key in $ANTHROPIC_API_KEY');
    const bad = await isobench(['solve', '--agent', 'native', '--option', 'provider=gemini', '--model', 'm']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--option for native: provider: /);
    const unknown = await isobench(['solve', '--agent', 'aider', '--model', 'm']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown agent 'aider'");
  }, 60_000);
});
