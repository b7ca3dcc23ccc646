/**
 * Makespan of one demo matrix on 1 worker and on 2 workers (distributed mode: a real Redis, real
 * `isobench worker` processes, the real coordinator). The matrix: the CPU demo tasks × the example
 * command agent (scripted model server, in this process) × attempts, i.e. attempts × tasks agent
 * attempts and as many bench jobs. Prints the makespan of each, their ratio (target ≤ 0.55) and
 * each measurement slot's busy and idle time as the coordinator saw them.
 *
 *   node --import tsx test/bench/makespan.ts [--attempts 10] [--tasks demo/cpu-latency,demo/cpu-serving]
 *        [--repeats 2] [--workers 1,2] [--gpus-per-worker none|each] [--redis-server PATH]
 *
 * `--gpus-per-worker each` pins worker i to GPU i (a multi-GPU host); `none` gives each worker one CPU slot.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Script, startScriptedServer } from '../../src/agent/scripted-server.js';
import { freePort } from '../../src/bench/server.js';

const { values: a } = parseArgs({
  options: {
    attempts: { type: 'string', default: '10' },
    tasks: { type: 'string', default: 'demo/cpu-latency,demo/cpu-serving' },
    repeats: { type: 'string', default: '2' },
    workers: { type: 'string', default: '1,2' },
    'gpus-per-worker': { type: 'string', default: 'none' },
    'redis-server': { type: 'string', default: 'redis-server' },
    bin: { type: 'string', default: resolve(import.meta.dirname, '../../bin/isobench.mjs') },
    executor: { type: 'string', default: 'local' },
    'no-warmup': { type: 'boolean', default: false },
  },
});

const script: Script = (step) =>
  step === 0
    ? {
        tools: [
          {
            name: 'edit_file',
            input: {
              path: 'engine/sampler.py',
              old_string: 'def top_k(scores, k):',
              new_string: 'def top_k(scores, k):  # m',
            },
          },
        ],
      }
    : { tools: [{ name: 'done', input: {} }] };

const root = mkdtempSync(join(tmpdir(), 'isobench-makespan-'));
const port = await freePort();
const redis = spawn(
  a['redis-server'] as string,
  ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', root],
  {
    stdio: 'ignore',
  },
);
const url = `redis://127.0.0.1:${port}`;
for (let i = 0; i < 50; i++) {
  if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG')
    break;
  await new Promise((r) => setTimeout(r, 100));
}
const server = await startScriptedServer(script);

/** Runs a command without blocking this process (the scripted model server answers from it). */
function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const c = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => {
      stdout += d;
    });
    c.stderr.on('data', (d) => {
      stderr += d;
    });
    c.on('exit', (status) => done({ status, stdout, stderr }));
  });
}
const node = process.execPath;
const bin = a.bin as string;

type Result = {
  workers: number;
  wallS: number;
  slots: Array<{ slot: string; busyMs: number; idleMs: number }>;
  jobs: number;
};
const results: Result[] = [];
try {
  // an untimed run first, so that one-time costs (repository mirrors, Python bytecode) land on no timed run
  const trials = (a.workers as string).split(',').map(Number);
  for (const n of a['no-warmup'] ? trials : [0, ...trials]) {
    const warm = n === 0;
    const procs: ChildProcess[] = [];
    for (let i = 0; i < Math.max(1, n); i++) {
      const gpus = a['gpus-per-worker'] === 'each' ? String(i) : 'none';
      procs.push(
        spawn(
          node,
          [
            bin,
            'worker',
            '--redis',
            url,
            '--queue-prefix',
            `m${n}`,
            '--name',
            `w${i + 1}`,
            '--gpus',
            gpus,
            '--executor',
            a.executor as string,
            '--agent-slots',
            '1',
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = performance.now();
    const c = await run(
      node,
      [
        bin,
        'run',
        '--redis',
        url,
        '--queue-prefix',
        `m${n}`,
        '--agents',
        'example-command:scripted-model',
        '--option',
        `baseUrl=${server.url}/v1`,
        '--attempts',
        warm ? '1' : (a.attempts as string),
        '--tasks',
        a.tasks as string,
        '--repeats',
        a.repeats as string,
        '--warmup',
        '0',
        '--executor',
        a.executor as string,
        '--out',
        join(root, 'runs'),
        '--run-id',
        `w${n}`,
        '--json',
      ],
      { ...process.env, OPENAI_API_KEY: 'unused' },
    );
    const wallS = (performance.now() - t0) / 1000;
    for (const p of procs) p.kill('SIGTERM');
    if (c.status !== 0 && c.status !== 1)
      throw new Error(`run failed (${c.status}): ${c.stderr.slice(-2000)}`);
    const j = JSON.parse(c.stdout) as { slots: Result['slots']; jobs: unknown[] };
    if (warm) {
      console.log(`  (warm-up: ${wallS.toFixed(1)} s, not counted)`);
      continue;
    }
    results.push({ workers: n, wallS, slots: j.slots, jobs: j.jobs.length });
    console.log(`  (${n} worker(s): ${wallS.toFixed(1)} s, ${j.jobs.length} bench jobs)`);
    await new Promise((r) => setTimeout(r, 1000));
  }
} finally {
  await server.close();
  redis.kill('SIGTERM');
  if (process.env.KEEP) console.log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}

const first = results[0];
console.log(
  `makespan of ${first?.jobs} bench jobs (${a.tasks} × example-command × ${a.attempts} attempts, ${a.repeats} repeats):`,
);
for (const r of results) {
  console.log(
    `  ${r.workers} worker(s): ${r.wallS.toFixed(1)} s${first && r !== first ? `  ratio ${(r.wallS / first.wallS).toFixed(3)} (target <= 0.55)` : ''}`,
  );
  for (const s of r.slots)
    console.log(
      `      slot ${s.slot.padEnd(10)} busy ${(s.busyMs / 1000).toFixed(1)} s, idle ${(s.idleMs / 1000).toFixed(1)} s`,
    );
}
