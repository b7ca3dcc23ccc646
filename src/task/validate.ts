/**
 * Decides whether a task can be benchmarked, and why not: the perf command's own problems, hardware
 * other than an H100, accuracy-only commits, models the commit's vLLM cannot load or the GPUs cannot
 * hold, and the published benchmark's documented exclusions. Pure: facts in, findings out.
 */
import {
  BLACKWELL_SUBJECT,
  FOREIGN_HARDWARE_PATH,
  FOREIGN_HARDWARE_SUBJECT,
  H100_WEIGHT_BUDGET_GB,
  MODEL_FACTS,
  MODEL_SUPPORT,
  NON_RUNTIME_PATH,
  ONLINE_FP8_PEAK_BYTES,
  PUBLISHED_EXCLUSIONS,
} from './knowledge.js';
import type { PerfCommandResult } from './perf-command.js';
import { CATALOGUE_REPAIRS } from './repairs.js';
import type { ResolvedWorkload } from './resolve.js';
import type { NotBenchmarkableReason, TaskFinding, TaskSpec } from './schema.js';

/** What the validator looks at. */
export interface TaskFacts {
  readonly short: string;
  readonly subject: string | null;
  readonly filesChanged: readonly string[];
  readonly date: string | null;
  readonly perfCommand: string | null;
  readonly parse: PerfCommandResult | null;
  readonly workload: ResolvedWorkload | null;
}

/** The order in which a reason is chosen when several apply (all are kept as findings). */
export const REASON_PRIORITY: readonly NotBenchmarkableReason[] = [
  'no_perf_command',
  'invalid_perf_command',
  'local_model_path',
  'unsupported_benchmark_version',
  'non_h100_hardware',
  'accuracy_only',
  'model_unsupported_at_commit',
  'model_too_large',
  'workload_misses_change',
  'original_data_issue',
];

interface ErrorFinding extends TaskFinding {
  readonly reason: NotBenchmarkableReason;
}

/** Runs every check. */
export function judgeTask(f: TaskFacts): {
  findings: TaskFinding[];
  benchmarkable: TaskSpec['benchmarkable'];
} {
  const errors: ErrorFinding[] = [];
  const other: TaskFinding[] = [];
  const error = (reason: NotBenchmarkableReason, code: string, detail: string, source = 'validator') =>
    errors.push({ reason, code, severity: 'error', detail, source });
  const note = (severity: 'warning' | 'info', code: string, detail: string, source = 'validator') =>
    other.push({ code, severity, detail, source });

  if (f.perfCommand === null)
    error('no_perf_command', 'no_perf_command', 'no perf command was published for this commit');
  else if (f.parse && !f.parse.ok) {
    for (const issue of f.parse.issues) {
      error(
        issue.code === 'local_model_path' ? 'local_model_path' : 'invalid_perf_command',
        `perf_command.${issue.code}`,
        issue.message,
      );
    }
  } else if (f.parse?.ok) {
    for (const n of f.parse.notes) note('info', `perf_command.${n.code}`, n.message);
  }

  const w = f.workload;
  if (w) {
    for (const x of w.findings) {
      if (x.severity !== 'error') other.push(x);
      else
        error(
          x.code === 'client_too_old' ? 'unsupported_benchmark_version' : 'invalid_perf_command',
          x.code,
          x.detail,
          x.source,
        );
    }
    checkModel(w, f.date, error, note);
  }

  checkHardware(f, error, note);

  const published = PUBLISHED_EXCLUSIONS[f.short];
  const repair = CATALOGUE_REPAIRS[f.short];
  if (published && !repair)
    error(published.reason, 'published_exclusion', published.detail, published.source);
  else if (published)
    note(
      'info',
      'published_exclusion_repaired',
      `the published benchmark excluded it (${published.detail}); the catalogue repair answers that: ${repair?.why}`,
    );

  const findings = [...errors.map(({ reason: _r, ...rest }) => rest), ...other];
  const first = REASON_PRIORITY.map((r) => errors.find((e) => e.reason === r)).find((e) => e !== undefined);
  return {
    findings,
    benchmarkable: first ? { ok: false, reason: first.reason, detail: first.detail } : { ok: true },
  };
}

function checkModel(
  w: ResolvedWorkload,
  date: string | null,
  error: (r: NotBenchmarkableReason, code: string, detail: string, source?: string) => void,
  note: (s: 'warning' | 'info', code: string, detail: string) => void,
): void {
  for (const s of MODEL_SUPPORT) {
    if (!s.pattern.test(w.model)) continue;
    if (date && date.slice(0, 10) < s.since.date) {
      error(
        'model_unsupported_at_commit',
        'model_unsupported',
        `${w.model} needs vLLM ${s.since.version} (${s.since.date}) or later; the commit is from ${date.slice(0, 10)}. ${s.why}`,
      );
    }
  }
  const facts = MODEL_FACTS[w.model];
  if (!facts) {
    note(
      'info',
      'model_size_unknown',
      `no size on record for ${w.model}: whether it fits ${w.gpuCount} H100 is not checked`,
    );
    return;
  }
  const quantized = w.client
    .concat(w.server ?? [])
    .some((x, i, all) => x === '--quantization' && all[i + 1] === 'fp8');
  // online fp8 of a 16-bit checkpoint holds the 16-bit weights until loading is done
  const online = quantized && facts.bytesPerParam > 1;
  const bytes = online ? ONLINE_FP8_PEAK_BYTES : quantized ? 1 : facts.bytesPerParam;
  const weightsGb = facts.paramsB * bytes;
  const budget = H100_WEIGHT_BUDGET_GB * w.gpuCount;
  if (weightsGb > budget) {
    error(
      'model_too_large',
      'model_too_large',
      online
        ? `${w.model} is a ${facts.bytesPerParam * 8}-bit checkpoint of ${facts.paramsB}B parameters; --quantization fp8 quantizes it online, after its ${weightsGb.toFixed(0)} GB of ${facts.bytesPerParam * 8}-bit weights are loaded onto the GPU, and ${w.gpuCount} H100 hold about ${budget} GB of weights: out of memory before the fp8 weights exist`
        : `${w.model} has ${facts.paramsB}B parameters (${weightsGb.toFixed(0)} GB of weights at ${bytes} byte(s) each) but ${w.gpuCount} H100 hold about ${budget} GB of weights`,
    );
  }
}

function checkHardware(
  f: TaskFacts,
  error: (r: NotBenchmarkableReason, code: string, detail: string, source?: string) => void,
  note: (s: 'warning' | 'info', code: string, detail: string) => void,
): void {
  const subject = f.subject ?? '';
  if (BLACKWELL_SUBJECT.test(subject)) {
    error(
      'non_h100_hardware',
      'blackwell_only',
      `the subject targets NVIDIA Blackwell (${BLACKWELL_SUBJECT.exec(subject)?.[0]}), not an H100: "${subject}"`,
    );
    return;
  }
  const tagged = FOREIGN_HARDWARE_SUBJECT.exec(subject);
  const runtime = f.filesChanged.filter((p) => !NON_RUNTIME_PATH.test(p));
  const foreign = runtime.filter((p) => FOREIGN_HARDWARE_PATH.test(p));
  if (tagged && runtime.length > 0 && foreign.length === runtime.length) {
    error(
      'non_h100_hardware',
      'foreign_hardware',
      `the subject names ${tagged[0]} and every runtime file it changes is specific to that hardware (${foreign.join(', ')})`,
    );
  } else if (tagged) {
    note(
      'warning',
      'foreign_hardware_tag',
      `the subject names ${tagged[0]}, but it changes code that also runs on NVIDIA GPUs; calibration will tell whether an H100 sees the gain`,
    );
  } else if (foreign.length > 0 && foreign.length === runtime.length) {
    note(
      'warning',
      'foreign_hardware_files',
      `every runtime file changed is hardware-specific (${foreign.join(', ')})`,
    );
  }
}
