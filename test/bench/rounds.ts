/**
 * GPU time per decisive verdict: today's fixed rounds against adaptive rounds (and client runs per
 * server start), on simulated jobs whose gains and noise come from the published ISO-Bench rows.
 * Every job is graded by the real grade and stopped by the real look (src/grade/simulate.ts).
 *
 *   node --import tsx test/bench/rounds.ts [--jobs 2000] [--agents 2] [--start-s 120] [--run-s 60]
 *        [--offline-run-s 120] [--splits 0.25,0.5,0.75] [--data DIR] [--measured RUNS_DIR,...]
 *
 * From the rows: each job takes one published row's primary metric (serving: TTFT mean; offline:
 * latency, else throughput) and its human gain as the true human gain; each agent's true gain is
 * drawn from the published agent gains on that metric. The noise of one measurement is the spread
 * of the published small differences (|gain| < 10%, which are mostly noise) over √2; `--splits`
 * says how much of its variance lies between server starts (the rest between client runs of one
 * start), which the rows cannot tell. A serving start costs `--start-s` GPU seconds and a client run
 * `--run-s`; an offline run loads its own model (`--offline-run-s`, no start). Prints, per design:
 * GPU time a job, the share of decided verdicts, GPU minutes per decisive verdict and its ratio to
 * the fixed design, how often a job's verdicts are the fixed design's, and how often a verdict is
 * false against the true gains. `--measured` takes the split, the start and the client run's seconds
 * from serving jobs measured with `--client-runs 2` or more under the runs folders given (the
 * variance split of grade/start-split.ts, the medians of run/recorded-timings.ts) in place of
 * `--splits`, `--start-s` and `--run-s`; the noise's size still comes from the published rows. Goal: at most half the GPU time per decisive verdict with the same
 * verdicts in at least 95% of jobs.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Scenario, type SimDesign, simulateJob } from '../../src/grade/simulate.js';
import { pooledSplit, startSplit } from '../../src/grade/start-split.js';
import { median, rng } from '../../src/grade/stats.js';
import { readMeasurements, timingsOfMeasurement } from '../../src/run/recorded-timings.js';
import { readV5Table } from '../../src/v5/io.js';
import type { V5Row } from '../../src/v5/schema.js';

const { values: a } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2000' },
    agents: { type: 'string', default: '2' },
    'start-s': { type: 'string', default: '120' },
    'run-s': { type: 'string', default: '60' },
    'offline-run-s': { type: 'string', default: '120' },
    splits: { type: 'string', default: '0.25,0.5,0.75' },
    'noise-scale': { type: 'string', default: '1' },
    measured: { type: 'string' },
    data: {
      type: 'string',
      default: process.env.ISOBENCH_DATA ?? resolve(import.meta.dirname, '../../../shared/data/iso-bench'),
    },
  },
});

type Metric = 'ttft_mean' | 'latency_avg' | 'throughput';
const BETTER: Record<Metric, 'lower' | 'higher'> = {
  ttft_mean: 'lower',
  latency_avg: 'lower',
  throughput: 'higher',
};

/** The designs compared: today's fixed rounds first (the reference of the ratios). */
const adaptive = (name: string, min: number, max: number, clientRuns = 1, warmupRuns = 0): SimDesign => ({
  name,
  maxRounds: max,
  adaptive: { minRounds: min, spending: 'pocock' },
  warmupRounds: 0,
  clientRuns,
  warmupRuns,
});
const DESIGNS: readonly SimDesign[] = [
  { name: 'fixed 1+5 (today)', maxRounds: 5, adaptive: null, warmupRounds: 1, clientRuns: 1, warmupRuns: 0 },
  {
    name: 'fixed 1+5, other noise',
    maxRounds: 5,
    adaptive: null,
    warmupRounds: 1,
    clientRuns: 1,
    warmupRuns: 0,
  },
  adaptive('adaptive 2..4', 2, 4),
  adaptive('adaptive 3..8', 3, 8),
  adaptive('adaptive 2..6', 2, 6),
  adaptive('adaptive 2..6 x2 runs', 2, 6, 2),
  { ...adaptive('fixed 1+5 x2 runs', 5, 5, 2), adaptive: null, warmupRounds: 1 },
  { ...adaptive('fixed 1+3 x2 runs', 3, 3, 2), adaptive: null, warmupRounds: 1 },
  { ...adaptive('fixed 1+3 x3 runs', 3, 3, 3), adaptive: null, warmupRounds: 1 },
  { ...adaptive('adaptive 2..6 O-F', 2, 6), adaptive: { minRounds: 2, spending: 'obrien-fleming' } },
  { ...adaptive('adaptive 3..8 O-F', 3, 8), adaptive: { minRounds: 3, spending: 'obrien-fleming' } },
  { ...adaptive('naive peeking 3..8', 3, 8), naive: true },
];

/** The metric a row is graded on, its human gain, and whether it is a serving row. */
function primaryOf(r: V5Row): { metric: Metric; human: number; serving: boolean } | null {
  const serving = r.benchmark_mode === 'serving';
  const metric: Metric | null = serving
    ? 'ttft_mean'
    : r.human_improvement_latency_avg !== null
      ? 'latency_avg'
      : r.human_improvement_throughput !== null
        ? 'throughput'
        : null;
  if (!metric) return null;
  const human = r[`human_improvement_${metric}`];
  return human === null || !Number.isFinite(human) ? null : { metric, human, serving };
}

/** The sample standard deviation. */
function sd(xs: readonly number[]): number {
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** What the published rows give: per metric, the agents' gains and the noise of one measurement (log units). */
function fromRows(rows: readonly V5Row[]) {
  const agentGains = (m: Metric) =>
    rows.map((r) => r[`agent_improvement_${m}`]).filter((x): x is number => x !== null && Number.isFinite(x));
  const small = (xs: readonly number[]) => xs.filter((x) => Math.abs(x) < 10);
  const servingDiffs = small(
    (['ttft_mean', 'tpot_mean', 'itl_mean'] as const).flatMap((m) =>
      rows.map((r) => r[`agent_improvement_${m}`]).filter((x): x is number => x !== null),
    ),
  );
  const offlineDiffs = small([...agentGains('latency_avg'), ...agentGains('throughput')]);
  return {
    jobs: rows.map(primaryOf).filter((p) => p !== null),
    agentGains: {
      ttft_mean: agentGains('ttft_mean'),
      latency_avg: agentGains('latency_avg'),
      throughput: agentGains('throughput'),
    },
    noise: { serving: sd(servingDiffs) / Math.SQRT2 / 100, offline: sd(offlineDiffs) / Math.SQRT2 / 100 },
    counts: { serving: servingDiffs.length, offline: offlineDiffs.length },
  };
}

interface Tally {
  gpuS: number;
  decided: number;
  verdicts: number;
  wrong: number;
  same: number;
  rounds: number;
}

/** The split and seconds measured by serving jobs with several client runs a start, under the runs folders. */
async function measured(dirs: readonly string[]) {
  const splits = [];
  const startS: number[] = [];
  const runS: number[] = [];
  let jobs = 0;
  for (const dir of dirs) {
    const { read } = await readMeasurements(resolve(dir));
    for (const m of read) {
      if (m.task.benchmark.kind !== 'serving' || m.design.clientRuns < 2) continue;
      jobs++;
      splits.push(startSplit(m.phases, m.primaryMetric.name));
      const t = timingsOfMeasurement(m);
      startS.push(...t.startS);
      runS.push(...t.runS);
    }
  }
  const split = pooledSplit(splits);
  if (!split || !startS.length)
    throw new Error(
      `--measured ${dirs.join(',')}: no serving job measured with --client-runs 2 or more there`,
    );
  return { split, startS: median(startS), runS: median(runS), jobs };
}

async function main(): Promise<void> {
  if (a.measured) {
    const m = await measured(a.measured.split(','));
    console.log(
      `measured (${m.jobs} serving jobs with several client runs a start, ${m.split.starts} starts, ${m.split.runs} client runs, under ${a.measured}): between-start CV ${(100 * Math.sqrt(m.split.between)).toFixed(2)}%, within-start CV ${(100 * Math.sqrt(m.split.within)).toFixed(2)}%, share between starts ${m.split.share.toFixed(3)}; median start ${m.startS.toFixed(2)} s, median client run ${m.runS.toFixed(2)} s`,
    );
    a.splits = m.split.share.toFixed(3);
    a['start-s'] = String(m.startS);
    a['run-s'] = String(m.runS);
  }
  const table = await readV5Table(resolve(a.data, 'v5-rows.parquet')).catch((e: unknown) => {
    throw new Error(
      `--data ${a.data}: the published rows are needed (${String(e)}); set ISOBENCH_DATA or --data`,
    );
  });
  const pub = fromRows(table.rows);
  const jobs = Number(a.jobs);
  const agents = Number(a.agents);
  console.log(
    `${jobs} simulated jobs, ${agents} agents each; gains from ${pub.jobs.length} published rows; noise of one measurement: serving ${(100 * pub.noise.serving).toFixed(2)}% (from ${pub.counts.serving} small differences), offline ${(100 * pub.noise.offline).toFixed(2)}% (${pub.counts.offline}); serving start ${a['start-s']} s + client run ${a['run-s']} s, offline run ${a['offline-run-s']} s; threshold 5%`,
  );
  for (const split of a.splits.split(',').map(Number)) {
    const next = rng(20261206);
    const tallies = DESIGNS.map(
      (): Tally => ({ gpuS: 0, decided: 0, verdicts: 0, wrong: 0, same: 0, rounds: 0 }),
    );
    for (let j = 0; j < jobs; j++) {
      const job = pub.jobs[Math.floor(next() * pub.jobs.length)];
      if (!job) continue;
      const pool = pub.agentGains[job.metric];
      const total = Number(a['noise-scale']) * (job.serving ? pub.noise.serving : pub.noise.offline);
      const sc: Scenario = {
        better: BETTER[job.metric],
        sdStart: total * Math.sqrt(split),
        sdRun: total * Math.sqrt(1 - split),
        humanPct: Math.max(-90, Math.min(90, job.human)),
        agentPct: Array.from({ length: agents }, () =>
          Math.max(-90, Math.min(90, pool[Math.floor(next() * pool.length)] ?? 0)),
        ),
        startS: job.serving ? Number(a['start-s']) : 0,
        runS: job.serving ? Number(a['run-s']) : Number(a['offline-run-s']),
      };
      // the second design is the first again on other noise: how often two runs of one design agree
      const results = DESIGNS.map((d, i) =>
        simulateJob(
          sc,
          job.serving ? d : { ...d, clientRuns: 1, warmupRuns: 0 },
          i === 1 ? 1_000_000 + j : j + 1,
        ),
      );
      const reference = results[0]?.verdicts.join(',');
      results.forEach((r, i) => {
        const t = tallies[i];
        if (!t) return;
        t.gpuS += r.gpuS;
        t.rounds += r.rounds;
        t.verdicts += r.verdicts.length;
        t.decided += r.verdicts.filter((v) => v !== 'inconclusive').length;
        t.wrong += r.wrong.filter(Boolean).length;
        if (r.verdicts.join(',') === reference) t.same++;
      });
    }
    const base = tallies[0];
    const perDecisive = (t: Tally) => t.gpuS / 60 / Math.max(1, t.decided);
    console.log(`\nbetween-start share of the variance: ${split}`);
    console.log(
      `${'design'.padEnd(26)} ${'GPU-h/job'.padStart(9)} ${'rounds'.padStart(6)} ${'decided'.padStart(8)} ${'GPU-min/decisive'.padStart(16)} ${'vs fixed'.padStart(8)} ${'same verdicts'.padStart(13)} ${'false'.padStart(6)}`,
    );
    DESIGNS.forEach((d, i) => {
      const t = tallies[i];
      if (!t || !base) return;
      console.log(
        `${d.name.padEnd(26)} ${(t.gpuS / 3600 / jobs).toFixed(2).padStart(9)} ${(t.rounds / jobs).toFixed(2).padStart(6)} ${`${((100 * t.decided) / t.verdicts).toFixed(1)}%`.padStart(8)} ${perDecisive(t).toFixed(1).padStart(16)} ${(perDecisive(t) / perDecisive(base)).toFixed(2).padStart(8)} ${`${((100 * t.same) / jobs).toFixed(1)}%`.padStart(13)} ${`${((100 * t.wrong) / t.verdicts).toFixed(2)}%`.padStart(6)}`,
      );
    });
  }
}

await main();
