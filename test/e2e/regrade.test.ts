/**
 * `isobench regrade`: a finished run (the CPU demo, local executor, 3 measured rounds) graded again
 * offline. With the run's own policy the rows and job results are the run's, byte for byte; a wider
 * band changes verdicts and says which; the run folder is never changed; a job without its
 * measurement, or with one from a newer isobench, is refused naming the file.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickRun, runCliSync } from '../support/cli.js';

const out = mkdtempSync(join(tmpdir(), 'isobench-regrade-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const run = join(out, 'rg');
const TABLES = ['rows.v5.csv', 'rows.v5.jsonl', 'rows.v5.parquet', 'rows.ext.jsonl'];

/** sha256 of every file under `dir` (relative path → hash), folders named in `skip` left out. */
function tree(dir: string, skip: readonly string[] = []): Record<string, string> {
  const outp: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      if (skip.includes(name)) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${rel}${name}/`);
      else outp[`${rel}${name}`] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir, '');
  return outp;
}

beforeAll(() => {
  const r = runCliSync(['run', ...quickRun(out, 'rg', 3)]);
  expect(r.code, r.stderr).toBe(0);
}, 180_000);

describe('isobench regrade', () => {
  it('gives back the run rows and job results byte for byte under the run policy, changing nothing', () => {
    const before = tree(run);
    const r = runCliSync(['regrade', run, '--out', join(out, 'same')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('regraded 2 job(s)');
    expect(r.stdout).toContain('no verdict changed');
    for (const f of TABLES) expect(readFileSync(join(out, 'same', f)), f).toEqual(readFileSync(join(run, f)));
    for (const job of readdirSync(join(run, 'jobs')))
      expect(readFileSync(join(out, 'same', 'jobs', job, 'job.json'), 'utf8')).toBe(
        readFileSync(join(run, 'jobs', job, 'job.json'), 'utf8'),
      );
    expect(tree(run)).toEqual(before);
    const record = JSON.parse(readFileSync(join(out, 'same', 'regrade.json'), 'utf8'));
    expect(record).toMatchObject({ schemaVersion: 1, jobs: 2, rows: 2, changes: [] });
  });

  it('changes verdicts under a wider band, lists each change and records the policy', () => {
    const r = runCliSync(['regrade', run, '--band', '200', '--out', join(out, 'wide'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    const rows = readFileSync(join(out, 'wide', 'rows.ext.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // every agent gains far less than 200% over the baseline: within the band, so no gain
    expect(rows.map((x) => x.verdict)).toEqual(['no_gain', 'no_gain']);
    expect(rows.every((x) => x.thresholdPct === 200)).toBe(true);
    expect(res.changes).toHaveLength(2);
    for (const c of res.changes) expect(c.after).toBe('no_gain');
    const record = JSON.parse(readFileSync(join(out, 'wide', 'regrade.json'), 'utf8'));
    expect(Object.values(record.policies).map((p) => (p as { verdict: unknown }).verdict)).toEqual([
      { thresholdPct: 200 },
      { thresholdPct: 200 },
    ]);
  });

  it("carries the judge's answers over and decides each quadrant again from the new verdict", () => {
    const judged = join(out, 'judged');
    cpSync(run, judged, { recursive: true });
    const file = join(judged, 'rows.ext.jsonl');
    const judge = {
      status: 'judged',
      answer: { targeting: 'same', approach: 'similar', reason: 'the same hot loop' },
      cached: false,
      rubricVersion: 1,
      model: 'scripted',
    };
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const row = JSON.parse(l);
        const hard = row.credited && ['beats_human', 'matches_human'].includes(row.verdict);
        return JSON.stringify({ ...row, judge, quadrant: hard ? 'true_success' : 'good_intent' });
      });
    writeFileSync(file, `${lines.join('\n')}\n`);
    const same = runCliSync(['regrade', judged, '--out', join(out, 'judged-same')]);
    expect(same.code, same.stderr).toBe(0);
    expect(readFileSync(join(out, 'judged-same', 'rows.ext.jsonl'), 'utf8')).toBe(readFileSync(file, 'utf8'));
    const wide = runCliSync(['regrade', judged, '--band', '200', '--out', join(out, 'judged-wide')]);
    expect(wide.code, wide.stderr).toBe(0);
    const rows = readFileSync(join(out, 'judged-wide', 'rows.ext.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.map((x) => [x.judge.answer.reason, x.quadrant])).toEqual([
      ['the same hot loop', 'good_intent'],
      ['the same hot loop', 'good_intent'],
    ]);
  });

  it('refuses a job without its measurement, and one written by a newer isobench, naming the file', () => {
    const broken = join(out, 'broken');
    cpSync(run, broken, { recursive: true });
    const job = readdirSync(join(broken, 'jobs')).sort()[0] as string;
    const file = join(broken, 'jobs', job, 'measurement.json');
    const m = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...m, schemaVersion: 9 }));
    const newer = runCliSync(['regrade', broken, '--out', join(out, 'x')]);
    expect(newer.code).toBe(2);
    expect(newer.stderr).toContain(
      `${file}: schemaVersion: version 9 of measurement was written by a newer isobench`,
    );
    writeFileSync(file, JSON.stringify({ ...m, phases: [{ ...m.phases[0], status: 'fine' }] }));
    const bad = runCliSync(['regrade', broken, '--out', join(out, 'x')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}: phases.0.status:`);
    rmSync(file);
    const missing = runCliSync(['regrade', broken, '--out', join(out, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `${file}: missing: this job was measured before isobench recorded measurements`,
    );
  });

  it('refuses bad policy settings with the option named', () => {
    const r = runCliSync(['regrade', run, '--band', 'wide']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "option '--band <pct>' argument 'wide' is invalid. expected a number of at least 0",
    );
    const pol = join(out, 'policy.json');
    writeFileSync(pol, JSON.stringify({ thresholdPct: 'ten' }));
    const p = runCliSync(['regrade', run, '--policy', pol]);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain(`--policy ${pol}: thresholdPct:`);
  });
});
