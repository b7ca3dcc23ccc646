/**
 * Benchmark (not a test): the harness's own overhead per phase, side by side with a bare process
 * spawn and a bare `docker run --rm IMAGE`, as ratios. The perf command is a trivial one (`sh -c
 * 'echo Avg latency: ...'`), so a phase's wall time is almost all overhead: spawning, log files,
 * parsing, the workload check. The bare spawn keeps the command's output the way any harness must
 * (stdout and stderr to files, stdout read back); a spawn that throws the output away is printed
 * too. Targets: local phase ≤ 1.2× the bare spawn of the same command;
 * Docker phase (an exec in the job's running container, plus the container start spread over the
 * job's phases) ≤ 1.5× a bare `docker run --rm IMAGE` of it.
 *
 * A second local line adds what the job does around each phase (its log folder, `phase.json`
 * written atomically): on a VM disk where creating a file costs ~0.5 ms that is most of the gap.
 *
 *   node --import tsx test/bench/phase-overhead.ts [--phases N]
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPhase } from '../../src/bench/phase.js';
import { DockerExecutor, dockerAvailable } from '../../src/executor/docker.js';
import { LocalExecutor } from '../../src/executor/local.js';
import type { Executor, Sandbox } from '../../src/executor/types.js';
import type { TaskSpec } from '../../src/task/schema.js';
import { writeFileAtomic } from '../../src/util/atomic-write.js';

const args = process.argv.slice(2);
// enough phases that the JIT has warmed up and the median is stable on a noisy VM
const phases = Number(args[args.indexOf('--phases') + 1] ?? 200) || 200;
const image = process.env.ISOBENCH_BASE_IMAGE ?? 'isobench-base:bookworm';
const CMD = ['sh', '-c', 'echo "Avg latency: 0.001 seconds"'];

const task = {
  id: 'bench/overhead',
  benchmark: {
    kind: 'latency',
    perfCommand: null,
    env: {},
    server: null,
    client: { argv: CMD },
    primaryMetric: { name: 'latency_avg', unit: 'ms', direction: 'lower' },
  },
  timeouts: { serverStartS: 10, benchmarkS: 30, buildS: 10 },
} as unknown as TaskSpec;

const WARM = 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const bareDir = mkdtempSync(join(tmpdir(), 'isobench-bare-'));

/** Spawn, output to files, wait, read stdout back. */
async function bareSpawn(i: number): Promise<number> {
  const t0 = performance.now();
  const out = openSync(join(bareDir, `${i}.out`), 'w');
  const err = openSync(join(bareDir, `${i}.err`), 'w');
  const child = spawn(CMD[0] as string, CMD.slice(1), { stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  await new Promise<void>((ok) => child.on('exit', () => ok()));
  readFileSync(join(bareDir, `${i}.out`), 'utf8');
  return performance.now() - t0;
}

/** Spawn with the output thrown away. */
async function discardSpawn(): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((ok) =>
    spawn(CMD[0] as string, CMD.slice(1), { stdio: 'ignore' }).on('exit', () => ok()),
  );
  return performance.now() - t0;
}

/**
 * What is timed around each phase: `phase` = runPhase writing into a log folder that already exists
 * (as the bare spawn does); `folder` = also creating the phase's log folder; `job` = also writing
 * `phase.json` atomically, i.e. everything the job does per phase besides the command.
 */
type Mode = 'phase' | 'folder' | 'job';

/** One timed phase in `sb`, its logs under `logDir`. */
async function timedPhase(sb: Sandbox, logDir: string, mode: Mode, round: number): Promise<number> {
  if (mode === 'phase') mkdirSync(logDir);
  const t = performance.now();
  if (mode !== 'phase') mkdirSync(logDir, { recursive: true });
  const r = await runPhase({
    sandbox: sb,
    task,
    command: null,
    variant: 'baseline',
    round,
    warmup: false,
    place: { variantDir: sb.workdir, clientDir: sb.workdir, logDir },
    env: { ...task.benchmark.env, PYTHONUNBUFFERED: '1' },
  });
  if (mode === 'job') await writeFileAtomic(join(logDir, 'phase.json'), `${JSON.stringify(r, null, 2)}\n`);
  if (r.status !== 'ok') throw new Error(`phase failed: ${r.status} ${r.detail}`);
  return performance.now() - t;
}

const MODES = ['phase', 'folder', 'job'] as const;

/** Phases of every mode and bare spawns, interleaved in each round so that machine noise hits all alike. */
async function localTimes(): Promise<{ bare: number[]; discard: number[] } & Record<Mode, number[]>> {
  const logs = mkdtempSync(join(tmpdir(), 'isobench-overhead-'));
  const sb = await new LocalExecutor().open({ name: 'overhead' });
  const out = {
    bare: [] as number[],
    discard: [] as number[],
    phase: [] as number[],
    folder: [] as number[],
    job: [] as number[],
  };
  try {
    for (let i = 0; i < phases + WARM; i++) {
      const keep = i >= WARM;
      const b = await bareSpawn(i);
      const d = await discardSpawn();
      if (keep) {
        out.bare.push(b);
        out.discard.push(d);
      }
      for (const m of MODES) {
        const t = await timedPhase(sb, join(logs, `${m}-${i}`), m, i);
        if (keep) out[m].push(t);
      }
    }
  } finally {
    await sb.close();
    rmSync(logs, { recursive: true, force: true });
  }
  return out;
}

/** Docker phases in one container, and the container's start. */
async function dockerTimes(ex: Executor): Promise<{ phase: number[]; open: number }> {
  const logs = mkdtempSync(join(tmpdir(), 'isobench-overhead-'));
  const t0 = performance.now();
  const sb = await ex.open({ name: 'overhead', image });
  const open = performance.now() - t0;
  const phase: number[] = [];
  try {
    for (let i = 0; i < phases + WARM; i++) {
      const t = await timedPhase(sb, join(logs, String(i)), 'phase', i);
      if (i >= WARM) phase.push(t);
    }
  } finally {
    await sb.close();
    rmSync(logs, { recursive: true, force: true });
  }
  return { phase, open };
}

const local = await localTimes();
rmSync(bareDir, { recursive: true, force: true });
const ratio = (m: Mode) => median(local[m]) / median(local.bare);
const bareMs = median(local.bare);
const localMs = median(local.phase);
const row = (label: string, ms: number, extra = '') =>
  console.log(`${label.padEnd(58)} median ${ms.toFixed(2).padStart(8)} ms${extra}`);
console.log(
  `node ${process.version}; ${phases} phases each (after ${WARM} warm-up); command: ${CMD.join(' ')}`,
);
row('bare spawn, output discarded', median(local.discard));
row('bare spawn, output to files and read back', bareMs);
row('isobench local phase (runPhase)', localMs, `  ratio ${ratio('phase').toFixed(2)}  (target <= 1.2)`);
row('  + creating the phase log folder', median(local.folder), `  ratio ${ratio('folder').toFixed(2)}`);
row(
  '  + writing phase.json atomically (the job, per phase)',
  median(local.job),
  `  ratio ${ratio('job').toFixed(2)}`,
);
let ok = ratio('phase') <= 1.2;

const docker = await dockerAvailable();
if (!docker.ok) console.log(`docker: skipped (${docker.reason})`);
else {
  const runs: number[] = [];
  for (let i = 0; i < Math.min(phases, 10) + 1; i++) {
    const t = performance.now();
    const r = spawnSync('docker', ['run', '--rm', '--network', 'none', image, ...CMD], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`docker run failed (${r.status})`);
    if (i >= 1) runs.push(performance.now() - t);
  }
  const ex = await DockerExecutor.create({ defaultImage: image });
  const d = await dockerTimes(ex);
  const runMs = median(runs);
  const phaseMs = median(d.phase);
  const amortized = phaseMs + d.open / phases;
  console.log(`bare docker run --rm ${image} (network none) median ${runMs.toFixed(2).padStart(8)} ms`);
  console.log(
    `isobench docker phase (exec in the job's container) median ${phaseMs.toFixed(2).padStart(8)} ms; container start ${d.open.toFixed(0)} ms once per job`,
  );
  console.log(
    `ratio docker phase (+ start / ${phases} phases) / bare docker run: ${(amortized / runMs).toFixed(2)}  (target <= 1.5)`,
  );
  ok &&= amortized / runMs <= 1.5;
}
process.exitCode = ok ? 0 : 1;
