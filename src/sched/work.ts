/**
 * Units of work as plain JSON payloads, and the functions that run them: the same code runs a unit
 * in the coordinator's process (the embedded default) and on a worker that pulled it from the queue.
 * A payload never carries a secret: an agent's API key is named by its environment variable and read
 * where the agent runs.
 */
import { join } from 'node:path';
import type { AttemptRecord } from '../agent/attempt.js';
import { attemptKey } from '../agent/credentials.js';
import { freePort, withPort } from '../bench/server.js';
import { type JobResult, type PhaseRecord, REHEARSAL_MARK } from '../bench/types.js';
import type { Executor } from '../executor/types.js';
import type { AgentPayload, BenchPayload } from '../store/config.js';
import { measureAndGradeJob } from './grade-measurement.js';

export {
  type AgentPayload,
  type BenchPayload,
  checkPayload,
  PAYLOAD_VERSION,
  type UnitPayload,
} from '../store/config.js';

/** Where a bench job runs. */
export interface BenchPlace {
  readonly executor: Executor;
  /** leased GPU device ids */
  readonly gpus?: readonly string[];
  /** move a serving task to a free port (jobs that share a host's loopback) */
  readonly freePort?: boolean;
  readonly onPhase?: (r: PhaseRecord) => void;
}

/** Runs a bench job into `jobDir`: measures it, grades the measurement, writes `job.json` (throws for harness failures). */
export async function runBenchPayload(p: BenchPayload, jobDir: string, at: BenchPlace): Promise<JobResult> {
  const task = at.freePort && at.executor.kind === 'local' ? withPort(p.task, await freePort()) : p.task;
  let images: { parent?: string; human?: string } | undefined;
  const fingerprintExtra: Record<string, string> = {};
  const imaging = at.executor.images;
  const { buildImagesFrom, image, source } = p.bench;
  if (buildImagesFrom && imaging) {
    const built = await imaging.buildTaskImages(p.task, {
      clone: source?.clone,
      baseImage: buildImagesFrom,
      logDir: join(jobDir, 'images'),
      gpus: at.gpus,
      mode: p.bench.rehearse ? { kind: 'rehearse', humanSpeedup: p.bench.rehearse.humanSpeedup } : undefined,
    });
    images = { parent: built.parent.tag, human: built.human.tag };
    Object.assign(fingerprintExtra, {
      image_parent: `${built.parent.tag} ${built.parent.id}`,
      image_human: `${built.human.tag} ${built.human.id}`,
    });
  } else if (image && imaging) fingerprintExtra.image = `${image} ${await imaging.imageId(image)}`;
  if (at.gpus?.length) fingerprintExtra.gpus_leased = at.gpus.join(',');
  if (p.bench.rehearse) fingerprintExtra.rehearsal = REHEARSAL_MARK;
  const { thresholdPct, buildImagesFrom: _built, rehearse: _rehearse, ...measured } = p.bench;
  return measureAndGradeJob({
    ...measured,
    images,
    fingerprintExtra,
    task,
    agents: p.patches,
    executor: at.executor,
    jobDir,
    policy: { thresholdPct },
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
  const { agent: a, settings } = p;
  const adapter = await resolveAgent(a.ref ?? a.name);
  const installed = await ensureInstalled(adapter, { root: settings.cacheRoot, binary: a.binary });
  const mirror = (await mirrorForTask(p.task, { root: settings.cacheRoot, clone: settings.clone })).dir;
  let container: { executor: import('../executor/docker.js').DockerExecutor; image: string } | undefined;
  if (a.dockerSandboxFrom) {
    const [{ DockerExecutor }, { agentImage }] = await Promise.all([
      import('../executor/docker.js'),
      import('../agent/container.js'),
    ]);
    const executor = await DockerExecutor.create({});
    container = {
      executor,
      image: await agentImage(executor.docker, a.dockerSandboxFrom, join(runDir, 'images')),
    };
  }
  return runAttempt({
    container,
    task: p.task,
    adapter,
    mirror,
    runDir,
    attempt: p.attempt,
    model: a.model,
    options: a.options,
    budgets: a.budgets,
    apiKey: attemptKey(a.apiKeyEnv, typeof a.options.baseUrl === 'string' ? a.options.baseUrl : undefined),
    apiKeyEnv: a.apiKeyEnv,
    binary: installed.binary,
    agentVersion: installed.version,
    hintLevel: a.hintLevel,
    usageProxy: a.usageProxy,
    prices: a.prices,
    attemptRetries: settings.infraRetries,
    backoffMs: settings.backoffMs,
  });
}
