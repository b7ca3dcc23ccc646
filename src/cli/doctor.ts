/**
 * `isobench doctor`: what this host can do, each check ok / warn / fail with the reason: the Docker
 * engine (and that it runs without a bridge), the base image and the recipe image cache, GPUs, free
 * disk, Python, agent installs, API keys (whether set; never their values), and Redis when asked.
 */
import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { KEY_ENV } from '../agent/types.js';
import { columns, EXIT, out, outJson } from './common.js';

/** Options of `isobench doctor`. */
export interface DoctorOptions {
  redis?: string;
  cacheRoot?: string;
  json?: boolean;
}

/** One check. */
export interface Check {
  readonly area: string;
  readonly status: 'ok' | 'warn' | 'fail';
  readonly detail: string;
}

function run(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((done) =>
    execFile(cmd, args, { timeout: 15_000 }, (e, stdout, stderr) =>
      done({ ok: !e, out: `${stdout}${stderr}`.trim() }),
    ),
  );
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** Every check, in order. */
export async function doctorChecks(opts: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (area: string, status: Check['status'], detail: string) =>
    checks.push({ area, status, detail });

  // Docker engine
  try {
    const { connectDocker, dockerAvailable } = await import('../executor/docker.js');
    const docker = await connectDocker();
    const up = await dockerAvailable(docker);
    if (!up.ok) add('docker', 'warn', `no engine answers (${up.reason}); runs use the local executor`);
    else {
      const info = (await docker.info()) as { ServerVersion?: string; Driver?: string };
      const nets = await docker.listNetworks();
      const bridge = nets.some((n) => n.Driver === 'bridge');
      add(
        'docker',
        bridge ? 'warn' : 'ok',
        `engine ${info.ServerVersion} (${info.Driver})${bridge ? '; it has a bridge network: start dockerd with --bridge=none (containers still run with network none)' : '; no bridge network'}`,
      );
      const base = await docker
        .getImage('isobench-base:bookworm')
        .inspect()
        .then(() => true)
        .catch(() => false);
      add(
        'image',
        base ? 'ok' : 'warn',
        base
          ? 'isobench-base:bookworm present'
          : 'isobench-base:bookworm missing (scripts/base-image.sh builds it)',
      );
      const { cachedImages } = await import('../executor/image-cache.js');
      const imgs = await cachedImages(docker, opts.cacheRoot);
      add(
        'image cache',
        'ok',
        `${imgs.length} recipe image(s), ${gib(imgs.reduce((n, i) => n + i.bytes, 0))} of their own (isobench images prune --budget SIZE)`,
      );
    }
  } catch (e) {
    add('docker', 'warn', `no engine: ${(e as Error).message}`);
  }

  // GPUs
  const smi = await run('nvidia-smi', [
    '--query-gpu=index,name,memory.total,driver_version',
    '--format=csv,noheader',
  ]);
  add(
    'gpus',
    smi.ok ? 'ok' : 'warn',
    smi.ok
      ? smi.out.split('\n').join('; ')
      : 'no NVIDIA GPU (nvidia-smi absent or failing): CPU tasks only, one measurement slot',
  );
  if (smi.ok) {
    // the vLLM images' CUDA: 12.1-12.4 for 2024 to 2025-04 trees, 12.8 from 2025-05 (tasks verify checks each task)
    const driver = smi.out.split('\n')[0]?.split(',').pop()?.trim() ?? '';
    const { driverRuns, maxCudaFor } = await import('../executor/cuda-driver.js');
    const late = driverRuns(driver, '12.8');
    add(
      'driver',
      late.ok ? 'ok' : 'warn',
      late.ok
        ? `${driver} runs every vLLM image (up to CUDA ${maxCudaFor(driver)})`
        : `${late.detail}: the images of tasks from 2025-05 on (CUDA 12.8) will not start here; \`isobench tasks verify\` names them`,
    );
  }

  // disk
  const { defaultCacheRoot } = await import('../workspace/repo-cache.js');
  const places = [
    ['results', resolve('results')],
    ['cache', resolve(opts.cacheRoot ?? defaultCacheRoot())],
    ['tmp', tmpdir()],
  ] as const;
  for (const [name, p] of places) {
    let dir = p;
    // the nearest existing folder
    for (;;) {
      try {
        const s = await statfs(dir);
        const free = s.bavail * s.bsize;
        add('disk', free < 5 * 2 ** 30 ? 'warn' : 'ok', `${name} (${p}): ${gib(free)} free`);
        break;
      } catch {
        const up = resolve(dir, '..');
        if (up === dir) {
          add('disk', 'warn', `${name} (${p}): cannot read free space`);
          break;
        }
        dir = up;
      }
    }
  }

  // python (the local executor runs benchmark clients with it)
  const py = await run('python3', ['--version']);
  add(
    'python',
    py.ok ? 'ok' : 'warn',
    py.ok ? py.out : 'python3 not found: the local executor cannot run benchmarks',
  );

  // agents
  const [{ knownAgents, resolveAgent }, { ensureInstalled }] = await Promise.all([
    import('../../agents/index.js'),
    import('../agent/install.js'),
  ]);
  for (const name of knownAgents()) {
    try {
      const a = await resolveAgent(name);
      if (a.install.kind === 'none') {
        add(`agent ${name}`, 'ok', 'nothing to install');
        continue;
      }
      const got = await ensureInstalled(a, { root: opts.cacheRoot, check: true });
      add(`agent ${name}`, 'ok', `${got.version ?? ''} at ${got.binary}`);
    } catch (e) {
      add(`agent ${name}`, 'warn', (e as Error).message.split('\n')[0] ?? '');
    }
  }

  // API keys: whether set, never what they are
  for (const k of Object.values(KEY_ENV))
    add('api key', process.env[k] ? 'ok' : 'warn', `${k} ${process.env[k] ? 'is set' : 'is not set'}`);

  // Redis
  if (opts.redis) {
    try {
      const { connectionOf } = await import('../sched/redis.js');
      const { Redis } = await import('ioredis');
      const c = new Redis({
        ...(connectionOf(opts.redis) as object),
        lazyConnect: true,
        maxRetriesPerRequest: 1,
      });
      c.on('error', () => undefined);
      try {
        await Promise.race([
          c.connect(),
          new Promise((_, f) => setTimeout(() => f(new Error('no answer in 5 s')), 5000)),
        ]);
        const info = await c.info('server');
        const v = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
        const persist = await c.config('GET', 'appendonly').catch(() => null);
        const aof = Array.isArray(persist) ? persist[1] : null;
        add(
          'redis',
          aof === 'no' ? 'warn' : 'ok',
          `${opts.redis}: Redis ${v}${aof === 'no' ? '; appendonly is off (a restart loses queued jobs; the coordinator queues them again)' : ''}`,
        );
      } finally {
        c.disconnect();
      }
    } catch (e) {
      add('redis', 'fail', `${opts.redis}: ${(e as Error).message}`);
    }
  }
  return checks;
}

/** `isobench doctor`. */
export async function doctorCmd(opts: DoctorOptions): Promise<number> {
  const checks = await doctorChecks(opts);
  if (opts.json) outJson({ schemaVersion: 1, checks });
  else for (const l of columns(checks.map((c) => [c.status.toUpperCase(), c.area, c.detail]))) out(l);
  return checks.some((c) => c.status === 'fail') ? EXIT.findings : EXIT.ok;
}
