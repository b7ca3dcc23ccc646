"""Benchmark the latency of processing a single batch of requests (isobench's generated stand-in of
the era's client, written from the real one's options and output; no vLLM code)."""
import argparse
import dataclasses
import json
import time

import numpy as np

from vllm import LLM, SamplingParams
from vllm.engine.arg_utils import EngineArgs

try:
    from vllm.utils import FlexibleArgumentParser
except ImportError:
    FlexibleArgumentParser = argparse.ArgumentParser


def main(args):
    print(args)
    llm = LLM(**dataclasses.asdict(EngineArgs.from_cli_args(args)))
    params = SamplingParams(n=1, temperature=1.0, top_p=1.0, ignore_eos=True, max_tokens=args.output_len)
    prompts = [[1 + (i * 7 + j) % 3000 for j in range(args.input_len)] for i in range(args.batch_size)]

    def once():
        t0 = time.perf_counter()
        llm.generate(prompt_token_ids=prompts, sampling_params=params, use_tqdm=False)
        return time.perf_counter() - t0

    print("Warming up...")
    for _ in range(args.num_iters_warmup):
        once()
    latencies = np.array([once() for _ in range(args.num_iters)])
    percentages = [10, 25, 50, 75, 90, 99]
    percentiles = np.percentile(latencies, percentages)
    print(f"Avg latency: {np.mean(latencies)} seconds")
    for p, v in zip(percentages, percentiles):
        print(f"{p}% percentile latency: {v} seconds")
    if args.output_json:
        with open(args.output_json, "w") as f:
            json.dump({"avg_latency": float(np.mean(latencies)), "latencies": latencies.tolist(),
                       "percentiles": dict(zip(percentages, percentiles.tolist()))}, f, indent=4)


if __name__ == "__main__":
    parser = FlexibleArgumentParser(description="Benchmark the latency of processing a single batch of requests.")
    parser.add_argument("--input-len", type=int, default=32)
    parser.add_argument("--output-len", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--num-iters-warmup", type=int, default=10)
    parser.add_argument("--num-iters", type=int, default=30)
    parser.add_argument("--output-json", type=str, default=None)
    parser = EngineArgs.add_cli_args(parser)
    main(parser.parse_args())
