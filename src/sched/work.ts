/**
 * Units of work as plain JSON payloads, and the functions that run them: the same code runs a unit
 * in the coordinator's process (the embedded default) and on a worker that pulled it from the queue.
 * A payload never carries a secret: an agent's API key is named by its environment variable and read
 * where the agent runs.
 */
import { join } from 'node:path';
import type { AttemptRecord } from '../agent/attempt.js';
import type { Budgets } from '../agent/types.js';
import { runBenchJob } from '../bench/job.js';
import { freePort, withPort } from '../bench/server.js';
import type { AgentPatch, JobResult, PhaseRecord } from '../bench/types.js';
import type { RepoSource } from '../bench/workspace.js';
import type { Executor } from '../executor/types.js';
import type { TamperPolicy } from '../tamper/registry.js';
import type { TaskSpec } from '../task/schema.js';

/** The version of unit payloads (a worker refuses payloads of another version). */
export const PAYLOAD_VERSION = 1;

/** A bench job: baseline, human and agent patches of one task, measured interleaved. */
export interface BenchPayload {
  readonly v: typeof PAYLOAD_VERSION;
  readonly kind: 'bench_job';
  readonly runId: string;
  /** the unit's key (store/units.ts) */
  readonly key: string;
  /** the job's folder name inside the run (jobs/<slug>) */
  readonly slug: string;
  readonly task: TaskSpec;
  readonly patches: readonly AgentPatch[];
  readonly repeats: number;
  readonly warmup: number;
  readonly thresholdPct: number;
  readonly image?: string;
  readonly tamperPolicy?: TamperPolicy;
  readonly accuracy?: {
    readonly dataset: string;
    readonly maxTokens?: number;
    readonly tolerancePts?: number;
  };
  /** build per-commit images from the demo recipes on this base image (Docker executor) */
  readonly buildImagesFrom?: string;
  readonly source?: RepoSource;
  readonly cache?: string;
}

/** An agent attempt: one agent, one task, one attempt number. */
export interface AgentPayload {
  readonly v: typeof PAYLOAD_VERSION;
  readonly kind: 'agent_attempt';
  readonly runId: string;
  readonly key: string;
  readonly task: TaskSpec;
  readonly agent: string;
  /** the adapter's name or spec file path, when it is not `agent` */
  readonly agentRef?: string;
  readonly model: string;
  readonly attempt: number;
  readonly options: Readonly<Record<string, unknown>>;
  readonly budgets: Partial<Budgets>;
  /** the model provider (anthropic, openai), for per-provider limits */
  readonly provider?: string | null;
  /** the environment variable that holds the agent's key where it runs (never the key itself) */
  readonly apiKeyEnv: string | null;
  readonly hintLevel?: 'none' | 'files';
  /** the agent's executable, when given by path (else its pinned install) */
  readonly binary?: string;
  readonly clone?: string;
  readonly cacheRoot?: string;
  readonly infraRetries?: number;
  readonly backoffMs?: number;
  /** run the agent in a Docker sandbox built on this base image (container.ts) */
  readonly dockerSandboxFrom?: string;
}

/** A unit's payload. */
export type UnitPayload = BenchPayload | AgentPayload;

/** Where a bench job runs. */
export interface BenchPlace {
  readonly executor: Executor;
  /** leased GPU device ids */
  readonly gpus?: readonly string[];
  /** move a serving task to a free port (jobs that share a host's loopback) */
  readonly freePort?: boolean;
  readonly onPhase?: (r: PhaseRecord) => void;
}

/** Runs a bench job into `jobDir` (throws for harness failures). */
export async function runBenchPayload(p: BenchPayload, jobDir: string, at: BenchPlace): Promise<JobResult> {
  const task = at.freePort && at.executor.kind === 'local' ? withPort(p.task, await freePort()) : p.task;
  let images: { parent?: string; human?: string } | undefined;
  const fingerprintExtra: Record<string, string> = {};
  const imaging = at.executor.images;
  if (p.buildImagesFrom && imaging) {
    const built = await imaging.buildTaskImages(p.task, {
      clone: p.source?.clone,
      baseImage: p.buildImagesFrom,
      logDir: join(jobDir, 'images'),
    });
    images = { parent: built.parent.tag, human: built.human.tag };
    Object.assign(fingerprintExtra, {
      image_parent: `${built.parent.tag} ${built.parent.id}`,
      image_human: `${built.human.tag} ${built.human.id}`,
    });
  } else if (p.image && imaging) fingerprintExtra.image = `${p.image} ${await imaging.imageId(p.image)}`;
  if (at.gpus?.length) fingerprintExtra.gpus_leased = at.gpus.join(',');
  return runBenchJob({
    images,
    fingerprintExtra,
    task,
    agents: p.patches,
    executor: at.executor,
    jobDir,
    repeats: p.repeats,
    warmup: p.warmup,
    image: p.image,
    source: p.source,
    cache: p.cache,
    accuracy: p.accuracy,
    tamperPolicy: p.tamperPolicy,
    policy: { thresholdPct: p.thresholdPct },
    gpuDevices: at.gpus,
    onPhase: at.onPhase,
  });
}

/** Runs an agent attempt under `runDir` (agents/<agent>/<task>/<attempt>/); its failures are outcomes. */
export async function runAgentPayload(p: AgentPayload, runDir: string): Promise<AttemptRecord> {
  const [{ resolveAgent }, { ensureInstalled }, { runAttempt }, { mirrorForTask }] = await Promise.all([
    import('../../agents/index.js'),
    import('../agent/install.js'),
    import('../agent/attempt.js'),
    import('../workspace/repo-cache.js'),
  ]);
  const adapter = await resolveAgent(p.agentRef ?? p.agent);
  const installed = await ensureInstalled(adapter, { root: p.cacheRoot, binary: p.binary });
  const mirror = (await mirrorForTask(p.task, { root: p.cacheRoot, clone: p.clone })).dir;
  let container: { executor: import('../executor/docker.js').DockerExecutor; image: string } | undefined;
  if (p.dockerSandboxFrom) {
    const [{ DockerExecutor }, { agentImage }] = await Promise.all([
      import('../executor/docker.js'),
      import('../agent/container.js'),
    ]);
    const executor = await DockerExecutor.create({});
    container = {
      executor,
      image: await agentImage(executor.docker, p.dockerSandboxFrom, join(runDir, 'images')),
    };
  }
  return runAttempt({
    container,
    task: p.task,
    adapter,
    mirror,
    runDir,
    attempt: p.attempt,
    model: p.model,
    options: p.options,
    budgets: p.budgets,
    apiKey: p.apiKeyEnv ? process.env[p.apiKeyEnv] || null : null,
    binary: installed.binary,
    agentVersion: installed.version,
    hintLevel: p.hintLevel,
    infraRetries: p.infraRetries,
    backoffMs: p.backoffMs,
  });
}

/** Checks a payload pulled from a queue (a clear error names what is wrong). */
export function checkPayload(x: unknown): UnitPayload {
  const p = x as Partial<UnitPayload> | null;
  if (!p || typeof p !== 'object') throw new Error('the queue payload is not an object');
  if (p.v !== PAYLOAD_VERSION)
    throw new Error(
      `payload version ${String(p.v)} is not ${PAYLOAD_VERSION} (coordinator and worker differ)`,
    );
  if (p.kind !== 'bench_job' && p.kind !== 'agent_attempt')
    throw new Error(`payload kind '${String(p.kind)}' is unknown`);
  for (const f of ['runId', 'key'] as const)
    if (typeof p[f] !== 'string' || !p[f]) throw new Error(`payload field ${f} is missing`);
  if (!p.task || typeof p.task !== 'object' || typeof (p.task as TaskSpec).id !== 'string')
    throw new Error('payload field task is missing');
  return p as UnitPayload;
}
