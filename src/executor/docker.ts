/**
 * The Docker executor: one container per sandbox, through `dockerode` against a real engine
 * (`DOCKER_HOST` is honoured, so the engine of a remote GPU host works too). Containers run with
 * network mode `none`, CPU/memory limits and GPU device requests as asked, and carry labels so that
 * one left behind by a killed run is found and removed. Commands run through `docker exec`, each in
 * its own process group so that a timeout kills everything it started.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, posix } from 'node:path';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { errnoCode, errorMessage } from '../util/errors.js';
import { trackSandbox, untrackSandbox } from './cleanup.js';
import { extractTo, packBytes, packPath } from './tar.js';
import {
  type Background,
  type ExecOptions,
  type ExecResult,
  type Executor,
  type ImageCapability,
  InfraError,
  type Leftover,
  type Sandbox,
  type SandboxSpec,
} from './types.js';

const LABEL = 'isobench.managed';

/**
 * What every command of a container starts with: its open-file soft limit raised to the hard limit.
 * Docker 29 gives containers a soft 1024 (hard 524288), which 2024 servers never raise and no client
 * does, while \`--request-rate inf\` with 1000 prompts opens about 1000 sockets at each end of one
 * container: requests fail or stall, and TTFT is inflated silently. The hard limit is the daemon's to
 * give (a container cannot be created with more than it has), so the soft one is raised to it.
 */
const RAISE_NOFILE = 'ulimit -Sn "$(ulimit -Hn)" 2>/dev/null';

/** Options of the Docker executor. */
export interface DockerExecutorOptions {
  /** an engine client; default: from `DOCKER_HOST` / the local socket */
  readonly docker?: Docker;
  /** image used when a sandbox spec names none */
  readonly defaultImage?: string;
  /** work directory inside containers (default `/work`) */
  readonly workdir?: string;
  /** CPU limit of sandboxes whose spec gives none (a worker's share of its host) */
  readonly defaultCpus?: number;
}

/** Connects to the engine `DOCKER_HOST` names (or the local socket). */
export async function connectDocker(): Promise<Docker> {
  const { default: DockerClass } = await import('dockerode');
  return new DockerClass();
}

/** Whether an engine answers; the reason when it does not. */
export async function dockerAvailable(
  docker?: Docker,
): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  try {
    const d = docker ?? (await connectDocker());
    const v = await d.version();
    return { ok: true, version: v.Version };
  } catch (e) {
    return { ok: false, reason: errorMessage(e) };
  }
}

/** Runs commands in Docker containers. */
export class DockerExecutor implements Executor {
  readonly kind = 'docker' as const;
  private readonly workdir: string;
  readonly images: ImageCapability = {
    buildTaskImages: async (task, opts) => {
      const { buildTaskImages } = await import('./task-images.js');
      return buildTaskImages(this.docker, task, opts);
    },
    imageId: async (tag) => (await this.docker.getImage(tag).inspect()).Id,
    prune: async (opts) => {
      const { pruneImages } = await import('./image-cache.js');
      return pruneImages(this.docker, opts);
    },
  };

  private constructor(
    readonly docker: Docker,
    private readonly defaultImage: string | undefined,
    workdir: string,
    private readonly defaultCpus?: number,
  ) {
    this.workdir = workdir;
  }

  /** Connects (or uses the given client) and checks that the engine answers. */
  static async create(opts: DockerExecutorOptions = {}): Promise<DockerExecutor> {
    const docker = opts.docker ?? (await connectDocker());
    const ok = await dockerAvailable(docker);
    if (!ok.ok)
      throw new InfraError(
        `no Docker engine reachable (${process.env.DOCKER_HOST ?? 'local socket'}): ${ok.reason}`,
      );
    return new DockerExecutor(docker, opts.defaultImage, opts.workdir ?? '/work', opts.defaultCpus);
  }

  async open(spec: SandboxSpec): Promise<Sandbox> {
    const image = spec.image ?? this.defaultImage;
    if (!image) throw new InfraError(`sandbox ${spec.name}: no image given`);
    const deviceRequests = spec.gpus
      ? [
          spec.gpus.devices?.length
            ? { Driver: 'nvidia', DeviceIDs: [...spec.gpus.devices], Capabilities: [['gpu']] }
            : { Driver: 'nvidia', Count: spec.gpus.count ?? -1, Capabilities: [['gpu']] },
        ]
      : undefined;
    let container: Docker.Container | undefined;
    try {
      container = await this.docker.createContainer({
        Image: image,
        Cmd: ['sleep', 'infinity'],
        WorkingDir: this.workdir,
        Labels: {
          [LABEL]: '1',
          'isobench.name': spec.name,
          'isobench.owner': `${hostname()}:${process.pid}`,
          ...spec.labels,
        },
        HostConfig: {
          NetworkMode: 'none',
          Init: true,
          NanoCpus:
            (spec.cpus ?? this.defaultCpus)
              ? Math.round((spec.cpus ?? this.defaultCpus ?? 0) * 1e9)
              : undefined,
          Memory: spec.memoryBytes,
          ShmSize: spec.shmBytes,
          Binds: spec.mounts?.map((m) => `${m.host}:${m.sandbox}:${m.readOnly ? 'ro' : 'rw'}`),
          DeviceRequests: deviceRequests,
          ExtraHosts: spec.hosts ? Object.entries(spec.hosts).map(([n, ip]) => `${n}:${ip}`) : undefined,
        },
      });
      await container.start();
    } catch (e) {
      // a container that was created but cannot start (no GPU driver, a bad mount) is not left behind
      if (container) await container.remove({ force: true, v: true }).catch(() => undefined);
      throw new InfraError(`cannot start a container from ${image}: ${errorMessage(e)}`, e);
    }
    if (!container) throw new InfraError(`cannot create a container from ${image}`);
    const id = container.id.slice(0, 12);
    const sb = new DockerSandbox(id, this.workdir, container, this.docker);
    trackSandbox(sb);
    return sb;
  }

  async leftovers(): Promise<Leftover[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL}=1`] } });
    const me = `${hostname()}:${process.pid}`;
    return list
      .filter((c) => c.Labels['isobench.owner'] !== me && !ownerAlive(c.Labels['isobench.owner']))
      .map((c) => ({
        executor: 'docker',
        id: c.Id.slice(0, 12),
        name: c.Labels['isobench.name'] ?? c.Names[0] ?? c.Id,
        labels: c.Labels,
        detail: `container ${c.Id.slice(0, 12)} (${c.Image}, ${c.State}) of ${c.Labels['isobench.owner'] ?? 'an unknown process'}, which is gone`,
      }));
  }

  async clean(leftovers: readonly Leftover[]): Promise<void> {
    for (const l of leftovers.filter((x) => x.executor === 'docker')) {
      // a leftover that went away meanwhile is as good as removed; one that stays is listed again next time
      await this.docker
        .getContainer(l.id)
        .remove({ force: true, v: true })
        .catch(() => undefined);
    }
  }
}

/** Whether the owner of a container (`host:pid`) is a live process of this host. */
function ownerAlive(owner: string | undefined): boolean {
  if (!owner) return false;
  const [host, pid] = owner.split(':');
  if (host !== hostname()) return true; // another host's: not ours to judge
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

class DockerSandbox implements Sandbox {
  private closed = false;
  private readonly running = new Set<DockerBackground>();

  constructor(
    readonly id: string,
    readonly workdir: string,
    private readonly container: Docker.Container,
    private readonly docker: Docker,
  ) {}

  async exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    return (await this.start(argv, opts)).done;
  }

  async start(argv: readonly string[], opts: ExecOptions): Promise<Background> {
    if (this.closed) throw new InfraError(`sandbox ${this.id} is closed`);
    if (argv.length === 0) throw new InfraError('empty argv');
    await mkdir(dirname(opts.stdoutPath), { recursive: true });
    await mkdir(dirname(opts.stderrPath), { recursive: true });
    const bg = await DockerBackground.start(this.container, this.docker, argv, opts, this.workdir);
    this.running.add(bg);
    void bg.done.finally(() => this.running.delete(bg));
    return bg;
  }

  /** Runs a short helper command inside the container and returns its output. */
  async quiet(argv: string[]): Promise<{ code: number | null; output: string }> {
    const exec = await this.container.exec({ Cmd: argv, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write: (c: Buffer, _enc, done) => {
        chunks.push(c);
        done();
      },
    });
    this.docker.modem.demuxStream(stream, sink, sink);
    await new Promise((ok) => stream.on('end', ok).on('close', ok));
    const info = await exec.inspect();
    return { code: info.ExitCode ?? null, output: Buffer.concat(chunks).toString('utf8') };
  }

  async put(hostPath: string, sandboxPath: string): Promise<void> {
    const parent = posix.dirname(sandboxPath);
    await this.quiet(['mkdir', '-p', parent]);
    await this.container.putArchive(packPath(hostPath, posix.basename(sandboxPath)), { path: parent });
  }

  async writeFile(sandboxPath: string, data: string | Uint8Array): Promise<void> {
    const parent = posix.dirname(sandboxPath);
    await this.quiet(['mkdir', '-p', parent]);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    await this.container.putArchive(packBytes(posix.basename(sandboxPath), bytes), { path: parent });
  }

  async get(sandboxPath: string, hostPath: string): Promise<void> {
    const stream = await this.container.getArchive({ path: sandboxPath });
    const tmp = `${hostPath}.extract-${randomBytes(3).toString('hex')}`;
    const { rename, rm } = await import('node:fs/promises');
    await extractTo(stream, tmp);
    await rm(hostPath, { recursive: true, force: true });
    await rename(`${tmp}/${basename(sandboxPath)}`, hostPath);
    await rm(tmp, { recursive: true, force: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.running].map((b) => b.stop(1000)));
    untrackSandbox(this);
    await this.container.remove({ force: true, v: true }).catch((e: Error) => {
      if (!/no such container|is already in progress/i.test(e.message))
        throw new InfraError(`cannot remove container ${this.id}: ${e.message}`, e);
    });
  }
}

/** Sends `sig` to the process group whose leader wrote `pidFile` (nothing when the file is absent). */
async function signalGroup(
  container: Docker.Container,
  pidFile: string,
  sig: 'TERM' | 'KILL',
): Promise<void> {
  // the container or its process may be gone already: a signal to it is best effort
  const exec = await container
    .exec({ Cmd: ['sh', '-c', `[ -f ${pidFile} ] && kill -${sig} -$(cat ${pidFile}) 2>/dev/null; true`] })
    .catch(() => null);
  // best effort, as above
  const s = await exec?.start({ hijack: true, stdin: false }).catch(() => null);
  if (s) await new Promise((ok) => s.on('end', ok).on('close', ok).resume());
}

/**
 * The command line \`docker exec\` runs for \`argv\`: in a session of its own (setsid: the command leads
 * its own process group, so the whole tree can be signalled; --wait: an exec'd process already leads
 * a group, so setsid forks, and must wait to pass the exit code on), its open-file soft limit raised,
 * its group id written to \`pidFile\`.
 */
export function execCommand(argv: readonly string[], pidFile: string): string[] {
  return [
    'setsid',
    '--wait',
    'sh',
    '-c',
    `${RAISE_NOFILE}; echo $$ > ${pidFile}; exec "$@"`,
    'isobench-exec',
    ...argv,
  ];
}

class DockerBackground implements Background {
  private constructor(
    readonly done: Promise<ExecResult>,
    private readonly container: Docker.Container,
    private readonly pidFile: string,
    private readonly markDone: () => boolean,
    private readonly markTimedOut: () => void,
  ) {}

  static async start(
    container: Docker.Container,
    docker: Docker,
    argv: readonly string[],
    opts: ExecOptions,
    workdir: string,
  ): Promise<DockerBackground> {
    const pidFile = `/tmp/.isobench-${randomBytes(6).toString('hex')}.pid`;
    const cmd = execCommand(argv, pidFile);
    const exec = await container.exec({
      Cmd: cmd,
      Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
      WorkingDir: opts.cwd ?? workdir,
      AttachStdout: true,
      AttachStderr: true,
    });
    const started = performance.now();
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = createWriteStream(opts.stdoutPath);
    const err = opts.stderrPath === opts.stdoutPath ? out : createWriteStream(opts.stderrPath);
    docker.modem.demuxStream(stream, out, err);
    let finished = false;
    let timedOut = false;
    const done = new Promise<ExecResult>((resolve) => {
      stream.on('end', () => {
        void (async () => {
          finished = true;
          // whatever the command left running in its group (a child that ignores TERM) goes with it
          await signalGroup(container, pidFile, 'KILL');
          // the stream can end a moment before the engine records the exit: wait for it
          // an exec the engine no longer knows has finished: nothing to wait for
          let info = await exec.inspect().catch(() => null);
          for (let i = 0; info?.Running && i < 200; i++) {
            await new Promise((r) => setTimeout(r, 25));
            info = await exec.inspect().catch(() => null); // as above
          }
          await Promise.all([
            new Promise((ok) => out.end(ok)),
            err === out ? null : new Promise((ok) => err.end(ok)),
          ]);
          const code = info?.ExitCode ?? null;
          resolve({
            exitCode: code,
            signal: code !== null && code > 128 ? `signal ${code - 128}` : null,
            timedOut,
            durationMs: performance.now() - started,
            stdoutPath: opts.stdoutPath,
            stderrPath: opts.stderrPath,
          });
        })();
      });
    });
    const bg = new DockerBackground(
      done,
      container,
      pidFile,
      () => finished,
      () => {
        timedOut = true;
      },
    );
    if (opts.timeoutMs !== undefined) {
      const t = setTimeout(() => {
        if (finished) return;
        bg.markTimedOut();
        void bg.stop(2000);
      }, opts.timeoutMs);
      void done.finally(() => clearTimeout(t));
    }
    return bg;
  }

  running(): boolean {
    return !this.markDone();
  }

  private signal(sig: 'TERM' | 'KILL'): Promise<void> {
    return signalGroup(this.container, this.pidFile, sig);
  }

  async stop(graceMs = 5000): Promise<ExecResult> {
    if (this.markDone()) return this.done;
    await this.signal('TERM');
    const t = setTimeout(() => void this.signal('KILL'), graceMs);
    const r = await this.done;
    clearTimeout(t);
    return r;
  }
}
