/**
 * The rehearsal of the whole job on the real vLLM trees (issue 20): every benchmarkable task of the
 * 42 trees of ../shared/data/vllm-trees/map.tsv, each tree's own server parser and benchmark client,
 * the stand-in engine, a scripted agent's patch as the agent variant. No file of the trees is kept:
 * the summary says per task what got through and what failed, with the log to read.
 *
 *   node --import tsx scripts/vllm-trees-rehearse.ts run --clone CLONE --trees-tsv CLONE/trees.tsv \
 *        --out DIR [--tasks IDS] [--repeats 2]        (the clone: scripts/vllm-trees-clone.py)
 *   node --import tsx scripts/vllm-trees-rehearse.ts summarize --run RUN_DIR[,RUN_DIR...] --trees-tsv TSV --dest DIR
 *
 * `run` runs `isobench run --rehearse` (each task's two rehearsal images, 0 warm-up, `--repeats`
 * rounds of baseline, human and agent) and then summarizes; `summarize` writes DEST/summary.tsv and
 * DEST/summary.md from a finished run folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobResult, PhaseRecord } from '../src/bench/types.js';

/** The scripted agent's patch: a file the stand-in engine reads (1.1x faster); it applies to every tree. */
const PATCH = [
  'diff --git a/isobench-standin.json b/isobench-standin.json',
  'new file mode 100644',
  'index 0000000..1b1cb4d',
  '--- /dev/null',
  '+++ b/isobench-standin.json',
  '@@ -0,0 +1 @@',
  '+{"speedup": 1.1}',
  '',
].join('\n');

interface Tree {
  readonly tree: string;
  readonly task: string;
}

function readTrees(tsv: string): Tree[] {
  return readFileSync(tsv, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
    .filter((c) => c[4] !== '-')
    .map((c) => ({ tree: c[0] as string, task: c[1] as string }));
}

function cell(s: string): string {
  return s.replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 220);
}

/** The job folders of the runs, by job name: a later run's job replaces an earlier run's. */
function jobFolders(runDirs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const run of runDirs)
    for (const name of readdirSync(join(run, 'jobs'))) out.set(name, join(run, 'jobs', name));
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

/** One line per job: what got through, what failed and why. */
function summarize(runDirs: readonly string[], trees: readonly Tree[], dest: string): void {
  const rows: string[][] = [];
  for (const [name, dir] of jobFolders(runDirs)) {
    const runName = dir.split('/').slice(-3, -2)[0] ?? '';
    let job: JobResult;
    let phases: PhaseRecord[] = [];
    try {
      job = JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8')) as JobResult;
      phases = (JSON.parse(readFileSync(join(dir, 'measurement.json'), 'utf8')) as { phases: PhaseRecord[] })
        .phases;
    } catch (e) {
      rows.push([name, '?', '?', '?', 'no job.json', cell((e as Error).message), '', '', '', '', '']);
      continue;
    }
    const short = job.task.replace('vllm/', '');
    const tree = trees.find((t) => t.task === short)?.tree ?? '?';
    const kind = (
      JSON.parse(readFileSync(join(dir, 'measurement.json'), 'utf8')) as {
        task: { benchmark: { kind: string }; commits: { date: string } };
      }
    ).task;
    const ok = phases.filter((p) => p.status === 'ok').length;
    const bad = phases.find((p) => p.status !== 'ok');
    const failed = job.variants.find((v) => v.status !== 'ok');
    const agent = job.agents[0];
    const sources = [...new Set(phases.map((p) => p.result.source))].join('+');
    const hvb = job.humanVsBaseline;
    rows.push([
      tree,
      job.task,
      kind.commits.date.slice(0, 10),
      kind.benchmark.kind,
      job.failure ? job.failure.class : 'through',
      `${ok}/${phases.length}`,
      sources,
      hvb ? `${hvb.estimate.toFixed(1)}% [${hvb.lo.toFixed(1)}, ${hvb.hi.toFixed(1)}]` : '-',
      agent?.verdict?.verdict ?? agent?.failure ?? '-',
      agent?.equivalence?.verdict ?? '-',
      cell(
        bad
          ? `${bad.variant} round ${bad.round}: ${bad.status}: ${bad.detail.split('\n').find((l) => l.trim()) ?? ''} (${join(runName, 'jobs', name, 'phases')})`
          : failed
            ? `${failed.id}: ${failed.status}: ${failed.detail}`
            : job.failure
              ? job.failure.detail
              : '',
      ),
    ]);
  }
  const head = [
    'tree',
    'task',
    'date',
    'benchmark',
    'job',
    'phases ok',
    'result from',
    'human vs baseline',
    'agent verdict',
    'outputs',
    'first failure',
  ];
  mkdirSync(dest, { recursive: true });
  writeFileSync(join(dest, 'summary.tsv'), `${[head, ...rows].map((r) => r.join('\t')).join('\n')}\n`);
  const md = [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  writeFileSync(join(dest, 'summary.md'), `${md.join('\n')}\n`);
  const through = rows.filter((r) => r[4] === 'through').length;
  console.log(`${through} of ${rows.length} job(s) got through the whole job; summary in ${dest}`);
}

function main(): void {
  const [verb, ...rest] = process.argv.slice(2);
  const { values: o } = parseArgs({
    args: rest,
    options: {
      clone: { type: 'string' },
      'trees-tsv': { type: 'string' },
      out: { type: 'string' },
      run: { type: 'string' },
      dest: { type: 'string' },
      tasks: { type: 'string' },
      repeats: { type: 'string', default: '2' },
    },
  });
  if (!o['trees-tsv']) throw new Error('--trees-tsv is required');
  const trees = readTrees(resolve(o['trees-tsv']));
  if (verb === 'summarize') {
    if (!o.run || !o.dest) throw new Error('summarize needs --run and --dest');
    summarize(
      o.run.split(',').map((r) => resolve(r)),
      trees,
      resolve(o.dest),
    );
    return;
  }
  if (verb !== 'run' || !o.clone || !o.out)
    throw new Error('usage: run --clone CLONE --trees-tsv TSV --out DIR');
  const out = resolve(o.out);
  mkdirSync(out, { recursive: true });
  const ids = o.tasks ? o.tasks.split(',') : trees.map((t) => `vllm/${t.task}`);
  const preds = join(out, 'scripted-agent.jsonl');
  writeFileSync(
    preds,
    ids
      .map(
        (id) =>
          `${JSON.stringify({ instance_id: id, model_name_or_path: 'scripted', model_patch: PATCH })}\n`,
      )
      .join(''),
  );
  const runId = `rehearse-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}`;
  const r = spawnSync(
    process.execPath,
    [
      join(import.meta.dirname, '..', 'bin', 'isobench.mjs'),
      'run',
      '--rehearse',
      '--tasks',
      ids.join(','),
      '--repo',
      resolve(o.clone),
      '--predictions',
      preds,
      '--agent',
      'scripted',
      '--repeats',
      o.repeats ?? '2',
      '--warmup',
      '0',
      '--out',
      out,
      '--run-id',
      runId,
    ],
    { stdio: 'inherit' },
  );
  console.log(`isobench run --rehearse exited ${r.status}`);
  summarize([join(out, runId)], trees, out);
}

main();
