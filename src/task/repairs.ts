/**
 * Catalogue repairs: commits the published benchmark could not measure as published, made
 * measurable with a command the evidence supports (the PR author's own workload, an era model the
 * parent can load, the flag that puts the workload on the changed code). The importer uses a repair
 * in place of the published command and records it as a resolution with its reason and source, and
 * the repair's account of which changed code the workload reaches as a finding. Research behind each
 * (and the "maybe" and "no" verdicts, with their reasons): shared/docs/CATALOGUE-REPAIRS.md; each
 * repaired task must pass `tasks verify` on its real tree where one exists
 * (results/vllm-trees-verify/).
 */

/** One repair. */
export interface CatalogueRepair {
  /** the perf command that replaces the published one */
  readonly command: string;
  /** why the published command cannot stand and why this one does */
  readonly why: string;
  /** where the evidence is: the PR's text, a tree's file and line */
  readonly source: string;
  /** which changed code the workload executes, and how that was established */
  readonly reaches: string;
  /** the primary metric, where it is not the benchmark's default (the author's own measure) */
  readonly metric?: { readonly name: string; readonly unit: string; readonly direction: 'lower' | 'higher' };
}

const SHAREGPT = '/isobench/datasets/ShareGPT_V3_unfiltered_cleaned_split.json';
const TPOT = { name: 'tpot_mean', unit: 'ms', direction: 'lower' } as const;
const LLAMA2_ERA =
  'the parent predates Llama 3 (released 2024-04-18), so the era model is Llama 2; the published Llama 3.1 needs vLLM v0.5.3 (rope scaling "llama3")';
const LLAMA3_ERA =
  'Meta-Llama-3-8B-Instruct has no "llama3" rope scaling, so it loads at this commit; the published Llama 3.1 needs vLLM v0.5.3';

/** The repairs, by the human commit's short hash. */
export const CATALOGUE_REPAIRS: Readonly<Record<string, CatalogueRepair>> = {
  '2f192835': {
    command:
      'python benchmarks/benchmark_serving.py --model meta-llama/Llama-2-7b-chat-hf --enable-prefix-caching --num-prompts 1000',
    why: `${LLAMA2_ERA}; --enable-prefix-caching because the changed _is_last_block_full runs only with caching on`,
    source:
      'the diff (block_manager_v1.py _is_last_block_full); parent tree vllm_core-0012 block_manager_v1.py:354-358 (returns before calling it unless enable_caching) and :403 (_maybe_promote_last_block under "if self.enable_caching"); the flag in its arg_utils.py',
    reaches:
      "with prefix caching on, every decode step appends through BlockSpaceManagerV1.append_slots, which calls _is_last_block_full through _maybe_promote_last_block (tree vllm_core-0012 block_manager_v1.py:403 guard, :340 call), and _allocate_last_physical_block calls it whenever a new block is needed (:354-358); without caching neither call is made. Tree lines: the tree carries the original run's agent edits, which put the parent's lines one or two earlier",
  },
  '3476ed08': {
    command:
      'python benchmarks/benchmark_serving.py --model meta-llama/Meta-Llama-3-8B-Instruct --dtype float16 --num-prompts 300 --seed 0 --use-v2-block-manager',
    why: `${LLAMA3_ERA}; --use-v2-block-manager because 7 of the 12 runtime files changed are block-manager-v2 code, off by default at the parent`,
    source:
      'PR #5602 ("optimizes block_manager_v2 python logic to make it comparable to block_manager_v1"); parent tree vllm_core-0017 arg_utils.py:47 (use_v2_block_manager=False) and :340 (the flag); the importer\'s other published command for the rest',
    reaches:
      'with --use-v2-block-manager the scheduler allocates and appends through BlockSpaceManagerV2 and its block tables, the files the change optimises (tree 0017 arg_utils.py:47, :340)',
  },
  '6ce01f30': {
    command: `python benchmarks/benchmark_throughput.py --model meta-llama/Meta-Llama-3-8B-Instruct --dataset ${SHAREGPT} --num-prompts 1000`,
    why: "the published exclusion is the original's corrupted baseline image, not the task; the author measured benchmark_throughput at 413 tokens a request (a dataset run, not fixed lengths): ShareGPT through --dataset, where ISO-Bench's own 1024/256 rerun saw 9.18 -> 9.21 req/s",
    source:
      'PR text: "llama3 8B, 1xH100 Before: Throughput: 23.98 requests/s, 9914.65 tokens/s After: 24.52 requests/s, 10138.92 tokens/s"; parent tree vllm_core-0030 benchmarks/benchmark_throughput.py (--dataset)',
    reaches:
      'SequenceGroup.get_seqs, which the scheduler and the block manager call for the sequence groups of every step (at the parent, tree vllm_core-0030 with its agent edit reversed: 12 call sites in core/scheduler.py, 6 in core/block_manager_v1.py), and the detokenizer, among the changed files; a throughput run schedules every step through them',
  },
  '7c01f706': {
    command:
      'python benchmarks/benchmark_serving.py --model meta-llama/Meta-Llama-3-8B-Instruct --dtype float16 --num-prompts 300 --seed 0',
    why: `${LLAMA3_ERA}; the command is the importer's other published one`,
    source:
      'the diff (SequenceStatus.is_finished to an IntEnum); the commit date 2024-06-29; the other published command',
    reaches:
      "SequenceStatus.is_finished runs on every scheduler step of any serving run: the scheduler's free_finished_seq_groups checks each group (tree vllm_core-0037 core/scheduler.py:1029-1031), whose is_finished asks each sequence (sequence.py:556-557), as do get_unfinished_seqs and get_finished_seqs (:508, :512); tree lines, a few off the parent's (the tree carries the original run's agent edits)",
  },
  '9474e89b': {
    command: `python benchmarks/benchmark_throughput.py --backend vllm --model huggyllama/llama-7b --dataset ${SHAREGPT} --num-prompts 2000`,
    why: "the published benchmark_throughput_cache.py is the author's local script; its output lines are benchmark_throughput's, and the stock script takes --backend, --dataset and --num-prompts",
    source:
      'PR text: over 10 runs each, parent (ce4f5a2) "9.91 ... 10.08 requests/s", this PR "10.07 ... 10.22 requests/s"; tree vllm_core-0020 (the parent of 3a243095, five days later) benchmarks/benchmark_throughput.py',
    reaches:
      "the change matters with prefix caching off, the default of this command (no --enable-prefix-caching); established from the diff and the author's runs",
  },
  '9ed82e70': {
    command:
      'python benchmarks/benchmark_serving.py --model meta-llama/Meta-Llama-3-8B-Instruct --num-prompts 1000 --use-v2-block-manager --enable-prefix-caching',
    why: `${LLAMA3_ERA}; the block-table and prefix-caching fast paths changed need the v2 block manager with prefix caching`,
    source:
      'PR text ("Small performance improvements ... discovered during profiling"); trees vllm_core-0037 and -0041 (bracketing the parent) define both flags; tree 0041 scheduler.py:1001 calls get_common_computed_block_ids per group',
    reaches:
      'SequenceGroup._first_seq on the default path; with both flags, the scheduler calls get_common_computed_block_ids for every group each step (tree 0041 scheduler.py:1001)',
  },
  ad8d696a: {
    command:
      'python benchmarks/benchmark_throughput.py --model meta-llama/Meta-Llama-3-8B-Instruct --input-len 256 --output-len 256',
    why: `${LLAMA3_ERA}; the author's output is benchmark_throughput at exactly 512 tokens a request, and the same author states --input-len 256 --output-len 256 in d7740ea4 (an inference, not stated here)`,
    source:
      'PR text: "scheduler after fix Throughput: 10.77 requests/s, 5514.02 tokens/s ... before regression 11.37 requests/s, 5821.86 tokens/s"; d7740ea4\'s PR for the lengths',
    reaches:
      'the logger.debug f-strings the change removes are formatted in the scheduler on every step (they cost about 5%, per the research notes)',
  },
  d7740ea4: {
    command:
      'python benchmarks/benchmark_throughput.py --model meta-llama/Meta-Llama-3-8B-Instruct --input-len 256 --output-len 256',
    why: `${LLAMA3_ERA}; the workload is the author's own`,
    source:
      'PR text: "Throughput benchmark (--input-len 256 --output-len 256) Before: 23.84 requests/s ... After: 25.77 requests/s"',
    reaches: 'the author measured the gain with this very command; only the model changes',
  },
  ec3b5ce9: {
    command: `python benchmarks/benchmark_throughput.py --backend vllm --model meta-llama/Llama-2-7b-chat-hf --dataset ${SHAREGPT} --num-prompts 1000`,
    why: "the published serving client is too old for the harness; the offline throughput benchmark of the parent's own tree measures the same detokenization on every step",
    source:
      'PR text: "improved detokenization speed for 4096 tokens from 13ms to 2ms"; tree vllm_core-0004 (the parent of 21d93c14, 2023-12; this commit is from 2023-10): --dataset, the "Throughput: ... requests/s, ... tokens/s" output, sm 9.0 in NVIDIA_SUPPORTED_ARCHS',
    reaches:
      "the parent takes the slow detokenization path whenever the tokenizer's added_tokens_encoder is non-empty, true for LlamaTokenizerFast under the image's transformers pin, on every step",
  },
  fa63e710: {
    command:
      'VLLM_USE_V1=1 python benchmarks/benchmark_latency.py --model meta-llama/Meta-Llama-3-8B --tensor-parallel-size 1 --input-len 1000 --batch-size 32',
    why: "the published command loads the author's local path; the diff touches only vllm/v1, which is off unless VLLM_USE_V1=1 in this era (ISO-Bench's rerun without it: 3203.06 vs 3202.98 ms); the model is the other published source's",
    source:
      'PR text: "VLLM_USE_V1=1 python3 benchmarks/benchmark_latency.py --model ... --tensor-parallel-size 1 --input_len 1000 --batch_size 32 ... (1-2% e2e latency reduction)"; tree vllm_core-0016 (the parent of 3127e975, six days earlier) envs.py:460-461 (VLLM_USE_V1 defaults to "0")',
    reaches: 'with VLLM_USE_V1=1 the engine is the V1 engine, the only code the diff changes (vllm/v1)',
  },
  fb0acb6c: {
    command:
      'VLLM_USE_V1=1 python benchmarks/benchmark_throughput.py --model deepseek-ai/DeepSeek-V2-Lite --load-format dummy --trust-remote-code --input-len 3000 --output-len 1000 --num-prompts 50',
    why: "DeepSeek-R1 (671 GB) does not fit 8 H100; the PR's own small-model test runs DeepSeek-V2-Lite (31 GB, one GPU) through the same V1 MLA code. The author compared V1 with V0, so the human's gain comes from calibration",
    source:
      'PR text: "VLLM_USE_V1=1 python benchmarks/benchmark_throughput.py --model deepseek-ai/DeepSeek-V2-Lite --load-format dummy --trust-remote-code --input-len 3000 --output-len 1000 --num-prompts 50"',
    reaches:
      'DeepSeek-V2-Lite is an MLA model: under VLLM_USE_V1=1 its attention runs the V1 MLA backend the diff changes',
  },
  '379da6dc': {
    command:
      'python benchmarks/benchmark_serving.py --model meta-llama/Meta-Llama-3-70B-Instruct --tensor-parallel-size 4 --quantization fp8 --dataset-name sonnet --dataset-path benchmarks/sonnet.txt --sonnet-input-len 1000 --sonnet-output-len 50 --request-rate 1 --num-prompts 200',
    why: "the published command is invalid at the parent; the commit message's own workload (Llama 3 70B, fp8, TP 4, 1000 input and 50 output tokens at qps 1) through the parent's client, which has sonnet lengths but no --input-len; sonnet needs a chat template, so the Instruct checkpoint; this client reports no ITL, so mean TPOT stands in for the author's measure",
    source:
      'commit message: "benchmarks on llama3 70b (ITL numbers for 1000 input and 50 output tokens at fixed qps and at TP 4) ... qps = 1: 24 ms (FP8, this PR), 32 ms (FP8, previous main)"; parent tree vllm_core-0019 benchmarks/benchmark_serving.py (--dataset-name sonnet, --sonnet-input-len, --sonnet-output-len, --request-rate)',
    reaches:
      'the change is in the fp8 linear path, which every forward pass of an fp8-quantized model takes (--quantization fp8)',
    metric: TPOT,
  },
  '8aa1485f': {
    command:
      'python benchmarks/benchmark_serving.py --model meta-llama/Llama-4-Scout-17B-16E-Instruct --tensor-parallel-size 4 --max-model-len 16384 --trust-remote-code --num-prompts 100',
    why: "the published task was marked too large for one H100; the PR author's own command serves Llama-4-Scout on 4 (218 GB of weights, 54.5 GB a GPU), as the published gpu_config H100:4 did; the author's gain shows in TPOT",
    source:
      'PR text: "vllm serve meta-llama/Llama-4-Scout-17B-16E-Instruct -tp 4 --trust-remote-code --max-model-len 16384", enabled vs disabled TTFT 61.84 -> 58.69 ms, TPOT 28.46 -> 26.48 ms; the v5 rows (gpu_config H100:4)',
    reaches: "the author's own serving command, with which the PR measured the change",
    metric: TPOT,
  },
  b6d10354: {
    command:
      'python benchmarks/benchmark_latency.py --model meta-llama/Llama-2-70b-hf --dtype float16 --tensor-parallel-size 4 --input-len 128 --output-len 128 --batch-size 128 --num-iters 50',
    why: "the published TP 1 came from the author's MI300X run (a 192 GB card); on H100, Llama-2-70B's 138 GB of weights and the 128x256-token batch's KV cache need TP 4 (34.5 GB a GPU); this era has --num-iters but not --num-iters-warmup",
    source:
      'PR text (H100): "(input_len = output_len = batch_size = 128): Improves to 11.463s from 11.658s [1.7%]"; tree vllm_core-0020 (the parent of 3a243095, 2024-03-25; this commit is from 2024-03-30) benchmarks/benchmark_latency.py (--num-iters)',
    reaches:
      'the change is the RMSNorm CUDA kernel (csrc/layernorm_kernels.cu), run in every layer of every forward pass; the rebuild step compiles it',
  },
};

/** The research's verdict on a commit it could not repair, kept with the spec so the reason travels with it. */
export interface CatalogueVerdict {
  /** maybe: the workload could reach the change, but something is unverified; no: it cannot be measured */
  readonly verdict: 'maybe' | 'no';
  /** why, with the evidence (tree file and line, the PR's words) */
  readonly why: string;
  /** maybe: what would make it a repair (an image addition, a model download, a calibration run) */
  readonly needs?: string;
  /** maybe: the command the evidence proposes, H100 count in `gpus` */
  readonly command?: string;
  readonly gpus?: number;
}

/** The verdicts on the commits that stay not benchmarkable, by the human commit's short hash. */
export const CATALOGUE_VERDICTS: Readonly<Record<string, CatalogueVerdict>> = {
  '3a243095': {
    verdict: 'maybe',
    why: 'every step reaches the change (tree vllm_core-0020 sampler.py:78 calls _get_logprobs unconditionally) and that tree\'s throughput benchmark takes --input-len, but the author calls it "not a major improvement, just cleanup": the human gain may be zero',
    needs: 'a calibration run showing the human gain above noise',
    command:
      'python benchmarks/benchmark_throughput.py --model meta-llama/Llama-2-7b-hf --input-len 256 --output-len 256',
    gpus: 1,
  },
  '4fb56914': {
    verdict: 'maybe',
    why: 'DeepSeek-V3-0324 (671 GB) does not fit; the fused q/kv-a projection exists only with q_lora_rank set, which DeepSeek-V2-Chat has (1536) and V2-Lite lacks; V2-Chat in bf16 is 472 GB, 59 GB a GPU at TP 8. Author: TTFT 8290 -> 6918 ms on V3-0324',
    needs: 'a substitute model (472 GB download; the lent 8-GPU hosts have 235 GiB of disk) and 8 H100',
    command:
      'python benchmarks/benchmark_serving.py --model deepseek-ai/DeepSeek-V2-Chat --tensor-parallel-size 8 --trust-remote-code --dataset-name sharegpt --num-prompts 1000',
    gpus: 8,
  },
  '61b8cea3': {
    verdict: 'maybe',
    why: 'the author measured 76.14 -> 81.43 req/s on B200, where FlashInfer is the default backend; on H100 FlashAttention is the default (tree vllm_core-0026 platforms/cuda.py), so the change needs VLLM_ATTENTION_BACKEND=FLASHINFER',
    needs:
      "FlashInfer in the image (the parent's docker/Dockerfile builds FLASHINFER_GIT_REF v0.2.8; requirements/cuda.txt does not list it)",
    command:
      'VLLM_ATTENTION_BACKEND=FLASHINFER python benchmarks/benchmark_throughput.py --model meta-llama/Llama-3.2-3B-Instruct --dataset-name random --input-len 256 --output-len 128 --num-prompts 64 --seed 42',
    gpus: 1,
  },
  ac45c44d: {
    verdict: 'maybe',
    why: 'the change applies only to block-fp8 models under DeepEP high-throughput (DeepSeek-V2 in bf16 never reaches it); the author reported gsm8k only, no speed',
    needs:
      "DeepEP, NVSHMEM and DeepGEMM in the image (the tree's tools/ep_kernels/install_python_libraries.sh pulls an unpinned DeepEP) and 2 H100",
    command:
      'VLLM_ALL2ALL_BACKEND=deepep_high_throughput VLLM_USE_DEEP_GEMM=1 python benchmarks/benchmark_serving.py --model Qwen/Qwen3-30B-A3B-FP8 --trust-remote-code --enable-expert-parallel --data-parallel-size 2 --no-enable-prefix-caching',
    gpus: 2,
  },
  bfdb1ba5: {
    verdict: 'maybe',
    why: "only the absolute path is wrong, the command is the author's; but the big gain (5 prompt logprobs, 2.133 s -> 0.362 s) needs logprobs, which the stock benchmark_latency.py never asks for, and the author's nearest case moved 0.292 -> 0.287 s",
    needs: 'a calibration run: expect 1-2% at most',
    command:
      'python benchmarks/benchmark_latency.py --model meta-llama/Llama-2-7b-chat-hf --batch-size 1 --output-len 2 --input-len 1000 --num-iters 30',
    gpus: 1,
  },
  d55e446d: {
    verdict: 'maybe',
    why: 'EAGLE bookkeeping ("Saves ~50us time per iteration on Llama3 8b w/ bs=2"): about 0.6% of an iteration; it needs --speculative-config (tree vllm_core-0036 arg_utils.py:782, 13 days after the parent) and the EAGLE head of the tree\'s own tests (tests/v1/e2e/test_spec_decode.py:57)',
    needs: 'the EAGLE head in the prefetch, and a calibration run (likely within noise)',
    command:
      'python benchmarks/benchmark_latency.py --model meta-llama/Llama-3.1-8B-Instruct --speculative-config \'{"method":"eagle","model":"yuhuili/EAGLE-LLaMA3.1-Instruct-8B","num_speculative_tokens":2}\' --max-model-len 2048 --batch-size 2 --input-len 128 --output-len 256',
    gpus: 1,
  },
  e7523c2e: {
    verdict: 'maybe',
    why: 'the change matters only in FlashInfer sampling with both top-k and top-p, which gemma-3-12b-it\'s generation_config supplies (generation_config "auto" in this era: tree vllm_core-0036 config.py:398); author: 619.43 -> 630.47 tok/s (1.75%)',
    needs:
      'FlashInfer in the image (the Dockerfile installs a 0.2.5 wheel; without it the diff is dead code)',
    command:
      'VLLM_USE_FLASHINFER_SAMPLER=1 python benchmarks/benchmark_serving.py --backend openai-chat --model google/gemma-3-12b-it --endpoint /v1/chat/completions --dataset-name hf --dataset-path lmarena-ai/VisionArena-Chat --hf-split train --num-prompts 1000 --max-model-len 32768',
    gpus: 1,
  },
  '0d243f2a': {
    verdict: 'no',
    why: 'it changes only AMD Instinct MI300X MoE config JSONs, never read on H100',
  },
  '21d93c14': {
    verdict: 'no',
    why: 'no checkpoint loads in both versions: the parent forces load_format "pt" and needs megablocks/stanford-stk (not in requirements.txt), and the human raises "the \'pt\' format is not supported for Mixtral"',
  },
  '2a052011': {
    verdict: 'no',
    why: 'a capability, not a speed-up: the fp8 checkpoint cannot load at the parent (no weight_scale loader), and with a 16-bit checkpoint plus online fp8 the forward pass is unchanged apart from renames',
  },
  '3127e975': { verdict: 'no', why: 'it changes CI files only' },
  '526de822': {
    verdict: 'no',
    why: 'triton_scaled_mm is called only under current_platform.is_rocm() (tree vllm_core-0024 _custom_ops.py:479)',
  },
  '6a417b86': { verdict: 'no', why: 'it changes neuron_worker.py only' },
  '6d0734c5': {
    verdict: 'no',
    why: 'a new SM100 TRT-LLM MoE path behind VLLM_USE_FLASHINFER_MOE_FP8; the default path is unchanged',
  },
  '7661e92e': {
    verdict: 'no',
    why: 'it swaps MergedColumnParallelLinear for a single-output ColumnParallelLinear with the same forward pass and claims no speed; Nemotron-4-340B does not use nemotron_h.py',
  },
  '80aa7e91': {
    verdict: 'no',
    why: 'the Torch SDPA backend asserts is_cpu() (tree vllm_core-0038 selector.py:62)',
  },
  '89a84b0b': {
    verdict: 'no',
    why: 'the padding path runs only "if do_penalties" (tree vllm_core-0037 sampling_metadata.py:419), and no benchmark of the parent sends penalties (none in tree vllm_core-0041 benchmarks/)',
  },
  '8a4e5c5f': {
    verdict: 'no',
    why: 'it needs a prefill/decode topology (two instances and a proxy, the proxy script itself changed); no numbers',
  },
  '8bc68e19': {
    verdict: 'no',
    why: 'the tensorizer load path and a package bump; load time is not measured',
  },
  '9323a315': {
    verdict: 'no',
    why: 'it adds the xgrammar backend; the parent has no guided-decoding benchmark (tree vllm_core-0047 has no benchmark_guided.py) and the author used "the benchmark scripts from #10557"',
  },
  baeded25: {
    verdict: 'no',
    why: 'the 671 GB fp8 model exceeds 8 H100 (640 GB); on smaller models fp8 MLA is a new capability, not a speed-up',
  },
  c45f3c3a: {
    verdict: 'no',
    why: 'benchmark/benchmark_latency.py is added by this very commit (the parent has no benchmark; a cacheflow-era tree)',
  },
  ca7a2d5f: {
    verdict: 'no',
    why: 'a revert that restores correctness (gsm8k 0.06 -> 0.77): no speed-up to reproduce',
  },
  ccf02fcb: {
    verdict: 'no',
    why: 'a revert that restores correctness (gsm8k 0 -> 0.22/0.32): no speed-up to reproduce',
  },
  ce6bf3a2: { verdict: 'no', why: 'the new compilation/wrapper.py is used only by tpu_model_runner' },
  cf2f084d: {
    verdict: 'no',
    why: '--scheduler-delay-factor defaults to 0.0 and does not exist at the parent',
  },
  d4bc1a4d: { verdict: 'no', why: 'a 2023 cacheflow feature addition with no PR' },
  dae68969: {
    verdict: 'no',
    why: 'DeepSeek-R1 does not fit 8 H100, and the commit broke DeepSeek accuracy: #14471 reverted it (gsm8k 0.06 with it, 0.77 without)',
  },
  ed250545: {
    verdict: 'no',
    why: 'microsecond-level block-pool operations; only benchmarks/kv_cache/benchmark_block_pool.py isolates them, a microbenchmark isobench has no kind for',
  },
  f26c4aee: {
    verdict: 'no',
    why: 'it speeds up Ray initialisation (author: "~18 seconds ... ~9 seconds"), which happens before timing starts; the published rerun measured 1372.7 vs 1379.2 ms',
  },
};
