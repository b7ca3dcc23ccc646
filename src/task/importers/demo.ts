/**
 * The demo tasks isobench ships (`tasks/demo/`), built from `harness/demo/<name>/`: each spec names
 * the commit hashes of the generated repository, so generating it again proves it is the same.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { splitShellWords } from '../../util/shell-words.js';
import { BOTTLENECK_TEMPLATE_VERSION, bottleneckStatement, hintFiles } from '../bottleneck.js';
import { materializeDemoRepo } from '../demo.js';
import { expectedCounts } from '../expect.js';
import { type Correctness, TASK_SCHEMA_VERSION, type TaskSpec, TaskSpecSchema } from '../schema.js';

/** Identifies this importer in every spec it writes. */
export const DEMO_IMPORTER = `isobench demo importer v1 (bottleneck template v${BOTTLENECK_TEMPLATE_VERSION})`;

interface DemoDef {
  readonly name: string;
  readonly kind: 'serving' | 'latency';
  readonly model: string;
  readonly perfCommand: string;
  readonly server: string[] | null;
  readonly primary: { name: string; unit: string; direction: 'lower' | 'higher' };
  readonly gpu: { gpu: 'H100' | 'none'; count: number };
  readonly timeouts: { serverStartS: number; benchmarkS: number; buildS: number };
  readonly why: string;
  readonly correctness: Correctness;
}

/** Fixed prompts of the serving demo's probe: short, varied, deterministic. */
const DEMO_PROMPTS = [
  'The quick brown fox',
  'Performance engineering is',
  'def fibonacci(n):',
  'In a distant galaxy, a small robot',
  '1, 2, 3, 5, 8, 13,',
  'Tokens per second measures',
  'Once upon a time',
  'SELECT name FROM users WHERE',
];

/** The demo tasks: two CPU tasks in standard-library Python and one GPU task in PyTorch. */
export const DEMOS: readonly DemoDef[] = [
  {
    name: 'cpu-serving',
    kind: 'serving',
    model: 'demo-engine',
    perfCommand:
      'python3 benchmarks/benchmark_serving.py --model demo-engine --dataset-name random --num-prompts 12 --random-input-len 24000 --random-output-len 16 --max-concurrency 1 --seed 0 --port 18000',
    server: ['python3', '-m', 'engine.server', '--model', 'demo-engine', '--port', '18000'],
    primary: { name: 'ttft_mean', unit: 'ms', direction: 'lower' },
    gpu: { gpu: 'none', count: 0 },
    timeouts: { serverStartS: 30, benchmarkS: 120, buildS: 60 },
    why: "the demo engine's own OpenAI-style server, on the port the client uses",
    correctness: {
      version: 1,
      mode: 'completions',
      prompts: DEMO_PROMPTS,
      maxTokens: 12,
      logprobs: 3,
      seed: 0,
    },
  },
  {
    name: 'cpu-latency',
    kind: 'latency',
    model: 'demo-sampler',
    perfCommand:
      'python3 benchmarks/benchmark_latency.py --model demo-sampler --batch-size 4 --output-len 8 --num-iters-warmup 1 --num-iters 5 --seed 0',
    server: null,
    primary: { name: 'latency_avg', unit: 'ms', direction: 'lower' },
    gpu: { gpu: 'none', count: 0 },
    timeouts: { serverStartS: 30, benchmarkS: 120, buildS: 60 },
    why: '',
    correctness: { version: 1, mode: 'script', script: 'demo_sampler.py', args: [] },
  },
  {
    name: 'gpu-rmsnorm',
    kind: 'latency',
    model: 'demo-rmsnorm',
    perfCommand:
      'python3 benchmarks/benchmark_latency.py --model demo-rmsnorm --batch-size 4096 --input-len 4096 --dtype bfloat16 --num-iters-warmup 20 --num-iters 200 --seed 0',
    server: null,
    primary: { name: 'latency_avg', unit: 'ms', direction: 'lower' },
    gpu: { gpu: 'H100', count: 1 },
    timeouts: { serverStartS: 60, benchmarkS: 300, buildS: 60 },
    why: '',
    correctness: { version: 1, mode: 'script', script: 'demo_rmsnorm.py', args: [] },
  },
];

/** Builds the demo task specs (generating each repository in a temp folder to read its hashes). */
export async function importDemoTasks(): Promise<TaskSpec[]> {
  const specs: TaskSpec[] = [];
  for (const d of DEMOS) {
    const tmp = await mkdtemp(join(tmpdir(), `isobench-demo-${d.name}-`));
    try {
      const repo = await materializeDemoRepo(d.name, join(tmp, 'repo'));
      const git = simpleGit(repo.dir);
      const files = (await git.raw(['diff', '--name-only', repo.parent, repo.human]))
        .split('\n')
        .filter((f) => f);
      const subject = (await git.raw(['log', '-1', '--format=%s', repo.human])).trim();
      const words = splitShellWords(d.perfCommand);
      if (!words.ok) throw new Error(`demo ${d.name}: ${words.error}`);
      const client = words.words.map((w) => w.text);
      const targets = hintFiles(files);
      const spec: TaskSpec = {
        schemaVersion: TASK_SCHEMA_VERSION,
        id: `demo/${d.name}`,
        repo: {
          name: `isobench/demo-${d.name}`,
          url: `https://isobench.invalid/demo/${d.name}`,
          demo: d.name,
        },
        commits: { human: repo.human, parent: repo.parent, date: '2026-01-02T00:00:00.000Z' },
        subject,
        prUrl: null,
        filesChanged: files,
        bottleneck: {
          statement: bottleneckStatement({
            kind: d.kind,
            model: d.model,
            metric: d.primary.name,
            client,
            project: `The demo engine (${d.name})`,
          }),
          hintLevel: targets.length ? 'files' : 'none',
          targetFiles: targets,
        },
        benchmark: {
          kind: d.kind,
          v5Mode: d.kind === 'serving' ? 'serving' : 'standalone',
          perfCommand: d.perfCommand,
          perfCommandSource: `harness/demo/${d.name}`,
          model: d.model,
          env: {},
          server: d.server ? { argv: d.server } : null,
          client: { argv: client },
          clientCopy: { commit: 'parent', path: client[1] ?? 'benchmarks' },
          // the demo engine never stops early: every request generates the asked length
          ...(d.kind === 'serving' ? { expect: expectedCounts(client, { fixedLength: true }) } : {}),
          primaryMetric: d.primary,
          resolutions: d.server ? [{ what: `server: ${d.server.join(' ')}`, why: d.why }] : [],
        },
        prefetch: { models: [], tokenizers: [], datasets: [] },
        hardware: d.gpu,
        timeouts: d.timeouts,
        correctness: d.correctness,
        protectedPaths: ['benchmarks/'],
        benchmarkable: { ok: true },
        findings: [],
        provenance: { importer: DEMO_IMPORTER, sources: [`harness/demo/${d.name}`] },
      };
      const checked = TaskSpecSchema.safeParse(spec);
      if (!checked.success) {
        const i = checked.error.issues[0];
        throw new Error(`importer bug: demo ${d.name} at ${i?.path.join('.')}: ${i?.message}`);
      }
      specs.push(checked.data);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  return specs;
}
