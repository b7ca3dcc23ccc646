"""Serving benchmark for the toy engine, printing vLLM's "Serving Benchmark Result" block."""
import argparse
import json
import os
import random
import statistics
import threading
import time
import http.client


def sample_prompts(n, input_len, seed):
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz "
    return ["".join(rng.choice(letters) for _ in range(input_len * 4)) for _ in range(n)]


def one_request(host, port, model, prompt, output_len, out):
    start = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=600)
    body = json.dumps({"model": model, "prompt": prompt, "max_tokens": output_len, "stream": True})
    conn.request("POST", "/v1/completions", body=body, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    ttft = None
    itl = []
    last = start
    tokens = 0
    buf = b""
    while True:
        chunk = resp.read1(65536)
        if not chunk:
            break
        buf += chunk
        while b"\n\n" in buf:
            event, buf = buf.split(b"\n\n", 1)
            line = event.decode().strip()
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            data = json.loads(line[6:])
            if not data.get("choices"):
                continue
            now = time.perf_counter()
            if ttft is None:
                ttft = now - start
            else:
                itl.append(now - last)
            last = now
            tokens += 1
    conn.close()
    latency = time.perf_counter() - start
    out.append({"ok": resp.status == 200 and ttft is not None, "ttft": ttft or 0.0, "itl": itl, "latency": latency,
                "output_tokens": tokens, "prompt_len": len(prompt) // 4})


def pct(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", default="vllm")
    parser.add_argument("--model", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--dataset-name", default="random")
    parser.add_argument("--num-prompts", type=int, default=16)
    parser.add_argument("--random-input-len", type=int, default=1024)
    parser.add_argument("--random-output-len", type=int, default=32)
    parser.add_argument("--max-concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save-result", action="store_true")
    parser.add_argument("--result-dir", default=None)
    parser.add_argument("--result-filename", default=None)
    args = parser.parse_args()
    print(args)
    prompts = sample_prompts(args.num_prompts, args.random_input_len, args.seed)
    results = []
    sem = threading.Semaphore(args.max_concurrency)

    def run(p):
        with sem:
            one_request(args.host, args.port, args.model, p, args.random_output_len, results)

    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(p,)) for p in prompts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.perf_counter() - start
    ok = [r for r in results if r["ok"]]
    ttfts = [r["ttft"] * 1000 for r in ok]
    tpots = [((r["latency"] - r["ttft"]) / (r["output_tokens"] - 1)) * 1000 for r in ok if r["output_tokens"] > 1]
    itls = [x * 1000 for r in ok for x in r["itl"]]
    out_tokens = sum(r["output_tokens"] for r in ok)
    in_tokens = sum(r["prompt_len"] for r in ok)
    print("{s:{c}^{n}}".format(s=" Serving Benchmark Result ", n=50, c="="))
    print("{:<40} {:<10}".format("Successful requests:", len(ok)))
    print("{:<40} {:<10.2f}".format("Benchmark duration (s):", duration))
    print("{:<40} {:<10}".format("Total input tokens:", in_tokens))
    print("{:<40} {:<10}".format("Total generated tokens:", out_tokens))
    print("{:<40} {:<10.2f}".format("Request throughput (req/s):", len(ok) / duration))
    print("{:<40} {:<10.2f}".format("Output token throughput (tok/s):", out_tokens / duration))
    print("{:<40} {:<10.2f}".format("Total Token throughput (tok/s):", (in_tokens + out_tokens) / duration))
    print("{s:{c}^{n}}".format(s="Time to First Token", n=50, c="-"))
    print("{:<40} {:<10.2f}".format("Mean TTFT (ms):", statistics.mean(ttfts) if ttfts else 0.0))
    print("{:<40} {:<10.2f}".format("Median TTFT (ms):", statistics.median(ttfts) if ttfts else 0.0))
    print("{:<40} {:<10.2f}".format("P99 TTFT (ms):", pct(ttfts, 99)))
    print("{s:{c}^{n}}".format(s="Time per Output Token (excl. 1st token)", n=50, c="-"))
    print("{:<40} {:<10.2f}".format("Mean TPOT (ms):", statistics.mean(tpots) if tpots else 0.0))
    print("{:<40} {:<10.2f}".format("Median TPOT (ms):", statistics.median(tpots) if tpots else 0.0))
    print("{:<40} {:<10.2f}".format("P99 TPOT (ms):", pct(tpots, 99)))
    print("{s:{c}^{n}}".format(s="Inter-token Latency", n=50, c="-"))
    print("{:<40} {:<10.2f}".format("Mean ITL (ms):", statistics.mean(itls) if itls else 0.0))
    print("{:<40} {:<10.2f}".format("Median ITL (ms):", statistics.median(itls) if itls else 0.0))
    print("{:<40} {:<10.2f}".format("P99 ITL (ms):", pct(itls, 99)))
    print("=" * 50)
    if args.save_result:
        result = {
            "backend": args.backend,
            "model_id": args.model,
            "num_prompts": args.num_prompts,
            "duration": duration,
            "completed": len(ok),
            "total_input_tokens": in_tokens,
            "total_output_tokens": out_tokens,
            "request_throughput": len(ok) / duration,
            "output_throughput": out_tokens / duration,
            "total_token_throughput": (in_tokens + out_tokens) / duration,
        }
        for name, values in (("ttft", ttfts), ("tpot", tpots), ("itl", itls)):
            result[f"mean_{name}_ms"] = statistics.mean(values) if values else 0.0
            result[f"median_{name}_ms"] = statistics.median(values) if values else 0.0
            result[f"p99_{name}_ms"] = pct(values, 99)
        name = args.result_filename or f"{args.backend}-{args.model}.json"
        path = os.path.join(args.result_dir, name) if args.result_dir else name
        with open(path, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
