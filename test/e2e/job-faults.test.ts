/**
 * A bench job leaves nothing open whatever step fails: the demo serving job (a server in the
 * background, the correctness probe, the client) and the latency job run on the real local executor
 * through the in-process backend, once cleanly to count the sandbox calls, then once per call with
 * that call throwing (an infrastructure error at odd calls, a TypeError at even ones). Each time,
 * every sandbox the job opened is closed, no process it started is still running, the measurement
 * slot is free again, and a TypeError ends the job instead of being recorded as a measurement.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../src/executor/local.js';
import {
  type Background,
  type Executor,
  InfraError,
  type Sandbox,
  type SandboxSpec,
} from '../../src/executor/types.js';
import { InProcessBackend } from '../../src/sched/backend.js';
import { SlotPool } from '../../src/sched/slots.js';
import { type BenchPayload, PAYLOAD_VERSION } from '../../src/sched/work.js';
import { loadTasks } from '../../src/task/loader.js';
import type { TaskSpec } from '../../src/task/schema.js';
import { TASKS_DIR } from '../support/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-faults-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const METHODS = ['exec', 'start', 'put', 'writeFile', 'get'] as const;

/** The local executor, with the `failAt`-th sandbox call (open included) throwing. */
class FaultyExecutor implements Executor {
  readonly kind = 'local' as const;
  calls = 0;
  failAt = 0;
  failed: string | null = null;
  readonly opened: Array<{ id: string; closed: boolean }> = [];
  readonly started: Background[] = [];
  constructor(private readonly inner: LocalExecutor) {}

  private step(what: string): void {
    this.calls++;
    if (this.calls === this.failAt) {
      this.failed = what;
      // odd calls fail as the infrastructure does, even ones as a bug of the harness would
      const msg = `injected fault at call ${this.calls} (${what})`;
      throw this.calls % 2 ? new InfraError(msg) : new TypeError(msg);
    }
  }

  async open(spec: SandboxSpec): Promise<Sandbox> {
    this.step('open');
    const sb = await this.inner.open(spec);
    const entry = { id: sb.id, closed: false };
    this.opened.push(entry);
    const wrapped: Record<string, unknown> = {
      id: sb.id,
      workdir: sb.workdir,
      close: async () => {
        entry.closed = true;
        await sb.close();
      },
    };
    for (const m of METHODS)
      wrapped[m] = async (...args: unknown[]) => {
        this.step(m);
        const r = await (sb[m] as (...a: unknown[]) => Promise<unknown>)(...args);
        if (m === 'start') this.started.push(r as Background);
        return r;
      };
    return wrapped as unknown as Sandbox;
  }

  leftovers() {
    return this.inner.leftovers();
  }

  clean(l: Parameters<Executor['clean']>[0]) {
    return this.inner.clean(l);
  }
}

let tasks: TaskSpec[] = [];
beforeAll(async () => {
  tasks = (await loadTasks(TASKS_DIR)).tasks;
});

function payload(task: TaskSpec, slug: string): BenchPayload {
  return {
    v: PAYLOAD_VERSION,
    kind: 'bench_job',
    runId: 'faults',
    key: slug,
    slug,
    task,
    patches: [],
    bench: { repeats: 1, warmup: 0, thresholdPct: 5 },
  };
}

/** Whether a lease of the pool's one slot is granted within a second. */
async function slotFree(pool: SlotPool): Promise<boolean> {
  const granted = await Promise.race([
    pool.lease(1).then((l) => {
      l.release();
      return true;
    }),
    new Promise<boolean>((r) => setTimeout(() => r(false), 1000)),
  ]);
  return granted;
}

describe('a bench job with a failing step', () => {
  for (const id of ['demo/cpu-serving', 'demo/cpu-latency'])
    it(`${id}: closes every sandbox, stops every process and frees the slot at each failing call`, async () => {
      const task = tasks.find((t) => t.id === id) as TaskSpec;
      const exec = new FaultyExecutor(new LocalExecutor({ root: join(root, 'sandboxes') }));
      const pool = new SlotPool(['cpu0'], false);
      const backend = new InProcessBackend({ executor: exec, slots: pool, agentConcurrency: 1 });
      const clean = await backend.bench(
        payload(task, `${id.replace('/', '_')}-clean`),
        join(root, `${id}-clean`),
      );
      expect(clean.failure).toBeNull();
      const total = exec.calls;
      expect(total).toBeGreaterThan(10);
      const outcomes = new Map<string, number>();
      for (let k = 1; k <= total; k++) {
        exec.calls = 0;
        exec.failAt = k;
        exec.failed = null;
        exec.opened.length = 0;
        exec.started.length = 0;
        let how: string;
        try {
          const r = await backend.bench(payload(task, `f${k}`), join(root, `${id}-f${k}`));
          how = `recorded ${r.failure?.class ?? r.variants.map((v) => v.status).join('/')}`;
        } catch (e) {
          how = 'thrown';
          expect((e as Error).message).toContain('injected fault');
        }
        // a harness error is never recorded as a measurement: it ends the job
        if (k % 2 === 0) expect(how, `call ${k} (${exec.failed})`).toBe('thrown');
        outcomes.set(how, (outcomes.get(how) ?? 0) + 1);
        expect(exec.failed, `call ${k} did not fail`).not.toBeNull();
        for (const s of exec.opened)
          expect(s.closed, `call ${k} (${exec.failed}): sandbox ${s.id} left open`).toBe(true);
        for (const b of exec.started)
          expect(b.running(), `call ${k} (${exec.failed}): a process left running`).toBe(false);
        expect(await slotFree(pool), `call ${k} (${exec.failed}): the slot is still leased`).toBe(true);
      }
      // both paths were taken: faults that end the job, and faults recorded as a failed phase
      expect(outcomes.get('thrown') ?? 0).toBeGreaterThan(0);
      expect([...outcomes.keys()].some((k) => k.startsWith('recorded'))).toBe(true);
      expect(await exec.leftovers()).toEqual([]);
    }, 600_000);
});
