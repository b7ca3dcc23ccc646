/**
 * A phase's workload is checked against the spec's own client argv, the published command as the
 * catalogue resolved it, not against the published text: 6d646d08's command names a model the hub
 * renamed (meta-llama/Llama-3-8B-Instruct) and `--dataset ShareGPT_...json`, which the spec resolves
 * to Meta-Llama-3-8B-Instruct and the prefetched copy's path; against the text, every phase of every
 * variant was a workload_mismatch (found by the rehearsal on the real tree). The demo latency task,
 * its published text naming another model than its spec runs, on the real local executor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { measureJob } from '../../src/bench/job.js';
import { LocalExecutor } from '../../src/executor/local.js';
import { loadTasks } from '../../src/task/loader.js';
import { TASKS_DIR } from '../support/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-workload-spec-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the workload check', () => {
  it('compares what ran with the spec’s client argv, not with the published text it was resolved from', async () => {
    const task = (await loadTasks(TASKS_DIR)).tasks.find((t) => t.id === 'demo/cpu-latency');
    if (!task) throw new Error('no demo/cpu-latency');
    const renamed = {
      ...task,
      benchmark: {
        ...task.benchmark,
        perfCommand: (task.benchmark.perfCommand ?? '').replace(
          '--model demo-sampler',
          '--model demo-sampler-old-name',
        ),
      },
    };
    const m = await measureJob({
      task: renamed,
      agents: [],
      executor: new LocalExecutor(),
      jobDir: join(root, 'job'),
      repeats: 1,
      warmup: 0,
    });
    expect(m.phases.map((p) => `${p.variant} ${p.status}`)).toEqual(['baseline ok', 'human ok']);
    expect(m.phases[0]?.effectiveArgs?.model).toBe('demo-sampler');
  });
});
