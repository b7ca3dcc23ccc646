/**
 * The server of a serving phase: started with the task's server argv in the variant's tree, ready
 * when `/health` answers (a bound port is not readiness), a crash before that detected; stopped with
 * its whole process group, then the port waited for until it is free again.
 */
import { join } from 'node:path';
import type { Background, ExecResult, Sandbox } from '../executor/types.js';
import type { TaskSpec } from '../task/schema.js';
import { logTail, processRecord } from './process.js';
import type { ProcessRecord } from './types.js';

export const READY_PROBE = `
import sys, time, urllib.request
port, timeout = int(sys.argv[1]), float(sys.argv[2])
deadline = time.time() + timeout
last = ''
while time.time() < deadline:
    try:
        with urllib.request.urlopen(f'http://127.0.0.1:{port}/health', timeout=2) as r:
            if r.status == 200:
                print('ready'); sys.exit(0)
            last = f'status {r.status}'
    except Exception as e:
        last = str(e)
    time.sleep(0.05)
print(f'not ready after {timeout}s: {last}'); sys.exit(1)
`;

const PORT_FREE_PROBE = `
import socket, sys, time
port, timeout = int(sys.argv[1]), float(sys.argv[2])
deadline = time.time() + timeout
while time.time() < deadline:
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('127.0.0.1', port)); s.close(); print('free'); sys.exit(0)
    except OSError:
        s.close(); time.sleep(0.05)
print('still in use'); sys.exit(1)
`;

/** The port a server argv listens on (--port, default 8000). */
export function portOf(argv: readonly string[]): number {
  const i = argv.indexOf('--port');
  const v = i >= 0 ? argv[i + 1] : undefined;
  const eq = argv.find((a) => a.startsWith('--port='));
  const n = Number(v ?? eq?.slice(7) ?? 8000);
  return Number.isInteger(n) ? n : 8000;
}

/** `argv` with its `--port` (either spelling) set to `port`, or `--port port` added. */
function setPort(argv: readonly string[], port: number): string[] {
  const out = [...argv];
  const i = out.indexOf('--port');
  if (i >= 0 && i + 1 < out.length) out[i + 1] = String(port);
  else {
    const j = out.findIndex((a) => a.startsWith('--port='));
    if (j >= 0) out[j] = `--port=${port}`;
    else out.push('--port', String(port));
  }
  return out;
}

/**
 * The task with its server and client moved to `port` (serving tasks; others are returned as they
 * are). Used when several jobs share one host's loopback (local executor, concurrent slots); the
 * phases record the argv that really ran.
 */
export function withPort(task: TaskSpec, port: number): TaskSpec {
  const { server, client } = task.benchmark;
  if (!server || !client) return task;
  // the workload check compares the client with the task's perf command: it moves too
  const perf = task.benchmark.perfCommand;
  const perfCommand =
    perf === null || perf === undefined
      ? perf
      : /--port[= ]\d+/.test(perf)
        ? perf.replace(/--port([= ])\d+/, `--port$1${port}`)
        : `${perf} --port ${port}`;
  return {
    ...task,
    benchmark: {
      ...task.benchmark,
      perfCommand,
      server: { ...server, argv: setPort(server.argv, port) },
      client: { ...client, argv: setPort(client.argv, port) },
    },
  };
}

/** A TCP port on 127.0.0.1 that is free now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    import('node:net').then(({ createServer }) => {
      const srv = createServer();
      srv.once('error', fail);
      srv.listen(0, '127.0.0.1', () => {
        const a = srv.address();
        srv.close(() => (a && typeof a === 'object' ? done(a.port) : fail(new Error('no port'))));
      });
    }, fail);
  });
}

/** A started server, or why it did not become ready. */
export type ServerStart =
  | {
      readonly ok: true;
      readonly bg: Background;
      readonly port: number;
      readonly argv: readonly string[];
      readonly env: Record<string, string>;
      readonly ms: number;
    }
  | {
      readonly ok: false;
      readonly status: 'server_crash' | 'server_start_timeout' | 'infra_error';
      readonly detail: string;
      readonly record: ProcessRecord;
      readonly ms: number;
    };

/** Starts the task's server in `variantDir` and waits until it answers /health (logs in `logDir`). */
export async function startServer(
  sandbox: Sandbox,
  task: TaskSpec,
  variantDir: string,
  logDir: string,
  baseEnv: Readonly<Record<string, string>>,
): Promise<ServerStart> {
  const argv = task.benchmark.server?.argv ?? [];
  const env = { ...baseEnv, PYTHONPATH: variantDir };
  const port = portOf(argv);
  // the port must be free first: a process that holds it (a server left by a run killed outright)
  // would make this one crash, or answer in its place; that is the harness's failure, not the variant's
  const t00 = performance.now();
  const free = await sandbox.exec(['python3', '-c', PORT_FREE_PROBE, String(port), '5'], {
    stdoutPath: join(logDir, 'port-before.log'),
    stderrPath: join(logDir, 'port-before.log'),
    timeoutMs: 30_000,
  });
  if (free.exitCode !== 0)
    return {
      ok: false,
      status: 'infra_error',
      detail: `port ${port} was still in use 5 s before the server was to start: another process holds it`,
      record: processRecord(argv, variantDir, env, free),
      ms: performance.now() - t00,
    };
  const bg = await sandbox.start(argv, {
    cwd: variantDir,
    env,
    stdoutPath: join(logDir, 'server.log'),
    stderrPath: join(logDir, 'server.log'),
  });
  const t0 = performance.now();
  const ready = sandbox.exec(
    ['python3', '-c', READY_PROBE, String(port), String(task.timeouts.serverStartS)],
    {
      stdoutPath: join(logDir, 'ready.log'),
      stderrPath: join(logDir, 'ready.log'),
      timeoutMs: task.timeouts.serverStartS * 1000 + 10_000,
    },
  );
  const first = await Promise.race([ready.then((r) => ({ ready: r })), bg.done.then((r) => ({ exited: r }))]);
  if ('exited' in first)
    return {
      ok: false,
      status: 'server_crash',
      detail: `the server exited (code ${first.exited.exitCode}) before it was ready:\n${await logTail(join(logDir, 'server.log'))}`,
      record: processRecord(argv, variantDir, env, first.exited),
      ms: performance.now() - t0,
    };
  if (first.ready.exitCode !== 0) {
    const stopped = await bg.stop(5000);
    return {
      ok: false,
      status: 'server_start_timeout',
      detail: `the server did not answer /health within ${task.timeouts.serverStartS}s:\n${await logTail(join(logDir, 'server.log'))}`,
      record: processRecord(argv, variantDir, env, stopped),
      ms: performance.now() - t0,
    };
  }
  return { ok: true, bg, port, argv, env, ms: performance.now() - t0 };
}

/** Stops a server (its whole process group), calls `stopped` once it is down, then waits for the port to be free. */
export async function stopServer(
  sandbox: Sandbox,
  bg: Background,
  port: number,
  logDir: string,
  stopped?: () => void,
): Promise<ExecResult> {
  const r = await bg.stop(5000);
  stopped?.();
  await sandbox.exec(['python3', '-c', PORT_FREE_PROBE, String(port), '30'], {
    stdoutPath: join(logDir, 'port.log'),
    stderrPath: join(logDir, 'port.log'),
    timeoutMs: 40_000,
  });
  return r;
}
