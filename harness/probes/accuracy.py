"""Accuracy probe for serving tasks: asks a running server each question of a local dataset (JSON
lines {"question", "answer"}) with greedy decoding and writes {"id", "text"} per question. The
scoring (exact answer match) is isobench's own. Standard library only."""
import argparse, json, sys, urllib.error, urllib.request


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    items = [json.loads(l) for l in open(a.dataset) if l.strip()]
    with open(a.out, "w") as out:
        for i, item in enumerate(items):
            body = {"model": a.model, "prompt": item["question"], "max_tokens": a.max_tokens, "temperature": 0, "seed": 0, "stream": False}
            req = urllib.request.Request(f"http://127.0.0.1:{a.port}/v1/completions", data=json.dumps(body).encode(),
                                         headers={"content-type": "application/json"}, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=600) as r:
                    text = json.loads(r.read())["choices"][0].get("text", "")
            except Exception as e:
                print(f"question {i}: {e}", file=sys.stderr)
                return 1
            out.write(json.dumps({"id": f"q-{i}", "text": text}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
