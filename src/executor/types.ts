/**
 * One interface for where commands run: a local process tree, or a Docker container (local or on a
 * remote engine). Failures of the command are values (exit code, timeout); exceptions are for broken
 * infrastructure. Logs always go to files, never into memory, never truncated.
 */
import type { ExecResult } from '../store/schema.js';

/** GPUs a sandbox gets. */
export interface GpuRequest {
  /** how many GPUs (ignored when `devices` is given) */
  readonly count?: number;
  /** which GPUs, by index or UUID */
  readonly devices?: readonly string[];
}

/** A host folder visible inside the sandbox. */
export interface Mount {
  readonly host: string;
  readonly sandbox: string;
  readonly readOnly?: boolean;
}

/** What a sandbox is made of. Executors ignore what does not apply to them (a local sandbox has no image). */
export interface SandboxSpec {
  /** a short name for logs and leftover reports */
  readonly name: string;
  /** container image (docker only) */
  readonly image?: string;
  readonly gpus?: GpuRequest;
  /** CPU limit, in CPUs (docker only) */
  readonly cpus?: number;
  /** memory limit in bytes (docker only) */
  readonly memoryBytes?: number;
  /**
   * size of /dev/shm in bytes (docker only; Docker's default is 64 MB, too small for the NCCL
   * buffers of a tensor-parallel server, which then fails to start)
   */
  readonly shmBytes?: number;
  readonly mounts?: readonly Mount[];
  /** extra /etc/hosts entries, name → address (docker only) */
  readonly hosts?: Readonly<Record<string, string>>;
  /** labels recorded with the sandbox (e.g. the run id), for leftover reports */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Also kill processes that left the process group (agents' tools start commands in new sessions):
   * every process gets a marker in its environment, and whatever still carries it when a command ends
   * is killed (local executor; a container's processes all end with the container).
   */
  readonly reapStrays?: boolean;
}

/** How to run one command. */
export interface ExecOptions {
  /** environment added to the sandbox's base environment */
  readonly env?: Readonly<Record<string, string>>;
  /** working directory inside the sandbox (default: the sandbox's work directory) */
  readonly cwd?: string;
  /** wall-clock limit in milliseconds; at the limit the whole process group is killed */
  readonly timeoutMs?: number;
  /** host file that receives stdout (created or truncated) */
  readonly stdoutPath: string;
  /** host file that receives stderr (created or truncated) */
  readonly stderrPath: string;
}

/** How a process ended, declared once with the process records that keep it (store/schema.ts). */
export type { ExecResult };

/** A command started in the background (a server). */
export interface Background {
  /** resolves when the process has ended (by itself or after `stop`) */
  readonly done: Promise<ExecResult>;
  /** whether it is still running */
  running(): boolean;
  /** stops the whole process group: SIGTERM, then SIGKILL after `graceMs` (default 5000) */
  stop(graceMs?: number): Promise<ExecResult>;
}

/** A place to run commands, files in and out. */
export interface Sandbox {
  readonly id: string;
  /** the work directory inside the sandbox */
  readonly workdir: string;
  /** runs a command to completion */
  exec(argv: readonly string[], opts: ExecOptions): Promise<ExecResult>;
  /** starts a command in the background */
  start(argv: readonly string[], opts: ExecOptions): Promise<Background>;
  /** copies a host file or folder to a path inside the sandbox */
  put(hostPath: string, sandboxPath: string): Promise<void>;
  /** writes bytes to a file inside the sandbox */
  writeFile(sandboxPath: string, data: string | Uint8Array): Promise<void>;
  /** copies a file or folder from the sandbox to the host */
  get(sandboxPath: string, hostPath: string): Promise<void>;
  /** stops everything still running and removes the sandbox; safe to call twice */
  close(): Promise<void>;
}

/** Something a run left behind (a killed run, a crash): reported, then cleaned. */
export interface Leftover {
  readonly executor: string;
  /** container id, or process group id */
  readonly id: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly detail: string;
}

/** Opens sandboxes of one kind. */
export interface Executor {
  readonly kind: 'local' | 'docker';
  /** what it can do besides running sandboxes: images (build, inspect, prune); absent when it has none */
  readonly images?: ImageCapability;
  open(spec: SandboxSpec): Promise<Sandbox>;
  /** sandboxes of this executor that nobody closed (their owner died); `owner` limits it to one process's */
  leftovers(): Promise<Leftover[]>;
  /** removes the given leftovers (kills processes, removes containers) */
  clean(leftovers: readonly Leftover[]): Promise<void>;
}

export { InfraError } from '../util/errors.js';

/** An image as built or found: its tag and its id (digest). */
export interface ImageRef {
  readonly tag: string;
  readonly id: string;
}

/** How a run builds its images: the real recipes, or the rehearsal's (with the human's engine this much faster). */
export type RecipeMode =
  | { readonly kind: 'real' }
  | { readonly kind: 'rehearse'; readonly humanSpeedup: number };

/** The images an executor runs sandboxes from (the Docker executor's). */
export interface ImageCapability {
  /** the parent's and the human's image of a task from their recipes on `baseImage` (found when already built) */
  buildTaskImages(
    task: import('../task/schema.js').TaskSpec,
    opts: {
      readonly clone?: string;
      readonly baseImage: string;
      readonly logDir: string;
      /** GPU device ids the images' GPU smoke checks run on (none: not run, and recorded so) */
      readonly gpus?: readonly string[];
      /** the real recipes (default) or the rehearsal's */
      readonly mode?: RecipeMode;
    },
  ): Promise<{ readonly parent: ImageRef; readonly human: ImageRef }>;
  /** the id of an image by tag (throws when it is missing) */
  imageId(tag: string): Promise<string>;
  /** least-recently-used pruning of the recipe image cache to a disk budget */
  prune(opts: { readonly budgetBytes: number; readonly keep?: readonly string[] }): Promise<{
    readonly before: number;
    readonly after: number;
    readonly removed: readonly unknown[];
  }>;
}
