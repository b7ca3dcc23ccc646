/**
 * Turns a parsed perf command into the exact workload every variant runs: the server argv and the
 * client argv as separate lists, what must be prefetched, and how many GPUs it takes. Every addition
 * to what the command says is returned as a resolution with its reason, so nothing is ever appended
 * at run time that the spec does not say.
 */
import type { BenchmarkKind } from '../parse/types.js';
import { nearBoundary, onOrAfter, SERVING_DATASET_FLAG_REMOVED, SERVING_RESULT_TABLE } from './eras.js';
import { MODEL_RENAMES } from './knowledge.js';
import type { ParsedOption, ParsedPerfCommand } from './perf-command.js';
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

/**
 * Resolves a parsed command. `date` is the human commit's date (the parent is days older), used
 * for version-dependent behaviour of the benchmark client.
 */
export function resolveWorkload(p: ParsedPerfCommand, date: string | null): ResolvedWorkload {
  const resolutions: ResolvedWorkload['resolutions'] = [];
  const findings: TaskFinding[] = [];
  const datasets: DatasetNeed[] = [];
  const opts = p.options.map((o) => ({ ...o, words: [...o.words] }));
  const finding = (code: string, severity: TaskFinding['severity'], detail: string) =>
    findings.push({ code, severity, detail, source: 'importer' });

  let model = p.model;
  if (!model) {
    if (p.kind === 'serving') {
      finding(
        'missing_model',
        'error',
        'a serving benchmark needs --model (the server has nothing to load otherwise)',
      );
      model = '';
    } else {
      model = ENGINE_DEFAULT_MODEL;
      resolutions.push({
        what: `model ${ENGINE_DEFAULT_MODEL}`,
        why: `the command gives no --model; benchmark_${p.kind}.py then loads the engine default, ${ENGINE_DEFAULT_MODEL}`,
      });
    }
  }
  const renamed = model ? MODEL_RENAMES[model] : undefined;
  if (model && renamed) {
    for (const o of opts)
      if ((o.canonical === '--model' || o.canonical === '--tokenizer') && o.value === model) {
        o.value = renamed.to;
        o.words =
          o.words.length === 2 ? [o.words[0] ?? o.canonical, renamed.to] : [`${o.canonical}=${renamed.to}`];
      }
    resolutions.push({ what: `--model ${model} -> ${renamed.to}`, why: renamed.why });
    model = renamed.to;
  }
  const tokenizer = optValue(opts, '--tokenizer') ?? model;
  const extraModels: string[] = [];
  const spec = optValue(opts, '--speculative-model');
  if (spec && !/^\[.*\]$/.test(spec)) extraModels.push(spec);

  // GPUs: tensor x pipeline x data parallel
  let gpuCount = 1;
  for (const name of ['--tensor-parallel-size', '--pipeline-parallel-size', '--data-parallel-size']) {
    const v = optValue(opts, name);
    if (v === null) continue;
    if (!/^[1-9]\d*$/.test(v)) finding('bad_value', 'error', `${name} ${v} is not a positive integer`);
    else gpuCount *= Number(v);
  }

  const setValue = (canonical: string, value: string, why: string): void => {
    const o = opts.find((x) => x.canonical === canonical);
    if (!o) return;
    const old = o.value;
    o.value = value;
    o.words = o.words.length === 2 ? [o.words[0] ?? canonical, value] : [`${canonical}=${value}`];
    resolutions.push({ what: `${canonical} ${String(old)} -> ${value}`, why });
  };
  const addOption = (side: ParsedOption['side'], canonical: string, value: string, why: string): void => {
    opts.push({
      canonical,
      dest: canonical.slice(2).replaceAll('-', '_'),
      words: [canonical, value],
      value,
      side,
    });
    resolutions.push({ what: `${side === 'both' ? '' : `${side} `}${canonical} ${value}`.trim(), why });
  };
  const sharegptPath = `${DATASET_DIR}/${SHAREGPT.file}`;
  const needShareGpt = () => {
    if (!datasets.some((d) => d.file === SHAREGPT.file)) {
      datasets.push({
        kind: 'hf_dataset_file',
        repo: SHAREGPT.repo,
        file: SHAREGPT.file,
        mountPath: sharegptPath,
      });
    }
  };
  /** A dataset path given in the command: the ShareGPT file is mapped to the prefetched copy; other files are unknown. */
  const mapDatasetPath = (canonical: string): void => {
    const v = optValue(opts, canonical);
    if (v === null) return;
    const base = v.split('/').pop() ?? v;
    if (base === SHAREGPT.file) {
      needShareGpt();
      if (v !== sharegptPath)
        setValue(
          canonical,
          sharegptPath,
          `the command names ${v}; benchmarks read the prefetched copy (containers have no network)`,
        );
    } else if (/^[\w.-]+\/[\w.-]+$/.test(v) && !v.endsWith('.json') && !v.endsWith('.jsonl')) {
      datasets.push({ kind: 'hf_dataset', repo: v, file: null, mountPath: HF_CACHE_DIR });
    } else {
      finding(
        'unknown_dataset',
        'error',
        `${canonical} ${v}: isobench does not know where to fetch this file`,
      );
    }
  };

  let server: string[] | null = null;
  if (p.kind === 'serving') {
    const table = onOrAfter(date, SERVING_RESULT_TABLE);
    if (table === false && p.launcher.type === 'python') {
      finding(
        'client_too_old',
        'error',
        `the parent commit predates ${SERVING_RESULT_TABLE.date}: its benchmark_serving.py either has no TTFT or prints it in the pre-v0.4.0 format, and its 'vllm' backend needs the demo /generate server`,
      );
    } else if (table === null) {
      finding(
        'unknown_date',
        'warning',
        'the commit date is unknown: the client version could not be checked',
      );
    } else if (nearBoundary(date, SERVING_RESULT_TABLE)) {
      finding(
        'era_boundary',
        'warning',
        `the commit is within days of: ${SERVING_RESULT_TABLE.what}; confirm on the first calibration run`,
      );
    }
    if (optValue(opts, '--dataset') !== null && onOrAfter(date, SERVING_DATASET_FLAG_REMOVED)) {
      finding('option_removed', 'error', `--dataset: ${SERVING_DATASET_FLAG_REMOVED.what}`);
    }
    // dataset
    const name = optValue(opts, '--dataset-name');
    if (optValue(opts, '--dataset') !== null) mapDatasetPath('--dataset');
    else if (p.launcher.type === 'vllm-cli') {
      if (name !== null && name !== 'random') mapDatasetPath('--dataset-path');
    } else if ((name ?? 'sharegpt') === 'sharegpt') {
      if (optValue(opts, '--dataset-path') === null) {
        needShareGpt();
        addOption(
          'client',
          '--dataset-path',
          sharegptPath,
          name === null
            ? 'benchmark_serving.py defaults to the sharegpt dataset, which needs a path'
            : '--dataset-name sharegpt needs a path',
        );
      } else mapDatasetPath('--dataset-path');
    } else if (name === 'hf' || name === 'burstgpt' || name === 'custom') mapDatasetPath('--dataset-path');
    // port: client and server must agree
    const port = optValue(opts, '--port');
    if (port === null)
      addOption(
        'client',
        '--port',
        DEFAULT_PORT,
        'the server and the client must use the same port; stated, not left to defaults that changed between versions',
      );
    const serverPort = port ?? DEFAULT_PORT;
    const serverOpts = opts.filter((o) => o.side === 'server' || o.side === 'both');
    server = ['python3', '-m', 'vllm.entrypoints.openai.api_server'];
    if (!opts.some((o) => o.canonical === '--model') && model) server.push('--model', model);
    for (const o of serverOpts) server.push(...o.words);
    server.push('--port', serverPort);
    resolutions.push({
      what: "server: python3 -m vllm.entrypoints.openai.api_server with the command's engine options",
      why: 'a serving benchmark needs a running server; its options are those of the command that benchmark_serving.py does not take',
    });
  } else {
    for (const name of ['--dataset', '--dataset-path'])
      if (optValue(opts, name) !== null) mapDatasetPath(name);
  }

  const clientOpts = opts.filter((o) => o.side === 'client' || o.side === 'both');
  const client = [...launcherWords(p), ...clientOpts.flatMap((o) => o.words)];
  return {
    kind: p.kind,
    env: { ...p.env },
    server,
    client,
    model,
    tokenizer,
    extraModels,
    datasets,
    gpuCount,
    resolutions,
    findings,
  };
}
