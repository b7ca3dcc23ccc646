"""Latency benchmark for the toy sampler, printing vLLM's benchmark_latency.py lines."""
import argparse
import json
import time

from engine.sampler import generate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="demo-sampler")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--input-len", type=int, default=32)
    parser.add_argument("--output-len", type=int, default=16)
    parser.add_argument("--vocab-size", type=int, default=20000)
    parser.add_argument("--top-k", type=int, default=8)
    parser.add_argument("--num-iters-warmup", type=int, default=1)
    parser.add_argument("--num-iters", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output-json", default=None)
    args = parser.parse_args()
    print(args)
    for i in range(args.num_iters_warmup):
        generate(args.batch_size, args.output_len, args.vocab_size, args.top_k, args.seed + i)
    latencies = []
    for i in range(args.num_iters):
        start = time.perf_counter()
        generate(args.batch_size, args.output_len, args.vocab_size, args.top_k, args.seed + 1000 + i)
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    percentiles = {}
    for p in (10, 25, 50, 75, 90, 99):
        k = (len(latencies) - 1) * p / 100
        lo = int(k)
        hi = min(lo + 1, len(latencies) - 1)
        percentiles[p] = latencies[lo] + (latencies[hi] - latencies[lo]) * (k - lo)
    avg = sum(latencies) / len(latencies)
    print(f"Avg latency: {avg} seconds")
    for p, value in percentiles.items():
        print(f"{p}% percentile latency: {value} seconds")
    if args.output_json:
        with open(args.output_json, "w") as f:
            json.dump({"avg_latency": avg, "latencies": latencies, "percentiles": {str(p): v for p, v in percentiles.items()}}, f, indent=4)

if __name__ == "__main__":
    main()
