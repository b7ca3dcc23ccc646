/**
 * The local executor: commands run as child processes in a work directory, each in its own process
 * group so that a timeout or `close` kills everything it started. Output goes straight from the
 * child to the log files (file descriptors, not pipes): nothing is held in memory or cut short.
 * Every sandbox writes a small state file so that one left behind by a killed run is found later.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeSync,
} from 'node:fs';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseStored, type StoredRecord } from '../store/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { errnoCode, errorMessage } from '../util/errors.js';
import { trackSandbox, untrackSandbox } from './cleanup.js';
import {
  type Background,
  type ExecOptions,
  type ExecResult,
  type Executor,
  InfraError,
  type Leftover,
  type Sandbox,
  type SandboxSpec,
} from './types.js';

/** The version of a sandbox's state file (`sandbox.json`); files written before it had none are 1. */
export const LOCAL_STATE_VERSION = 1;

/** A sandbox's state file: the store's kind `sandbox`. */
type LocalState = StoredRecord<'sandbox'>;

/** Whether a process is alive: it exists and is not a zombie waiting to be reaped (Linux /proc where present). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc: kill(0) said it exists
  }
}

/** The environment variable that marks a sandbox's processes (reapStrays). */
const MARKER = 'ISOBENCH_SANDBOX';

/** SIGKILLs every process (but this one) whose environment holds `entry` (Linux /proc). */
function killMarked(entry: string): void {
  const needle = Buffer.from(`${entry}\0`);
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return;
  }
  for (const p of pids) {
    if (Number(p) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${p}/environ`);
      if (env.indexOf(needle) >= 0) process.kill(Number(p), 'SIGKILL');
    } catch {
      // gone, or not ours to read
    }
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** Options of the local executor. */
export interface LocalExecutorOptions {
  /** where sandboxes live (default: `$TMPDIR/isobench-local`) */
  readonly root?: string;
  /** environment every command starts from (default: this process's) */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
}

/** Runs commands as local processes. */
export class LocalExecutor implements Executor {
  readonly kind = 'local' as const;
  readonly root: string;
  private readonly baseEnv: Readonly<Record<string, string | undefined>>;

  constructor(opts: LocalExecutorOptions = {}) {
    this.root = resolve(opts.root ?? join(tmpdir(), 'isobench-local'));
    this.baseEnv = opts.baseEnv ?? process.env;
  }

  async open(spec: SandboxSpec): Promise<Sandbox> {
    const id = `${spec.name.replace(/[^\w.-]/g, '_').slice(0, 40)}-${randomBytes(4).toString('hex')}`;
    const dir = join(this.root, id);
    await mkdir(join(dir, 'work'), { recursive: true });
    for (const m of spec.mounts ?? []) linkMount(m.host, m.sandbox);
    const state: LocalState = {
      schemaVersion: LOCAL_STATE_VERSION,
      id,
      name: spec.name,
      labels: { ...spec.labels },
      ownerPid: process.pid,
    };
    await writeFileAtomic(join(dir, 'sandbox.json'), JSON.stringify(state));
    // leased GPUs: the processes see only those
    const env = spec.gpus?.devices?.length
      ? { ...this.baseEnv, CUDA_VISIBLE_DEVICES: spec.gpus.devices.join(',') }
      : this.baseEnv;
    const sb = new LocalSandbox(id, dir, env, spec.reapStrays === true);
    trackSandbox(sb);
    return sb;
  }

  async leftovers(): Promise<Leftover[]> {
    if (!existsSync(this.root)) return [];
    const out: Leftover[] = [];
    for (const id of readdirSync(this.root)) {
      const file = join(this.root, id, 'sandbox.json');
      if (!existsSync(file)) continue;
      let state: LocalState;
      try {
        state = parseStored('sandbox', readFileSync(file, 'utf8'), file);
      } catch {
        // unreadable, or of a newer isobench: not a sandbox this one can account for
        continue;
      }
      if (alive(state.ownerPid) || state.ownerPid === process.pid) continue;
      const live = groupsOf(join(this.root, id)).filter(alive);
      out.push({
        executor: 'local',
        id: state.id,
        name: state.name,
        labels: state.labels,
        detail: `work directory ${join(this.root, id)} of a process (pid ${state.ownerPid}) that is gone; ${live.length} process group(s) still running${live.length ? ` (${live.join(', ')})` : ''}`,
      });
    }
    return out;
  }

  async clean(leftovers: readonly Leftover[]): Promise<void> {
    for (const l of leftovers.filter((x) => x.executor === 'local')) {
      const dir = join(this.root, l.id);
      for (const g of groupsOf(dir)) killGroup(g, 'SIGKILL');
      killMarked(`${MARKER}=${l.id}`);
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** The process groups a sandbox started (one per line in its `groups` file). */
function groupsOf(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'groups'), 'utf8')
      .split('\n')
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
  } catch {
    return [];
  }
}

/** A mount on the local executor: the sandbox path becomes a symlink to the host folder. */
function linkMount(host: string, sandboxPath: string): void {
  if (!isAbsolute(sandboxPath)) throw new InfraError(`mount target ${sandboxPath} must be an absolute path`);
  const target = resolve(host);
  if (existsSync(sandboxPath) || isSymlink(sandboxPath)) {
    if (isSymlink(sandboxPath) && resolve(dirname(sandboxPath), readlinkSync(sandboxPath)) === target) return;
    if (resolve(sandboxPath) === target) return;
    throw new InfraError(`cannot mount ${host} at ${sandboxPath}: that path exists and is not a link to it`);
  }
  try {
    mkdirSync(dirname(sandboxPath), { recursive: true });
    symlinkSync(target, sandboxPath);
  } catch (e) {
    throw new InfraError(
      `cannot mount ${host} at ${sandboxPath} (local executor: a symlink is made there): ${errorMessage(e)}`,
      e,
    );
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

class LocalSandbox implements Sandbox {
  readonly workdir: string;
  private readonly running = new Set<LocalBackground>();
  private readonly groups: number[] = [];
  private groupsFd: number | undefined;
  private closed = false;

  constructor(
    readonly id: string,
    private readonly dir: string,
    private readonly baseEnv: Readonly<Record<string, string | undefined>>,
    private readonly reapStrays: boolean,
  ) {
    this.workdir = join(dir, 'work');
  }

  /** Kills every process still carrying this sandbox's environment marker. */
  private reap(): void {
    if (this.reapStrays) killMarked(`${MARKER}=${this.id}`);
  }

  async exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    const bg = await this.start(argv, opts);
    return bg.done;
  }

  async start(argv: readonly string[], opts: ExecOptions): Promise<Background> {
    if (this.closed) throw new InfraError(`sandbox ${this.id} is closed`);
    const [program, ...args] = argv;
    if (program === undefined) throw new InfraError('empty argv');
    mkdirSync(dirname(opts.stdoutPath), { recursive: true });
    if (dirname(opts.stderrPath) !== dirname(opts.stdoutPath))
      mkdirSync(dirname(opts.stderrPath), { recursive: true });
    // every process carries the sandbox's marker: a later run finds what a run killed outright left,
    // even a process started in the instant before its group was recorded
    const marked = { ...opts, env: { ...opts.env, [MARKER]: this.id } };
    const bg = new LocalBackground(
      [program, ...args],
      marked,
      this.workdir,
      this.baseEnv,
      (pgid) => this.recordGroup(pgid),
      () => this.reap(),
    );
    this.running.add(bg);
    void bg.done.finally(() => this.running.delete(bg));
    return bg;
  }

  private recordGroup(pgid: number): void {
    this.groups.push(pgid);
    // one appended line per process group (cheap, and enough for finding leftovers after a crash)
    try {
      this.groupsFd ??= openSync(join(this.dir, 'groups'), 'a');
      writeSync(this.groupsFd, `${pgid}\n`);
    } catch {
      // the sandbox folder is gone (closing): nothing to record
    }
  }

  async put(hostPath: string, sandboxPath: string): Promise<void> {
    await mkdir(dirname(sandboxPath), { recursive: true });
    await cp(hostPath, sandboxPath, { recursive: true, force: true, verbatimSymlinks: true });
  }

  async writeFile(sandboxPath: string, data: string | Uint8Array): Promise<void> {
    await mkdir(dirname(sandboxPath), { recursive: true });
    await writeFile(sandboxPath, data);
  }

  async get(sandboxPath: string, hostPath: string): Promise<void> {
    await mkdir(dirname(hostPath), { recursive: true });
    await cp(sandboxPath, hostPath, { recursive: true, force: true, verbatimSymlinks: true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.running].map((b) => b.stop(1000)));
    for (const g of this.groups) killGroup(g, 'SIGKILL');
    this.reap();
    if (this.groupsFd !== undefined) closeSync(this.groupsFd);
    untrackSandbox(this);
    await rm(this.dir, { recursive: true, force: true });
  }
}

class LocalBackground implements Background {
  readonly done: Promise<ExecResult>;
  private child: ChildProcess | null = null;
  private finished = false;
  private timedOut = false;
  private timer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;

  constructor(
    argv: readonly [string, ...string[]],
    opts: ExecOptions,
    workdir: string,
    baseEnv: Readonly<Record<string, string | undefined>>,
    onGroup: (pgid: number) => void,
    onFinish: () => void,
  ) {
    const started = performance.now();
    const out = openSync(opts.stdoutPath, 'w');
    const err = opts.stderrPath === opts.stdoutPath ? out : openSync(opts.stderrPath, 'w');
    this.done = new Promise<ExecResult>((resolvePromise) => {
      const finish = (exitCode: number | null, signal: string | null) => {
        if (this.finished) return;
        this.finished = true;
        if (this.timer) clearTimeout(this.timer);
        if (this.killTimer) clearTimeout(this.killTimer);
        // whatever the command left running in its group goes with it (and, if asked, strays)
        if (this.child?.pid) killGroup(this.child.pid, 'SIGKILL');
        onFinish();
        resolvePromise({
          exitCode,
          signal,
          timedOut: this.timedOut,
          durationMs: performance.now() - started,
          stdoutPath: opts.stdoutPath,
          stderrPath: opts.stderrPath,
        });
      };
      try {
        const env: Record<string, string> = {};
        for (const [k, v] of Object.entries(baseEnv)) if (v !== undefined) env[k] = v;
        Object.assign(env, opts.env);
        this.child = spawn(argv[0], argv.slice(1), {
          cwd: opts.cwd ?? workdir,
          env,
          detached: true,
          stdio: ['ignore', out, err],
        });
      } catch (e) {
        writeSync(err, `isobench: cannot start ${JSON.stringify(argv[0])}: ${errorMessage(e)}\n`);
        finish(127, null);
        return;
      } finally {
        closeSync(out);
        if (err !== out) closeSync(err);
      }
      const child = this.child;
      child.on('error', (e) => {
        // spawn failures (ENOENT, EACCES) arrive here: a value, like a shell's 127/126
        const code = errnoCode(e);
        try {
          const fd = openSync(opts.stderrPath, 'a');
          writeSync(fd, `isobench: cannot start ${JSON.stringify(argv[0])}: ${e.message}\n`);
          closeSync(fd);
        } catch {
          // the log folder is gone: nothing more to say
        }
        finish(code === 'ENOENT' ? 127 : 126, null);
      });
      child.on('exit', (code, signal) => finish(code, signal));
      if (child.pid) onGroup(child.pid);
      if (opts.timeoutMs !== undefined) {
        this.timer = setTimeout(() => {
          this.timedOut = true;
          void this.stop(2000);
        }, opts.timeoutMs);
      }
    });
  }

  running(): boolean {
    return !this.finished;
  }

  async stop(graceMs = 5000): Promise<ExecResult> {
    const pid = this.child?.pid;
    if (!this.finished && pid) {
      killGroup(pid, 'SIGTERM');
      this.killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
    }
    return this.done;
  }
}
