# The measuring part of the generated trees' benchmark_serving.py (isobench's own stand-in of a
# serving client, written from the real clients' output format; no vLLM code): the ShareGPT prompts
# through the model's tokenizer, streamed completions at --request-rate, and vLLM's result block on
# stdout and, with --save-result, its JSON (GOODPUT_KEY: the era's spelling, or None for none).


def main(args):
    import asyncio
    import json
    import os
    import random
    import time

    import aiohttp
    import numpy as np
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(args.tokenizer or args.model)
    path = getattr(args, "dataset_path", None) or getattr(args, "dataset", None)
    data = json.load(open(path))
    random.seed(args.seed)
    random.shuffle(data)
    requests = []
    for conv in data:
        if len(requests) >= args.num_prompts:
            break
        turns = conv.get("conversations") or []
        if len(turns) < 2:
            continue
        prompt, answer = turns[0]["value"], turns[1]["value"]
        plen, olen = len(tok(prompt).input_ids), len(tok(answer).input_ids)
        if plen < 4 or olen < 4 or plen > 1024 or plen + olen > 2048:
            continue
        requests.append((prompt, plen, olen))
    url = "http://%s:%d%s" % (args.host, args.port, args.endpoint)

    async def one(session, prompt, olen):
        body = {"model": args.model, "prompt": prompt, "max_tokens": olen, "stream": True, "ignore_eos": True}
        start = time.perf_counter()
        ttft, last, itl, text = None, start, [], ""
        async with session.post(url, json=body) as r:
            if r.status != 200:
                return None
            async for raw in r.content:
                line = raw.decode().strip()
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                now = time.perf_counter()
                piece = json.loads(line[6:])["choices"][0]["text"]
                if ttft is None:
                    ttft = now - start
                else:
                    itl.append(now - last)
                last, text = now, text + piece
        return ttft, last - start, itl, len(tok(text).input_ids)

    async def run():
        conn = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=conn, timeout=aiohttp.ClientTimeout(total=6 * 3600)) as s:
            tasks = []
            for prompt, _, olen in requests:
                tasks.append(asyncio.create_task(one(s, prompt, olen)))
                if args.request_rate != float("inf"):
                    await asyncio.sleep(np.random.exponential(1.0 / args.request_rate))
            return await asyncio.gather(*tasks)

    t0 = time.perf_counter()
    outs = asyncio.run(run())
    duration = time.perf_counter() - t0
    done = [(o, r) for o, r in zip(outs, requests) if o is not None]
    ttfts = [o[0] * 1000 for o, _ in done]
    tpots = [(o[1] - o[0]) / (o[3] - 1) * 1000 for o, _ in done if o[3] > 1]
    itls = [x * 1000 for o, _ in done for x in o[2]]
    inp = sum(r[1] for _, r in done)
    gen = sum(o[3] for o, _ in done)
    res = {
        "duration": duration,
        "completed": len(done),
        "total_input_tokens": inp,
        "total_output_tokens": gen,
        "request_throughput": len(done) / duration,
        "output_throughput": gen / duration,
        "total_token_throughput": (inp + gen) / duration,
    }
    if GOODPUT_KEY:
        res[GOODPUT_KEY] = None
    print("{s:{c}^{n}}".format(s=" Serving Benchmark Result ", n=50, c="="))
    print("{:<40} {:<10}".format("Successful requests:", len(done)))
    print("{:<40} {:<10.2f}".format("Benchmark duration (s):", duration))
    print("{:<40} {:<10}".format("Total input tokens:", inp))
    print("{:<40} {:<10}".format("Total generated tokens:", gen))
    print("{:<40} {:<10.2f}".format("Request throughput (req/s):", res["request_throughput"]))
    print("{:<40} {:<10.2f}".format("Output token throughput (tok/s):", res["output_throughput"]))
    print("{:<40} {:<10.2f}".format("Total Token throughput (tok/s):", res["total_token_throughput"]))
    for key, name, header, vals in (
        ("ttft", "TTFT", "Time to First Token", ttfts),
        ("tpot", "TPOT", "Time per Output Token (excl. 1st token)", tpots),
        ("itl", "ITL", "Inter-token Latency", itls),
    ):
        vals = vals or [0.0]
        res["mean_%s_ms" % key] = float(np.mean(vals))
        res["median_%s_ms" % key] = float(np.median(vals))
        res["std_%s_ms" % key] = float(np.std(vals))
        res["p99_%s_ms" % key] = float(np.percentile(vals, 99))
        print("{s:{c}^{n}}".format(s=header, n=50, c="-"))
        print("{:<40} {:<10.2f}".format("Mean %s (ms):" % name, res["mean_%s_ms" % key]))
        print("{:<40} {:<10.2f}".format("Median %s (ms):" % name, res["median_%s_ms" % key]))
        print("{:<40} {:<10.2f}".format("P99 %s (ms):" % name, res["p99_%s_ms" % key]))
    print("=" * 50)
    if args.save_result:
        with open(os.path.join(args.result_dir or ".", args.result_filename), "w") as f:
            json.dump(res, f)
