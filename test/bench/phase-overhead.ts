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
 *   node --import tsx test/bench/phase-overhead.ts [--phases N]
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPhase } from '../../src/bench/phase.js';
import { DockerExecutor, dockerAvailable } from '../../src/executor/docker.js';
import { LocalExecutor } from '../../src/executor/local.js';
import type { Executor } from '../../src/executor/types.js';
import type { TaskSpec } from '../../src/task/schema.js';

const args = process.argv.slice(2);
const phases = Number(args[args.indexOf('--phases') + 1] ?? 30) || 30;
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

async function phaseTimes(
  ex: Executor,
  spec: { image?: string },
  between?: (i: number) => Promise<void>,
): Promise<{ phase: number[]; open: number }> {
  const logs = mkdtempSync(join(tmpdir(), 'isobench-overhead-'));
  const t0 = performance.now();
  const sb = await ex.open({ name: 'overhead', image: spec.image });
  const open = performance.now() - t0;
  const out: number[] = [];
  try {
    for (let i = 0; i < phases + 2; i++) {
      const t = performance.now();
      const r = await runPhase({
        sandbox: sb,
        task,
        command: null,
        variant: 'baseline',
        round: i,
        warmup: false,
        place: { variantDir: sb.workdir, clientDir: sb.workdir, logDir: join(logs, String(i)) },
      });
      if (r.status !== 'ok') throw new Error(`phase failed: ${r.status} ${r.detail}`);
      if (i >= 2) out.push(performance.now() - t);
      await between?.(i);
    }
  } finally {
    await sb.close();
    rmSync(logs, { recursive: true, force: true });
  }
  return { phase: out, open };
}

// bare spawns interleaved with the phases, so that machine noise hits both alike
const bare: number[] = [];
const discard: number[] = [];
const local = await phaseTimes(new LocalExecutor(), {}, async (i) => {
  const t = await bareSpawn(i);
  const d = await discardSpawn();
  if (i >= 2) {
    bare.push(t);
    discard.push(d);
  }
});
rmSync(bareDir, { recursive: true, force: true });
const bareMs = median(bare);
const localMs = median(local.phase);
console.log(`node ${process.version}; ${phases} phases each; command: ${CMD.join(' ')}`);
console.log(
  `bare spawn, output discarded                      median ${median(discard).toFixed(2).padStart(8)} ms`,
);
console.log(`bare spawn, output to files and read back         median ${bareMs.toFixed(2).padStart(8)} ms`);
console.log(`isobench local phase (runPhase)                   median ${localMs.toFixed(2).padStart(8)} ms`);
console.log(`ratio local phase / bare spawn: ${(localMs / bareMs).toFixed(2)}  (target <= 1.2)`);
let ok = localMs / bareMs <= 1.2;

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
  const d = await phaseTimes(ex, { image });
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
