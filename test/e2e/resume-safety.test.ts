/**
 * Nothing a run finished is lost or measured again behind the user's back (issue 21, findings 1-2):
 * - a resume reuses what the run resolved (`--executor auto` became local; the base image appearing
 *   later does not make it Docker and rerun every job);
 * - a resume that would change a setting deciding finished units is refused before any work, and
 *   with `--rerun-changed` the earlier folders are kept under superseded/;
 * - Ctrl-C records the run `interrupted` with the units it cut, prints no failure of the units being
 *   cut, and a resume redoes them keeping the cut folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliSync } from '../support/cli.js';
import { BASE_IMAGE, HAVE_DOCKER } from '../support/docker.js';
import { PROJECT_ROOT } from '../support/shared-data.js';

const out = mkdtempSync(join(tmpdir(), 'isobench-resume-safety-'));
const LATE_IMAGE = `isobench-resume-late:${process.pid}`;
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
  if (HAVE_DOCKER) spawnSync('docker', ['rmi', LATE_IMAGE], { stdio: 'ignore' });
});
const QUICK = ['--repeats', '1', '--warmup', '0', '--out', out];

/** Every file of a run's jobs/ with its sha256 (what a resume must leave as it is). */
function jobFiles(runId: string): Record<string, string> {
  const root = join(out, runId, 'jobs');
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = join(rel, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile())
        files[p] = createHash('sha256')
          .update(readFileSync(join(root, p)))
          .digest('hex');
    }
  };
  walk('');
  return files;
}

const runJson = (id: string) => JSON.parse(readFileSync(join(out, id, 'run.json'), 'utf8'));

describe.runIf(HAVE_DOCKER)('a resume after the base image appeared', () => {
  it('keeps the executor the run resolved and reads every finished job back', () => {
    const first = runCliSync(['run', '--image', LATE_IMAGE, ...QUICK, '--run-id', 'late']);
    expect(first.code, first.stderr).toBe(0);
    expect(runJson('late').executor).toBe('local');
    const before = jobFiles('late');
    // the image the run asked for exists now: auto would pick Docker
    expect(spawnSync('docker', ['tag', BASE_IMAGE, LATE_IMAGE]).status).toBe(0);
    const resumed = runCliSync(['run', '--resume', 'late', '--out', out]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('local executor (as the run resolved and recorded it)');
    expect(resumed.stderr).not.toContain('resumed with other settings');
    expect(jobFiles('late')).toEqual(before);
    expect(existsSync(join(out, 'late', 'superseded'))).toBe(false);
  }, 120_000);
});

describe('a resume that would change finished units', () => {
  it('is refused before any work, naming the setting; --rerun-changed reruns and keeps the earlier folders', () => {
    const first = runCliSync([
      'run',
      '--executor',
      'local',
      '--tasks',
      'demo/cpu-latency',
      ...QUICK,
      '--run-id',
      'changed',
    ]);
    expect(first.code, first.stderr).toBe(0);
    const before = jobFiles('changed');
    const refused = runCliSync(['run', '--resume', 'changed', '--out', out, '--repeats', '2']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('bench.repeats: 1 -> 2');
    expect(refused.stderr).toContain('--rerun-changed');
    expect(jobFiles('changed')).toEqual(before);

    const rerun = runCliSync([
      'run',
      '--resume',
      'changed',
      '--out',
      out,
      '--repeats',
      '2',
      '--rerun-changed',
    ]);
    expect(rerun.code, rerun.stderr).toBeLessThanOrEqual(1);
    expect(runJson('changed').repeats).toBe(2);
    // the recorded arguments do not pile up: --repeats once, --out once, no one-off flags
    const args: string[] = runJson('changed').args;
    expect(args.filter((a) => a === '--repeats')).toHaveLength(1);
    expect(args.filter((a) => a === '--out')).toHaveLength(1);
    expect(args).not.toContain('--rerun-changed');
    expect(args).not.toContain('--resume');
    const stamps = readdirSync(join(out, 'changed', 'superseded'));
    expect(stamps).toHaveLength(1);
    const kept = join(out, 'changed', 'superseded', stamps[0] as string, 'jobs');
    for (const [file, sha] of Object.entries(before))
      expect(
        createHash('sha256')
          .update(readFileSync(join(kept, file)))
          .digest('hex'),
        file,
      ).toBe(sha);
  }, 180_000);

  it('names the nearest run when the id is mistyped, without a raw ENOENT', () => {
    const r = runCliSync(['run', '--resume', 'changd', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no run 'changd'");
    expect(r.stderr).toContain('did you mean changed?');
    expect(r.stderr).not.toContain('ENOENT');
  });
});

describe('Ctrl-C during a run', () => {
  it('records the run interrupted with what it cut, prints no failures of the cut units, and a resume redoes them', async () => {
    const bin = resolve(PROJECT_ROOT, 'bin/isobench.mjs');
    const args = [
      'run',
      '--executor',
      'local',
      '--tasks',
      'demo/cpu-serving',
      '--repeats',
      '3',
      '--warmup',
      '0',
      '--out',
      out,
      '--run-id',
      'cut',
    ];
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      // interrupt in the middle of the first job, after its first measured phase
      if (/round 1\/3 baseline +ok/.test(stdout)) child.kill('SIGINT');
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    expect(code, stderr).toBe(130);
    const rec = runJson('cut');
    expect(rec.status).toBe('interrupted');
    expect(rec.interruptions).toHaveLength(1);
    expect(rec.interruptions[0].cause).toBe('SIGINT');
    expect(rec.interruptions[0].cut).toEqual(['bench_job demo_cpu-serving']);
    // the units being cut did not fail: nothing says so
    expect(`${stdout}\n${stderr}`).not.toMatch(/infra|sandbox .* is closed|harness_error/);
    expect(existsSync(join(out, 'cut', 'jobs', 'demo_cpu-serving', 'unit.json'))).toBe(false);

    const resumed = runCliSync(['run', '--resume', 'cut', '--out', out]);
    expect(resumed.code, resumed.stderr).toBeLessThanOrEqual(1);
    expect(resumed.stderr).toContain('a run was cut midway through it');
    const after = runJson('cut');
    expect(after.status).toBe('done');
    // the interruption stays in the run's history, and what the cut job left is kept
    expect(after.interruptions).toEqual(rec.interruptions);
    const stamps = readdirSync(join(out, 'cut', 'superseded'));
    expect(
      existsSync(join(out, 'cut', 'superseded', stamps[0] as string, 'jobs', 'demo_cpu-serving', 'phases')),
    ).toBe(true);
    expect(existsSync(join(out, 'cut', 'jobs', 'demo_cpu-serving', 'unit.json'))).toBe(true);
  }, 180_000);
});
