/**
 * Imports the 96 vLLM commits of the published ISO-Bench data into task specs. Re-runnable and
 * deterministic: the same inputs give byte-identical files. Every commit comes out, benchmarkable
 * or not; a commit that cannot be benchmarked carries its reason.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parserFor } from '../parse/registry.js';
import type { BenchmarkKind } from '../parse/types.js';
import { BOTTLENECK_TEMPLATE_VERSION, bottleneckStatement, hintFiles } from '../task/bottleneck.js';
import { expectedCounts } from '../task/expect.js';
import { parsePerfCommand } from '../task/perf-command.js';
import { vllmProbe } from '../task/probes.js';
import {
  CATALOGUE_REPAIRS,
  CATALOGUE_VERDICTS,
  type CatalogueRepair,
  type CatalogueVerdict,
} from '../task/repairs.js';
import { type ResolvedWorkload, resolveWorkload } from '../task/resolve.js';
import { TASK_SCHEMA_VERSION, type TaskFinding, type TaskSpec, TaskSpecSchema } from '../task/schema.js';
import { judgeTask, type TaskFacts } from '../task/validate.js';
import { vllmSetup } from '../task/vllm-setup.js';
import { errorMessage } from '../util/errors.js';
import { type Infer, type Schema, z } from '../util/zod.js';
import { readV5Table } from '../v5/io.js';
import type { V5Row } from '../v5/schema.js';

/** Identifies this importer in every spec it writes. */
export const ISO_BENCH_IMPORTER = `isobench iso-bench importer v1 (bottleneck template v${BOTTLENECK_TEMPLATE_VERSION})`;

const sha = z.string().check(z.regex(/^[0-9a-f]{7,40}$/, 'expected a hex commit hash'));
const short8 = z.string().check(z.regex(/^[0-9a-f]{8}$/, 'expected an 8-character short hash'));
const full40 = z.string().check(z.regex(/^[0-9a-f]{40}$/, 'expected a 40-character commit hash'));
const ModeMappingSchema = z.record(
  short8,
  z.object({
    commit_full: sha,
    benchmark_mode: z.nullable(z.string()),
    perf_command: z.nullable(z.string()),
    model: z.nullable(z.string()),
    parent_commit: z.nullable(sha),
  }),
);
const BaselineMappingSchema = z.array(
  z.object({
    human_commit_short: short8,
    human_commit_full: full40,
    parent_commit: full40,
    perf_command: z.nullable(z.string()),
    model: z.nullable(z.string()),
    benchmark_type: z.nullable(z.string()),
  }),
);
const AlphaSchema = z.object({
  commit_hash: full40,
  pr_url: z.nullable(z.string()),
  commit_subject: z.string(),
  commit_date: z.nullable(z.string()),
  files_changed: z.array(z.string()),
  perf_command: z.nullable(z.string()),
});

/** A source file that does not have the expected shape. */
export class ImportSourceError extends Error {}

async function readJson<S extends Schema>(path: string, schema: S): Promise<Infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new ImportSourceError(`${path}: ${errorMessage(e)}`);
  }
  const res = schema.safeParse(raw);
  if (!res.success) {
    const i = res.error.issues[0];
    throw new ImportSourceError(`${path}: at ${i?.path.join('.') || '(root)'}: ${i?.message}`);
  }
  return res.data;
}

async function readAlpha(path: string): Promise<Map<string, Infer<typeof AlphaSchema>>> {
  const out = new Map<string, Infer<typeof AlphaSchema>>();
  const lines = (await readFile(path, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new ImportSourceError(`${path}:${i + 1}: ${errorMessage(e)}`);
    }
    const res = AlphaSchema.safeParse(raw);
    if (!res.success) {
      const issue = res.error.issues[0];
      throw new ImportSourceError(`${path}:${i + 1}: at ${issue?.path.join('.')}: ${issue?.message}`);
    }
    out.set(res.data.commit_hash, res.data);
  });
  return out;
}

const V5_MODE: Record<string, 'serving' | 'standalone' | 'prefix_caching'> = {
  serving: 'serving',
  latency: 'standalone',
  throughput: 'standalone',
  prefix_caching: 'prefix_caching',
};

type ModeEntry = Infer<typeof ModeMappingSchema>[string];
type BaselineEntry = Infer<typeof BaselineMappingSchema>[number];
type AlphaEntry = Infer<typeof AlphaSchema>;
/** Adds an importer finding to the commit's spec. */
type AddNote = (severity: TaskFinding['severity'], code: string, detail: string) => void;

const rel = (p: string) => `iso-bench/${p}`;

/** Reads the published data folder and builds every task spec, sorted by short hash. */
export async function importIsoBench(dataDir: string): Promise<TaskSpec[]> {
  const modeMap = await readJson(join(dataDir, 'tasks/benchmark_mode_mapping.json'), ModeMappingSchema);
  const baseline = await readJson(
    join(dataDir, 'tasks/baseline_benchmark_mapping_complete.json'),
    BaselineMappingSchema,
  );
  const alpha = await readAlpha(join(dataDir, 'tasks/alpha-vllm-99-commits.jsonl'));
  const rows = (await readV5Table(join(dataDir, 'v5-rows.parquet'))).rows;

  const baseByShort = new Map(baseline.map((b) => [b.human_commit_short, b]));
  const shorts = [...new Set([...Object.keys(modeMap), ...baseByShort.keys()])].sort();
  return shorts.map((short) => importCommit(short, modeMap[short], baseByShort.get(short), alpha, rows));
}

/** Everything the spec of one commit states, gathered from the sources. */
interface CommitFacts extends TaskFacts {
  readonly filesChanged: string[];
  readonly human: string;
  readonly parent: string;
  readonly prUrl: string | null;
  readonly perfCommandSource: string | null;
  readonly kind: BenchmarkKind | null;
  /** whether alpha-vllm-99-commits.jsonl has the commit */
  readonly inAlpha: boolean;
  /** whether v5-rows.parquet has rows of the commit */
  readonly inRows: boolean;
  /** the catalogue repair that replaces the published command, if any */
  readonly repair: CatalogueRepair | null;
  /** the research's verdict where it found no repair (maybe, no), if any */
  readonly verdict: CatalogueVerdict | null;
  /** the command the sources publish (replaced where repaired) */
  readonly published: string | null;
}

/** Builds and checks the spec of one commit from its entries in the sources. */
function importCommit(
  short: string,
  m: ModeEntry | undefined,
  b: BaselineEntry | undefined,
  alpha: ReadonlyMap<string, AlphaEntry>,
  rows: readonly V5Row[],
): TaskSpec {
  const notes: TaskFinding[] = [];
  const imp: AddNote = (severity, code, detail) => notes.push({ code, severity, detail, source: 'importer' });

  const { human, parent } = commitIdentity(short, m, b, imp);
  const a = alpha.get(human);
  const commitRows = rows.filter((r) => r.commit_short === short);
  const { subject, prUrl, filesChanged, date } = commitMetadata(a, commitRows, imp);
  const repair = CATALOGUE_REPAIRS[short] ?? null;
  const { perfCommand, perfCommandSource } = repair
    ? repairedCommand(repair, m, b, imp)
    : choosePerfCommand(m, b, a, commitRows, imp);

  const parse = perfCommand ? parsePerfCommand(perfCommand) : null;
  const workload = parse?.ok ? resolveWorkload(parse.parsed, date) : null;
  const kind = parse?.ok ? parse.parsed.kind : parse ? parse.kind : null;
  const judged = judgeTask({ short, subject, filesChanged, date, perfCommand, parse, workload });
  checkPublishedFacts(m, b, kind, workload, commitRows, repair ? repairedNote(imp) : imp);

  const spec = buildSpec(
    {
      short,
      subject,
      filesChanged,
      date,
      perfCommand,
      parse,
      workload,
      human,
      parent,
      prUrl,
      perfCommandSource,
      kind,
      inAlpha: !!a,
      inRows: commitRows.length > 0,
      repair,
      verdict: CATALOGUE_VERDICTS[short] ?? null,
      published: m?.perf_command ?? b?.perf_command ?? null,
    },
    judged,
    notes,
  );
  const checked = TaskSpecSchema.safeParse(spec);
  if (!checked.success) {
    const i = checked.error.issues[0];
    throw new Error(
      `importer bug: ${short} does not satisfy the task schema at ${i?.path.join('.')}: ${i?.message}`,
    );
  }
  return checked.data;
}

/** The full human commit and its parent, from the two mappings, which must agree. */
function commitIdentity(
  short: string,
  m: ModeEntry | undefined,
  b: BaselineEntry | undefined,
  imp: AddNote,
): { human: string; parent: string } {
  const human = b?.human_commit_full ?? (m && m.commit_full.length === 40 ? m.commit_full : null);
  const parent = b?.parent_commit ?? m?.parent_commit ?? null;
  if (!human || !parent || !human.startsWith(short)) {
    throw new ImportSourceError(`${short}: no full human commit and parent in the task mappings`);
  }
  if (m && m.commit_full !== human)
    imp(
      'info',
      'short_hash_in_source',
      `benchmark_mode_mapping.json gives '${m.commit_full}' for the human commit; the full hash ${human} comes from baseline_benchmark_mapping_complete.json`,
    );
  if (m?.parent_commit && m.parent_commit !== parent) {
    throw new ImportSourceError(
      `${short}: the two mappings disagree on the parent (${m.parent_commit} vs ${parent})`,
    );
  }
  return { human, parent };
}

/** The commit's subject, PR link, changed files and date: from the alpha file, else from its rows. */
function commitMetadata(
  a: AlphaEntry | undefined,
  commitRows: readonly V5Row[],
  imp: AddNote,
): { subject: string | null; prUrl: string | null; filesChanged: string[]; date: string | null } {
  const subject = a?.commit_subject ?? commitRows.find((r) => r.commit_subject)?.commit_subject ?? null;
  const rawPr = a?.pr_url ?? commitRows.find((r) => r.pr_url)?.pr_url ?? null;
  const prUrl = rawPr && /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/pull\/\d+$/.test(rawPr) ? rawPr : null;
  if (rawPr && !prUrl)
    imp('info', 'no_pr_url', `the published PR link is '${rawPr}', not a pull-request URL`);
  const filesChanged =
    a?.files_changed ?? commitRows.find((r) => r.files_changed?.length)?.files_changed ?? [];
  const date = a?.commit_date ? new Date(a.commit_date).toISOString() : null;
  if (!a)
    imp(
      'warning',
      'no_commit_metadata',
      'the commit is not in alpha-vllm-99-commits.jsonl: no date, files or PR link from there',
    );
  return { subject, prUrl, filesChanged, date };
}

/** The perf command to use (the mode mapping's, else the baseline mapping's), noting every other one published. */
function choosePerfCommand(
  m: ModeEntry | undefined,
  b: BaselineEntry | undefined,
  a: AlphaEntry | undefined,
  commitRows: readonly V5Row[],
  imp: AddNote,
): { perfCommand: string | null; perfCommandSource: string | null } {
  let perfCommand = m?.perf_command ?? null;
  let perfCommandSource: string | null = perfCommand ? rel('tasks/benchmark_mode_mapping.json') : null;
  if (!perfCommand && b?.perf_command) {
    perfCommand = b.perf_command;
    perfCommandSource = rel('tasks/baseline_benchmark_mapping_complete.json');
    imp(
      'info',
      'perf_command_fallback',
      'benchmark_mode_mapping.json has no perf command; the one from baseline_benchmark_mapping_complete.json is used',
    );
  }
  const others = new Set<string>();
  if (b?.perf_command && b.perf_command !== perfCommand) others.add(b.perf_command);
  for (const r of commitRows)
    if (r.perf_command && r.perf_command !== perfCommand) others.add(r.perf_command);
  if (a?.perf_command && a.perf_command !== perfCommand) others.add(a.perf_command);
  for (const o of [...others].sort())
    imp(
      'info',
      'other_published_command',
      `another source publishes a different command for this commit: ${o}`,
    );
  return { perfCommand, perfCommandSource };
}

/** Notes on a repaired commit: a difference from the published facts is the repair's, said as information. */
function repairedNote(imp: AddNote): AddNote {
  return (_severity, code, detail) => imp('info', code, `${detail} (the catalogue repair's change)`);
}

/** Where to find the repairs, for the specs that use one. */
const REPAIRS_SOURCE =
  'isobench catalogue repairs (src/task/repairs.ts; research: shared/docs/CATALOGUE-REPAIRS.md)';

/** A repaired commit's command, noting what it replaces. */
function repairedCommand(
  repair: CatalogueRepair,
  m: ModeEntry | undefined,
  b: BaselineEntry | undefined,
  imp: AddNote,
): { perfCommand: string; perfCommandSource: string } {
  for (const o of [...new Set([m?.perf_command, b?.perf_command].filter((c): c is string => !!c))].sort())
    imp('info', 'published_command_replaced', `a source publishes ${o}; the catalogue repair replaces it`);
  return { perfCommand: repair.command, perfCommandSource: REPAIRS_SOURCE };
}

/**
 * The catalogue research as the spec records it: a repair's replacement of the command as a resolution
 * and the workload's reach as a finding; where no repair was found, the verdict (maybe, no) and why.
 */
function repairRecord(f: CommitFacts): {
  resolutions: ResolvedWorkload['resolutions'];
  findings: TaskFinding[];
} {
  const r = f.repair;
  if (!r) return { resolutions: [], findings: f.verdict ? [verdictFinding(f.verdict)] : [] };
  return {
    resolutions: [
      {
        what: `perf command: ${f.published ?? '(none published)'} -> ${r.command}`,
        why: `${r.why} (source: ${r.source})`,
      },
    ],
    findings: [
      { code: 'workload_reaches_change', severity: 'info', detail: r.reaches, source: 'catalogue repair' },
    ],
  };
}

/** A verdict of the research as a finding: why it stays unrepaired and, for a maybe, what a repair needs. */
function verdictFinding(v: CatalogueVerdict): TaskFinding {
  const maybe =
    v.verdict === 'maybe' ? `; a repair needs ${v.needs}; proposed on ${v.gpus} H100: ${v.command}` : '';
  return {
    code: v.verdict === 'maybe' ? 'repair_maybe' : 'repair_no',
    severity: 'info',
    detail: `${v.why}${maybe}`,
    source: 'catalogue research',
  };
}

/** Notes where the published mode, model or GPU count disagrees with what the command runs. */
function checkPublishedFacts(
  m: ModeEntry | undefined,
  b: BaselineEntry | undefined,
  kind: BenchmarkKind | null,
  workload: ResolvedWorkload | null,
  commitRows: readonly V5Row[],
  imp: AddNote,
): void {
  if (m?.benchmark_mode && kind && m.benchmark_mode !== V5_MODE[kind]) {
    imp(
      'warning',
      'published_mode_mismatch',
      `the published benchmark_mode is '${m.benchmark_mode}' but the command runs a ${kind} benchmark (v5 mode '${V5_MODE[kind]}')`,
    );
  }
  const pubModel = m?.model ?? b?.model ?? null;
  if (workload && pubModel && pubModel !== workload.model) {
    imp(
      'warning',
      'published_model_mismatch',
      `the published model is '${pubModel}' but the command loads '${workload.model}'`,
    );
  }
  const gpuConfigs = [...new Set(commitRows.map((r) => r.gpu_config).filter((g): g is string => !!g))];
  if (workload && gpuConfigs.length && !gpuConfigs.includes(`H100:${workload.gpuCount}`)) {
    imp(
      'warning',
      'published_gpu_mismatch',
      `the published rows ran on ${gpuConfigs.join(', ')}; the command needs ${workload.gpuCount} GPU(s)`,
    );
  }
}

/** The task's primary metric: the repair's (the author's own measure), else its benchmark's. */
function primaryMetricOf(f: CommitFacts): TaskSpec['benchmark']['primaryMetric'] {
  const name = f.repair?.metric?.name ?? (f.kind ? parserFor(f.kind).primaryMetric : null);
  const facts = f.repair?.metric ?? (name ? PRIMARY_UNITS[name] : null);
  return name && facts ? { name, unit: facts.unit, direction: facts.direction } : null;
}

/** The task spec of one commit (not yet checked against the schema). */
function buildSpec(
  f: CommitFacts,
  judged: ReturnType<typeof judgeTask>,
  notes: readonly TaskFinding[],
): TaskSpec {
  const { short, kind, workload, parse, filesChanged } = f;
  const metric = primaryMetricOf(f);
  const repaired = repairRecord(f);
  const targets = hintFiles(filesChanged);
  const clientScript =
    parse?.ok && parse.parsed.launcher.type === 'python'
      ? parse.parsed.launcher.script
      : parse?.ok
        ? 'vllm/benchmarks'
        : 'benchmarks';
  // `vllm bench …` runs benchmark code from inside the package each variant supplies: pin the parent's
  const inPackageClient = clientScript === 'vllm/benchmarks';
  return {
    schemaVersion: TASK_SCHEMA_VERSION,
    id: `vllm/${short}`,
    repo: { name: 'vllm-project/vllm', url: 'https://github.com/vllm-project/vllm.git' },
    commits: { human: f.human, parent: f.parent, date: f.date },
    subject: f.subject,
    prUrl: f.prUrl,
    filesChanged,
    bottleneck: {
      statement: bottleneckStatement({
        kind,
        model: workload?.model ?? null,
        metric: metric?.name ?? null,
        client: workload?.client ?? null,
      }),
      hintLevel: targets.length ? 'files' : 'none',
      targetFiles: targets,
    },
    benchmark: {
      kind,
      v5Mode: kind ? (V5_MODE[kind] ?? null) : null,
      perfCommand: f.perfCommand,
      perfCommandSource: f.perfCommandSource,
      model: workload?.model ?? null,
      env: workload?.env ?? {},
      server: workload?.server ? { argv: workload.server } : null,
      client: workload ? { argv: workload.client } : null,
      clientCopy: { commit: 'parent', path: clientScript, ...(inPackageClient ? { pinned: true } : {}) },
      ...(kind === 'serving' && workload ? { expect: expectedCounts(workload.client) } : {}),
      primaryMetric: metric,
      resolutions: [...repaired.resolutions, ...(workload?.resolutions ?? [])],
    },
    prefetch: {
      models: workload ? [workload.model, ...workload.extraModels].filter((x) => x) : [],
      tokenizers: workload ? [workload.tokenizer].filter((x) => x) : [],
      datasets: workload?.datasets ?? [],
    },
    hardware: { gpu: 'H100', count: Math.min(8, workload?.gpuCount ?? 1) },
    timeouts: { serverStartS: 1200, benchmarkS: 3600, buildS: 5400 },
    setup: vllmSetup(),
    ...(judged.benchmarkable.ok ? { correctness: vllmProbe(kind, workload?.client ?? null) } : {}),
    protectedPaths: [
      'benchmarks/',
      'tests/',
      ...(inPackageClient ? ['vllm/benchmarks/', 'vllm/entrypoints/cli/benchmark/'] : []),
    ],
    benchmarkable: judged.benchmarkable,
    findings: [...judged.findings, ...repaired.findings, ...notes],
    provenance: {
      importer: ISO_BENCH_IMPORTER,
      sources: [
        rel('tasks/benchmark_mode_mapping.json'),
        rel('tasks/baseline_benchmark_mapping_complete.json'),
        ...(f.inAlpha ? [rel('tasks/alpha-vllm-99-commits.jsonl')] : []),
        ...(f.inRows ? [rel('v5-rows.parquet')] : []),
        ...(f.repair || f.verdict ? [REPAIRS_SOURCE] : []),
      ],
    },
  };
}

const PRIMARY_UNITS: Record<string, { unit: string; direction: 'lower' | 'higher' }> = {
  ttft_mean: { unit: 'ms', direction: 'lower' },
  latency_avg: { unit: 'ms', direction: 'lower' },
  total_token_throughput: { unit: 'tok/s', direction: 'higher' },
  output_throughput: { unit: 'tok/s', direction: 'higher' },
};

/** The file text of a spec: two-space JSON and a final newline, stable across runs. */
export function taskFileText(spec: TaskSpec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}
