/**
 * Crash-safe resume: `isobench run` on a demo matrix is killed (SIGKILL) at 20 random points and
 * resumed with `--resume`; each time the final records must equal an uninterrupted run's: the same
 * unit keys, one record per job, the same phases and rows, no duplicates, no gaps, nothing left running.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/shared-data.js';

const out = mkdtempSync(join(tmpdir(), 'isobench-resume-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const BIN = resolve(PROJECT_ROOT, 'bin/isobench.mjs');
const MATRIX = ['run', '--executor', 'local', '--repeats', '1', '--warmup', '0', '--out', out];

/** What must be the same whatever the interruptions. */
function records(runId: string) {
  const dir = join(out, runId);
  const jobs = readdirSync(join(dir, 'jobs')).sort();
  return {
    status: JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).status as string,
    units: jobs.map((j) => {
      const u = JSON.parse(readFileSync(join(dir, 'jobs', j, 'unit.json'), 'utf8'));
      const job = JSON.parse(readFileSync(join(dir, 'jobs', j, 'job.json'), 'utf8'));
      return {
        job: j,
        key: u.key as string,
        status: u.status as string,
        variants: job.variants.map((v: { id: string; status: string }) => `${v.id}:${v.status}`),
        phases: readdirSync(join(dir, 'jobs', j, 'phases')).sort(),
      };
    }),
    rows: readFileSync(join(dir, 'rows.ext.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const r = JSON.parse(l);
        return `${r.task} ${r.agent}`;
      })
      .sort(),
  };
}

function killAfter(args: string[], ms: number): Promise<void> {
  return new Promise((done) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, stdio: 'ignore' });
    const t = setTimeout(() => c.kill('SIGKILL'), ms);
    c.on('exit', () => {
      clearTimeout(t);
      done();
    });
  });
}

function strays(): number {
  const r = spawnSync('pgrep', ['-f', 'engine.server --model demo-engine'], { encoding: 'utf8' });
  return r.stdout.trim() ? r.stdout.trim().split('\n').length : 0;
}

describe('isobench run killed at random points, then resumed', () => {
  it('ends with the records of an uninterrupted run, every time', async () => {
    const t0 = Date.now();
    const ref = spawnSync(process.execPath, [BIN, ...MATRIX, '--run-id', 'reference'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(ref.status, ref.stderr).toBe(0);
    const fullMs = Date.now() - t0;
    const want = records('reference');
    expect(want.status).toBe('done');
    expect(want.units.map((u) => u.status)).toEqual(['done', 'done']);
    // deterministic "random" kill points over the whole run
    let seed = 20261127;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 20; i++) {
      const id = `killed-${i}`;
      const at = Math.floor(150 + next() * fullMs);
      await killAfter([...MATRIX, '--run-id', id], at);
      const resumed = spawnSync(process.execPath, [BIN, 'run', '--resume', id, '--out', out], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      });
      expect(resumed.status, `kill at ${at} ms: ${resumed.stderr}`).toBe(0);
      const got = records(id);
      expect(
        {
          ...got,
          units: got.units.map(({ job, key, status, variants, phases }) => ({
            job,
            key,
            status,
            variants,
            phases,
          })),
        },
        `kill at ${at} ms`,
      ).toEqual(want);
      expect(existsSync(join(out, id, 'jobs', 'demo_cpu-serving', 'unit.json'))).toBe(true);
      expect(strays(), `kill at ${at} ms left servers running`).toBe(0);
    }
  }, 900_000);
});
