/**
 * The measurements committed under results/ stay consistent with the code that grades them: the
 * summaries are those of the samples, the verdicts those the policy gives the stored intervals, the
 * rows carry the job's means, and the folder names the card the fingerprint recorded.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobResult } from '../../src/bench/types.js';
import { summarize } from '../../src/grade/stats.js';
import { agentVerdict } from '../../src/grade/verdict.js';
import { type ReportRow, reportRowOf } from '../../src/report/board-rows.js';
import { embeddedData } from '../../src/report/html.js';
import { decodeRows, REPORT_DATA_VERSION } from '../../src/report/html-data.js';
import type { TaskVerdict } from '../../src/run/verify.js';
import { parseStored } from '../../src/store/schema.js';
import { readV5Table } from '../../src/v5/io.js';
import { PROJECT_ROOT } from '../support/shared-data.js';

const RESULTS = join(PROJECT_ROOT, 'results');
const all = readdirSync(RESULTS, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'runs')
  .map((d) => d.name);
/** measured jobs (a job.json), and makespan measurements (the benchmark script's output) */
const dirs = all.filter((d) => existsSync(join(RESULTS, d, 'job.json')));
const makespans = all.filter((d) => d.startsWith('makespan-'));
/** HTML reports with the rows they show (scripts/example-report.ts) */
const reports = all.filter((d) => existsSync(join(RESULTS, d, 'report.html')));
/** report benchmark output (test/bench/report-scale.ts) */
const scales = all.filter((d) => d.startsWith('report-scale'));
/** `isobench tasks verify` against real vLLM trees (the verdicts and the trees they used) */
const verifies = all.filter((d) => existsSync(join(RESULTS, d, 'verify.json')));
/** `isobench run --rehearse` on real vLLM trees (scripts/vllm-trees-rehearse.ts: summary and job records) */
const rehearsals = all.filter((d) => existsSync(join(RESULTS, d, 'summary.tsv')));
/** the rounds benchmark's tables (test/bench/rounds.ts: GPU time per decisive verdict, fixed against adaptive) */
const sims = all.filter((d) => existsSync(join(RESULTS, d, 'published-noise.txt')));

it('every committed result folder is checked by one of the suites below', () => {
  expect([...dirs, ...makespans, ...reports, ...scales, ...verifies, ...rehearsals, ...sims].sort()).toEqual(
    all.sort(),
  );
});

describe.each(sims)('results/%s', (dir) => {
  it('holds every design on every split, the fixed design the reference, false verdicts under 5%', () => {
    for (const file of ['published-noise.txt', 'half-noise.txt']) {
      const text = readFileSync(join(RESULTS, dir, file), 'utf8');
      const tables = text.split('between-start share of the variance: ').slice(1);
      expect(
        tables.map((t) => t.split('\n')[0]),
        file,
      ).toEqual(['0.25', '0.5', '0.75']);
      for (const t of tables) {
        const rows = t
          .split('\n')
          .filter((l) => /^(fixed|adaptive|naive)/.test(l))
          .map((l) => l.split(/\s{2,}/).map((c) => c.trim()));
        expect(rows[0]?.[0]).toBe('fixed 1+5 (today)');
        // the reference's ratio to itself, and all of its verdicts its own
        expect(rows[0]?.slice(-3, -1)).toEqual(['1.00', '100.0%']);
        for (const r of rows) expect(Number.parseFloat(r.at(-1) ?? ''), `${file}: ${r[0]}`).toBeLessThan(5);
      }
    }
  });
});

describe.each(rehearsals)('results/%s', (dir) => {
  const rows = readFileSync(join(RESULTS, dir, 'summary.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  const readme = readFileSync(join(RESULTS, dir, 'README.md'), 'utf8');
  const jobs = readdirSync(join(RESULTS, dir, 'jobs'));

  it('has a line for every benchmarkable task of the real trees, run or said why not', () => {
    // the real trees' tasks, as the committed verify results name them (../shared/data/vllm-trees/map.tsv)
    const trees = readFileSync(join(RESULTS, 'vllm-trees-verify', 'trees.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t')[1] as string);
    const benchmarkable = trees.filter(
      (t) =>
        JSON.parse(readFileSync(join(PROJECT_ROOT, 'tasks', 'vllm', `${t}.json`), 'utf8')).benchmarkable.ok,
    );
    for (const t of benchmarkable)
      expect(rows.some((r) => r[1] === `vllm/${t}`) || readme.includes(`vllm/${t}: not run`), t).toBe(true);
  });

  it('every job it summarises is a rehearsal’s, recorded beside it, and the README states its count', () => {
    for (const r of rows) {
      const job = JSON.parse(
        readFileSync(join(RESULTS, dir, 'jobs', (r[1] as string).replace('/', '_'), 'job.json'), 'utf8'),
      ) as JobResult;
      expect(job.fingerprint.rehearsal, r[1]).toMatch(/not a measurement/);
      expect(r[4], r[1]).toBe(job.failure ? job.failure.class : 'through');
    }
    expect(jobs.length).toBe(rows.length);
    const through = rows.filter((r) => r[4] === 'through').length;
    expect(readme).toContain(`${through} of ${rows.length} rehearsed task(s) got through the whole job`);
  });
});

describe.each(verifies)('results/%s', (dir) => {
  const report = JSON.parse(readFileSync(join(RESULTS, dir, 'verify.json'), 'utf8')) as {
    schemaVersion: number;
    tasks: TaskVerdict[];
  };
  const trees = readFileSync(join(RESULTS, dir, 'trees.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
  const specs = new Map<
    string,
    { benchmarkable: { ok: boolean }; commits: { parent: string; human: string } }
  >();
  for (const [, short] of trees)
    specs.set(
      `vllm/${short}`,
      JSON.parse(readFileSync(join(PROJECT_ROOT, 'tasks', 'vllm', `${short}.json`), 'utf8')),
    );

  it('has a verdict for the task of every tree, at the commits the catalogue names', () => {
    expect(report.schemaVersion).toBe(1);
    expect(report.tasks.map((t) => t.task).sort()).toEqual([...specs.keys()].sort());
    for (const [tree, short, parent, human] of trees) {
      const spec = specs.get(`vllm/${short}`);
      expect([tree, spec?.commits.parent, spec?.commits.human]).toEqual([tree, parent, human]);
    }
  });

  it('every task the catalogue calls benchmarkable passes, with its argv parsed by the tree’s own parsers', () => {
    for (const t of report.tasks) {
      const ok = specs.get(t.task)?.benchmarkable.ok;
      expect(t.verdict, t.task).toBe(ok ? 'pass' : 'not_benchmarkable');
      if (!ok) continue;
      expect(t.checks.find((c) => c.name === 'client-argv')?.status, t.task).toBe('pass');
      for (const c of t.checks.filter((x) => x.name === 'server-argv')) expect(c.status, t.task).toBe('pass');
    }
  });

  it('the README states the counts the report holds', () => {
    const readme = readFileSync(join(RESULTS, dir, 'README.md'), 'utf8');
    const pass = report.tasks.filter((t) => t.verdict === 'pass').length;
    const nb = report.tasks.filter((t) => t.verdict === 'not_benchmarkable').length;
    expect(readme).toContain(`${pass} of ${report.tasks.length - nb} benchmarkable task(s) pass`);
    for (const t of report.tasks) expect(readme).toContain(`| ${t.task} |`);
  });
});

describe.each(reports)('results/%s', (dir) => {
  const html = readFileSync(join(RESULTS, dir, 'report.html'), 'utf8');
  const data = embeddedData(html);
  // through the store's one reader, as the report read them (older versions upgraded)
  const rows = readFileSync(join(RESULTS, dir, 'rows.ext.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => parseStored('ext-row', l, `${dir}/rows.ext.jsonl:${i + 1}`));

  it('shows exactly the rows committed beside it', () => {
    // made by this or an earlier isobench (versions 2 and up hold the same rows, packed or not)
    expect(data.schemaVersion).toBeGreaterThanOrEqual(2);
    expect(data.schemaVersion).toBeLessThanOrEqual(REPORT_DATA_VERSION);
    // an earlier isobench's report holds fewer columns (report rows v1: no minimum significant speedup): the same rows in those
    const inColumns = (r: ReportRow) =>
      Object.fromEntries(data.columns.map((c) => [c, r[c as keyof ReportRow] ?? null]));
    expect(decodeRows(data.columns, data.rows)).toEqual(
      JSON.parse(JSON.stringify(rows.map(reportRowOf).map(inColumns))),
    );
  });

  it('needs nothing from the network and carries the files it links to', () => {
    expect(html).toContain(`content="default-src 'none'`);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    expect(data.linkBase).toBeNull();
    for (const r of rows.filter((x) => x.effort))
      expect(data.artifacts?.[`${r.effort?.path}/prompt.txt`], r.effort?.path).toMatch(/## Task/);
  });
});

describe.each(scales)('results/%s', (dir) => {
  it('the README quotes the table the benchmark printed', () => {
    const readme = readFileSync(join(RESULTS, dir, 'README.md'), 'utf8');
    const printed = readFileSync(join(RESULTS, dir, 'report-scale.txt'), 'utf8');
    const table = printed.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    expect(table.length).toBeGreaterThanOrEqual(2);
    for (const l of table) expect(readme).toContain(l);
  });
});

describe.each(makespans)('results/%s', (dir) => {
  it('the README quotes the walls and ratios the benchmark printed', () => {
    const readme = readFileSync(join(RESULTS, dir, 'README.md'), 'utf8');
    for (const f of readdirSync(join(RESULTS, dir)).filter((n) => /^makespan-.*\.txt$/.test(n))) {
      const text = readFileSync(join(RESULTS, dir, f), 'utf8');
      const walls = [...text.matchAll(/^ {2}(\d) worker\(s\): ([\d.]+) s/gm)].map((m) => Number(m[2]));
      expect(walls.length, f).toBe(2);
      const ratio = (walls[1] as number) / (walls[0] as number);
      expect(text).toContain(`ratio ${ratio.toFixed(3)}`);
      expect(readme).toContain(
        `${(walls[0] as number).toFixed(1)} s | ${(walls[1] as number).toFixed(1)} s | ${ratio.toFixed(3)}`,
      );
    }
  });
});

describe.each(dirs)('results/%s', (dir) => {
  const job = JSON.parse(readFileSync(join(RESULTS, dir, 'job.json'), 'utf8')) as JobResult;
  const run = JSON.parse(readFileSync(join(RESULTS, dir, 'run.json'), 'utf8'));

  it('names the card its fingerprint recorded', () => {
    const card = job.fingerprint.gpu ?? 'cpu';
    expect(dir).toContain(card.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
  });

  it('summarises exactly its samples, with k measured rounds each', () => {
    for (const v of job.variants.filter((x) => x.status === 'ok')) {
      expect(v.samples).toHaveLength(job.repeats);
      const s = summarize(v.samples);
      expect(v.summary?.mean).toBeCloseTo(s.mean, 12);
      expect(v.summary?.cvPct).toBeCloseTo(s.cvPct, 9);
    }
  });

  it('gives the verdicts the policy gives its stored intervals', () => {
    const threshold = Number(run.thresholdPct);
    expect(threshold).toBeGreaterThan(0);
    for (const a of job.agents.filter((x) => x.agentVsBaseline)) {
      const again = agentVerdict(a.agentVsBaseline as NonNullable<typeof a.agentVsBaseline>, a.agentVsHuman, {
        thresholdPct: threshold,
      });
      // outputs that diverge take the speed credit away, whatever the speed verdict
      const expected = a.equivalence?.verdict === 'diverged' ? 'diverged' : again.verdict;
      expect(a.verdict?.verdict).toBe(expected);
      expect(a.credited).toBe(
        a.equivalence?.verdict !== 'diverged' && a.equivalence?.verdict !== 'probe_failed',
      );
    }
  });

  it('keeps the correctness calibration: the human’s divergence that set the tolerance', () => {
    if (!job.equivalence?.probe) return;
    expect(job.equivalence.tolerance?.source).toBe('human');
    expect(job.equivalence.human?.compared).toBeGreaterThan(0);
    expect(job.equivalence.tolerance?.maxNonExact).toBe(job.equivalence.human?.nonExact);
  });

  it('has schema-v5 rows that carry the job’s means', async () => {
    const table = await readV5Table(join(RESULTS, dir, 'rows.v5.csv'));
    expect(table.problems).toEqual([]);
    const metric = job.primaryMetric.name;
    const mean = (id: string) => job.variants.find((v) => v.id === id)?.summary?.mean;
    for (const r of table.rows) {
      const row = r as Record<string, unknown>;
      expect(row[`baseline_${metric}`]).toBeCloseTo(mean('baseline') as number, 6);
      expect(row[`human_${metric}`]).toBeCloseTo(mean('human') as number, 6);
    }
  });
});
