/**
 * A real Redis server for the distributed tests: `redis-server` (Debian's redis-server package;
 * `.ci/run` installs it) on a free loopback port, persisting to an append-only file in its own
 * folder so that a restart keeps the queue, as a production Redis would.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort } from '../../src/bench/server.js';

/** Whether redis-server can run here; CI (ISOBENCH_REQUIRE_REDIS=1) must have it. */
export function redisAvailable(): boolean {
  const ok = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;
  if (!ok && process.env.ISOBENCH_REQUIRE_REDIS === '1')
    throw new Error('redis-server is required here (ISOBENCH_REQUIRE_REDIS=1): apt-get install redis-server');
  return ok;
}

/** A running Redis. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** stops it (SHUTDOWN, which flushes the append-only file) */
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function waitUp(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG')
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server on ${port} did not answer`);
}

/** Starts Redis with its data in `dir`. */
export async function startRedis(dir: string): Promise<TestRedis> {
  const port = await freePort();
  let proc: ChildProcess | null = null;
  const r: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async start() {
      proc = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          dir,
          '--appendonly',
          'yes',
          '--save',
          '',
          '--daemonize',
          'no',
        ],
        { stdio: 'ignore' },
      );
      await waitUp(port);
    },
    async stop() {
      const p = proc;
      if (!p || p.exitCode !== null) return;
      const exited = new Promise((res) => p.once('exit', res));
      spawnSync('redis-cli', ['-p', String(port), 'shutdown'], { encoding: 'utf8' });
      await Promise.race([exited, new Promise((res) => setTimeout(res, 5000))]);
      if (p.exitCode === null) p.kill('SIGKILL');
    },
  };
  await r.start();
  return r;
}
