/**
 * Whether each task's human gain held on each machine, over runs from several machines: the basis
 * of a leaderboard restricted to tasks valid everywhere (a 2026 audit, arXiv 2607.01211, found only
 * 39 of 102 GSO tasks and 11 of 140 SWE-Perf tasks valid on all four machine types it tried). A
 * machine is named by its GPU and GPU count where the fingerprint has one, else by its CPU. A task
 * holds on a machine when the human's gain held in every job of it there; it is valid everywhere
 * when every machine read measured it and it held on each. A rehearsal's rows (the stand-in engine)
 * say nothing of a machine and are left out.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isRehearsal } from '../bench/types.js';
import { parseStored, StoredRecordError, VALIDITY_VERSION, type Validity } from '../store/schema.js';
import { errorMessage } from '../util/errors.js';
import type { ReadExtendedRow } from './ext-rows-file.js';

/** The rows of one run (a run folder or rows.ext.jsonl), named by where they were read. */
export interface RunRows {
  readonly source: string;
  readonly rows: readonly ReadExtendedRow[];
}

/** The machine a row was measured on, as the validity names it. */
export function machineOf(fingerprint: Readonly<Record<string, string>>): string {
  if (fingerprint.gpu) return `${fingerprint.gpu} x${fingerprint.gpu_count ?? '1'}`;
  return `CPU ${fingerprint.cpu ?? '?'} (${fingerprint.cpus ?? '?'} cores)`;
}

/** One job's facts: its task, machine, and whether the task held there (every row of a job says the same). */
interface JobFacts {
  readonly task: string;
  readonly machine: string;
  readonly source: string;
  readonly valid: boolean;
  readonly reason: string;
}

/** The jobs of the runs, one each (a job has a row per agent), and the rehearsal rows left out. */
function jobsOf(runs: readonly RunRows[]): { jobs: JobFacts[]; leftOut: string[] } {
  const jobs = new Map<string, JobFacts>();
  const leftOut: string[] = [];
  for (const run of runs)
    for (const r of run.rows) {
      if (isRehearsal(r.fingerprint)) {
        leftOut.push(`${run.source}: ${r.task} (${r.agent}): a rehearsal, not a measurement`);
        continue;
      }
      const job = 'jobPath' in r ? r.jobPath : `${r.runId}/${r.task}`;
      jobs.set(`${run.source}\u0000${job}`, {
        task: r.task,
        machine: machineOf(r.fingerprint),
        source: run.source,
        valid: r.taskValidHere,
        reason: r.taskValidity,
      });
    }
  return { jobs: [...jobs.values()], leftOut };
}

/** The validity of every task the runs measured, on every machine they ran on. */
export function taskValidity(runs: readonly RunRows[], createdAt = new Date().toISOString()): Validity {
  const { jobs, leftOut } = jobsOf(runs);
  const machineIds = [...new Set(jobs.map((j) => j.machine))].sort();
  const machines = machineIds.map((id) => {
    const mine = jobs.filter((j) => j.machine === id);
    return { id, sources: [...new Set(mine.map((j) => j.source))], jobs: mine.length };
  });
  const taskIds = [...new Set(jobs.map((j) => j.task))].sort();
  const tasks = taskIds.map((task) => {
    const on: Record<string, { jobs: number; valid: number; reasons: string[] }> = {};
    for (const j of jobs.filter((x) => x.task === task)) {
      const m = on[j.machine] ?? { jobs: 0, valid: 0, reasons: [] };
      m.jobs++;
      if (j.valid) m.valid++;
      else if (!m.reasons.includes(j.reason)) m.reasons.push(j.reason);
      on[j.machine] = m;
    }
    const everywhere = machineIds.every((id) => {
      const m = on[id];
      return m !== undefined && m.valid === m.jobs;
    });
    return { task, on, everywhere };
  });
  return { schemaVersion: VALIDITY_VERSION, createdAt, machines, tasks, leftOut };
}

/** The tasks valid everywhere. */
export function validEverywhere(v: Validity): Set<string> {
  return new Set(v.tasks.filter((t) => t.everywhere).map((t) => t.task));
}

/** One cell: held in all jobs, none, some, or not measured there. */
function cell(m: { jobs: number; valid: number } | undefined): string {
  if (!m) return '-';
  if (m.valid === m.jobs) return m.jobs > 1 ? `yes (${m.jobs} jobs)` : 'yes';
  return m.valid === 0 ? (m.jobs > 1 ? `no (${m.jobs} jobs)` : 'no') : `mixed (${m.valid}/${m.jobs})`;
}

/** The validity as rows for a table: task, a cell per machine, valid everywhere. */
export function validityTable(v: Validity): { head: string[]; rows: string[][] } {
  return {
    head: ['Task', ...v.machines.map((m) => m.id), 'Valid everywhere'],
    rows: v.tasks.map((t) => [
      t.task,
      ...v.machines.map((m) => cell(t.on[m.id])),
      t.everywhere ? 'yes' : 'no',
    ]),
  };
}

/** A validity file that cannot be read or is not one; the message names the file (and the field). */
export class ValidTasksError extends Error {}

/** The tasks a validity file (`tasks validity --out`) finds valid everywhere, with its summary line. */
export interface ValidTasks {
  readonly file: string;
  readonly tasks: ReadonlySet<string>;
  readonly summary: string;
}

/** Reads a validity file for `--valid-tasks`. */
export async function readValidTasks(file: string): Promise<ValidTasks> {
  let text: string;
  try {
    text = await readFile(resolve(file), 'utf8');
  } catch (e) {
    throw new ValidTasksError(`--valid-tasks ${file}: cannot read it (${errorMessage(e)})`);
  }
  try {
    const v = parseStored('validity', text, file);
    return { file, tasks: validEverywhere(v), summary: validitySummary(v) };
  } catch (e) {
    if (e instanceof StoredRecordError) throw new ValidTasksError(`--valid-tasks ${e.message}`);
    throw e;
  }
}

/** The line a board restricted to valid tasks prints above itself. */
export function restrictionLine(valid: ValidTasks, kept: number): string {
  return `restricted to ${valid.summary} (${valid.file}): ${kept} row(s) kept`;
}

/** The summary line: how many tasks are valid on every machine. */
export function validitySummary(v: Validity): string {
  const n = v.tasks.filter((t) => t.everywhere).length;
  return `${n} of ${v.tasks.length} task(s) valid on all ${v.machines.length} machine(s)${v.machines.length < 2 ? ' (one machine: give runs from others to compare)' : ''}`;
}
