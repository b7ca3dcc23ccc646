/** `isobench run-report RUN_DIR`: a Markdown report of a finished run (for committing results). */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Interval } from '../grade/stats.js';
import { parseStored, readStored } from '../store/schema.js';
import { variantSlug } from '../util/slug.js';
import { EXIT, out, UsageError } from './common.js';

function ci(i: Interval | null): string {
  return i
    ? `${i.estimate >= 0 ? '+' : ''}${i.estimate.toFixed(2)}% [${i.lo.toFixed(2)}, ${i.hi.toFixed(2)}]`
    : '-';
}

function num(x: number | undefined, digits = 4): string {
  return x === undefined ? '-' : x.toPrecision(digits);
}

/** Builds the report text of a run folder. */
export async function runReportText(runDir: string): Promise<string> {
  const run = await readStored('run', join(runDir, 'run.json'));
  const rowsFile = join(runDir, 'rows.ext.jsonl');
  const rows = (await readFile(rowsFile, 'utf8'))
    .split('\n')
    .map((l, i) => (l.trim() ? parseStored('ext-row', l, `${rowsFile}:${i + 1}`) : null))
    .filter((r) => r !== null);
  const lines: string[] = [];
  lines.push(`# isobench run ${run.runId}`, '');
  lines.push(
    `- started ${run.createdAt}, ${run.executor} executor, ${run.repeats} measured rounds + ${run.warmup} warm-up, interleaved`,
  );
  lines.push(
    `- verdict band ±${run.thresholdPct}%, 95% percentile-bootstrap intervals (2000 resamples) on the primary metric`,
  );
  lines.push(`- command: \`isobench ${run.args.join(' ')}\``, '');
  for (const task of run.tasks) {
    const job = await readStored('job', join(runDir, 'jobs', variantSlug(task), 'job.json'));
    const fp = job.fingerprint;
    lines.push(`## ${task}`, '');
    lines.push(
      `Measured on **${fp.gpu ?? fp.cpu ?? 'unknown device'}**${fp.gpu ? ` (driver ${fp.driver ?? '?'}, ${fp.gpu_memory ?? '?'}, SM clock ${fp.clock_sm ?? '?'} of max ${fp.clock_sm_max ?? '?'}; torch ${fp.torch ?? '?'}, CUDA ${fp.cuda ?? '?'})` : ''}, host ${fp.host ?? '?'} (${fp.cpus ?? '?'} CPUs, ${fp.cpu ?? '?'}), Python ${fp.python ?? '?'}.`,
      '',
    );
    const m = job.primaryMetric;
    lines.push(`Primary metric: \`${m.name}\` (${m.unit}, ${m.direction} is better).`, '');
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
    for (const r of rows.filter((x) => x.task === task)) {
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
    throw new UsageError(`${runDir}: not a finished run folder (${(e as Error).message})`);
  }
  return EXIT.ok;
}
