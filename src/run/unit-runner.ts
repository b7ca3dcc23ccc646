/**
 * One unit of a run (an agent attempt or a bench job), run the one way every unit runs: its record
 * read back when it carries the same key, the caps asked before it starts, bounded retries of known
 * infrastructure failures with back-off (each recorded with its cause), a harness error recorded
 * with its stack and never retried, and its record written last.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keepAside, needsRun, type UnitRecord, unitKey, writeUnit } from '../store/units.js';
import { errorMessage, errorReport, isKnownInfra } from '../util/errors.js';

/** Progress of units, as they go. */
export interface UnitEvent {
  readonly unit: 'agent_attempt' | 'bench_job';
  readonly id: string;
  /** planned: counted at the start; start/end: ran now; resumed: read back from a record; skipped: not started (a cap) */
  readonly phase: 'planned' | 'start' | 'end' | 'resumed' | 'skipped';
  /** how it ended: done, infra, or the failure class / agent outcome */
  readonly status?: string;
  readonly ms?: number;
  readonly costUsd?: number | null;
  readonly retry?: string;
}

/** How a unit ended: its result, an error (harness: a bug of isobench), or not started (a cap). */
export type Outcome<T> =
  | { result: T; resumed: boolean }
  | { error: string; resumed: boolean; harness?: boolean }
  | { notStarted: string };

/** A retry, with its cause. */
type Retry = { at: string; cause: string };

/** How a result stands, as its unit record and progress say it. */
export interface Standing {
  readonly status: UnitRecord['status'];
  readonly detail: string;
  /** shown in progress: the agent's outcome or the job's failure class, else done */
  readonly shown: string;
  readonly costUsd?: number | null;
  /** tries the unit already retried by itself (an attempt's rate limits) */
  readonly ownRetries?: readonly Retry[];
  /** a result that failed for infrastructure reasons is tried again like a thrown one */
  readonly retry: boolean;
}

/** What the runner needs of one unit. */
export interface UnitWork<T> {
  /** inputs that follow from other units (a bench job's patches): their change alone reruns it */
  readonly derived?: readonly string[];
  readonly unit: UnitEvent['unit'];
  /** its name in progress */
  readonly id: string;
  /** its folder (the record is `unit.json` there) */
  readonly dir: string;
  /** what decides its result (the key is their hash) */
  readonly inputs: Record<string, unknown>;
  /** its result file beside the record, hashed into it */
  readonly resultFile: string;
  /** tries after the first, and the back-off before the first of them (doubling) */
  readonly retries: number;
  readonly backoffMs: number;
  /** a finished unit's result read back, given its record's status (null: it has none) */
  readBack(status: UnitRecord['status']): Promise<T | null>;
  /** runs it once (throws for harness failures), calling `onStart` when it really starts */
  runOnce(key: string, onStart: () => void): Promise<T>;
  standing(result: T): Standing;
}

/** What units of a run share: the caps, the events, the notes, retries asked for. */
export interface UnitContext {
  readonly retryInfra: boolean;
  /** measure again finished units whose inputs changed (else their records stand) */
  readonly rerunChanged?: boolean;
  /** where a unit folder that is run again, or a try that is retried, is kept (under the run's superseded/) */
  aside(dir: string): string;
  /** the run was interrupted (Ctrl-C): a unit cut now is left without a record, for a resume to redo */
  interrupted(): boolean;
  /** whether a new unit may start (the caps); its reason when not */
  mayStart(): string | null;
  /** what a unit cost (read back or spent now) */
  spend(usd: number): void;
  emit(e: UnitEvent): void;
  note(n: string): void;
  /** earlier tries the backend redid by itself, by key */
  readonly requeued?: ReadonlyMap<string, string>;
}

/** A unit's thrown failure: a known infrastructure error, or a harness error with its stack in `dir`. */
async function thrownFailure(
  e: unknown,
  dir: string,
): Promise<{ status: 'infra' | 'harness_error'; detail: string }> {
  if (isKnownInfra(e)) return { status: 'infra', detail: errorMessage(e) };
  await mkdir(dir, { recursive: true });
  const log = join(dir, 'harness-error.log');
  await writeFile(log, errorReport(e));
  return {
    status: 'harness_error',
    detail: `isobench failed (a bug; its stack is in ${log}): ${errorMessage(e)}`,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A unit's tries: the first, then bounded retries of infrastructure failures; never of a bug. */
async function tries<T>(
  w: UnitWork<T>,
  key: string,
  ctx: UnitContext,
  retries: Retry[],
  onStart: () => void,
): Promise<{ result: T } | { error: string; harness: boolean } | { interrupted: true }> {
  let outcome: { result: T } | { error: string; harness: boolean } = { error: 'not run', harness: false };
  for (let n = 0; n <= w.retries; n++) {
    if (n > 0) {
      const cause = 'error' in outcome ? outcome.error : w.standing(outcome.result).detail;
      retries.push({ at: new Date().toISOString(), cause });
      ctx.emit({ unit: w.unit, id: w.id, phase: 'start', retry: cause });
      await sleep(w.backoffMs * 2 ** (n - 1));
      // the failed try's folder (its logs) is kept, not removed
      await keepAside(w.dir, `${ctx.aside(w.dir)}.try-${n}`);
    }
    try {
      outcome = { result: await w.runOnce(key, onStart) };
      if (ctx.interrupted() || !w.standing(outcome.result).retry) break;
    } catch (e) {
      // a unit cut by an interruption failed because it was cut: no cause of its own
      if (ctx.interrupted()) return { interrupted: true };
      const f = await thrownFailure(e, w.dir);
      outcome = { error: f.detail, harness: f.status === 'harness_error' };
      // a bug of isobench is not retried: it would fail the same way, and hide as flaky infrastructure
      if (outcome.harness) break;
    }
  }
  return outcome;
}

/** Runs one unit (or reads it back) and writes its record; a failure is an outcome, not a throw. */
export async function runUnit<T>(w: UnitWork<T>, ctx: UnitContext): Promise<Outcome<T>> {
  const key = unitKey(w.inputs);
  const { run, previous, note } = await needsRun(w.dir, key, {
    retryInfra: ctx.retryInfra,
    rerunChanged: ctx.rerunChanged,
    inputs: w.inputs,
    derived: w.derived,
    aside: ctx.aside,
  });
  if (note) ctx.note(note);
  if (!run && previous) {
    const result = await w.readBack(previous.status);
    const s = result === null ? null : w.standing(result);
    ctx.spend(s?.costUsd ?? 0);
    ctx.emit({ unit: w.unit, id: w.id, phase: 'resumed', status: s?.shown ?? 'infra', costUsd: s?.costUsd });
    return result === null ? { error: previous.detail, resumed: true } : { result, resumed: true };
  }
  const stop = ctx.mayStart();
  if (stop) {
    ctx.emit({ unit: w.unit, id: w.id, phase: 'skipped', status: 'not_started' });
    return { notStarted: stop };
  }
  const retries: Retry[] =
    previous?.status === 'infra'
      ? [...previous.retries, { at: previous.finishedAt, cause: previous.detail }]
      : [];
  let started = performance.now();
  let announced = false;
  // a unit starts when it has what it waits for (a bench job's slots: the wait is not its time)
  const onStart = () => {
    started = performance.now();
    if (!announced) ctx.emit({ unit: w.unit, id: w.id, phase: 'start' });
    announced = true;
  };
  const outcome = await tries(w, key, ctx, retries, onStart);
  // cut by an interruption: no record, so the next resume redoes it (keeping what it left)
  if ('interrupted' in outcome || ctx.interrupted()) return { notStarted: 'interrupted' };
  if (!announced) ctx.emit({ unit: w.unit, id: w.id, phase: 'start' });
  const record = { key, kind: w.unit, inputs: w.inputs, retries };
  let out: Outcome<T>;
  let shown: string;
  let costUsd: number | null | undefined = null;
  if ('error' in outcome) {
    await mkdir(w.dir, { recursive: true });
    const status = outcome.harness ? 'harness_error' : 'infra';
    await writeUnit(w.dir, { ...record, status, detail: outcome.error });
    out = { error: outcome.error, resumed: false, harness: outcome.harness };
    shown = status;
  } else {
    const s = w.standing(outcome.result);
    ctx.spend(s.costUsd ?? 0);
    const requeued = ctx.requeued?.get(key);
    if (requeued) retries.push({ at: new Date().toISOString(), cause: requeued });
    retries.push(...(s.ownRetries ?? []));
    await writeUnit(w.dir, { ...record, status: s.status, detail: s.detail }, w.resultFile);
    out = { result: outcome.result, resumed: false };
    shown = s.shown;
    costUsd = s.costUsd;
  }
  ctx.emit({ unit: w.unit, id: w.id, phase: 'end', status: shown, ms: performance.now() - started, costUsd });
  return out;
}
