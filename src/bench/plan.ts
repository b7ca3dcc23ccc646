/**
 * A bench job's plan, pure: from the task, its variants and where they run, what the job will do —
 * the image and tree of each variant and the setup it gets, the sandboxes' GPUs, mounts and
 * /dev/shm, the rounds and their order, each phase's server and client argv (the task spec's, and
 * apart what the harness appends), the one environment every process starts from, the timeouts and
 * the correctness probe. The measurer (job.ts) executes it; `run --dry-run` prints it.
 */
import { type JsonResultRequest, jsonResultRequest } from '../parse/json-result.js';
import { offlineSetup } from '../prefetch/cache.js';
import type { TaskSpec } from '../task/schema.js';
import { variantSlug } from '../util/slug.js';
import { REBUILT_BASELINE } from './types.js';

/** /dev/shm of a GPU job's sandbox: 16 GiB (a limit, not a reservation). */
export const GPU_SHM_BYTES = 16 * 1024 ** 3;

/** A variant as the plan needs it: its id, and whether its patch changes compiled sources. */
export interface PlannedVariantInput {
  readonly id: string;
  /** a native patch (or the rebuilt baseline): its tree is rebuilt by the task's build step */
  readonly native: boolean;
}

/** What a job is planned from. */
export interface JobPlanInput {
  readonly task: TaskSpec;
  /** baseline, human, the agents, and the rebuilt baseline when a native patch needs it, in that order */
  readonly variants: readonly PlannedVariantInput[];
  readonly executor: 'local' | 'docker';
  /** per-commit images (Docker with built images) */
  readonly images?: { readonly parent?: string; readonly human?: string };
  /** the image of every variant the per-commit images do not name (Docker) */
  readonly image?: string;
  readonly repeats: number;
  readonly warmup: number;
  /** the prefetch cache, mounted read-only with the hub offline */
  readonly cache?: string;
  /** leased GPU devices (else any `task.hardware.count`) */
  readonly gpuDevices?: readonly string[];
  /** the source of the parent's client (whether it can write a JSON result) */
  readonly clientSource: string;
  /** the sandboxes' work folder as far as it is known before they open (`/work` in Docker) */
  readonly workdir: string;
}

/** One process of a phase. */
export interface PlannedProcess {
  /** the argv as the task spec says it */
  readonly argv: readonly string[];
  /** what the harness appends to it, with why (nothing else is ever added) */
  readonly appended: ReadonlyArray<{ readonly args: readonly string[]; readonly why: string }>;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

/** One variant of the plan. */
export interface PlannedVariant {
  readonly id: string;
  /** its tree inside its sandbox */
  readonly tree: string;
  /** its sandbox's image ('' for the executor's own: local processes, or Docker's default) */
  readonly image: string;
  /** the setup step it gets: the task's build for a native patch, else its prepare */
  readonly setup: { readonly step: 'build' | 'prepare'; readonly argv: readonly string[] } | null;
}

/** A bench job's plan. */
export interface JobPlan {
  readonly task: string;
  readonly kind: TaskSpec['benchmark']['kind'];
  readonly executor: 'local' | 'docker';
  readonly variants: readonly PlannedVariant[];
  /** the sandboxes' images, one sandbox each, in the order they open */
  readonly sandboxes: readonly string[];
  readonly gpus: {
    readonly count: number;
    /** the leased devices, or null for any `count` */
    readonly devices: readonly string[] | null;
    readonly shmBytes: number | null;
  };
  readonly mounts: ReadonlyArray<{
    readonly host: string;
    readonly sandbox: string;
    readonly readOnly: boolean;
  }>;
  /** what every process of the job starts from: the cache's offline switches, the task's env, unbuffered Python */
  readonly env: Readonly<Record<string, string>>;
  /** what setup steps (prepare, build) run with: the cache's offline switches and the task's setup env */
  readonly setupEnv: Readonly<Record<string, string>>;
  readonly rounds: { readonly warmup: number; readonly repeats: number; readonly order: readonly string[] };
  readonly server: PlannedProcess | null;
  readonly client: PlannedProcess;
  readonly timeouts: TaskSpec['timeouts'];
  readonly probe: TaskSpec['correctness'] | null;
}

/** The plan and how its client is asked for a JSON result (a function, so not part of the printed plan). */
export interface Planned {
  readonly plan: JobPlan;
  readonly jsonResult: JsonResultRequest | null;
}

/** The job's plan. Pure. */
export function planJob(input: JobPlanInput): Planned {
  const { task, workdir } = input;
  const b = task.benchmark;
  const offline = input.cache ? offlineSetup(input.cache) : null;
  const env = { ...offline?.env, ...b.env, PYTHONUNBUFFERED: '1' };
  const jsonResult = b.kind ? jsonResultRequest(b.kind, input.clientSource) : null;
  const docker = input.executor === 'docker';
  const gpus = task.hardware.count;
  return {
    jsonResult,
    plan: {
      task: task.id,
      kind: b.kind,
      executor: input.executor,
      variants: input.variants.map((v) => plannedVariant(input, v)),
      sandboxes: [...new Set(input.variants.map((v) => imageOf(input, v.id)))],
      gpus: {
        count: gpus,
        devices: gpus > 0 && input.gpuDevices?.length ? input.gpuDevices : null,
        shmBytes: gpus > 0 && docker ? GPU_SHM_BYTES : null,
      },
      mounts: offline?.mounts ?? [],
      env,
      setupEnv: { ...offline?.env, ...task.setup?.env },
      rounds: { warmup: input.warmup, repeats: input.repeats, order: input.variants.map((v) => v.id) },
      server: b.server
        ? {
            argv: b.server.argv,
            appended: [],
            cwd: '<variant tree>',
            env: { ...env, PYTHONPATH: '<variant tree>' },
          }
        : null,
      client: {
        argv: b.client?.argv ?? [],
        appended: jsonResult
          ? [
              {
                args: jsonResult.argv(`${workdir}/results`, '<round>-<variant>-a<attempt>.json'),
                why: `the client writes its result as JSON (${jsonResult.flag}, which the parent's client copy accepts): metrics at full precision, checked against stdout`,
              },
            ]
          : [],
        cwd: `${workdir}/client`,
        // the client's own package code (a serving client's vllm imports) is the parent's copy
        env: { ...env, PYTHONPATH: b.kind === 'serving' ? `${workdir}/client` : '<variant tree>' },
      },
      timeouts: task.timeouts,
      probe: task.correctness ?? null,
    },
  };
}

/** A variant's image: the human commit's, the parent's for the rest, else the run's one image. */
function imageOf(input: JobPlanInput, id: string): string {
  return (id === 'human' ? input.images?.human : input.images?.parent) ?? input.image ?? '';
}

function plannedVariant(input: JobPlanInput, v: PlannedVariantInput): PlannedVariant {
  const setup = input.task.setup;
  const step = v.native || v.id === REBUILT_BASELINE ? 'build' : 'prepare';
  const argv = step === 'build' ? setup?.build : setup?.prepare;
  return {
    id: v.id,
    tree: `${input.workdir}/variants/${variantSlug(v.id)}`,
    image: imageOf(input, v.id),
    setup: argv ? { step, argv } : null,
  };
}
