/**
 * Hygiene: Ctrl-C during a Docker run leaves no container and the run resumes; the recipe image
 * cache keeps to its disk budget by removing the least recently used images (never one in use);
 * `isobench doctor` checks the host and never prints a key.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedImages, pruneImages, touchImage } from '../../src/executor/image-cache.js';
import { BASE_IMAGE, HAVE_DOCKER } from '../support/docker.js';
import { redisAvailable, startRedis } from '../support/redis.js';
import { PROJECT_ROOT } from '../support/shared-data.js';

const BIN = resolve(PROJECT_ROOT, 'bin/isobench.mjs');
const root = mkdtempSync(join(tmpdir(), 'isobench-hygiene-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
/** The containers of this test's task (another isobench on the host, a rehearsal say, has its own). */
const managed = () =>
  spawnSync(
    'docker',
    ['ps', '-aq', '--filter', 'label=isobench.managed=1', '--filter', 'label=isobench.task=demo/cpu-serving'],
    {
      encoding: 'utf8',
    },
  ).stdout.trim();

describe.runIf(HAVE_DOCKER)('hygiene', () => {
  it('Ctrl-C mid-run closes every container; --resume finishes the run', async () => {
    const out = join(root, 'runs');
    const args = [
      'run',
      '--executor',
      'docker',
      '--tasks',
      'demo/cpu-serving',
      '--repeats',
      '3',
      '--warmup',
      '0',
    ];
    const c = spawn(process.execPath, [BIN, ...args, '--out', out, '--run-id', 'sig'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    c.stdout.on('data', (d) => {
      text += d;
    });
    c.stderr.on('data', (d) => {
      text += d;
    });
    const exited = new Promise<number | null>((r) => c.on('exit', (code) => r(code)));
    for (let i = 0; i < 600 && !/round 1\/3/.test(text); i++) await new Promise((r) => setTimeout(r, 100));
    expect(text).toMatch(/round 1\/3/);
    expect(managed()).not.toBe(''); // the job's container is up
    c.kill('SIGINT');
    expect(await exited, text).toBe(130);
    expect(text).toMatch(/SIGINT: closing 1 sandbox/);
    expect(managed()).toBe('');
    const r = spawnSync(process.execPath, [BIN, 'run', '--resume', 'sig', '--out', out], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'sig', 'run.json'), 'utf8')).status).toBe('done');
    expect(managed()).toBe('');
  }, 300_000);

  it('prunes least recently used recipe images to the budget, never one in use', async () => {
    const docker = new Docker();
    const cache = join(root, 'cache');
    const tags = ['isobench-lru-test:a', 'isobench-lru-test:b', 'isobench-lru-test:c'];
    for (const [i, tag] of tags.entries()) {
      const ctx = join(root, `ctx${i}`);
      mkdirSync(ctx);
      writeFileSync(
        join(ctx, 'Dockerfile'),
        `FROM ${BASE_IMAGE}\nLABEL org.isobench.recipe=lru-test\nRUN head -c ${(i + 2) * 1_000_000} /dev/urandom > /blob\n`,
      );
      const b = spawnSync('docker', ['build', '--network', 'none', '-q', '-t', tag, ctx], {
        encoding: 'utf8',
      });
      expect(b.status, b.stderr).toBe(0);
    }
    // used in the order c (oldest), a, b (newest); c is kept alive by a container
    await touchImage(tags[2] as string, cache, new Date('2026-01-01'));
    await touchImage(tags[0] as string, cache, new Date('2026-02-01'));
    await touchImage(tags[1] as string, cache, new Date('2026-03-01'));
    const holder = await docker.createContainer({
      Image: tags[2],
      Cmd: ['true'],
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      const mine = (await cachedImages(docker, cache)).filter((i) => i.tags.some((t) => tags.includes(t)));
      expect(mine.map((i) => i.tags[0])).toEqual([tags[2], tags[0], tags[1]]);
      const bytes = Object.fromEntries(mine.map((i) => [i.tags[0], i.bytes]));
      expect(bytes[tags[1] as string]).toBeGreaterThan(bytes[tags[0] as string] as number);
      const others = (await cachedImages(docker, cache))
        .filter((i) => !i.tags.some((t) => tags.includes(t)))
        .reduce((n, i) => n + i.bytes, 0);
      // room for b and c: a (least recently used but not in use) must go, c stays (in use)
      const r = await pruneImages(docker, {
        budgetBytes: others + (bytes[tags[1] as string] as number) + (bytes[tags[2] as string] as number),
        root: cache,
        keep: [],
      });
      const removed = r.removed.flatMap((i) => i.tags);
      expect(removed).toContain(tags[0]);
      expect(removed).not.toContain(tags[2]);
      expect(removed).not.toContain(tags[1]);
      expect(r.after).toBeLessThanOrEqual(r.before - (bytes[tags[0] as string] as number));
    } finally {
      await holder.remove({ force: true });
      for (const t of tags)
        await docker
          .getImage(t)
          .remove({ force: true })
          .catch(() => undefined);
    }
  }, 300_000);
});

describe('a port held by another process', () => {
  it('is the harness failure (infra, retried by --retry-infra), not the variant crashing', async () => {
    const { createServer } = await import('node:net');
    const holder = createServer((c) => c.end());
    await new Promise<void>((ok, fail) => {
      holder.once('error', fail);
      holder.listen(18000, '127.0.0.1', () => ok());
    });
    const out = join(root, 'runs-port');
    const args = [
      'run',
      '--executor',
      'local',
      '--tasks',
      'demo/cpu-serving',
      '--repeats',
      '1',
      '--warmup',
      '0',
    ];
    let held = true;
    try {
      const r = await new Promise<number | null>((done) => {
        const c = spawn(
          process.execPath,
          [BIN, ...args, '--job-retries', '0', '--out', out, '--run-id', 'port'],
          {
            cwd: PROJECT_ROOT,
            stdio: 'ignore',
          },
        );
        c.on('exit', (code) => done(code));
      });
      // its only job failed for infrastructure reasons: nothing was measured (exit 4, not 0)
      expect(r).toBe(4);
      const unit = JSON.parse(
        readFileSync(join(out, 'port', 'jobs', 'demo_cpu-serving', 'unit.json'), 'utf8'),
      );
      expect(unit.status).toBe('infra');
      expect(unit.detail).toMatch(/^infra_error: baseline: infra_error: .*port 18000 was still in use/);
      await new Promise<void>((ok) => holder.close(() => ok()));
      held = false;
      const again = spawnSync(
        process.execPath,
        [BIN, 'run', '--resume', 'port', '--out', out, '--retry-infra'],
        {
          cwd: PROJECT_ROOT,
          encoding: 'utf8',
        },
      );
      expect(again.status, again.stderr).toBe(0);
      const after = JSON.parse(
        readFileSync(join(out, 'port', 'jobs', 'demo_cpu-serving', 'unit.json'), 'utf8'),
      );
      expect(after.status).toBe('done');
      expect(after.retries.map((x: { cause: string }) => x.cause).join('\n')).toMatch(/port 18000/);
    } finally {
      if (held) holder.close();
    }
  }, 300_000);
});

describe('isobench doctor', () => {
  it('checks engine, GPUs, disk, agents, keys and Redis, and never prints a key', async () => {
    const planted = 'sk-ant-planted-doctor-51c9e0';
    const redis = redisAvailable() ? await startRedis(mkdtempSync(join(root, 'redis-'))) : null;
    try {
      const r = spawnSync(
        process.execPath,
        [BIN, 'doctor', '--json', ...(redis ? ['--redis', redis.url] : [])],
        { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, ANTHROPIC_API_KEY: planted } },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(planted);
      const { checks } = JSON.parse(r.stdout) as {
        checks: Array<{ area: string; status: string; detail: string }>;
      };
      const by = (area: string) => checks.filter((c) => c.area === area);
      expect(by('api key').find((c) => c.detail.startsWith('ANTHROPIC_API_KEY'))?.detail).toBe(
        'ANTHROPIC_API_KEY is set',
      );
      expect(by('disk').length).toBe(3);
      expect(by('gpus')).toHaveLength(1);
      if (HAVE_DOCKER) expect(by('docker')[0]?.status).toBe('ok');
      if (redis) expect(by('redis')[0]?.detail).toMatch(/Redis 7|Redis \d/);
      const bad = spawnSync(process.execPath, [BIN, 'doctor', '--json', '--redis', 'redis://127.0.0.1:1'], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      });
      expect(bad.status).toBe(1);
      expect(JSON.parse(bad.stdout).checks.find((c: { area: string }) => c.area === 'redis').status).toBe(
        'fail',
      );
    } finally {
      await redis?.stop();
    }
  }, 120_000);
});
