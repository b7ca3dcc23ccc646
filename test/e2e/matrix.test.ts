/**
 * The whole matrix in one command, in-process: agents × attempts (the real example-command agent
 * against a scripted model server), then one bench job per attempt number. A rerun reads every unit
 * back; a rate limit is retried by the attempt and recorded, never counted against the agent; the
 * wall-clock cap stops scheduling and `--resume` finishes; a planted key is in no stored file.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Script, type ScriptedServer, startScriptedServer } from '../../src/agent/scripted-server.js';
import { EXT_ROW_VERSION } from '../../src/store/schema.js';
import { quickRun, runCli } from '../support/cli.js';

const out = mkdtempSync(join(tmpdir(), 'isobench-matrix-'));
const PLANTED = 'sk-planted-matrix-7f3a9c2e5b1d';
let mode: 'ok' | 'rate-limit-once' | 'rate-limit-always' | 'unauthorized' = 'ok';
let limited = 0;
const script: Script = (step) => {
  if (mode === 'unauthorized') return { error: { status: 401, message: 'invalid api key (scripted)' } };
  if (mode === 'rate-limit-always' || (mode === 'rate-limit-once' && limited === 0)) {
    limited++;
    return { error: { status: 429, message: 'rate limited (scripted)' } };
  }
  return step === 0
    ? {
        tools: [
          {
            name: 'edit_file',
            input: {
              path: 'engine/sampler.py',
              old_string: 'def top_k(scores, k):',
              new_string: 'def top_k(scores, k):  # tuned',
            },
          },
        ],
      }
    : { tools: [{ name: 'done', input: {} }] };
};
let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer(script);
});
afterAll(async () => {
  await server?.close();
  rmSync(out, { recursive: true, force: true });
});

const isobench = (args: string[]) => runCli(args, { OPENAI_API_KEY: PLANTED });
const matrix = (id: string, extra: string[] = []) => [
  'run',
  '--agents',
  'example-command:scripted-model',
  '--option',
  `baseUrl=${server.url}/v1`,
  '--tasks',
  'demo/cpu-latency',
  '--attempt-retry-backoff-s',
  '0.2',
  ...quickRun(out, id),
  ...extra,
];
const json = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
const rows = (id: string) =>
  readFileSync(join(out, id, 'rows.ext.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('isobench run --agents … --attempts N', () => {
  it('runs every attempt, then one bench job per attempt number; a rerun reads all back', async () => {
    mode = 'ok';
    const r = await isobench(matrix('m', ['--attempts', '2']));
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/agent attempts 2\/2/);
    const run = json(join(out, 'm', 'run.json'));
    expect(run.status).toBe('done');
    for (const n of [1, 2]) {
      const unit = json(
        join(out, 'm', 'agents', 'example-command', 'demo_cpu-latency', String(n), 'unit.json'),
      );
      expect(unit).toMatchObject({ kind: 'agent_attempt', status: 'done' });
      expect(unit.detail).toMatch(/^completed/);
      const job = json(join(out, 'm', 'jobs', `demo_cpu-latency_a${n}`, 'job.json'));
      expect(job.variants.map((v: { id: string }) => v.id)).toEqual([
        'baseline',
        'human',
        'agent:example-command',
      ]);
      expect(json(join(out, 'm', 'jobs', `demo_cpu-latency_a${n}`, 'unit.json')).kind).toBe('bench_job');
    }
    expect(rows('m').map((x) => `${x.agent} ${x.model}`)).toEqual([
      'example-command scripted-model',
      'example-command scripted-model',
    ]);
    // each row carries the effort of the attempt behind its patch
    expect(rows('m').map((x) => x.effort)).toEqual(
      [1, 2].map((n) =>
        expect.objectContaining({
          attempt: n,
          outcome: 'completed',
          inputTokens: 240,
          outputTokens: 60,
          turns: 2,
          toolCalls: 2,
          agentVersion: 'example-command/1',
          modelReported: 'scripted-model',
          path: `agents/example-command/demo_cpu-latency/${n}`,
        }),
      ),
    );
    expect(rows('m').map((x) => x.schemaVersion)).toEqual([EXT_ROW_VERSION, EXT_ROW_VERSION]);
    const requests = server.requests.length;
    const before = json(join(out, 'm', 'jobs', 'demo_cpu-latency_a1', 'unit.json')).finishedAt;
    const again = await isobench(matrix('m', ['--attempts', '2']));
    expect(again.status, again.stderr).toBe(0);
    expect(server.requests.length).toBe(requests); // no attempt ran again
    expect(json(join(out, 'm', 'jobs', 'demo_cpu-latency_a1', 'unit.json')).finishedAt).toBe(before);
    expect(again.stdout).toMatch(/2 from records/);
    // the planted key reached the agent (it answered) but no stored file
    for (const f of files(join(out, 'm'))) expect(readFileSync(f).includes(PLANTED), f).toBe(false);
    // run-report has a section per bench job, each with the row of its own attempt
    const report = await isobench(['run-report', join(out, 'm')]);
    expect(report.status, report.stderr).toBe(0);
    const sections = report.stdout.split(/^## /m).slice(1);
    expect(sections.map((x) => x.split('\n')[0])).toEqual([
      'demo/cpu-latency (attempt 1)',
      'demo/cpu-latency (attempt 2)',
    ]);
    for (const x of sections) expect(x.match(/^- \*\*example-command\*\*/gm)).toHaveLength(1);
  }, 600_000);

  it('--judge adds the judge and the quadrant to each row, from the cache the second time; a failing judge leaves the verdict', async () => {
    let judgeFails = false;
    const judgeServer = await startScriptedServer(() =>
      judgeFails
        ? { error: { status: 500, message: 'judge down' } }
        : {
            tools: [
              {
                name: 'record_judgement',
                input: {
                  targeting: 'different',
                  approach: 'ineffective',
                  reason: 'It only adds a comment to top_k.',
                },
              },
            ],
          },
    );
    try {
      const cacheRoot = join(out, 'cache-judge');
      const judged = [
        '--judge',
        'anthropic:judge-model',
        '--judge-base-url',
        judgeServer.url,
        '--cache-root',
        cacheRoot,
      ];
      mode = 'ok';
      const r = await isobench(matrix('j', judged));
      expect(r.status, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toMatch(/Quadrant/);
      const [row] = rows('j');
      expect(row.judge).toMatchObject({
        status: 'judged',
        cached: false,
        answer: { targeting: 'different' },
      });
      expect(row.quadrant).toBe(
        row.verdict === 'beats_human' || row.verdict === 'matches_human' ? 'lucky_win' : 'failure',
      );
      const body = judgeServer.requests.find((q) => q.api === 'anthropic')?.body as {
        messages: Array<{ content: string }>;
      };
      expect(body.messages[0]?.content).toContain('Human diff:');
      // the run's leaderboard: hard and true successes, quadrants, tokens
      const lb = await isobench(['leaderboard', join(out, 'j'), '--format', 'json']);
      expect(lb.status, lb.stderr).toBe(0);
      const [line] = JSON.parse(lb.stdout).agents;
      expect(line).toMatchObject({
        agent: 'example-command',
        attempts: 1,
        trueSuccess: 0,
        tokens: { input: 240, output: 60 },
      });
      expect(Object.values(line.quadrants)).toEqual([1]);
      const md = await isobench(['leaderboard', join(out, 'j'), '--format', 'markdown']);
      expect(md.stdout).toMatch(
        /^\| Agent \| Model \| Attempts \| Hard success \| Tasks solved \(any attempt\) \| pass@1 \| True success/,
      );
      const asked = judgeServer.requests.length;
      // a second report (another run of the same patch) asks nothing
      const again = await isobench(matrix('j2', judged));
      expect(again.status, again.stderr).toBe(0);
      expect(rows('j2')[0].judge).toMatchObject({ status: 'judged', cached: true });
      expect(judgeServer.requests.length).toBe(asked);
      // a judge that fails is recorded as such; the hard verdict is there as without a judge
      judgeFails = true;
      const failed = await isobench(
        matrix('j3', [
          '--judge',
          'anthropic:other-judge',
          '--judge-base-url',
          judgeServer.url,
          '--cache-root',
          cacheRoot,
        ]),
      );
      expect(failed.status, failed.stderr).toBe(0);
      const [f] = rows('j3');
      expect(f.judge.status).toBe('judge_failed');
      expect(f.quadrant).toBe(null);
      expect(f.verdict).toBeTruthy();
    } finally {
      await judgeServer.close();
    }
  }, 600_000);

  it('one agent, one row: run --predictions of an attempt gives the row run --agents gave, effort and model included', async () => {
    // run 'm' (above) ran the agent; its attempt wrote a prediction line
    const line = join(out, 'm', 'agents', 'example-command', 'demo_cpu-latency', '1', 'prediction.jsonl');
    const pred = json(line);
    expect(pred).toMatchObject({
      schemaVersion: 2,
      model_name_or_path: 'scripted-model',
      model: 'scripted-model',
    });
    expect(pred.effort.turns).toBeGreaterThan(0);
    const r = await isobench(['run', '--predictions', line, ...quickRun(out, 'm-pred')]);
    expect(r.status, r.stderr).toBe(0);
    const viaAgents = rows('m').find((x) => x.effort?.attempt === 1);
    const [viaPredictions] = rows('m-pred');
    const identity = (x: Record<string, unknown>) => ({ agent: x.agent, model: x.model, effort: x.effort });
    expect(identity(viaPredictions)).toEqual(identity(viaAgents));
    expect(viaPredictions.effort.inputTokens).toBeGreaterThan(0);
    // the leaderboard shows its tokens and turns, on one line for the agent and model
    const board = await isobench(['leaderboard', join(out, 'm-pred'), '--json']);
    expect(board.status, board.stderr).toBe(0);
    const agents = JSON.parse(board.stdout).agents;
    expect(agents).toHaveLength(1);
    expect(agents[0]).toMatchObject({ agent: 'example-command', model: 'scripted-model' });
    expect(agents[0].tokens.input).toBe(viaAgents.effort.inputTokens);
  }, 300_000);

  it('a refused key is a configuration error: said at once, not retried, the run stops and exits 2', async () => {
    mode = 'unauthorized';
    const r = await isobench(matrix('auth', ['--attempts', '2', '--attempt-retry-backoff-s', '5']));
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(
      'configuration error: example-command: the key in $OPENAI_API_KEY was refused',
    );
    const outcome = json(
      join(out, 'auth', 'agents', 'example-command', 'demo_cpu-latency', '1', 'outcome.json'),
    );
    expect(outcome.outcome.kind).toBe('config_error');
    // one try: never retried with back-off
    expect(outcome.tries).toHaveLength(1);
    const unit = json(join(out, 'auth', 'agents', 'example-command', 'demo_cpu-latency', '1', 'unit.json'));
    expect(unit.status).toBe('config_error');
    // nothing was measured for a run that could not run its agent
    expect(existsSync(join(out, 'auth', 'jobs', 'demo_cpu-latency_a1', 'job.json'))).toBe(false);
    // once the key is right, a resume runs the attempt again
    mode = 'ok';
    const resumed = await isobench(['run', '--resume', 'auth', '--out', out]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(
      json(join(out, 'auth', 'agents', 'example-command', 'demo_cpu-latency', '1', 'outcome.json')).outcome
        .kind,
    ).toBe('completed');
  }, 300_000);

  it('a rate limit is retried by the attempt and recorded; a lasting one is infra, not the agent’s', async () => {
    mode = 'rate-limit-once';
    limited = 0;
    const r = await isobench(matrix('rl'));
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const unit = json(join(out, 'rl', 'agents', 'example-command', 'demo_cpu-latency', '1', 'unit.json'));
    expect(unit.status).toBe('done');
    expect(unit.retries.map((x: { cause: string }) => x.cause).join('\n')).toMatch(/429/);
    expect(rows('rl')).toHaveLength(1);

    mode = 'rate-limit-always';
    const r2 = await isobench(matrix('rl2', ['--attempt-retries', '1']));
    expect(r2.status, r2.stderr).toBe(0);
    const u2 = json(join(out, 'rl2', 'agents', 'example-command', 'demo_cpu-latency', '1', 'unit.json'));
    expect(u2.status).toBe('infra');
    expect(u2.retries.length).toBe(1);
    // the job measured baseline and human only: no row counts the rate limit against the agent
    const job = json(join(out, 'rl2', 'jobs', 'demo_cpu-latency', 'job.json'));
    expect(job.variants.map((v: { id: string }) => v.id)).toEqual(['baseline', 'human']);
    expect(rows('rl2')).toEqual([]);
    // --retry-infra runs the attempt again (now answered) and the job with its patch
    mode = 'ok';
    const r3 = await isobench(['run', '--resume', 'rl2', '--out', out, '--retry-infra']);
    expect(r3.status, r3.stderr).toBe(0);
    const u3 = json(join(out, 'rl2', 'agents', 'example-command', 'demo_cpu-latency', '1', 'unit.json'));
    expect(u3.status).toBe('done');
    expect(u3.retries.length).toBeGreaterThanOrEqual(2);
    expect(rows('rl2').map((x) => x.agent)).toEqual(['example-command']);
  }, 600_000);

  it('the wall-clock cap stops scheduling cleanly; --resume with a larger cap finishes', async () => {
    mode = 'ok';
    const r = await isobench(matrix('cap', ['--max-wall-min', '0.000001']));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/stopped early: the wall-clock cap .* isobench run --resume cap/);
    const run = json(join(out, 'cap', 'run.json'));
    expect(run.status).toBe('stopped');
    expect(existsSync(join(out, 'cap', 'jobs'))).toBe(false);
    const done = await isobench(['run', '--resume', 'cap', '--out', out, '--max-wall-min', '60']);
    expect(done.status, done.stderr).toBe(0);
    expect(json(join(out, 'cap', 'run.json')).status).toBe('done');
    expect(rows('cap')).toHaveLength(1);
  }, 600_000);
});
