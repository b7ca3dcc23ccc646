"""Latency benchmark for the toy RMSNorm layer, printing vLLM's benchmark_latency.py lines."""
import argparse
import json
import time

import torch

from engine.rmsnorm import rms_norm


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="demo-rmsnorm")
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--input-len", type=int, default=4096)
    parser.add_argument("--output-len", type=int, default=1)
    parser.add_argument("--dtype", default="bfloat16")
    parser.add_argument("--num-iters-warmup", type=int, default=20)
    parser.add_argument("--num-iters", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output-json", default=None)
    args = parser.parse_args()
    print(args)
    torch.manual_seed(args.seed)
    dtype = getattr(torch, args.dtype)
    x = torch.randn(args.batch_size, args.input_len, device="cuda", dtype=dtype)
    w = torch.randn(args.input_len, device="cuda", dtype=dtype)
    for _ in range(args.num_iters_warmup):
        rms_norm(x, w)
    torch.cuda.synchronize()
    latencies = []
    for _ in range(args.num_iters):
        torch.cuda.synchronize()
        start = time.perf_counter()
        rms_norm(x, w)
        torch.cuda.synchronize()
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    print(f"Avg latency: {sum(latencies) / len(latencies)} seconds")
    for p in (10, 25, 50, 75, 90, 99):
        k = (len(latencies) - 1) * p / 100
        lo = int(k)
        hi = min(lo + 1, len(latencies) - 1)
        print(f"{p}% percentile latency: {latencies[lo] + (latencies[hi] - latencies[lo]) * (k - lo)} seconds")
    if args.output_json:
        percentiles = {}
        for p in (10, 25, 50, 75, 90, 99):
            k = (len(latencies) - 1) * p / 100
            lo = int(k)
            hi = min(lo + 1, len(latencies) - 1)
            percentiles[str(p)] = latencies[lo] + (latencies[hi] - latencies[lo]) * (k - lo)
        with open(args.output_json, "w") as f:
            json.dump({"avg_latency": sum(latencies) / len(latencies), "latencies": latencies, "percentiles": percentiles}, f, indent=4)
    print(f"device: {torch.cuda.get_device_name()}")


if __name__ == "__main__":
    main()
