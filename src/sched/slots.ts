/**
 * Measurement slots: a bench job leases its slots exclusively (a GPU is never shared with another
 * measurement). On a GPU host the slots are the GPUs; on a host without GPUs there is one slot, so
 * that CPU measurements do not disturb each other either. Busy time is kept per slot, so a run can
 * report each slot's idle time.
 */
import { execFile } from 'node:child_process';

/** A lease of some slots; release it exactly once. */
export interface Lease {
  /** slot ids (GPU indices, or `cpu0`…) */
  readonly slots: readonly string[];
  /** GPU device ids to give the job (empty on a CPU slot) */
  readonly gpus: readonly string[];
  release(): void;
}

/** A pool of exclusive slots, leased first come first served. */
export class SlotPool {
  private readonly free: string[];
  private readonly waiting: Array<{ n: number; grant: (l: Lease) => void }> = [];
  private readonly busySince = new Map<string, number>();
  private readonly busyMs = new Map<string, number>();
  readonly createdAt = performance.now();

  /**
   * @param slots slot ids
   * @param gpu whether the slots are GPUs (their ids go to the job as devices)
   */
  constructor(
    readonly slots: readonly string[],
    readonly gpu: boolean,
  ) {
    if (slots.length === 0) throw new Error('a slot pool needs at least one slot');
    if (new Set(slots).size !== slots.length) throw new Error(`slot ids repeat: ${slots.join(', ')}`);
    this.free = [...slots];
    for (const s of slots) this.busyMs.set(s, 0);
  }

  /** The pool of this host: its GPUs (`ids`, or detected), else one CPU slot. */
  static async forHost(ids?: readonly string[] | 'none'): Promise<SlotPool> {
    const gpus = ids === 'none' ? [] : (ids ?? (await detectGpus()));
    return gpus.length ? new SlotPool(gpus, true) : new SlotPool(['cpu0'], false);
  }

  /** Waits for `n` slots (at least one) and leases them; fails at once when the pool has fewer. */
  lease(n: number): Promise<Lease> {
    const want = Math.max(1, n);
    if (want > this.slots.length)
      return Promise.reject(
        new Error(
          `the job needs ${want} ${this.gpu ? 'GPUs' : 'slots'}; this host has ${this.slots.length} (${this.slots.join(', ')})`,
        ),
      );
    return new Promise((grant) => {
      this.waiting.push({ n: want, grant });
      this.pump();
    });
  }

  private pump(): void {
    // first come first served: a large request at the head is not overtaken
    for (let w = this.waiting[0]; w && w.n <= this.free.length; w = this.waiting[0]) {
      this.waiting.shift();
      const taken = this.free.splice(0, w.n);
      const now = performance.now();
      for (const s of taken) this.busySince.set(s, now);
      let released = false;
      w.grant({
        slots: taken,
        gpus: this.gpu ? taken : [],
        release: () => {
          if (released) return;
          released = true;
          const end = performance.now();
          for (const s of taken) {
            this.busyMs.set(s, (this.busyMs.get(s) ?? 0) + end - (this.busySince.get(s) ?? end));
            this.busySince.delete(s);
          }
          this.free.push(...taken);
          this.free.sort((a, b) => this.slots.indexOf(a) - this.slots.indexOf(b));
          this.pump();
        },
      });
    }
  }

  /** Busy and idle time of each slot since the pool was made (a running lease counts as busy). */
  usage(): Array<{ slot: string; busyMs: number; idleMs: number }> {
    const now = performance.now();
    const span = now - this.createdAt;
    return this.slots.map((s) => {
      const since = this.busySince.get(s);
      const busy = (this.busyMs.get(s) ?? 0) + (since !== undefined ? now - since : 0);
      return { slot: s, busyMs: busy, idleMs: Math.max(0, span - busy) };
    });
  }
}

/** GPU indices `nvidia-smi` lists, or none (no driver, no GPUs). */
export function detectGpus(): Promise<string[]> {
  return new Promise((done) => {
    execFile(
      'nvidia-smi',
      ['--query-gpu=index', '--format=csv,noheader'],
      { timeout: 15_000 },
      (err, stdout) => {
        if (err) return done([]);
        done(
          stdout
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => /^\d+$/.test(l)),
        );
      },
    );
  });
}

/** Parses `--gpus`: `auto` (detect), `none`, or a comma-separated list of indices or UUIDs. */
export function parseGpus(v: string | undefined): readonly string[] | 'none' | undefined {
  if (v === undefined || v === 'auto') return undefined;
  if (v === 'none') return 'none';
  const ids = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!ids.length || ids.some((s) => !/^(\d+|GPU-[\w-]+|MIG-[\w-]+)$/.test(s)))
    throw new Error(`--gpus must be auto, none, or GPU indices/UUIDs separated by commas, got '${v}'`);
  return ids;
}
