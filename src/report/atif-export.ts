/**
 * `isobench export --format atif RUN -o DIR`: every attempt of a run as one ATIF file, validated
 * against the schema (src/report/atif.ts) before it is written. Built afresh from each attempt's
 * stored files, so runs made before ATIF existed export too. The folder mirrors the run's:
 * `<agent>/<task>/<attempt>.json`, plus `index.json` (versioned) listing each file with its
 * attempt's outcome. An existing non-empty folder is refused unless `force`.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { ATIF_VERSION, atifOfAttempt, atifProblems, eventsOfTrajectory } from '../agent/atif.js';
import { readStored } from '../store/read.js';
import { readTextIfThere } from '../util/if-there.js';

/** The version of the export's index.json. */
export const ATIF_INDEX_VERSION = 1;

/** Bad input to the export (no run folder, no attempts, a folder in the way): the message names it. */
export class AtifExportError extends Error {}

/** What the export wrote. */
export interface AtifExport {
  readonly outDir: string;
  readonly files: readonly string[];
}

/** Every attempt folder under `<run>/agents/<agent>/<task>/<attempt>/` that has an outcome.json. */
async function attemptDirs(runDir: string): Promise<string[]> {
  const found: string[] = [];
  const list = (d: string) => readdir(d, { withFileTypes: true }).catch(() => []); // absent: none
  for (const agent of await list(join(runDir, 'agents')))
    for (const task of await list(join(runDir, 'agents', agent.name)))
      for (const attempt of await list(join(runDir, 'agents', agent.name, task.name))) {
        const dir = join(runDir, 'agents', agent.name, task.name, attempt.name);
        if (attempt.isDirectory() && (await readTextIfThere(join(dir, 'outcome.json'))) !== null)
          found.push(dir);
      }
  return found.sort();
}

/** Refuses an output folder that holds anything, unless `force` (then empties it). */
async function readyOut(outDir: string, force: boolean): Promise<void> {
  const there = await readdir(outDir).catch(() => null); // absent: made below
  if (there?.length && !force)
    throw new AtifExportError(`${outDir}: the folder exists and is not empty (--force replaces it)`);
  if (there?.length) await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
}

/** Exports every attempt of the run in `runDir` as ATIF under `outDir`. */
export async function exportAtif(o: { runDir: string; outDir: string; force: boolean }): Promise<AtifExport> {
  const runDir = resolve(o.runDir);
  const dirs = await attemptDirs(runDir);
  if (!dirs.length)
    throw new AtifExportError(
      `${runDir}: no agent attempts (agents/<agent>/<task>/<attempt>/outcome.json); a run of --predictions has none to export`,
    );
  const outDir = resolve(o.outDir);
  await readyOut(outDir, o.force);
  const files: string[] = [];
  const index: Array<Record<string, unknown>> = [];
  for (const dir of dirs) {
    const record = await readStored('outcome', join(dir, 'outcome.json'));
    const prompt = (await readTextIfThere(join(dir, 'prompt.txt'))) ?? '';
    const events = eventsOfTrajectory((await readTextIfThere(join(dir, 'trajectory.jsonl'))) ?? '');
    const atif = atifOfAttempt(record, prompt, events);
    const problems = atifProblems(atif);
    if (problems.length)
      throw new Error(`${dir}: the ATIF built from it fails its schema: ${problems.join('; ')}`);
    const rel = `${relative(join(runDir, 'agents'), dir)}.json`;
    await mkdir(join(outDir, rel, '..'), { recursive: true });
    await writeFile(join(outDir, rel), `${JSON.stringify(atif, null, 2)}\n`);
    files.push(rel);
    index.push({
      file: rel,
      task: record.task,
      agent: record.agent,
      attempt: record.attempt,
      outcome: record.outcome.kind,
    });
  }
  const body = { schemaVersion: ATIF_INDEX_VERSION, atif: ATIF_VERSION, run: runDir, trajectories: index };
  await writeFile(join(outDir, 'index.json'), `${JSON.stringify(body, null, 2)}\n`);
  return { outDir, files };
}
