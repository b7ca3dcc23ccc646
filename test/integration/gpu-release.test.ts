/**
 * GPU memory between phases, on the real local executor and the demo serving task made a one-GPU
 * task: the first server leaves a process outside its group that holds "GPU memory" for a while
 * (as a V1 EngineCore or a driver tearing a context down does), which a stand-in nvidia-smi reports
 * (same command line and CSV as the real one). The next phase waits until the memory is back near
 * idle before it starts its server; a GPU that stays busy past the limit is infra, never the variant's.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureJob } from '../../src/bench/job.js';
import { LocalExecutor } from '../../src/executor/local.js';
import { loadTasks } from '../../src/task/loader.js';
import type { TaskSpec } from '../../src/task/schema.js';
import { TASKS_DIR } from '../support/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-gpu-release-'));
const bin = join(root, 'bin');
let gpuTask: TaskSpec;

/** The demo serving task on one "GPU", whose first server leaves a holder of `holdS` seconds behind. */
function holdingTask(base: TaskSpec): TaskSpec {
  const server = base.benchmark.server?.argv ?? [];
  const leave =
    'if [ ! -e "$HOLD_ONCE" ]; then touch "$HOLD_ONCE"; ' +
    'setsid sh -c \'touch "$HOLD"; sleep "$HOLD_S"; rm -f "$HOLD"\' >/dev/null 2>&1 & fi; exec "$@"';
  return {
    ...base,
    hardware: { gpu: 'H100', count: 1 },
    benchmark: {
      ...base.benchmark,
      server: { ...base.benchmark.server, argv: ['sh', '-c', leave, 'server', ...server] },
    },
  };
}

beforeAll(async () => {
  const base = (await loadTasks(TASKS_DIR)).tasks.find((t) => t.id === 'demo/cpu-serving');
  if (!base) throw new Error('no demo/cpu-serving');
  gpuTask = holdingTask(base);
  mkdirSync(bin, { recursive: true });
  // nvidia-smi's own query and CSV: 70 GB used while the holder lives, 512 MiB idle otherwise
  writeFileSync(
    join(bin, 'nvidia-smi'),
    [
      '#!/bin/sh',
      'case "$*" in',
      '  *--query-gpu=index,uuid,memory.used*)',
      '    if [ -e "$HOLD" ]; then echo "0, GPU-0f1e2d3c, 70000"; else echo "0, GPU-0f1e2d3c, 512"; fi ;;',
      '  *) exit 9 ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'nvidia-smi'), 0o755);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (name: string, holdS: number, gpuReleaseS: number) => {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    HOLD: join(dir, 'held'),
    HOLD_ONCE: join(dir, 'left'),
    HOLD_S: String(holdS),
  };
  return {
    hold: env.HOLD,
    job: measureJob({
      task: gpuTask,
      agents: [],
      executor: new LocalExecutor({ baseEnv: env }),
      jobDir: join(dir, 'job'),
      repeats: 1,
      warmup: 0,
      gpuReleaseS,
      phaseRetries: 0,
    }),
  };
};

describe('GPU memory is back near idle before each phase', () => {
  it('waits for memory an earlier server left held, then measures', async () => {
    const { job, hold } = run('released', 4, 60);
    const r = await job;
    expect(r.phases.map((p) => `${p.variant} ${p.status}`)).toEqual(['baseline ok', 'human ok']);
    const human = readFileSync(join(root, 'released/job/phases/01-human/gpu-release.log'), 'utf8');
    expect(human).toMatch(/^released \{"0": 512(\.0)?\}/);
    expect(existsSync(hold)).toBe(false);
    // the human phase could only start once the holder was gone: it waited
    const idle = JSON.parse(readFileSync(join(root, 'released/job/host/gpu-idle.json'), 'utf8'));
    expect(idle).toEqual({ '0': 512 });
  });

  it('a GPU still busy past the limit is infra_error, never the variant’s server_crash', async () => {
    const { job } = run('held', 25, 2);
    const r = await job;
    const human = r.phases.find((p) => p.variant === 'human');
    expect(human?.status).toBe('infra_error');
    expect(human?.detail).toMatch(
      /GPU memory of an earlier process was not released within 2s \(GPU 0: 70000(\.0)? MiB used, 512(\.0)? MiB idle/,
    );
    expect(human?.server).toBeNull();
  });
});
