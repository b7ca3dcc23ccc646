import { join } from 'node:path';
import { type PlannedProcess, planJob } from '../bench/plan.js';
import { clientSourceFile } from '../bench/setup.js';
import { REBUILT_BASELINE } from '../bench/types.js';
import { agentVariantIds } from '../bench/workspace.js';
import { recipeTag } from '../executor/images.js';
import { recipeFor } from '../executor/recipes.js';
import { missingFromCache } from '../prefetch/cache.js';
import type { TaskSpec } from '../task/schema.js';
import { readTextIfThere } from '../util/if-there.js';
import { shellLine } from '../util/shell-words.js';
import { type CommitTrees, withCommitTrees } from '../workspace/clone.js';
import { type GpuTime, gpuTimeOf, hoursMinutes } from './gpu-time.js';
import type { RecordedTimings } from './recorded-timings.js';

/**
 * The version of the dry-run report (3: adaptive rounds, the fewest phases of a job; 4: client runs
 * a server start, the GPU time expected from earlier runs' records).
 */
export const DRY_RUN_VERSION = 4;

/** One image a task's variants would run in. */
export interface DryImage {
  readonly role: 'parent' | 'human';
  readonly commit: string;
  readonly tag: string;
  readonly family: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly notes: readonly string[];
  /** vLLM: the install plan the image's install.py follows */
  readonly plan?: unknown;
  readonly smoke: ReadonlyArray<readonly string[]>;
}

/** The plan of one task's bench job. */
export interface DryTask {
  readonly task: string;
  readonly kind: string | null;
  readonly executor: 'local' | 'docker';
  /** per-commit images (docker with --build-images), the one image for every variant, or none (local) */
  readonly images: readonly DryImage[] | { readonly image: string } | null;
  readonly gpus: { readonly count: number; readonly devices: string; readonly shmBytes: number | null };
  readonly mounts: ReadonlyArray<{
    readonly host: string;
    readonly sandbox: string;
    readonly readOnly: boolean;
  }>;
  readonly variants: ReadonlyArray<{
    readonly id: string;
    readonly tree: string;
    readonly image: string | null;
    readonly patch: string | null;
    readonly setup: readonly string[] | null;
    readonly notes: readonly string[];
  }>;
  readonly clientCopy: {
    readonly path: string;
    readonly pinned: boolean;
    readonly setup: readonly string[] | null;
  };
  readonly rounds: {
    readonly warmup: number;
    readonly repeats: number;
    readonly order: readonly string[];
    /** client runs on each server start (1 for offline tasks) */
    readonly clientRuns: number;
  };
  /** adaptive rounds: the first look and the spending rule (absent: fixed rounds) */
  readonly adaptive?: DryRunInput['adaptive'];
  readonly server: PlannedProcess | null;
  readonly client: PlannedProcess;
  readonly setupEnv: Readonly<Record<string, string>>;
  readonly timeouts: TaskSpec['timeouts'];
  readonly probe: unknown;
  /** the job's GPU time: at least what the workload forces, at most what the phase limits allow */
  readonly gpuTime: GpuTime;
  readonly notes: readonly string[];
}

/** What the run would be given. */
export interface DryRunInput {
  readonly tasks: readonly TaskSpec[];
  /** per task id: the agent patches (replayed) or planned attempts, by variant label */
  readonly agents: ReadonlyMap<
    string,
    ReadonlyArray<{ readonly agent: string; readonly source: string; readonly native: boolean | null }>
  >;
  readonly executor: 'local' | 'docker';
  readonly image?: string;
  readonly buildImages: boolean;
  readonly baseImage: string;
  readonly clone?: string;
  readonly cache?: string;
  readonly repeats: number;
  readonly warmup: number;
  /** adaptive rounds: the first look (after this many measured rounds) and the spending rule */
  readonly adaptive?: { readonly minRounds: number; readonly spending: string };
  /** client runs on each server start of a serving task (default 1) */
  readonly clientRuns?: number;
  /** what earlier runs on this machine recorded of their phases' times (the expected GPU time) */
  readonly recorded?: RecordedTimings;
  readonly gpus: string;
}

async function imagesOf(task: TaskSpec, input: DryRunInput, trees: CommitTrees): Promise<DryImage[]> {
  const images: DryImage[] = [];
  for (const role of ['parent', 'human'] as const) {
    const recipe = recipeFor(task, role, trees[role], input.baseImage);
    const plan = recipe.files?.['isobench/plan.json'];
    images.push({
      role,
      commit: task.commits[role],
      tag: await recipeTag(recipe),
      family: recipe.family,
      buildArgs: recipe.buildArgs,
      notes: recipe.notes ?? [],
      ...(plan ? { plan: JSON.parse(plan) } : {}),
      smoke: recipe.smoke,
    });
  }
  return images;
}

/** The dry-run plan of every task. */
export async function dryRun(input: DryRunInput): Promise<DryTask[]> {
  const out: DryTask[] = [];
  for (const task of input.tasks)
    await withCommitTrees(task, input.clone, async (trees) => {
      out.push(await dryTask(task, input, trees));
    });
  return out;
}

/** One task's plan (bench/plan.ts, the one the job executes), with the images, patches and notes around it. */
async function dryTask(task: TaskSpec, input: DryRunInput, trees: CommitTrees): Promise<DryTask> {
  const images = await imagesOf(task, input, trees);
  const docker = input.executor === 'docker';
  const perCommit = docker && input.buildImages;
  const agents = input.agents.get(task.id) ?? [];
  // native patches are measured against the parent rebuilt the same way (REBUILT_BASELINE)
  const rebuilt = task.setup?.build && agents.some((a) => a.native === true) ? [REBUILT_BASELINE] : [];
  const agentIds = agentVariantIds(agents);
  const { plan } = planJob({
    task,
    variants: [
      { id: 'baseline', native: false },
      { id: 'human', native: false },
      ...agentIds.map((id, i) => ({ id, native: agents[i]?.native === true })),
      ...rebuilt.map((id) => ({ id, native: true })),
    ],
    executor: input.executor,
    images: perCommit ? { parent: images[0]?.tag, human: images[1]?.tag } : undefined,
    image: docker && !perCommit ? input.image : undefined,
    repeats: input.repeats,
    warmup: input.warmup,
    cache: input.cache,
    gpuDevices: input.gpus === 'auto' || input.gpus === 'none' ? undefined : input.gpus.split(','),
    clientSource: (await readTextIfThere(join(trees.parent, clientSourceFile(task)))) ?? '',
    workdir: docker ? '/work' : '<sandbox>/work',
  });
  return {
    task: task.id,
    kind: plan.kind,
    executor: input.executor,
    images: !docker ? null : perCommit ? images : { image: input.image ?? '' },
    gpus: {
      count: plan.gpus.count,
      devices:
        plan.gpus.count === 0
          ? 'none'
          : input.gpus === 'auto'
            ? `any ${plan.gpus.count} free GPU(s), leased`
            : input.gpus,
      shmBytes: plan.gpus.shmBytes,
    },
    mounts: plan.mounts,
    variants: plan.variants.map((v, i) => {
      const a = i >= 2 ? agents[i - 2] : undefined;
      return {
        id: v.id,
        tree: v.tree,
        image: v.image || null,
        patch: a ? a.source : null,
        setup: v.setup?.argv ?? null,
        notes: variantNotes(task, v.id, a, a?.native === true),
      };
    }),
    clientCopy: {
      path: task.benchmark.clientCopy.path,
      pinned: task.benchmark.clientCopy.pinned === true,
      setup: task.setup?.prepare ?? null,
    },
    rounds: { ...plan.rounds, clientRuns: task.benchmark.kind === 'serving' ? (input.clientRuns ?? 1) : 1 },
    server: plan.server,
    client: plan.client,
    setupEnv: plan.setupEnv,
    timeouts: plan.timeouts,
    probe: plan.probe,
    gpuTime: gpuTimeOf(
      task,
      {
        warmup: input.warmup,
        repeats: input.repeats,
        fewest: input.adaptive?.minRounds,
        clientRuns: input.clientRuns,
      },
      plan.rounds.order.length,
      input.recorded,
    ),
    ...(input.adaptive ? { adaptive: input.adaptive } : {}),
    notes: taskNotes(task, input, perCommit),
  };
}

/** What a variant is, in words. */
function variantNotes(
  task: TaskSpec,
  id: string,
  a: { readonly agent: string } | undefined,
  native: boolean,
): string[] {
  const pinned = task.benchmark.clientCopy.pinned === true;
  return [
    ...(id === 'baseline' ? [`the parent commit ${task.commits.parent}`] : []),
    ...(id === REBUILT_BASELINE
      ? [
          `the parent commit rebuilt by the build step of native patches in the same image: their reference (the baseline runs the CI-built wheel)`,
        ]
      : []),
    ...(id === 'human' ? [`the human commit ${task.commits.human}`] : []),
    ...(a
      ? [
          `the parent with ${a.agent}'s patch, after the patch and tamper checks${native ? '; it changes compiled sources, so the tree is rebuilt' : ''}`,
        ]
      : []),
    ...(pinned && id !== 'baseline' ? [`the parent's ${task.benchmark.clientCopy.path} pinned in`] : []),
  ];
}

/** What the run would meet with the task: the moved port, the pinned client, the cache, the images. */
function taskNotes(task: TaskSpec, input: DryRunInput, perCommit: boolean): string[] {
  const b = task.benchmark;
  const notes: string[] = [];
  if (input.executor === 'local' && b.kind === 'serving')
    notes.push(
      'the local executor moves the serving port to a free one (server and client alike), so jobs sharing this host do not collide',
    );
  if (b.clientCopy.pinned === true)
    notes.push(
      `the parent's ${b.clientCopy.path} replaces each variant's own before anything runs (the timing code is the same for all)`,
    );
  const needs = task.prefetch.models.length + task.prefetch.tokenizers.length + task.prefetch.datasets.length;
  if (needs && !input.cache)
    notes.push(
      `no --cache: the job would fail prefetch_missing (it needs ${needs} prefetched item(s); isobench prefetch --cache DIR --tasks ${task.id})`,
    );
  else if (input.cache) {
    const lacking = missingFromCache(task, input.cache);
    if (lacking.length)
      notes.push(
        `missing from ${input.cache}, so the job would fail prefetch_missing: ${lacking.map((m) => `${m.kind} ${m.id}`).join(', ')}`,
      );
  }
  if (!task.repo.demo && input.executor === 'docker' && !perCommit)
    notes.push(
      `every variant would run in ${input.image ?? 'the base image'}: a vLLM task needs its per-commit images (--build-images)`,
    );
  return notes;
}

/** A task's GPU time as one line. */
function gpuTimeLine(t: DryTask): string {
  const g = t.gpuTime;
  const expected = g.expected
    ? `expected ${spanOf(g.expected.fewestS, g.expected.mostS)} (${g.expected.basis})`
    : '';
  if (t.gpus.count === 0) return `none (a CPU task)${expected ? `; its phases ${expected}` : ''}`;
  const gpus = t.gpus.count > 1 ? ` on ${t.gpus.count} GPUs` : '';
  const phases = g.fewestPhases === g.phases ? `${g.phases}` : `${g.fewestPhases} to ${g.phases}`;
  return `${phases} phases${gpus}; at least ${hoursMinutes(g.atLeastS)} (${g.basis}), at most ${hoursMinutes(g.atMostS)} (server start + benchmark limits); ${expected || 'expected: nothing recorded here yet'}`;
}

/** A span of seconds in hours and minutes: one figure where both ends round alike. */
function spanOf(fewestS: number, mostS: number): string {
  const a = hoursMinutes(fewestS);
  const b = hoursMinutes(mostS);
  return a === b ? a : `${a} to ${b}`;
}

/** The plan as text, one block per task. */
export function dryRunText(plan: readonly DryTask[]): string {
  const l: string[] = [];
  for (const t of plan) {
    l.push(`== ${t.task} (${t.kind ?? '?'}; ${t.executor} executor)`);
    if (t.images && 'image' in t.images) l.push(`  image (every variant): ${t.images.image}`);
    else
      for (const im of t.images ?? []) {
        l.push(`  image ${im.role} ${im.commit.slice(0, 12)}: ${im.tag} (${im.family})`);
        for (const [k, v] of Object.entries(im.buildArgs)) l.push(`    --build-arg ${k}=${v}`);
        for (const n of im.notes) l.push(`    - ${n}`);
      }
    l.push(
      `  GPUs: ${t.gpus.count} (${t.gpus.devices})${t.gpus.shmBytes ? `, /dev/shm ${t.gpus.shmBytes / 1024 ** 3} GiB` : ''}; mounts: ${t.mounts.map((m) => `${m.host} -> ${m.sandbox}${m.readOnly ? ' (ro)' : ''}`).join(', ') || 'none'}`,
    );
    l.push(
      t.adaptive
        ? `  rounds: ${t.rounds.warmup} warm-up + adaptive ${t.adaptive.minRounds}..${t.rounds.repeats} measured (a look after each from round ${t.adaptive.minRounds}, ${t.adaptive.spending} spending; an agent decided at a look is measured no more), each in the order ${t.rounds.order.join(' ')}`
        : `  rounds: ${t.rounds.warmup} warm-up + ${t.rounds.repeats} measured, each in the order ${t.rounds.order.join(' ')}`,
    );
    if (t.rounds.clientRuns > 1)
      l.push(`  client runs: ${t.rounds.clientRuns} on each server start, their mean the start's sample`);
    for (const v of t.variants)
      l.push(
        `  variant ${v.id}: ${v.tree}${v.image ? ` in ${v.image}` : ''}${v.setup ? `; setup: ${shellLine(v.setup)}` : ''}${v.notes.length ? ` (${v.notes.join('; ')})` : ''}`,
      );
    l.push(
      `  client copy: the parent's ${t.clientCopy.path}${t.clientCopy.pinned ? ' (pinned)' : ''}${t.clientCopy.setup ? `; setup: ${shellLine(t.clientCopy.setup)}` : ''}`,
    );
    if (t.server)
      l.push(
        `  server: ${shellLine(t.server.argv)}`,
        `    cwd ${t.server.cwd}; env ${shellLine(Object.entries(t.server.env).map(([k, v]) => `${k}=${v}`))}`,
      );
    l.push(`  client: ${shellLine(t.client.argv)}`);
    for (const a of t.client.appended) l.push(`    the harness appends: ${shellLine(a.args)} (${a.why})`);
    l.push(
      `    cwd ${t.client.cwd}; env ${shellLine(Object.entries(t.client.env).map(([k, v]) => `${k}=${v}`))}`,
    );
    if (Object.keys(t.setupEnv).length)
      l.push(`  setup env: ${shellLine(Object.entries(t.setupEnv).map(([k, v]) => `${k}=${v}`))}`);
    l.push(
      `  timeouts: server start ${t.timeouts.serverStartS} s, benchmark ${t.timeouts.benchmarkS} s, build ${t.timeouts.buildS} s`,
    );
    l.push(`  probe: ${t.probe ? JSON.stringify(t.probe).slice(0, 300) : 'none (outputs unchecked)'}`);
    l.push(`  GPU time: ${gpuTimeLine(t)}`);
    for (const n of t.notes) l.push(`  note: ${n}`);
  }
  const gpu = plan.filter((t) => t.gpus.count > 0);
  if (gpu.length) {
    const sum = (f: (t: DryTask) => number) => gpu.reduce((n, t) => n + f(t) * t.gpus.count, 0);
    l.push(
      `GPU time of the ${gpu.length} GPU task(s), in GPU-hours (image builds, probes and accuracy checks not counted): at least ${hoursMinutes(sum((t) => t.gpuTime.atLeastS))}, at most ${hoursMinutes(sum((t) => t.gpuTime.atMostS))}`,
    );
    const known = gpu.filter((t) => t.gpuTime.expected);
    const some = (f: (e: NonNullable<GpuTime['expected']>) => number) =>
      known.reduce((n, t) => n + (t.gpuTime.expected ? f(t.gpuTime.expected) : 0) * t.gpus.count, 0);
    l.push(
      known.length
        ? `expected from this machine's records: ${spanOf(
            some((e) => e.fewestS),
            some((e) => e.mostS),
          )} for ${known.length} of the ${gpu.length} GPU task(s)${known.length < gpu.length ? ` (${gpu.length - known.length} with nothing recorded here: their bounds above)` : ''}`
        : 'expected: no earlier run on this machine recorded these tasks (or serving starts) yet; the bounds above hold',
    );
  }
  return `${l.join('\n')}\n`;
}
