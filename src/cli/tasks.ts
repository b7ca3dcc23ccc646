/** `isobench tasks list|show|validate|import`: the task catalogue. */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  defaultTasksDir,
  findTask,
  loadTasks,
  noTaskMessage,
  type TaskCatalogue,
  tasksNamed,
} from '../task/loader.js';
import type { TaskSpec } from '../task/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { errorMessage } from '../util/errors.js';
import { readTextIfThere } from '../util/if-there.js';
import { columns, EXIT, err, out, outJson, UsageError } from './common.js';

interface DirOpts {
  dir?: string;
  json?: boolean;
}

async function catalogue(opts: DirOpts): Promise<TaskCatalogue> {
  const dir = resolve(opts.dir ?? defaultTasksDir());
  try {
    return await loadTasks(dir);
  } catch (e) {
    throw new UsageError(errorMessage(e));
  }
}

/** What the catalogue research (src/task/repairs.ts) says of a task: repaired, maybe, no, or nothing. */
function research(t: TaskSpec): 'repaired' | 'maybe' | 'no' | null {
  const of = t.findings.filter((f) => f.source === 'catalogue repair' || f.source === 'catalogue research');
  if (of.some((f) => f.code === 'workload_reaches_change')) return 'repaired';
  if (of.some((f) => f.code === 'repair_maybe')) return 'maybe';
  return of.some((f) => f.code === 'repair_no') ? 'no' : null;
}

function status(t: TaskSpec): string {
  const r = research(t);
  if (t.benchmarkable.ok) return r === 'repaired' ? 'benchmarkable (repaired)' : 'benchmarkable';
  return `not benchmarkable: ${t.benchmarkable.reason}${r ? ` (repair: ${r})` : ''}`;
}

function printProblems(c: TaskCatalogue): void {
  for (const p of c.problems) err(`${p.file}${p.field ? ` (${p.field})` : ''}: ${p.message}`);
}

/** `tasks list`. */
export async function tasksList(
  opts: DirOpts & { status: 'all' | 'benchmarkable' | 'not-benchmarkable' },
): Promise<number> {
  const c = await catalogue(opts);
  const want = opts.status;
  const tasks = c.tasks.filter((t) => want === 'all' || (want === 'benchmarkable') === t.benchmarkable.ok);
  if (opts.json) {
    outJson({
      schemaVersion: 1,
      dir: c.dir,
      tasks: tasks.map((t) => ({
        id: t.id,
        kind: t.benchmark.kind,
        model: t.benchmark.model,
        gpus: t.hardware.count,
        benchmarkable: t.benchmarkable,
        research: research(t),
      })),
      problems: c.problems,
    });
  } else {
    const rows = tasks.map((t) => [
      t.id,
      t.benchmark.kind ?? '-',
      t.benchmark.model ?? '-',
      t.hardware.count ? `${t.hardware.count}x${t.hardware.gpu}` : 'none (CPU)',
      status(t),
    ]);
    for (const line of columns([['task', 'benchmark', 'model', 'gpus', 'status'], ...rows])) out(line);
    out();
    out(`${tasks.length} task(s) listed from ${c.dir}`);
    printProblems(c);
  }
  return c.problems.length ? EXIT.findings : EXIT.ok;
}

/** `tasks show ID`. */
export async function tasksShow(key: string, opts: DirOpts): Promise<number> {
  const c = await catalogue(opts);
  const t = findTask(c.tasks, key);
  if (!t) {
    printProblems(c);
    throw new UsageError(noTaskMessage(key, c.tasks, c.dir, 'tasks show'));
  }
  if (opts.json) {
    outJson(t);
    return EXIT.ok;
  }
  const b = t.benchmark;
  out(`${t.id}  ${t.subject ?? ''}`);
  out(`  repository   ${t.repo.name}`);
  out(`  human        ${t.commits.human}${t.commits.date ? `  (${t.commits.date.slice(0, 10)})` : ''}`);
  out(`  parent       ${t.commits.parent}`);
  if (t.prUrl) out(`  pull request ${t.prUrl}`);
  out(
    `  status       ${t.benchmarkable.ok ? 'benchmarkable' : `NOT benchmarkable (${t.benchmarkable.reason}): ${t.benchmarkable.detail}`}`,
  );
  out(`  benchmark    ${b.kind ?? '-'} (v5 mode ${b.v5Mode ?? '-'}), ${t.hardware.count}x ${t.hardware.gpu}`);
  out(`  model        ${b.model ?? '-'}`);
  if (b.primaryMetric)
    out(
      `  primary      ${b.primaryMetric.name} (${b.primaryMetric.unit}, ${b.primaryMetric.direction} is better)`,
    );
  out(`  published    ${b.perfCommand ?? '(none)'}`);
  if (Object.keys(b.env).length)
    out(
      `  env          ${Object.entries(b.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
  if (b.server) out(`  server argv  ${JSON.stringify(b.server.argv)}`);
  if (b.client)
    out(
      `  client argv  ${JSON.stringify(b.client.argv)}  (the parent's ${b.clientCopy.path}, for every variant)`,
    );
  for (const r of b.resolutions) out(`  resolved     ${r.what}: ${r.why}`);
  if (t.prefetch.models.length || t.prefetch.datasets.length) {
    out(
      `  prefetch     models ${t.prefetch.models.join(', ') || '-'}; datasets ${t.prefetch.datasets.map((d) => `${d.repo}${d.file ? `/${d.file}` : ''}`).join(', ') || '-'}`,
    );
  }
  out(
    `  hint         ${t.bottleneck.hintLevel}${t.bottleneck.targetFiles.length ? `: ${t.bottleneck.targetFiles.join(', ')}` : ''}`,
  );
  out(`  protected    ${t.protectedPaths.join(', ')}`);
  if (t.findings.length) {
    out('  findings');
    for (const f of t.findings)
      out(
        `    ${f.severity.padEnd(7)} ${f.code}: ${f.detail}${f.source !== 'validator' && f.source !== 'importer' ? ` [${f.source}]` : ''}`,
      );
  }
  out();
  out('  bottleneck statement (what the agent is told):');
  for (const line of t.bottleneck.statement.split('\n')) out(`    ${line}`);
  return EXIT.ok;
}

/** `tasks validate`: load everything, report every problem, summarise the catalogue. */
export async function tasksValidate(opts: DirOpts): Promise<number> {
  const c = await catalogue(opts);
  const byReason = new Map<string, string[]>();
  for (const t of c.tasks) {
    if (t.benchmarkable.ok) continue;
    const list = byReason.get(t.benchmarkable.reason) ?? [];
    list.push(t.id.split('/')[1] ?? t.id);
    byReason.set(t.benchmarkable.reason, list);
  }
  const ok = c.tasks.filter((t) => t.benchmarkable.ok);
  if (opts.json) {
    outJson({
      schemaVersion: 1,
      dir: c.dir,
      loaded: c.tasks.length,
      problems: c.problems,
      benchmarkable: ok.map((t) => t.id),
      notBenchmarkable: Object.fromEntries([...byReason].sort()),
    });
    return c.problems.length ? EXIT.findings : EXIT.ok;
  }
  const byKind = new Map<string, number>();
  for (const t of ok) byKind.set(t.benchmark.kind ?? '-', (byKind.get(t.benchmark.kind ?? '-') ?? 0) + 1);
  out(`Task catalogue ${c.dir}`);
  out(`  ${c.tasks.length} task(s) loaded, ${c.problems.length} problem(s)`);
  out(
    `  benchmarkable: ${ok.length}  (${[...byKind]
      .sort()
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')})`,
  );
  out(`  not benchmarkable: ${c.tasks.length - ok.length}`);
  const said = (r: string) => c.tasks.filter((t) => research(t) === r).length;
  out(
    `  catalogue research (src/task/repairs.ts): ${said('repaired')} repaired, ${said('maybe')} maybe, ${said('no')} no repair`,
  );
  for (const line of columns(
    [...byReason].sort().map(([r, ids]) => [`    ${r}`, String(ids.length), ids.join(' ')]),
  ))
    out(line);
  if (c.problems.length) {
    out();
    out('Problems (these files were not loaded; the others were):');
    printProblems(c);
  }
  return c.problems.length ? EXIT.findings : EXIT.ok;
}

/** `tasks import (--from DATA | --demo) [--out DIR] [--check]`. */
export async function tasksImport(opts: {
  from?: string;
  demo?: boolean;
  out?: string;
  check?: boolean;
}): Promise<number> {
  if (!opts.from === !opts.demo)
    throw new UsageError('give exactly one of --from <ISO-Bench data folder> or --demo');
  let specs: TaskSpec[];
  let family: string;
  if (opts.demo) {
    const { importDemoTasks } = await import('../task/importers/demo.js');
    specs = await importDemoTasks();
    family = 'demo';
  } else {
    const { importIsoBench, ImportSourceError } = await import('../published/import-tasks.js');
    try {
      // --from is given: exactly one of --from and --demo is, checked above
      specs = await importIsoBench(resolve(opts.from as string));
    } catch (e) {
      if (e instanceof ImportSourceError) throw new UsageError(e.message);
      throw e;
    }
    family = 'vllm';
  }
  const { taskFileText } = await import('../published/import-tasks.js');
  const outDir = resolve(opts.out ?? join(defaultTasksDir(), family));
  let changed = 0;
  let same = 0;
  const stale: string[] = [];
  const wanted = new Set<string>();
  for (const s of specs) {
    const name = `${s.id.split('/')[1]}.json`;
    wanted.add(name);
    const path = join(outDir, name);
    const text = taskFileText(s);
    const current = await readTextIfThere(path);
    if (current === text) {
      same++;
      continue;
    }
    changed++;
    stale.push(name);
    if (!opts.check) await writeFileAtomic(path, text);
  }
  await mkdir(outDir, { recursive: true });
  const extra = (await readdir(outDir)).filter((f) => f.endsWith('.json') && !wanted.has(f));
  if (!opts.check) for (const f of extra) await rm(join(outDir, f));
  if (opts.check) {
    out(
      `${specs.length} task(s) imported; ${same} match ${outDir}, ${changed} differ, ${extra.length} extra file(s)`,
    );
    for (const f of [...stale, ...extra]) out(`  out of date: ${f}`);
    return changed || extra.length ? EXIT.findings : EXIT.ok;
  }
  out(
    `${specs.length} task(s) imported into ${outDir}: ${changed} written, ${same} unchanged, ${extra.length} removed`,
  );
  return EXIT.ok;
}

/** This host's NVIDIA driver version (nvidia-smi), or null without one. */
async function hostDriver(): Promise<string | null> {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync('nvidia-smi', ['--query-gpu=driver_version', '--format=csv,noheader'], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  const v = r.status === 0 ? (r.stdout ?? '').trim().split('\n')[0]?.trim() : '';
  return v || null;
}

/** Options of `tasks verify`. */
interface VerifyOptions {
  repo?: string;
  tasks?: string;
  tasksDir?: string;
  cache?: string;
  python?: string;
  driver?: string;
  concurrency: number;
  json?: boolean;
  verbose?: boolean;
}

/** The tasks to verify: those named, or every benchmarkable task of the catalogue; never a demo task. */
async function tasksToVerify(opts: VerifyOptions): Promise<TaskSpec[]> {
  const c = await catalogue({ dir: opts.tasksDir });
  printProblems(c);
  const picked = opts.tasks
    ? tasksNamed(c.tasks, c.dir, opts.tasks)
    : c.tasks.filter((t) => !t.repo.demo && t.benchmarkable.ok);
  const demo = picked.find((t) => t.repo.demo);
  if (demo)
    throw new UsageError(
      `${demo.id} is a demo task: tasks verify checks tasks against a clone of their repository`,
    );
  return picked;
}

/** `--python`'s version ("3.11"), refused below 3.10 (the parsers need it). */
async function pythonVersion(python: string): Promise<string> {
  const { spawnSync } = await import('node:child_process');
  const pv = spawnSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
    encoding: 'utf8',
  });
  const [maj, min] = (pv.stdout ?? '').trim().split('.').map(Number);
  if (pv.status !== 0 || !maj || maj < 3 || (maj === 3 && (min ?? 0) < 10))
    throw new UsageError(
      `--python ${python}: the parsers need Python 3.10 or later (got ${pv.stdout?.trim() || pv.error?.message || 'nothing'})`,
    );
  return pv.stdout.trim();
}

type Verdicts = Awaited<ReturnType<typeof import('../run/verify.js').verifyTask>>[];

/** The verdicts as a table, each failed check (every check with --verbose), and the count that pass. */
function printVerdicts(verdicts: Verdicts, clone: string, verbose: boolean | undefined): void {
  const rows = verdicts.map((v) => {
    const bad = v.checks.filter((x) => x.status === 'fail').map((x) => `${x.name}@${x.at}`);
    const warn = v.checks.filter((x) => x.status === 'warn').map((x) => x.name);
    return [v.task, v.verdict, String(v.checks.length), bad.join(', ') || '-', warn.join(', ') || '-'];
  });
  for (const line of columns([['task', 'verdict', 'checks', 'failed', 'warnings'], ...rows])) out(line);
  for (const v of verdicts)
    for (const x of v.checks)
      if ((x.status === 'fail' && v.verdict === 'fail') || verbose)
        out(`  ${v.task} ${x.status} ${x.name} (${x.at}): ${x.detail}`);
  const nb = verdicts.filter((v) => v.verdict === 'not_benchmarkable').length;
  out(
    `${verdicts.filter((v) => v.verdict === 'pass').length} of ${verdicts.length - nb} benchmarkable task(s) pass against ${clone}${nb ? `; ${nb} not benchmarkable (checked for information)` : ''}`,
  );
}

/** `tasks verify`: the preflight of tasks against the user's clone (parsers, recipe, files, cache). */
export async function tasksVerify(opts: VerifyOptions): Promise<number> {
  if (!opts.repo)
    throw new UsageError('tasks verify needs --repo CLONE (a local clone of the tasks’ repository)');
  const clone = resolve(opts.repo);
  const { existsSync } = await import('node:fs');
  if (!existsSync(clone)) throw new UsageError(`--repo ${clone}: no such folder`);
  const picked = await tasksToVerify(opts);
  const python = opts.python ?? 'python3';
  const pythonSays = await pythonVersion(python);
  if (opts.driver !== undefined && !/^\d+(?:\.\d+){1,2}$/.test(opts.driver))
    throw new UsageError(`--driver ${opts.driver}: not a driver version (e.g. 550.54.15)`);
  const driver = opts.driver ?? (await hostDriver());
  const { verifyTask, VERIFY_VERSION } = await import('../run/verify.js');
  const { default: PQueue } = await import('p-queue');
  const q = new PQueue({ concurrency: opts.concurrency });
  const cache = opts.cache ? resolve(opts.cache) : undefined;
  const verdicts = await Promise.all(
    picked.map((t) =>
      q.add(async () => {
        const v = await verifyTask(t, { clone, python, driver: driver ?? undefined, cache });
        if (!opts.json)
          err(`${v.verdict === 'fail' ? 'FAIL' : v.verdict === 'pass' ? 'pass' : 'n/b '}  ${t.id}`);
        return v;
      }),
    ),
  );
  if (opts.json)
    outJson({
      schemaVersion: VERIFY_VERSION,
      clone,
      python: pythonSays,
      cache: opts.cache ?? null,
      driver: driver ?? null,
      tasks: verdicts,
    });
  else printVerdicts(verdicts, clone, opts.verbose);
  return verdicts.some((v) => v.verdict === 'fail') ? EXIT.findings : EXIT.ok;
}
