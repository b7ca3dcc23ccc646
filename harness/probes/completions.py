"""Correctness probe for serving tasks: sends a fixed prompt set to a running server's
/v1/completions with greedy decoding (temperature 0, fixed seed and max tokens, top-k logprobs) and
writes one JSON line per prompt: {"id", "text", "tokens", "topLogprobs"}. Standard library only."""
import argparse, json, sys, urllib.error, urllib.request


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--prompts", required=True, help="a JSON file holding a list of prompts")
    ap.add_argument("--max-tokens", type=int, required=True)
    ap.add_argument("--logprobs", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    prompts = json.load(open(a.prompts))
    with open(a.out, "w") as out:
        for i, prompt in enumerate(prompts):
            body = {"model": a.model, "prompt": prompt, "max_tokens": a.max_tokens, "temperature": 0, "seed": a.seed, "stream": False}
            if a.logprobs:
                body["logprobs"] = a.logprobs
            req = urllib.request.Request(f"http://127.0.0.1:{a.port}/v1/completions", data=json.dumps(body).encode(),
                                         headers={"content-type": "application/json"}, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=600) as r:
                    resp = json.loads(r.read())
            except urllib.error.HTTPError as e:
                print(f"prompt {i}: HTTP {e.code}: {e.read()[:500]!r}", file=sys.stderr)
                return 1
            except Exception as e:
                print(f"prompt {i}: {e}", file=sys.stderr)
                return 1
            choice = resp["choices"][0]
            lp = choice.get("logprobs") or {}
            rec = {"id": f"prompt-{i}", "text": choice.get("text", "")}
            if lp.get("tokens") is not None:
                rec["tokens"] = lp["tokens"]
                rec["topLogprobs"] = lp.get("top_logprobs")
            out.write(json.dumps(rec) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
