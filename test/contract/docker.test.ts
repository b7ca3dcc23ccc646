import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GPU_SHM_BYTES } from '../../src/bench/plan.js';
import { execCommand } from '../../src/executor/docker.js';
import { BASE_IMAGE, HAVE_DOCKER } from '../support/docker.js';
import { executorContract } from './executor.js';
import { makeDocker } from './factories.js';

executorContract({
  name: 'docker',
  skip: !HAVE_DOCKER,
  make: makeDocker,
  spec: {
    name: 'contract-docker',
    image: BASE_IMAGE,
    cpus: 1,
    memoryBytes: 512 * 1024 * 1024,
    labels: { 'isobench.test': 'contract' },
  },
  childFactory: `${join(import.meta.dirname, 'factories.ts')}#makeDocker`,
});

describe.skipIf(!HAVE_DOCKER)('Docker sandboxes for vLLM jobs', () => {
  const root = mkdtempSync(join(tmpdir(), 'isobench-docker-gpu-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('/dev/shm is as large as asked (Docker gives 64 MB, too small for a tensor-parallel server)', async () => {
    const ex = await makeDocker();
    const sizeOf = async (shmBytes?: number) => {
      const sb = await ex.open({ name: 'shm', image: BASE_IMAGE, shmBytes });
      try {
        const out = join(root, `shm-${shmBytes ?? 'default'}.txt`);
        const r = await sb.exec(['df', '-k', '/dev/shm'], { stdoutPath: out, stderrPath: `${out}.err` });
        expect(r.exitCode).toBe(0);
        return Number(readFileSync(out, 'utf8').trim().split('\n').pop()?.split(/\s+/)[1]);
      } finally {
        await sb.close();
      }
    };
    expect(await sizeOf()).toBe(64 * 1024);
    expect(await sizeOf(GPU_SHM_BYTES)).toBe(GPU_SHM_BYTES / 1024);
  });

  it('raises the open-file soft limit of every command: under Docker 29’s soft 1024, 1000 connections at each end fit', () => {
    // this machine's engine (20.10) hands exec'd processes its own raised limit; Docker 29 hands them
    // the container's soft 1024: the exec command line is run here under exactly that
    const pidFile = join(root, 'nofile.pid');
    const r = spawnSync(
      'sh',
      [
        '-c',
        'ulimit -Sn 1024 && exec "$@"',
        'docker29',
        ...execCommand(['sh', '-c', 'ulimit -Sn; ulimit -Hn'], pidFile),
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    const [soft, hard] = r.stdout.trim().split('\n');
    expect(Number(hard)).toBeGreaterThan(1024);
    expect(soft).toBe(hard);
    expect(readFileSync(pidFile, 'utf8').trim()).toMatch(/^\d+$/);
  });

  it('a container that cannot start (a GPU asked of a host without the NVIDIA runtime) is not left behind', async () => {
    const ex = await makeDocker();
    const label = `gpu-${process.pid}-${Date.now()}`;
    await expect(
      ex.open({ name: 'no-gpu', image: BASE_IMAGE, gpus: { count: 1 }, labels: { 'isobench.test': label } }),
    ).rejects.toThrow(/cannot start a container from .*(nvidia|device driver|GPU)/i);
    const { default: Docker } = await import('dockerode');
    const left = await new Docker().listContainers({
      all: true,
      filters: { label: [`isobench.test=${label}`] },
    });
    expect(left).toEqual([]);
  });
});
