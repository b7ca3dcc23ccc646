/**
 * Which executor runs a run's or a worker's sandboxes, and opening it: `auto` probes the Docker
 * engine and its image; a rehearsal needs containers; a resume keeps what its run resolved. The
 * verbs call these and print what they say.
 */
import { errorMessage, UsageError } from '../util/errors.js';
import { createExecutor, type ExecutorKind, type ExecutorOptions } from './index.js';
import type { Executor, Leftover } from './types.js';

/** An executor kind as asked on the command line. */
export type AskedExecutor = 'auto' | 'local' | 'docker';

/** Why the Docker executor cannot run `image` here (null when it can): no engine, or no such image. */
export async function dockerUnusable(image: string): Promise<string | null> {
  const { connectDocker, dockerAvailable } = await import('./docker.js');
  let docker: Awaited<ReturnType<typeof connectDocker>>;
  try {
    docker = await connectDocker();
  } catch (e) {
    return `no Docker engine: ${errorMessage(e)}`;
  }
  const up = await dockerAvailable(docker);
  if (!up.ok) return `no Docker engine: ${up.reason}`;
  try {
    await docker.getImage(image).inspect();
    return null;
  } catch {
    // the engine answers: an image it cannot inspect is one it does not have
    return `the Docker engine has no image ${image} (scripts/base-image.sh builds it)`;
  }
}

/** What a run asks of its executor. */
export interface ExecutorRequest {
  readonly asked: AskedExecutor;
  /** the image sandboxes run in or build from */
  readonly image: string;
  /** a rehearsal: the stand-in engine lives in the rehearsal images, so only containers can rehearse */
  readonly rehearse: boolean;
  /** what the run resumed resolved and recorded, if it is a resume */
  readonly recorded: ExecutorKind | null;
}

/** The executor kind and why (printed after the kind: `docker executor (auto: …)`). */
export async function chooseExecutor(r: ExecutorRequest): Promise<{ kind: ExecutorKind; choice: string }> {
  if (r.recorded && r.asked === 'auto')
    return { kind: r.recorded, choice: ' (as the run resolved and recorded it)' };
  if (r.rehearse) {
    if (r.asked === 'local')
      throw new UsageError(
        '--rehearse runs in Docker containers (the rehearsal images): not with --executor local',
      );
    const why = await dockerUnusable(r.image);
    if (why)
      throw new UsageError(
        `--rehearse needs a Docker engine with ${r.image} (build it with scripts/rehearse-image.sh): ${why}`,
      );
    return { kind: 'docker', choice: ' (a rehearsal: the stand-in engine in containers)' };
  }
  if (r.asked !== 'auto') return { kind: r.asked, choice: '' };
  // Docker when an engine answers and has the image (isolation, no network); else local processes
  const why = await dockerUnusable(r.image);
  return {
    kind: why ? 'local' : 'docker',
    choice: why ? ` (auto: ${why})` : ' (auto: the Docker engine answers and has the image)',
  };
}

/**
 * The executor, with the sandboxes an earlier process left behind removed (`onLeftovers` hears of
 * them first); an executor that cannot start is the user's to fix (a usage error naming why).
 */
export async function openExecutor(
  kind: ExecutorKind,
  settings: ExecutorOptions,
  onLeftovers: (left: readonly Leftover[]) => void,
): Promise<Executor> {
  let executor: Executor;
  try {
    executor = await createExecutor(kind, settings);
  } catch (e) {
    throw new UsageError(errorMessage(e));
  }
  const left = await executor.leftovers();
  if (left.length) {
    onLeftovers(left);
    await executor.clean(left);
  }
  return executor;
}
