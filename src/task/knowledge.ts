/**
 * Facts the importer and validator need that cannot be read off the published task files: model
 * sizes, the vLLM version that first loads a model family, and the published benchmark's own
 * exclusions. Every fact names where it comes from.
 */
import type { NotBenchmarkableReason } from './schema.js';

/** Usable memory of one H100 for weights, in GB (80 GB card, vLLM's default 0.9 utilisation). */
export const H100_WEIGHT_BUDGET_GB = 72;

/** Size of a model's weights: parameters (billions) and bytes per parameter as published. */
export interface ModelFacts {
  readonly paramsB: number;
  readonly bytesPerParam: 1 | 2 | 4;
}

/** Parameter counts from the models' Hugging Face model cards; FP8 checkpoints store one byte a parameter. */
export const MODEL_FACTS: Readonly<Record<string, ModelFacts>> = {
  'facebook/opt-125m': { paramsB: 0.125, bytesPerParam: 2 },
  'facebook/opt-13b': { paramsB: 13, bytesPerParam: 2 },
  'meta-llama/Llama-3.1-8B-Instruct': { paramsB: 8.03, bytesPerParam: 2 },
  'meta-llama/Meta-Llama-3-8B': { paramsB: 8.03, bytesPerParam: 2 },
  'meta-llama/Meta-Llama-3-8B-Instruct': { paramsB: 8.03, bytesPerParam: 2 },
  'meta-llama/Llama-3.2-1B-Instruct': { paramsB: 1.24, bytesPerParam: 2 },
  'meta-llama/Llama-3.2-3B-Instruct': { paramsB: 3.21, bytesPerParam: 2 },
  'meta-llama/Meta-Llama-3-70B': { paramsB: 70.6, bytesPerParam: 2 },
  'meta-llama/Meta-Llama-3-70B-Instruct': { paramsB: 70.6, bytesPerParam: 2 },
  'meta-llama/Llama-2-70b-hf': { paramsB: 69, bytesPerParam: 2 },
  'meta-llama/Llama-2-7b-chat-hf': { paramsB: 6.74, bytesPerParam: 2 },
  'meta-llama/Llama-4-Scout-17B-16E-Instruct': { paramsB: 109, bytesPerParam: 2 },
  'RedHatAI/Llama-4-Scout-17B-16E-Instruct-FP8-dynamic': { paramsB: 109, bytesPerParam: 1 },
  'neuralmagic/Meta-Llama-3-8B-Instruct-FP8': { paramsB: 8.03, bytesPerParam: 1 },
  'RedHatAI/Meta-Llama-3-8B-Instruct-FP8': { paramsB: 8.03, bytesPerParam: 1 },
  'huggyllama/llama-7b': { paramsB: 6.74, bytesPerParam: 2 },
  'Qwen/Qwen2.5-7B-Instruct': { paramsB: 7.62, bytesPerParam: 2 },
  'Qwen/Qwen2.5-1.5B-Instruct': { paramsB: 1.54, bytesPerParam: 2 },
  'Qwen/Qwen3-1.7B': { paramsB: 2.03, bytesPerParam: 2 },
  'Qwen/Qwen3-30B-A3B': { paramsB: 30.5, bytesPerParam: 2 },
  'Qwen/Qwen3-30B-A3B-FP8': { paramsB: 30.5, bytesPerParam: 1 },
  'Qwen/Qwen2-VL-7B': { paramsB: 8.29, bytesPerParam: 2 },
  'Qwen/Qwen2.5-VL-3B-Instruct': { paramsB: 3.75, bytesPerParam: 2 },
  'Qwen/Qwen1.5-0.5B': { paramsB: 0.62, bytesPerParam: 2 },
  'mistralai/Mixtral-8x7B-Instruct-v0.1': { paramsB: 46.7, bytesPerParam: 2 },
  'mistralai/Mixtral-8x7B-v0.1': { paramsB: 46.7, bytesPerParam: 2 },
  'nm-testing/Mixtral-8x7B-Instruct-v0.1-FP8': { paramsB: 46.7, bytesPerParam: 1 },
  'mistralai/Mistral-7B-Instruct-v0.3': { paramsB: 7.25, bytesPerParam: 2 },
  'ibm-ai-platform/Bamba-9B': { paramsB: 9.78, bytesPerParam: 2 },
  'ibm-ai-platform/Bamba-9B-v2': { paramsB: 9.78, bytesPerParam: 2 },
  'deepseek-ai/DeepSeek-V3': { paramsB: 671, bytesPerParam: 1 },
  'deepseek-ai/DeepSeek-V3-0324': { paramsB: 671, bytesPerParam: 1 },
  'deepseek-ai/DeepSeek-R1': { paramsB: 671, bytesPerParam: 1 },
  'deepseek-ai/DeepSeek-V2': { paramsB: 236, bytesPerParam: 2 },
  'deepseek-ai/DeepSeek-V2-Lite': { paramsB: 15.7, bytesPerParam: 2 },
  'deepseek-ai/DeepSeek-V2-Lite-Chat': { paramsB: 15.7, bytesPerParam: 2 },
  'deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct': { paramsB: 15.7, bytesPerParam: 2 },
  'nvidia/Nemotron-4-340B-Instruct': { paramsB: 341, bytesPerParam: 2 },
  'google/gemma-2b': { paramsB: 2.51, bytesPerParam: 2 },
  'google/gemma-3-12b-it': { paramsB: 12.2, bytesPerParam: 2 },
  '01-ai/Yi-1.5-9B-Chat': { paramsB: 8.83, bytesPerParam: 2 },
  'microsoft/phi-1_5': { paramsB: 1.42, bytesPerParam: 2 },
};

/**
 * Model names published in perf commands that name no Hugging Face repository, and the repository
 * meant. The rename is a recorded resolution of the task (never silent).
 */
export const MODEL_RENAMES: Readonly<Record<string, { readonly to: string; readonly why: string }>> = {
  'meta-llama/Llama-3-8B-Instruct': {
    to: 'meta-llama/Meta-Llama-3-8B-Instruct',
    why: 'no Hugging Face repository is named meta-llama/Llama-3-8B-Instruct: Meta published Llama 3 8B Instruct as meta-llama/Meta-Llama-3-8B-Instruct (only from Llama 3.1 on do the names drop "Meta-"); the published command cannot load its model as written',
  },
};

/**
 * Online (dynamic) quantization to fp8 of a 16-bit checkpoint (`--quantization fp8` on a bf16 or fp16
 * model): vLLM loads the 16-bit weights onto the GPU and quantizes them once loading is done (the
 * quantization method's `process_weights_after_loading`), so the peak holds the 16-bit weights.
 */
export const ONLINE_FP8_PEAK_BYTES = 2;

/** A model family that vLLM can load only from some date on. */
export interface ModelSupport {
  readonly pattern: RegExp;
  /** First vLLM release that loads it, and its date (commits before it cannot run the model). */
  readonly since: { readonly version: string; readonly date: string };
  readonly why: string;
}

/** Model families whose loading needs a vLLM newer than some task commits. */
export const MODEL_SUPPORT: readonly ModelSupport[] = [
  {
    pattern: /^meta-llama\/Llama-3\.[12]-/,
    since: { version: 'v0.5.3', date: '2024-07-23' },
    why: 'Llama 3.1/3.2 configs use rope_scaling type "llama3", which vLLM reads from v0.5.3 on; older commits fail with "Unknown RoPE scaling type llama3" (the ISO-Bench card lists 7 such commits)',
  },
];

/** A commit the published benchmark excluded or could not run, with its reason. */
export interface PublishedExclusion {
  readonly reason: NotBenchmarkableReason;
  readonly detail: string;
  readonly source: string;
  /** whether the card's 43-commit comparison leaves the commit out (its 9 wrong commands and 1 data issue) */
  readonly inCardExclusions: boolean;
}

const CARD = 'ISO-Bench dataset card (Inferencebench/claude-code-vllm-benchmarks README, 2026-01-19)';
const ANALYSIS =
  "ISO-Bench authors' Claude Code analysis (44 commits, 2026-01-16), section 'Commits Excluded (Wrong Perf Command)'; the card counts these as '9 with wrong perf command'";

function wrongCommand(why: string): PublishedExclusion {
  return {
    reason: 'workload_misses_change',
    detail: `excluded by the original as a wrong perf command: ${why}`,
    source: ANALYSIS,
    inCardExclusions: true,
  };
}

/**
 * The published benchmark's own exclusions. The card's 43-commit comparison drops the 9 "wrong perf
 * command" commits and 1 "documented data issue"; it also names accuracy-only and TPU-only commits.
 * The texts after the colon are isobench's reading of why, from the commit's subject and files.
 */
export const PUBLISHED_EXCLUSIONS: Readonly<Record<string, PublishedExclusion>> = {
  ed250545: wrongCommand(
    'the change is in V1 KV-cache block bookkeeping, which a default serving run barely exercises',
  ),
  '8a4e5c5f': wrongCommand(
    'the change is in the P2P NCCL connector for disaggregated prefill/decode, which single-server serving never loads',
  ),
  f26c4aee: wrongCommand(
    'the change speeds up Ray worker initialisation, which the latency benchmark does not time',
  ),
  '6d0734c5': wrongCommand(
    'the change adds an SM100 (Blackwell) FlashInfer MoE path that an H100 never takes',
  ),
  '61b8cea3': wrongCommand(
    'the change is in the FlashInfer attention metadata builder, which the default backend of the command does not use',
  ),
  cf2f084d: wrongCommand(
    'the change adds a scheduler delay factor that is off unless --scheduler-delay-factor is given',
  ),
  '80aa7e91': wrongCommand('the change optimises the Intel CPU backend, which a GPU run never uses'),
  ca7a2d5f: wrongCommand('the commit reverts an optimisation; there is no speed-up to reproduce'),
  '8bc68e19': wrongCommand(
    'the change is in tensorizer model loading, which the serving command does not use',
  ),
  '6ce01f30': {
    reason: 'original_data_issue',
    detail:
      "excluded by the original as its 'documented data issue': the baseline image's Python environment was corrupted (ModuleNotFoundError for transformers). isobench builds its own images, so the task may be re-enabled once calibrated on them",
    source: CARD,
    inCardExclusions: true,
  },
  ccf02fcb: {
    reason: 'accuracy_only',
    detail:
      'a revert validated with lm_eval on ibm-ai-platform/Bamba-9B (an accuracy test), not a speed benchmark',
    source: CARD,
    inCardExclusions: false,
  },
  ce6bf3a2: {
    reason: 'non_h100_hardware',
    detail:
      'a TPU-specific optimisation (benchmark_throughput.py on a TPU with google/gemma-2b); it cannot be measured on a GPU',
    source: CARD,
    inCardExclusions: false,
  },
  e7523c2e: {
    reason: 'original_data_issue',
    detail:
      "the card keeps the baseline failed on purpose: google/gemma-3-12b-it needs its 131K context and the parent commit can allocate KV cache for about 50K tokens on an H100; shortening --max-model-len for the baseline would help it in a way the human's version did not need",
    source: CARD,
    inCardExclusions: false,
  },
};

/** Hardware other than NVIDIA Hopper named in commit subjects. */
export const FOREIGN_HARDWARE_SUBJECT =
  /\[(?:TPU|ROCm|ROCM|AMD|CPU|XPU|HPU|Gaudi|Neuron|Hardware\]\[(?:Intel|AMD|TPU))\]|\bneuron\b|\bmi300\b|\bTPU\b/i;

/** Subjects that target NVIDIA Blackwell only. */
export const BLACKWELL_SUBJECT = /\b(?:SM100|sm_100|Blackwell|B200|GB200)\b/;

/** Repository paths specific to hardware other than NVIDIA GPUs. */
export const FOREIGN_HARDWARE_PATH =
  /(?:^|[/_.=-])(?:tpu|rocm|hip|neuron|xpu|hpu|cpu|ipex|openvino|mi300x?|AMD_Instinct[^/]*)(?:[/_.,=-]|$)/i;

/** Paths that do not affect what runs at inference: tests, docs, CI, packaging. */
export const NON_RUNTIME_PATH =
  /^(?:tests?\/|docs?\/|\.buildkite\/|\.github\/|benchmarks\/|examples\/)|(?:^|\/)(?:README[^/]*|Dockerfile[^/]*|requirements[^/]*|setup\.py)$|\.(?:md|rst|txt)$/;
