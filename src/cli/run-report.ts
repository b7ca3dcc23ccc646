/** `isobench run-report RUN_DIR`: a Markdown report of a finished run (for committing results). */
import { join, resolve } from 'node:path';
import type { Interval } from '../grade/stats.js';
import { readExtendedRows } from '../report/ext-rows-file.js';
import { jobGroups } from '../run/tables.js';
import { readStored, readStoredIfThere } from '../store/read.js';
import type { StoredRecord } from '../store/schema.js';
import { errorMessage } from '../util/errors.js';
import { plural } from '../util/plural.js';
import { EXIT, out, UsageError } from './common.js';

function ci(i: Interval | null): string {
  return i
    ? `${i.estimate >= 0 ? '+' : ''}${i.estimate.toFixed(2)}% [${i.lo.toFixed(2)}, ${i.hi.toFixed(2)}]`
    : '-';
}

function num(x: number | undefined, digits = 4): string {
  return x === undefined ? '-' : x.toPrecision(digits);
}

/** How a job's rounds went: its design, how many it ran, why it stopped, and each adaptive look. */
function roundsLine(job: StoredRecord<'job'>): string {
  const { design, stop } = job;
  const looks = stop.looks.map(
    (l) =>
      `after ${l.rounds} at level ${l.level.toFixed(4)}${l.undecided.length ? ` (open: ${l.undecided.join(', ')})` : ''}`,
  );
  return [
    `${stop.rounds} measured of ${design.adaptive ? `${design.adaptive.minRounds}..${design.maxRounds}` : design.maxRounds}`,
    design.clientRuns > 1 ? `${design.clientRuns} client runs a server start` : null,
    `stopped: ${stop.reason} (${stop.detail})`,
    looks.length ? `looks ${looks.join('; ')}` : null,
  ]
    .filter((x) => x !== null)
    .join(', ');
}

/** Builds the report text of a run folder. */
export async function runReportText(runDir: string): Promise<string> {
  const run = await readStored('run', join(runDir, 'run.json'));
  const rows = await readExtendedRows(join(runDir, 'rows.ext.jsonl'));
  const lines: string[] = [];
  lines.push(`# isobench run ${run.runId}`, '');
  const adaptive = run.config?.bench.adaptive;
  const clientRuns = run.config?.bench.clientRuns ?? 1;
  lines.push(
    `- started ${run.createdAt}, ${run.executor} executor, ${adaptive ? `${adaptive.minRounds} to ${run.repeats} measured rounds (adaptive, ${adaptive.spending} spending)` : plural(run.repeats, 'measured round')} + ${run.warmup} warm-up, interleaved${clientRuns > 1 ? `, ${clientRuns} client runs a server start` : ''}`,
  );
  lines.push(
    `- verdict band ±${run.thresholdPct}%, ${adaptive ? "Welch's intervals on the server starts' log means, at each look's spent level," : '95% percentile-bootstrap intervals (2000 resamples)'} on the primary metric`,
  );
  lines.push(`- command: \`isobench ${run.args.join(' ')}\``, '');
  // one section per bench job: each task, then each attempt number
  for (const g of jobGroups(
    run.tasks.map((id) => ({ id })),
    run.attempts,
  )) {
    const task = g.task.id;
    lines.push(`## ${task}${run.attempts > 1 ? ` (attempt ${g.n})` : ''}`, '');
    const job = await readStoredIfThere('job', join(runDir, 'jobs', g.slug, 'job.json'));
    if (!job) {
      lines.push(`Not measured: see \`jobs/${g.slug}/unit.json\` for why.`, '');
      continue;
    }
    const fp = job.fingerprint;
    lines.push(
      `Measured on **${fp.gpu ?? fp.cpu ?? 'unknown device'}**${fp.gpu ? ` (driver ${fp.driver ?? '?'}, ${fp.gpu_memory ?? '?'}, SM clock ${fp.clock_sm ?? '?'} of max ${fp.clock_sm_max ?? '?'}; torch ${fp.torch ?? '?'}, CUDA ${fp.cuda ?? '?'})` : ''}, host ${fp.host ?? '?'} (${fp.cpus ?? '?'} CPUs, ${fp.cpu ?? '?'}), Python ${fp.python ?? '?'}.`,
      '',
    );
    const m = job.primaryMetric;
    lines.push(`Primary metric: \`${m.name}\` (${m.unit}, ${m.direction} is better).`, '');
    lines.push(`Rounds: ${roundsLine(job)}.`, '');
    lines.push(
      '| variant | status | n | mean | sd | CV % | min | max | samples |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const v of job.variants) {
      const s = v.summary;
      lines.push(
        `| ${v.id} | ${v.status} | ${s?.n ?? 0} | ${num(s?.mean)} | ${num(s?.sd, 3)} | ${s ? s.cvPct.toFixed(2) : '-'} | ${num(s?.min)} | ${num(s?.max)} | ${v.samples.map((x) => x.toPrecision(4)).join(', ')} |`,
      );
    }
    lines.push(
      '',
      `Human vs baseline: ${ci(job.humanVsBaseline)} — ${job.validity.valid ? 'the task is valid here' : 'NOT valid here'}: ${job.validity.reason}.`,
      '',
    );
    const eq = job.equivalence;
    if (eq)
      lines.push(
        eq.probe
          ? `Outputs (${eq.probe} probe): ${eq.detail}; tolerance for agents: ${eq.tolerance ? `${eq.tolerance.maxNonExact} non-exact output(s), max |diff| ${eq.tolerance.maxAbsDiff}` : 'none (baseline probe failed)'}.`
          : 'Outputs: unchecked (the task has no correctness probe).',
        '',
      );
    for (const r of rows.filter((x) => x.task === task && (x.effort?.attempt ?? 1) === g.n)) {
      lines.push(
        `- **${r.agent}** (${r.model}): **${r.verdict ?? r.failureClass ?? 'unjudged'}** — vs baseline ${ci(r.agentVsBaseline)}, vs human ${ci(r.agentVsHuman)}${r.verdictReason ? `; ${r.verdictReason}` : ''}${r.equivalence ? `; outputs ${r.equivalence.verdict}: ${r.equivalence.reason}` : ''}${r.tamper?.length ? `; tamper findings: ${r.tamper.map((f) => `${f.rule} (${f.severity}) ${f.file}:${f.line}`).join(', ')}` : ''}`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** `run-report RUN_DIR`. */
export async function runReportCmd(dir: string): Promise<number> {
  const runDir = resolve(dir);
  try {
    out(await runReportText(runDir).then((t) => t.trimEnd()));
  } catch (e) {
    throw new UsageError(`${runDir}: not a finished run folder (${errorMessage(e)})`);
  }
  return EXIT.ok;
}
