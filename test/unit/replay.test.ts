/** Prediction keys: every form of instance id the published data and the original harness use. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPredictions } from '../../agents/replay/index.js';
import { findTask, loadTasks } from '../../src/task/loader.js';
import { TASKS_DIR } from '../support/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-replay-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('prediction keys', async () => {
  const { tasks } = await loadTasks(TASKS_DIR);
  const t = tasks.find((x) => x.id === 'vllm/0d243f2a');
  if (!t) throw new Error('vllm/0d243f2a');
  const parent7 = t.commits.parent.slice(0, 7);

  it('takes task ids, hashes, SWE-bench ids and the original harness’s <path>/vllm__repo-<sha7>', () => {
    expect(findTask(tasks, 'vllm/0d243f2a')?.id).toBe(t.id);
    expect(findTask(tasks, '0d243f2a')?.id).toBe(t.id);
    expect(findTask(tasks, `vllm-project__vllm-${parent7}`)?.id).toBe(t.id);
    // as the original harness wrote them (ISO-Bench/ISO-Bench, state/runs)
    expect(
      findTask(tasks, `/home/raven/coding-mess/kernel-corp/OmniPerf-Bench/vllm__repo-${parent7}`)?.id,
    ).toBe(t.id);
    expect(findTask(tasks, `vllm__repo-${parent7}`)?.id).toBe(t.id);
    // another repository's instance with the same hash prefix is not this task
    expect(findTask(tasks, `/home/ubuntu/OmniPerf-Bench/sglan__repo-${parent7}`)).toBeUndefined();
  });

  it('a predictions file in the original form is read, line by line', () => {
    const file = join(root, 'preds.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ instance_id: `/home/ubuntu/OmniPerf-Bench/vllm__repo-${parent7}`, model_patch: 'diff --git a/x b/x\n', model_name_or_path: 'm' })}\n${JSON.stringify({ instance_id: '/x/vllm__repo-0000000', model_patch: '' })}\n`,
    );
    const r = readPredictions(file, tasks, 'orig');
    expect(r.entries.map((e) => e.task.id)).toEqual([t.id]);
    expect(r.problems).toEqual([
      `${file}:2: instance_id '/x/vllm__repo-0000000' names no task in the catalogue`,
    ]);
  });
});
