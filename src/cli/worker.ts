/** `isobench worker`: pull units from the coordinator's Redis queue and run them on this host. */

import { createExecutor } from '../executor/index.js';
import type { Executor } from '../executor/types.js';
import { parseGpus, SlotPool } from '../sched/slots.js';
import { err, out, UsageError } from './common.js';
import type { WorkerCliOptions } from './run-options.js';
import { onInterrupt } from './signals.js';

/** `isobench worker`: runs until SIGINT/SIGTERM. */
export async function workerCmd(opts: WorkerCliOptions): Promise<number> {
  const { connectionOf, startWorker } = await import('../sched/redis.js');
  try {
    connectionOf(opts.redis);
  } catch (e) {
    throw new UsageError(`--redis: ${(e as Error).message}`);
  }
  const { agentSlots } = opts;
  let gpus: ReturnType<typeof parseGpus>;
  try {
    gpus = parseGpus(opts.gpus);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const slots = await SlotPool.forHost(gpus);
  let executor: Executor;
  let kind: 'local' | 'docker' = opts.executor === 'docker' ? 'docker' : 'local';
  if (opts.executor === 'auto') {
    const { dockerUnusable } = await import('./run.js');
    kind = (await dockerUnusable(opts.image ?? 'isobench-base:bookworm')) ? 'local' : 'docker';
  }
  executor = await createExecutor(kind, {
    image: kind === 'docker' ? (opts.image ?? 'isobench-base:bookworm') : undefined,
    cpus: opts.cpus,
  }).catch((e: Error) => {
    throw new UsageError(e.message);
  });
  const left = await executor.leftovers();
  if (left.length) {
    err(`isobench worker: removing ${left.length} sandbox(es) left behind by an earlier process`);
    await executor.clean(left);
  }
  const stamp = () => new Date().toISOString().slice(11, 19);
  const w = await startWorker({
    url: opts.redis,
    prefix: opts.queuePrefix,
    executor,
    slots,
    agentSlots,
    providerConcurrency: opts.providerConcurrency ?? {},
    bench: opts.bench !== false,
    store: opts.store,
    lockMs: opts.lockMs,
    name: opts.name,
    log: (l) => out(`${stamp()} ${l}`),
  });
  out(
    `${stamp()} isobench worker ${w.name}: ${executor.kind} executor; bench ${opts.bench === false ? 'off' : `on ${slots.slots.join(', ')}${slots.gpu ? ' (GPUs)' : ' (no GPU: one CPU slot)'}`}; agents ${agentSlots} at once; queue ${opts.redis}`,
  );
  await new Promise<void>((done) => {
    onInterrupt(async () => {
      // jobs running now lose their lock and go back to the queue for another worker
      await w.close();
      done();
    });
  });
  return 0;
}
