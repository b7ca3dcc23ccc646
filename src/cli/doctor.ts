/**
 * `isobench doctor`: what this host can do, each check ok / warn / fail with the reason: the Docker
 * engine (and that it runs without a bridge), the base image and the recipe image cache, GPUs, free
 * disk, Python, agent installs, API keys (whether set; never their values), and Redis when asked.
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { KEY_ENV } from '../agent/types.js';
import { BASE_IMAGE } from '../util/defaults.js';
import { errorMessage } from '../util/errors.js';
import { statfsIfThere } from '../util/if-there.js';
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

/** A check. */
const check = (area: string, status: Check['status'], detail: string): Check => ({ area, status, detail });

/** Every check, in order. */
export async function doctorChecks(opts: DoctorOptions): Promise<Check[]> {
  return [
    ...(await dockerChecks(opts.cacheRoot)),
    ...(await gpuChecks()),
    ...(await diskChecks(opts.cacheRoot)),
    await pythonCheck(),
    ...(await agentChecks(opts.cacheRoot)),
    ...keyChecks(),
    ...(opts.redis ? [await redisCheck(opts.redis)] : []),
  ];
}

/** The Docker engine (and its bridge), the base image and the recipe image cache. */
async function dockerChecks(cacheRoot: string | undefined): Promise<Check[]> {
  try {
    const { connectDocker, dockerAvailable } = await import('../executor/docker.js');
    const docker = await connectDocker();
    const up = await dockerAvailable(docker);
    if (!up.ok)
      return [check('docker', 'warn', `no engine answers (${up.reason}); runs use the local executor`)];
    // dockerode types info() as any; the engine API documents ServerVersion and Driver
    const info = (await docker.info()) as { ServerVersion?: string; Driver?: string };
    const bridge = (await docker.listNetworks()).some((n) => n.Driver === 'bridge');
    // the engine answered: an image it cannot inspect is one it does not have
    const base = await docker
      .getImage(BASE_IMAGE)
      .inspect()
      .then(() => true)
      .catch(() => false);
    const { cachedImages } = await import('../executor/image-cache.js');
    const imgs = await cachedImages(docker, cacheRoot);
    return [
      check(
        'docker',
        bridge ? 'warn' : 'ok',
        `engine ${info.ServerVersion} (${info.Driver})${bridge ? '; it has a bridge network: start dockerd with --bridge=none (containers still run with network none)' : '; no bridge network'}`,
      ),
      check(
        'image',
        base ? 'ok' : 'warn',
        base ? `${BASE_IMAGE} present` : `${BASE_IMAGE} missing (scripts/base-image.sh builds it)`,
      ),
      check(
        'image cache',
        'ok',
        `${imgs.length} recipe image(s), ${gib(imgs.reduce((n, i) => n + i.bytes, 0))} of their own (isobench images prune --budget SIZE)`,
      ),
    ];
  } catch (e) {
    return [check('docker', 'warn', `no engine: ${errorMessage(e)}`)];
  }
}

/** The GPUs nvidia-smi lists, and whether their driver runs every vLLM image. */
async function gpuChecks(): Promise<Check[]> {
  const smi = await run('nvidia-smi', [
    '--query-gpu=index,name,memory.total,driver_version',
    '--format=csv,noheader',
  ]);
  if (!smi.ok)
    return [
      check(
        'gpus',
        'warn',
        'no NVIDIA GPU (nvidia-smi absent or failing): CPU tasks only, one measurement slot',
      ),
    ];
  // the vLLM images' CUDA: 12.1-12.4 for 2024 to 2025-04 trees, 12.8 from 2025-05 (tasks verify checks each task)
  const driver = smi.out.split('\n')[0]?.split(',').pop()?.trim() ?? '';
  const { driverRuns, maxCudaFor } = await import('../executor/cuda-driver.js');
  const late = driverRuns(driver, '12.8');
  return [
    check('gpus', 'ok', smi.out.split('\n').join('; ')),
    check(
      'driver',
      late.ok ? 'ok' : 'warn',
      late.ok
        ? `${driver} runs every vLLM image (up to CUDA ${maxCudaFor(driver)})`
        : `${late.detail}: the images of tasks from 2025-05 on (CUDA 12.8) will not start here; \`isobench tasks verify\` names them`,
    ),
  ];
}

/** Free space where results, the cache and temporary files go (the nearest existing folder of each). */
async function diskChecks(cacheRoot: string | undefined): Promise<Check[]> {
  const { defaultCacheRoot } = await import('../workspace/repo-cache.js');
  const places = [
    ['results', resolve('results')],
    ['cache', resolve(cacheRoot ?? defaultCacheRoot())],
    ['tmp', tmpdir()],
  ] as const;
  const checks: Check[] = [];
  for (const [name, p] of places) {
    const free = await freeBytes(p);
    checks.push(
      free === null
        ? check('disk', 'warn', `${name} (${p}): cannot read free space`)
        : check('disk', free < 5 * 2 ** 30 ? 'warn' : 'ok', `${name} (${p}): ${gib(free)} free`),
    );
  }
  return checks;
}

/** The free bytes of the file system of `path`'s nearest existing folder (null when none can be read). */
async function freeBytes(path: string): Promise<number | null> {
  for (let dir = path; ; dir = resolve(dir, '..')) {
    const s = await statfsIfThere(dir);
    if (s) return s.bavail * s.bsize;
    if (resolve(dir, '..') === dir) return null;
  }
}

/** python3, which the local executor runs benchmark clients with. */
async function pythonCheck(): Promise<Check> {
  const py = await run('python3', ['--version']);
  return check(
    'python',
    py.ok ? 'ok' : 'warn',
    py.ok ? py.out : 'python3 not found: the local executor cannot run benchmarks',
  );
}

/** Each known agent's pinned install. */
async function agentChecks(cacheRoot: string | undefined): Promise<Check[]> {
  const [{ knownAgents, resolveAgent }, { ensureInstalled }] = await Promise.all([
    import('../../agents/index.js'),
    import('../agent/install.js'),
  ]);
  const checks: Check[] = [];
  for (const name of knownAgents()) {
    try {
      const a = await resolveAgent(name);
      if (a.install.kind === 'none') checks.push(check(`agent ${name}`, 'ok', 'nothing to install'));
      else {
        const got = await ensureInstalled(a, { root: cacheRoot, check: true });
        checks.push(check(`agent ${name}`, 'ok', `${got.version ?? ''} at ${got.binary}`));
      }
    } catch (e) {
      checks.push(check(`agent ${name}`, 'warn', errorMessage(e).split('\n')[0] ?? ''));
    }
  }
  return checks;
}

/** API keys: whether set, never what they are. */
function keyChecks(): Check[] {
  return Object.values(KEY_ENV).map((k) =>
    check('api key', process.env[k] ? 'ok' : 'warn', `${k} ${process.env[k] ? 'is set' : 'is not set'}`),
  );
}

/** The coordinator's Redis: that it answers, its version, whether it persists its queues. */
async function redisCheck(url: string): Promise<Check> {
  try {
    const { connectionOf } = await import('../sched/redis-wire.js');
    const { Redis } = await import('ioredis');
    const c = new Redis({ ...connectionOf(url), lazyConnect: true, maxRetriesPerRequest: 1 });
    // a connection error is the connect() below failing, reported there
    c.on('error', () => undefined);
    try {
      await Promise.race([
        c.connect(),
        new Promise((_, f) => setTimeout(() => f(new Error('no answer in 5 s')), 5000)),
      ]);
      const v = /redis_version:(\S+)/.exec(await c.info('server'))?.[1] ?? '?';
      // a Redis that refuses CONFIG (a managed one) says nothing of its persistence: not a failure
      const persist = await c.config('GET', 'appendonly').catch(() => null);
      const aof = Array.isArray(persist) ? persist[1] : null;
      return check(
        'redis',
        aof === 'no' ? 'warn' : 'ok',
        `${url}: Redis ${v}${aof === 'no' ? '; appendonly is off (a restart loses queued jobs; the coordinator queues them again)' : ''}`,
      );
    } finally {
      c.disconnect();
    }
  } catch (e) {
    return check('redis', 'fail', `${url}: ${errorMessage(e)}`);
  }
}

/** `isobench doctor`. */
export async function doctorCmd(opts: DoctorOptions): Promise<number> {
  const checks = await doctorChecks(opts);
  if (opts.json) outJson({ schemaVersion: 1, checks });
  else for (const l of columns(checks.map((c) => [c.status.toUpperCase(), c.area, c.detail]))) out(l);
  return checks.some((c) => c.status === 'fail') ? EXIT.findings : EXIT.ok;
}
