/**
 * Turns a parsed perf command into the exact workload every variant runs: the server argv and the
 * client argv as separate lists, what must be prefetched, and how many GPUs it takes. Every addition
 * to what the command says is returned as a resolution with its reason, so nothing is ever appended
 * at run time that the spec does not say.
 */
import type { BenchmarkKind } from '../parse/types.js';
import { nearBoundary, onOrAfter, SERVING_DATASET_FLAG_REMOVED, SERVING_RESULT_TABLE } from './eras.js';
import { MODEL_RENAMES } from './knowledge.js';
import type { Launcher, ParsedOption, ParsedPerfCommand } from './perf-command.js';
import type { TaskFinding } from './schema.js';

/** Where benchmark containers see prefetched datasets, and the Hugging Face cache. */
export const DATASET_DIR = '/isobench/datasets';
export const HF_CACHE_DIR = '/isobench/cache/huggingface';
/** The port the server listens on when the command names none. */
export const DEFAULT_PORT = '8000';

/** The ShareGPT file that benchmark_serving.py's default dataset reads. */
export const SHAREGPT = {
  repo: 'anon8231489123/ShareGPT_Vicuna_unfiltered',
  file: 'ShareGPT_V3_unfiltered_cleaned_split.json',
} as const;

/** A dataset to prefetch. */
export interface DatasetNeed {
  kind: 'hf_dataset_file' | 'hf_dataset';
  repo: string;
  file: string | null;
  mountPath: string;
}

/** The resolved workload. */
export interface ResolvedWorkload {
  kind: BenchmarkKind;
  env: Record<string, string>;
  server: string[] | null;
  client: string[];
  model: string;
  tokenizer: string;
  extraModels: string[];
  datasets: DatasetNeed[];
  gpuCount: number;
  resolutions: Array<{ what: string; why: string }>;
  findings: TaskFinding[];
}

/** Default model of the offline scripts when `--model` is absent (EngineArgs default in every version). */
const ENGINE_DEFAULT_MODEL = 'facebook/opt-125m';

function optValue(opts: readonly ParsedOption[], canonical: string): string | null {
  const o = opts.find((x) => x.canonical === canonical);
  return o && typeof o.value === 'string' ? o.value : null;
}

function launcherWords(p: ParsedPerfCommand): string[] {
  return p.launcher.type === 'python'
    ? [p.launcher.interpreter, p.launcher.script]
    : ['vllm', 'bench', p.launcher.subcommand];
}

/** An option of the command being resolved: its value and words may be rewritten. */
type DraftOption = Omit<ParsedOption, 'words' | 'value'> & { words: string[]; value: ParsedOption['value'] };

/** The command's options as resolution rewrites them, with the resolutions, findings and datasets it adds. */
class WorkloadDraft {
  readonly resolutions: ResolvedWorkload['resolutions'] = [];
  readonly findings: TaskFinding[] = [];
  readonly datasets: DatasetNeed[] = [];
  readonly opts: DraftOption[];

  constructor(options: readonly ParsedOption[]) {
    this.opts = options.map((o) => ({ ...o, words: [...o.words] }));
  }

  /** The string value of an option, or null. */
  value(canonical: string): string | null {
    return optValue(this.opts, canonical);
  }

  /** Records an importer finding. */
  finding(code: string, severity: TaskFinding['severity'], detail: string): void {
    this.findings.push({ code, severity, detail, source: 'importer' });
  }

  /** Rewrites the value of an option the command gives, with the reason. */
  setValue(canonical: string, value: string, why: string): void {
    const o = this.opts.find((x) => x.canonical === canonical);
    if (!o) return;
    const old = o.value;
    o.value = value;
    o.words = o.words.length === 2 ? [o.words[0] ?? canonical, value] : [`${canonical}=${value}`];
    this.resolutions.push({ what: `${canonical} ${String(old)} -> ${value}`, why });
  }

  /** Adds an option the command does not give, with the reason. */
  addOption(side: ParsedOption['side'], canonical: string, value: string, why: string): void {
    this.opts.push({
      canonical,
      dest: canonical.slice(2).replaceAll('-', '_'),
      words: [canonical, value],
      value,
      side,
    });
    this.resolutions.push({ what: `${side === 'both' ? '' : `${side} `}${canonical} ${value}`.trim(), why });
  }

  /** Adds the ShareGPT file to the datasets to prefetch, once. */
  needShareGpt(): void {
    if (!this.datasets.some((d) => d.file === SHAREGPT.file)) {
      this.datasets.push({
        kind: 'hf_dataset_file',
        repo: SHAREGPT.repo,
        file: SHAREGPT.file,
        mountPath: SHAREGPT_PATH,
      });
    }
  }

  /** A dataset path given in the command: the ShareGPT file is mapped to the prefetched copy; other files are unknown. */
  mapDatasetPath(canonical: string): void {
    const v = this.value(canonical);
    if (v === null) return;
    const base = v.split('/').pop() ?? v;
    if (base === SHAREGPT.file) {
      this.needShareGpt();
      if (v !== SHAREGPT_PATH)
        this.setValue(
          canonical,
          SHAREGPT_PATH,
          `the command names ${v}; benchmarks read the prefetched copy (containers have no network)`,
        );
    } else if (/^[\w.-]+\/[\w.-]+$/.test(v) && !v.endsWith('.json') && !v.endsWith('.jsonl')) {
      this.datasets.push({ kind: 'hf_dataset', repo: v, file: null, mountPath: HF_CACHE_DIR });
    } else {
      this.finding(
        'unknown_dataset',
        'error',
        `${canonical} ${v}: isobench does not know where to fetch this file`,
      );
    }
  }
}

/** Where benchmarks read the prefetched ShareGPT file. */
const SHAREGPT_PATH = `${DATASET_DIR}/${SHAREGPT.file}`;

/**
 * Resolves a parsed command. `date` is the human commit's date (the parent is days older), used
 * for version-dependent behaviour of the benchmark client.
 */
export function resolveWorkload(p: ParsedPerfCommand, date: string | null): ResolvedWorkload {
  const d = new WorkloadDraft(p.options);
  const model = resolveModel(p, d);
  const tokenizer = d.value('--tokenizer') ?? model;
  const extraModels: string[] = [];
  const spec = d.value('--speculative-model');
  if (spec && !/^\[.*\]$/.test(spec)) extraModels.push(spec);
  const gpuCount = countGpus(d);

  let server: string[] | null = null;
  if (p.kind === 'serving') {
    checkServingClient(p.launcher.type, date, d);
    resolveServingDataset(p.launcher.type, d);
    server = serverArgv(model, d);
  } else {
    for (const name of ['--dataset', '--dataset-path']) if (d.value(name) !== null) d.mapDatasetPath(name);
  }

  const clientOpts = d.opts.filter((o) => o.side === 'client' || o.side === 'both');
  const client = [...launcherWords(p), ...clientOpts.flatMap((o) => o.words)];
  return {
    kind: p.kind,
    env: { ...p.env },
    server,
    client,
    model,
    tokenizer,
    extraModels,
    datasets: d.datasets,
    gpuCount,
    resolutions: d.resolutions,
    findings: d.findings,
  };
}

/** The model to load: the command's (renamed where it moved), else the offline scripts' engine default. */
function resolveModel(p: ParsedPerfCommand, d: WorkloadDraft): string {
  let model = p.model;
  if (!model) {
    if (p.kind === 'serving') {
      d.finding(
        'missing_model',
        'error',
        'a serving benchmark needs --model (the server has nothing to load otherwise)',
      );
      model = '';
    } else {
      model = ENGINE_DEFAULT_MODEL;
      d.resolutions.push({
        what: `model ${ENGINE_DEFAULT_MODEL}`,
        why: `the command gives no --model; benchmark_${p.kind}.py then loads the engine default, ${ENGINE_DEFAULT_MODEL}`,
      });
    }
  }
  const renamed = model ? MODEL_RENAMES[model] : undefined;
  if (model && renamed) {
    for (const o of d.opts)
      if ((o.canonical === '--model' || o.canonical === '--tokenizer') && o.value === model) {
        o.value = renamed.to;
        o.words =
          o.words.length === 2 ? [o.words[0] ?? o.canonical, renamed.to] : [`${o.canonical}=${renamed.to}`];
      }
    d.resolutions.push({ what: `--model ${model} -> ${renamed.to}`, why: renamed.why });
    model = renamed.to;
  }
  return model;
}

/** GPUs: tensor x pipeline x data parallel. */
function countGpus(d: WorkloadDraft): number {
  let gpuCount = 1;
  for (const name of ['--tensor-parallel-size', '--pipeline-parallel-size', '--data-parallel-size']) {
    const v = d.value(name);
    if (v === null) continue;
    if (!/^[1-9]\d*$/.test(v)) d.finding('bad_value', 'error', `${name} ${v} is not a positive integer`);
    else gpuCount *= Number(v);
  }
  return gpuCount;
}

/** Whether the serving client at the commit's date prints the result table and still takes the options given. */
function checkServingClient(launcher: Launcher['type'], date: string | null, d: WorkloadDraft): void {
  const table = onOrAfter(date, SERVING_RESULT_TABLE);
  if (table === false && launcher === 'python') {
    d.finding(
      'client_too_old',
      'error',
      `the parent commit predates ${SERVING_RESULT_TABLE.date}: its benchmark_serving.py either has no TTFT or prints it in the pre-v0.4.0 format, and its 'vllm' backend needs the demo /generate server`,
    );
  } else if (table === null) {
    d.finding(
      'unknown_date',
      'warning',
      'the commit date is unknown: the client version could not be checked',
    );
  } else if (nearBoundary(date, SERVING_RESULT_TABLE)) {
    d.finding(
      'era_boundary',
      'warning',
      `the commit is within days of: ${SERVING_RESULT_TABLE.what}; confirm on the first calibration run`,
    );
  }
  if (d.value('--dataset') !== null && onOrAfter(date, SERVING_DATASET_FLAG_REMOVED)) {
    d.finding('option_removed', 'error', `--dataset: ${SERVING_DATASET_FLAG_REMOVED.what}`);
  }
}

/** The serving client's dataset: mapped to a prefetched copy, or the ShareGPT path its default needs. */
function resolveServingDataset(launcher: Launcher['type'], d: WorkloadDraft): void {
  const name = d.value('--dataset-name');
  if (d.value('--dataset') !== null) d.mapDatasetPath('--dataset');
  else if (launcher === 'vllm-cli') {
    if (name !== null && name !== 'random') d.mapDatasetPath('--dataset-path');
  } else if ((name ?? 'sharegpt') === 'sharegpt') {
    if (d.value('--dataset-path') === null) {
      d.needShareGpt();
      d.addOption(
        'client',
        '--dataset-path',
        SHAREGPT_PATH,
        name === null
          ? 'benchmark_serving.py defaults to the sharegpt dataset, which needs a path'
          : '--dataset-name sharegpt needs a path',
      );
    } else d.mapDatasetPath('--dataset-path');
  } else if (name === 'hf' || name === 'burstgpt' || name === 'custom') d.mapDatasetPath('--dataset-path');
}

/** The server's argv, on the port the client is told to use (stated when the command names none). */
function serverArgv(model: string, d: WorkloadDraft): string[] {
  // port: client and server must agree
  const port = d.value('--port');
  if (port === null)
    d.addOption(
      'client',
      '--port',
      DEFAULT_PORT,
      'the server and the client must use the same port; stated, not left to defaults that changed between versions',
    );
  const serverPort = port ?? DEFAULT_PORT;
  const serverOpts = d.opts.filter((o) => o.side === 'server' || o.side === 'both');
  const server = ['python3', '-m', 'vllm.entrypoints.openai.api_server'];
  if (!d.opts.some((o) => o.canonical === '--model') && model) server.push('--model', model);
  for (const o of serverOpts) server.push(...o.words);
  server.push('--port', serverPort);
  d.resolutions.push({
    what: "server: python3 -m vllm.entrypoints.openai.api_server with the command's engine options",
    why: 'a serving benchmark needs a running server; its options are those of the command that benchmark_serving.py does not take',
  });
  return server;
}
