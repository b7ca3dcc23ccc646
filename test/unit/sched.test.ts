/** Measurement slots, queue URLs, sizes, the relay's route and the port move of serving tasks. */
import { describe, expect, it } from 'vitest';
import { apiRoute } from '../../src/agent/container.js';
import { withPort } from '../../src/bench/server.js';
import { parseBytes } from '../../src/executor/image-cache.js';
import { connectionOf } from '../../src/sched/redis-wire.js';
import { parseGpus, SlotPool } from '../../src/sched/slots.js';
import { loadTasks } from '../../src/task/loader.js';
import { TASKS_DIR } from '../support/fixtures.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('SlotPool', () => {
  it('leases slots exclusively, first come first served, and counts busy time', async () => {
    const pool = new SlotPool(['0', '1'], true);
    const a = await pool.lease(1);
    const b = await pool.lease(1);
    expect([...a.slots, ...b.slots].sort()).toEqual(['0', '1']);
    expect(a.gpus).toEqual(a.slots);
    let big = false;
    let small = false;
    const wantTwo = pool.lease(2).then((l) => {
      big = true;
      return l;
    });
    const wantOne = pool.lease(1).then((l) => {
      small = true;
      return l;
    });
    a.release();
    await tick();
    // one slot is free, but the two-slot request came first: it is not overtaken
    expect(big).toBe(false);
    expect(small).toBe(false);
    b.release();
    const two = await wantTwo;
    expect(two.slots).toEqual(['0', '1']);
    await tick();
    expect(small).toBe(false);
    two.release();
    two.release(); // a second release changes nothing
    (await wantOne).release();
    expect(small).toBe(true);
    const u = pool.usage();
    expect(u.map((x) => x.slot)).toEqual(['0', '1']);
    for (const x of u) expect(x.busyMs).toBeGreaterThan(0);
  });

  it('refuses a job that needs more slots than the host has, naming both', async () => {
    await expect(new SlotPool(['0'], true).lease(2)).rejects.toThrow(/needs 2 GPUs; this host has 1 \(0\)/);
    const cpu = new SlotPool(['cpu0'], false);
    expect((await cpu.lease(0)).gpus).toEqual([]);
  });

  it('parses --gpus', () => {
    expect(parseGpus(undefined)).toBeUndefined();
    expect(parseGpus('auto')).toBeUndefined();
    expect(parseGpus('none')).toBe('none');
    expect(parseGpus('0, 2')).toEqual(['0', '2']);
    expect(() => parseGpus('zero')).toThrow(/--gpus must be/);
  });
});

describe('queue and cache settings', () => {
  it('reads Redis URLs and refuses other schemes', () => {
    expect(connectionOf('redis://127.0.0.1:6390/2')).toMatchObject({ host: '127.0.0.1', port: 6390, db: 2 });
    expect(connectionOf('redis://:p%40ss@h')).toMatchObject({ host: 'h', port: 6379, password: 'p@ss' });
    expect(connectionOf('unix:///run/redis.sock')).toMatchObject({ path: '/run/redis.sock' });
    expect(() => connectionOf('http://h:1')).toThrow(/scheme must be redis/);
    expect(() => connectionOf('nope')).toThrow(/not a URL/);
  });

  it('reads sizes', () => {
    expect(parseBytes('500M')).toBe(500 * 2 ** 20);
    expect(parseBytes('1.5G')).toBe(1.5 * 2 ** 30);
    expect(parseBytes('2048')).toBe(2048);
    expect(() => parseBytes('lots')).toThrow(/not a size/);
  });

  it('routes an agent to its API: loopback as is, a named host pointed at the relay', () => {
    expect(apiRoute('http://127.0.0.1:4321/v1')).toEqual({ host: '127.0.0.1', port: 4321, hosts: {} });
    expect(apiRoute('https://api.anthropic.com')).toEqual({
      host: 'api.anthropic.com',
      port: 443,
      hosts: { 'api.anthropic.com': '127.0.0.1' },
    });
  });
});

describe('withPort', () => {
  it('moves a serving task to another port: server, client and the perf command alike', async () => {
    const { tasks } = await loadTasks(TASKS_DIR);
    const t = tasks.find((x) => x.id === 'demo/cpu-serving');
    if (!t) throw new Error('demo/cpu-serving missing');
    const moved = withPort(t, 41234);
    expect(moved.benchmark.server?.argv.join(' ')).toMatch(/--port 41234$/);
    expect(moved.benchmark.client?.argv.join(' ')).toMatch(/--port 41234$/);
    expect(moved.benchmark.perfCommand).toMatch(/--port 41234/);
    expect(t.benchmark.server?.argv.join(' ')).toMatch(/--port 18000/); // the original is untouched
    const latency = tasks.find((x) => x.id === 'demo/cpu-latency');
    expect(latency && withPort(latency, 1)).toBe(latency);
  });
});

describe('per-provider limits', () => {
  it('holds attempts of a limited provider to its limit; others run at once', async () => {
    const { ProviderLimits, parseProviderLimits } = await import('../../src/sched/backend.js');
    const limits = new ProviderLimits(parseProviderLimits('anthropic=1'));
    let running = 0;
    let most = 0;
    const job = () =>
      new Promise<void>((done) => {
        running++;
        most = Math.max(most, running);
        setTimeout(() => {
          running--;
          done();
        }, 10);
      });
    await Promise.all([1, 2, 3].map(() => limits.run('anthropic', job)));
    expect(most).toBe(1);
    most = 0;
    await Promise.all([1, 2, 3].map(() => limits.run('openai', job)));
    expect(most).toBe(3);
    expect(() => parseProviderLimits('anthropic=0')).toThrow(/provider=N/);
  });
});
