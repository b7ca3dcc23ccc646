/** Where a run's units run: the measurement slots of this host, and the backend (this process or Redis). */
import type { Executor } from '../executor/types.js';
import { type Backend, InProcessBackend } from '../sched/backend.js';
import { parseGpus, SlotPool } from '../sched/slots.js';
import type { TaskSpec } from '../task/schema.js';
import { errorMessage, UsageError } from '../util/errors.js';
import type { RunCliOptions } from './options.js';

/**
 * The measurement slots of this host (GPUs, or one CPU slot). A task that needs more GPUs than the
 * host has is refused here, before any work (it could only fail, after its images were built):
 * unless the units run on workers (`--redis`), or `--gpus` names the devices by hand.
 */
export async function measurementSlots(opts: RunCliOptions, tasks: readonly TaskSpec[]): Promise<SlotPool> {
  let gpus: ReturnType<typeof parseGpus>;
  try {
    gpus = parseGpus(opts.gpus);
  } catch (e) {
    throw new UsageError(`--gpus: ${errorMessage(e)}`);
  }
  const slots = await SlotPool.forHost(gpus);
  if (opts.redis) return slots;
  const have = slots.gpu ? slots.slots.length : 0;
  const short = tasks.filter((t) => t.hardware.count > have);
  if (short.length)
    throw new UsageError(
      `${short.map((t) => `${t.id} needs ${t.hardware.count} ${t.hardware.gpu} GPU(s)`).join('; ')}; this host has ${have ? `${have} (${slots.slots.join(', ')})` : `none (${opts.gpus === 'none' ? '--gpus none' : 'nvidia-smi lists no GPU'})`}. Run on a GPU host (or on workers with --redis), rehearse the job without a GPU (--rehearse), see what it would do (--dry-run), or name the devices with --gpus 0,1 if nvidia-smi cannot see them`,
    );
  return slots;
}

/** Where units run: this process (leased slots, an agent queue), or Redis for workers. */
export async function openBackend(
  opts: RunCliOptions,
  executor: Executor,
  slots: SlotPool,
): Promise<Backend> {
  if (!opts.redis)
    return new InProcessBackend({
      executor,
      slots,
      agentConcurrency: opts.concurrency,
      providerConcurrency: opts.providerConcurrency ?? {},
    });
  const { RedisBackend } = await import('../sched/redis.js');
  return RedisBackend.connect({ url: opts.redis, prefix: opts.queuePrefix, store: opts.store }).catch(
    (e: Error) => {
      throw new UsageError(`--redis ${opts.redis}: ${e.message}`);
    },
  );
}
