/** `isobench worker`: pull units from the coordinator's Redis queue and run them on this host. */

import { chooseExecutor, openExecutor } from '../executor/choose.js';
import type { WorkerCliOptions } from '../run/options.js';
import { parseGpus, SlotPool } from '../sched/slots.js';
import { errorMessage } from '../util/errors.js';
import { err, out, UsageError } from './common.js';
import { onInterrupt } from './signals.js';

/** `isobench worker`: runs until SIGINT/SIGTERM. */
export async function workerCmd(opts: WorkerCliOptions): Promise<number> {
  const { connectionOf } = await import('../sched/redis-wire.js');
  const { startWorker } = await import('../sched/redis-worker.js');
  try {
    connectionOf(opts.redis);
  } catch (e) {
    throw new UsageError(`--redis: ${errorMessage(e)}`);
  }
  const { agentSlots } = opts;
  let gpus: ReturnType<typeof parseGpus>;
  try {
    gpus = parseGpus(opts.gpus);
  } catch (e) {
    throw new UsageError(errorMessage(e));
  }
  const slots = await SlotPool.forHost(gpus);
  const { kind } = await chooseExecutor({
    asked: opts.executor,
    image: opts.image,
    rehearse: false,
    recorded: null,
  });
  const executor = await openExecutor(
    kind,
    { image: kind === 'docker' ? opts.image : undefined, cpus: opts.cpus },
    (left) => err(`isobench worker: removing ${left.length} sandbox(es) left behind by an earlier process`),
  );
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
