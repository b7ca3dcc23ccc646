/**
 * Distributed mode with faults injected: a real Redis (started here, append-only so a restart keeps
 * the queue), at least two `isobench worker` processes and the coordinator (`isobench run --redis`).
 * Killed workers, a killed coordinator, a Redis restart, a container the Docker engine refuses and an
 * agent's HTTP 429: every unit ends recorded exactly once, infra failures are retried and labelled,
 * none is counted against an agent, and a planted API key reaches no stored file, log or queue entry.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Script, type ScriptedServer, startScriptedServer } from '../../src/agent/scripted-server.js';
import { quickRun } from '../support/cli.js';
import { HAVE_DOCKER } from '../support/docker.js';
import { redisAvailable, startRedis, type TestRedis } from '../support/redis.js';
import { PROJECT_ROOT } from '../support/shared-data.js';

const BIN = resolve(PROJECT_ROOT, 'bin/isobench.mjs');
const root = mkdtempSync(join(tmpdir(), 'isobench-dist-'));
const out = join(root, 'runs');
const PLANTED = 'sk-planted-dist-4c8e1a9f7b2d';
const env = { ...process.env, OPENAI_API_KEY: PLANTED };
const hasRedis = redisAvailable();
if (!hasRedis)
  console.warn(
    '[isobench tests] SKIPPING the distributed suite: no redis-server (apt-get install redis-server)',
  );

let redis: TestRedis;
let server: ScriptedServer;
let limitedOnce = false;
const script: Script = (step) => {
  if (!limitedOnce) {
    limitedOnce = true;
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
              new_string: 'def top_k(scores, k):  # w',
            },
          },
        ],
      }
    : { tools: [{ name: 'done', input: {} }] };
};

interface W {
  readonly name: string;
  readonly proc: ChildProcess;
  log(): string;
}
const workers: W[] = [];
function worker(name: string, extra: string[] = []): W {
  const logs: string[] = [];
  const proc = spawn(
    process.execPath,
    [
      BIN,
      'worker',
      '--redis',
      redis.url,
      '--name',
      name,
      '--gpus',
      'none',
      '--lock-ms',
      '2000',
      '--agent-slots',
      '1',
      '--executor',
      'local',
      ...extra,
    ],
    { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout?.on('data', (d) => logs.push(String(d)));
  proc.stderr?.on('data', (d) => logs.push(String(d)));
  const w = { name, proc, log: () => logs.join('') };
  workers.push(w);
  return w;
}
async function until(what: string, ok: () => boolean, ms = 120_000): Promise<void> {
  const t = Date.now();
  while (!ok()) {
    if (Date.now() - t > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
function coordinator(args: string[]): {
  proc: ChildProcess;
  done: Promise<{ code: number | null; text: string }>;
  text(): string;
} {
  const chunks: string[] = [];
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (d) => chunks.push(String(d)));
  proc.stderr?.on('data', (d) => chunks.push(String(d)));
  const done = new Promise<{ code: number | null; text: string }>((res) =>
    proc.on('exit', (code) => res({ code, text: chunks.join('') })),
  );
  return { proc, done, text: () => chunks.join('') };
}
const base = (id: string) => ['run', '--redis', redis.url, ...quickRun(out, id, 2)];
const json = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
/** The unit records of a run: one per unit folder, each read once. */
function units(
  id: string,
): Array<{ dir: string; kind: string; status: string; key: string; retries: Array<{ cause: string }> }> {
  const found: Array<{
    dir: string;
    kind: string;
    status: string;
    key: string;
    retries: Array<{ cause: string }>;
  }> = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (n === 'unit.json') found.push({ dir: d, ...json(p) });
      else if (statSync(p).isDirectory() && n !== 'phases' && n !== 'workspace') walk(p);
    }
  };
  walk(join(out, id));
  return found;
}
function allFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}
function strays(): number {
  const r = spawnSync('pgrep', ['-f', 'engine.server --model demo-engine'], { encoding: 'utf8' });
  return r.stdout.trim() ? r.stdout.trim().split('\n').length : 0;
}
async function stopWorkers(): Promise<void> {
  for (const w of workers.splice(0)) {
    if (w.proc.exitCode !== null || w.proc.signalCode) continue;
    const gone = new Promise((r) => w.proc.once('exit', r));
    w.proc.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 20_000))]);
    if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
  }
}

describe.runIf(hasRedis)('distributed mode: a Redis queue, two workers, faults injected', () => {
  beforeAll(async () => {
    mkdirSync(join(root, 'redis'));
    redis = await startRedis(join(root, 'redis'));
    server = await startScriptedServer(script);
  });
  afterEach(stopWorkers);
  afterAll(async () => {
    await stopWorkers();
    await server?.close();
    await redis?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a worker killed mid-job loses nothing: another takes the job after its lock, recorded once', async () => {
    const w1 = worker('w1');
    const w2 = worker('w2');
    const c = coordinator(base('kw'));
    await until('a bench job on w1', () => /: demo\/cpu-/.test(w1.log()));
    w1.proc.kill('SIGKILL');
    const leftBy = (pid: number | undefined) =>
      readdirSync(tmpdir()).filter((n) => n.startsWith(`isobench-worker-${pid}-`));
    await until('w1 gone', () => w1.proc.exitCode !== null || w1.proc.signalCode !== null);
    expect(leftBy(w1.proc.pid)).toHaveLength(1);
    // a fresh worker on this host removes what the dead one left (its unit folder, sandbox, server)
    const w3 = worker('w3');
    await until('w3 cleaned up', () => /left by a worker/.test(w3.log()));
    expect(leftBy(w1.proc.pid)).toEqual([]);
    const r = await c.done;
    expect(r.code, r.text).toBe(0);
    const u = units('kw');
    expect(u.map((x) => `${x.kind} ${x.status}`).sort()).toEqual(['bench_job done', 'bench_job done']);
    expect(new Set(u.map((x) => x.key)).size).toBe(2);
    const requeued = u.filter((x) => x.retries.some((t) => /silent worker/.test(t.cause)));
    expect(requeued, JSON.stringify(u.map((x) => x.retries))).toHaveLength(1);
    expect(w2.log() + w3.log()).toMatch(/stalled|done in/);
    expect(json(join(out, 'kw', 'run.json')).status).toBe('done');
    await stopWorkers();
    expect(strays()).toBe(0);
  }, 300_000);

  it('a coordinator killed mid-run resumes and takes the finished jobs from the queue, none run twice', async () => {
    const w1 = worker('w1');
    const w2 = worker('w2');
    const c = coordinator(base('kc'));
    await until('both jobs started', () => /: demo\/cpu-/.test(w1.log()) && /: demo\/cpu-/.test(w2.log()));
    c.proc.kill('SIGKILL');
    await c.done;
    // the workers finish while no coordinator listens
    await until('both jobs finished', () => /done in/.test(w1.log()) && /done in/.test(w2.log()));
    const r = await coordinator(['run', '--resume', 'kc', '--out', out]).done;
    expect(r.code, r.text).toBe(0);
    expect(units('kc').map((x) => x.status)).toEqual(['done', 'done']);
    const ran = (w1.log() + w2.log()).match(/done in/g) ?? [];
    expect(ran).toHaveLength(2);
  }, 300_000);

  it('rides out a Redis restart', async () => {
    worker('w1');
    const w2 = worker('w2');
    const c = coordinator(base('rr'));
    await until('a job started', () => /: demo\/cpu-/.test(workers.map((w) => w.log()).join('')));
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.start();
    const r = await c.done;
    expect(r.code, r.text).toBe(0);
    const u = units('rr');
    expect(u.map((x) => `${x.kind} ${x.status}`)).toEqual(['bench_job done', 'bench_job done']);
    expect(w2.proc.exitCode).toBe(null); // the workers reconnected
  }, 300_000);

  it('an agent that hits HTTP 429 on a worker is retried, labelled, not counted; the key is nowhere', async () => {
    worker('w1');
    worker('w2');
    const r = await coordinator([
      ...base('ag'),
      '--agents',
      'example-command:scripted-model',
      '--option',
      `baseUrl=${server.url}/v1`,
      '--attempts',
      '2',
      '--tasks',
      'demo/cpu-latency',
      '--attempt-retry-backoff-s',
      '0.2',
    ]).done;
    expect(r.code, r.text).toBe(0);
    const u = units('ag');
    const attempts = u.filter((x) => x.kind === 'agent_attempt');
    expect(attempts.map((x) => x.status)).toEqual(['done', 'done']);
    expect(attempts.flatMap((x) => x.retries.map((t) => t.cause)).join('\n')).toMatch(/429/);
    expect(u.filter((x) => x.kind === 'bench_job').map((x) => x.status)).toEqual(['done', 'done']);
    const rows = readFileSync(join(out, 'ag', 'rows.ext.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(rows.map((l) => JSON.parse(l).agent)).toEqual(['example-command', 'example-command']);
    // no stored file, no worker log, no queue entry (Redis's append-only file holds every write)
    const logs = workers.map((w) => w.log()).join('');
    expect(logs.includes(PLANTED)).toBe(false);
    const stored = [...allFiles(out), ...allFiles(join(root, 'redis'))];
    expect(stored.some((f) => f.includes('appendonly'))).toBe(true);
    for (const f of stored) expect(readFileSync(f).includes(PLANTED), f).toBe(false);
  }, 300_000);

  it('artifacts can travel through a shared store folder instead of Redis', async () => {
    const store = join(root, 'store');
    worker('w1', ['--store', store]);
    worker('w2', ['--store', store]);
    const r = await coordinator([...base('st'), '--tasks', 'demo/cpu-latency']).done;
    expect(r.code, r.text).toBe(0);
    expect(units('st').map((x) => x.status)).toEqual(['done']);
    expect(existsSync(join(out, 'st', 'jobs', 'demo_cpu-latency', 'phases'))).toBe(true);
    // the coordinator took the archive and removed it
    expect(allFiles(store)).toEqual([]);
    expect(existsSync(join(store, 'st'))).toBe(true);
  }, 300_000);

  it.runIf(HAVE_DOCKER)(
    'a container the Docker engine refuses is an infra failure, retried on another worker',
    async () => {
      // --cpus beyond the host: the engine refuses the container ("range of CPUs")
      const bad = worker('refuses', ['--executor', 'docker', '--cpus', '512']);
      const c = coordinator([
        ...base('dk').map((a) => (a === 'local' ? 'docker' : a)),
        '--tasks',
        'demo/cpu-latency',
        '--job-retries',
        '3',
        '--job-retry-backoff-s',
        '1',
      ]);
      // once the coordinator has the refusal (it prints the retry before its back-off), the refusing
      // worker goes, so that the retry lands on the good one
      await until('the refusal reaching the coordinator', () =>
        /retry demo_cpu-latency: .*container/i.test(c.text()),
      );
      bad.proc.kill('SIGKILL');
      worker('good', ['--executor', 'docker']);
      const r = await c.done;
      expect(r.code, r.text).toBe(0);
      const [u] = units('dk');
      expect(u?.status).toBe('done');
      expect(u?.retries[0]?.cause).toMatch(/refuses|cannot start a container|CPUs/i);
      const rows = readFileSync(join(out, 'dk', 'rows.ext.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(rows.map((x) => x.failureClass ?? null)).toEqual([null]);
    },
    300_000,
  );
});
