/**
 * Task validity across machines: `isobench tasks validity RUN...` over runs from two machines (rows
 * named by their GPUs) says which tasks held everywhere, writes a versioned file it never
 * overwrites, and `leaderboard RUN --valid-tasks FILE` and `report RUN --valid-tasks FILE` keep only
 * those tasks' rows.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REHEARSAL_MARK } from '../../src/bench/types.js';
import type { ExtendedRow } from '../../src/report/job-rows.js';
import { machineOf, taskValidity, validEverywhere } from '../../src/report/task-validity.js';
import { parseStored } from '../../src/store/schema.js';
import { runCliSync } from '../support/cli.js';
import { syntheticRows } from '../support/synthetic-rows.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-validity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const H100 = { gpu: 'NVIDIA H100 80GB HBM3', gpu_count: '1', host: 'a' };
const H200 = { gpu: 'NVIDIA H200', gpu_count: '1', host: 'b' };

/** The synthetic rows of tasks 0..3 (5 agents each) on one machine; `invalid(task, job)` says where the human's gain did not hold. */
function machineRows(fingerprint: Record<string, string>, invalid: (task: string) => boolean): ExtendedRow[] {
  return syntheticRows(20, 3).map((r) => ({
    ...r,
    fingerprint,
    taskValidHere: !invalid(r.task),
    taskValidity: invalid(r.task)
      ? 'the human gain did not reproduce: +1.0% [-2.0, 4.0]'
      : 'the human gain held',
  }));
}
const tasks = [...new Set(syntheticRows(20, 3).map((r) => r.task))];
const [t0, t1, t2, t3] = tasks;
const onA = machineRows(H100, (t) => t === t0);
const onB = machineRows(H200, (t) => t === t1);
// task 2 again on B in another run, where it did not hold: mixed on B
const onB2 = machineRows(H200, () => true).filter((r) => r.task === t2);
const rehearsal = machineRows({ ...H100, rehearsal: REHEARSAL_MARK }, () => false).slice(0, 1);

function runFolder(name: string, rows: readonly ExtendedRow[]): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'rows.ext.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  return dir;
}

describe('taskValidity', () => {
  it('names machines by GPU, counts jobs once, and holds a task everywhere only where it held in every job on every machine', () => {
    const v = taskValidity([
      { source: 'a', rows: onA },
      { source: 'b', rows: onB },
      { source: 'b2', rows: onB2 },
      { source: 'r', rows: rehearsal },
    ]);
    expect(v.machines.map((m) => m.id)).toEqual([machineOf(H100), machineOf(H200)]);
    const jobs = (rows: readonly ExtendedRow[]) => new Set(rows.map((r) => r.jobPath)).size;
    expect(v.machines.map((m) => m.jobs)).toEqual([jobs(onA), jobs(onB) + jobs(onB2)]);
    const on = (t: string | undefined, m: Record<string, string>) =>
      v.tasks.find((x) => x.task === t)?.on[machineOf(m)];
    const ofTask = (rows: readonly ExtendedRow[], t: string | undefined) =>
      jobs(rows.filter((r) => r.task === t));
    expect(on(t0, H100)).toEqual({
      jobs: ofTask(onA, t0),
      valid: 0,
      reasons: ['the human gain did not reproduce: +1.0% [-2.0, 4.0]'],
    });
    expect(on(t2, H200)).toEqual({
      jobs: ofTask(onB, t2) + ofTask(onB2, t2),
      valid: ofTask(onB, t2),
      reasons: ['the human gain did not reproduce: +1.0% [-2.0, 4.0]'],
    });
    expect([...validEverywhere(v)]).toEqual([t3]);
    expect(v.leftOut).toHaveLength(1);
    expect(machineOf({ cpu: 'AMD EPYC', cpus: '2' })).toBe('CPU AMD EPYC (2 cores)');
  });

  it('a task measured on one machine only is not valid everywhere', () => {
    const v = taskValidity([
      { source: 'a', rows: onA },
      { source: 'b', rows: onB.filter((r) => r.task !== t3) },
    ]);
    expect(validEverywhere(v).has(t3 ?? '')).toBe(false);
  });
});

describe('isobench tasks validity and leaderboard --valid-tasks', () => {
  const a = runFolder('run-a', onA);
  const b = runFolder('run-b', onB);
  const file = join(root, 'validity.json');

  it('prints the table, writes the file, and never overwrites it', () => {
    const r = runCliSync(['tasks', 'validity', a, b, '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 of 4 task\(s\) valid on all 2 machine\(s\)/);
    expect(r.stdout).toMatch(/NVIDIA H200 x1/);
    const v = parseStored('validity', readFileSync(file, 'utf8'), file);
    expect([...validEverywhere(v)].sort()).toEqual([t2, t3].sort());
    const again = runCliSync(['tasks', 'validity', a, b, '--out', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--out .*validity\.json: the file exists/);
  });

  it('a run that cannot be read is named', () => {
    const r = runCliSync(['tasks', 'validity', join(root, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope: not a run folder/);
  });

  it('restricts a run folder leaderboard to the tasks valid everywhere', () => {
    const all = JSON.parse(runCliSync(['leaderboard', a, '--json']).stdout);
    const r = runCliSync(['leaderboard', a, '--json', '--valid-tasks', file]);
    expect(r.code, r.stderr).toBe(0);
    const kept = JSON.parse(r.stdout);
    expect(kept.filters.validTasks.tasks).toEqual([t2, t3].sort());
    const rowsOf = (board: { agents: Array<{ attempts: number }> }) =>
      board.agents.reduce((n, x) => n + x.attempts, 0);
    expect(rowsOf(kept)).toBe(10);
    expect(rowsOf(all)).toBe(20);
    const text = runCliSync(['leaderboard', a, '--valid-tasks', file]).stdout;
    expect(text).toMatch(/restricted to 2 of 4 task\(s\) valid on all 2 machine\(s\) .*: 10 row\(s\) kept/);
    const bad = runCliSync(['leaderboard', a, '--valid-tasks', join(a, 'rows.ext.jsonl')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--valid-tasks/);
  });

  it('restricts the HTML report the same way, saying so on the page; a bad file is refused before any work', () => {
    const html = join(root, 'valid.html');
    const r = runCliSync(['report', a, '--valid-tasks', file, '-o', html, '--no-compress']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(': 10 row(s),');
    expect(readFileSync(html, 'utf8')).toMatch(
      /restricted to 2 of 4 task\(s\) valid on all 2 machine\(s\) .*: 10 row\(s\) kept/,
    );
    const bad = runCliSync([
      'report',
      a,
      '--valid-tasks',
      join(root, 'none.json'),
      '-o',
      join(root, 'x.html'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--valid-tasks .*none\.json: cannot read it/);
  });
});
