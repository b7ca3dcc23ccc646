/**
 * What earlier runs on this machine recorded of their phases' times: per task, the seconds a server
 * start took (a serving phase's wall time less its client runs) and the seconds one client run took,
 * read from the measurements under a runs folder. The dry run's expected GPU time and the progress
 * view's time left are made of them (gpu-time.ts). A rehearsal's times are the stand-in engine's,
 * not a GPU's: they are read only for a rehearsal.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRehearsal } from '../bench/types.js';
import { parseStored, type StoredRecord } from '../store/schema.js';

/** The recorded times of one task's phases (seconds, one entry a phase or a client run). */
export interface TaskTimings {
  readonly task: string;
  readonly serving: boolean;
  /** a serving phase's wall time less its client runs: start, readiness, stop and the harness around them */
  readonly startS: readonly number[];
  /** one client run (offline: the whole benchmark, model load included) */
  readonly runS: readonly number[];
}

/** Every task's recorded times, and how many measurements they came from (and could not be read). */
export interface RecordedTimings {
  readonly root: string;
  readonly tasks: ReadonlyMap<string, TaskTimings>;
  readonly measurements: number;
  readonly unreadable: number;
}

type Measurement = StoredRecord<'measurement'>;

/** The times of one measurement's phases that ran their commands to the end (ok). */
export function timingsOfMeasurement(m: Measurement): TaskTimings {
  const serving = m.task.benchmark.kind === 'serving';
  const startS: number[] = [];
  const runS: number[] = [];
  for (const p of m.phases) {
    if (p.status !== 'ok') continue;
    const clients = p.runs.length ? p.runs.map((r) => r.client) : p.client ? [p.client] : [];
    const clientMs = clients.reduce((a, c) => a + c.durationMs, 0);
    for (const c of clients) runS.push(c.durationMs / 1000);
    if (serving) startS.push(Math.max(0, p.wallMs - clientMs) / 1000);
  }
  return { task: m.task.id, serving, startS, runS };
}

/** The measurement.json files of the runs under `root` (runs/<run>/jobs/<job>/measurement.json). */
async function measurementFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  // no runs folder yet: nothing recorded
  const runs = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const run of runs) {
    if (!run.isDirectory() || run.name.startsWith('.')) continue;
    // a run that has no jobs folder (yet, or any more) recorded nothing
    const jobs = await readdir(join(root, run.name, 'jobs'), { withFileTypes: true }).catch(() => []);
    for (const job of jobs)
      if (job.isDirectory()) files.push(join(root, run.name, 'jobs', job.name, 'measurement.json'));
  }
  return files;
}

/** The measurements under the runs folder `root`, and how many could not be read (counted, not used). */
export async function readMeasurements(root: string): Promise<{ read: Measurement[]; unreadable: number }> {
  const read: Measurement[] = [];
  let unreadable = 0;
  for (const file of await measurementFiles(root)) {
    // a job without its measurement (never measured, or being written) recorded nothing
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) continue;
    try {
      read.push(parseStored('measurement', text, file));
    } catch {
      unreadable++;
    }
  }
  return { read, unreadable };
}

/** The phase times recorded under the runs folder `root`: a rehearsal's only for a rehearsal, a measurement's only for one that is not. */
export async function recordedTimings(root: string, rehearsal: boolean): Promise<RecordedTimings> {
  const tasks = new Map<string, { serving: boolean; startS: number[]; runS: number[] }>();
  const { read, unreadable } = await readMeasurements(root);
  const used = read.filter((m) => isRehearsal(m.fingerprint) === rehearsal);
  for (const m of used) {
    const t = timingsOfMeasurement(m);
    const into = tasks.get(t.task) ?? { serving: t.serving, startS: [], runS: [] };
    into.startS.push(...t.startS);
    into.runS.push(...t.runS);
    tasks.set(t.task, into);
  }
  return {
    root,
    tasks: new Map([...tasks].map(([task, t]) => [task, { task, ...t }])),
    measurements: used.length,
    unreadable,
  };
}
