"""A tiny agent on the OpenAI Chat Completions API (stdlib only): the model may call edit_file and
done; each response's usage is printed as one JSON line, which agent.json tells isobench to read."""
import argparse, json, os, sys, urllib.error, urllib.request

TOOLS = [
    {"type": "function", "function": {"name": "edit_file", "description": "Replace old_string (exactly once) by new_string",
     "parameters": {"type": "object", "properties": {"path": {"type": "string"}, "old_string": {"type": "string"},
                                                      "new_string": {"type": "string"}}, "required": ["path", "old_string", "new_string"]}}},
    {"type": "function", "function": {"name": "done", "description": "The change is complete", "parameters": {"type": "object", "properties": {}}}},
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompt-file", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--max-turns", type=int, default=20)
    a = ap.parse_args()
    base = os.environ.get("EXAMPLE_AGENT_BASE_URL", "https://api.openai.com/v1").rstrip("/")
    key = os.environ.get("EXAMPLE_AGENT_KEY", "")
    messages = [{"role": "user", "content": open(a.prompt_file).read()}]
    for turn in range(1, a.max_turns + 1):
        req = urllib.request.Request(f"{base}/chat/completions", method="POST",
                                     data=json.dumps({"model": a.model, "messages": messages, "tools": TOOLS}).encode(),
                                     headers={"content-type": "application/json", "authorization": f"Bearer {key}"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                resp = json.loads(r.read())
        except urllib.error.HTTPError as e:
            print(f"API error: HTTP {e.code}", file=sys.stderr)
            return 1
        except urllib.error.URLError as e:
            print(f"Connection error: {e.reason}", file=sys.stderr)
            return 1
        msg = resp["choices"][0]["message"]
        calls = msg.get("tool_calls") or []
        print(json.dumps({"turn": 1, "tool_calls": len(calls), "usage": resp.get("usage", {}), "model": resp.get("model"), "agent_version": "example-command/1"}))
        messages.append({"role": "assistant", "content": msg.get("content") or "", **({"tool_calls": calls} if calls else {})})
        if not calls:
            return 0
        for c in calls:
            name = c["function"]["name"]
            args = json.loads(c["function"]["arguments"] or "{}")
            if name == "done":
                return 0
            out = "unknown tool"
            if name == "edit_file":
                text = open(args["path"]).read()
                if text.count(args["old_string"]) == 1:
                    open(args["path"], "w").write(text.replace(args["old_string"], args["new_string"]))
                    out = "edited"
                else:
                    out = f"old_string occurs {text.count(args['old_string'])} times"
            messages.append({"role": "tool", "tool_call_id": c["id"], "content": out})
    print("turn limit reached")
    return 0


if __name__ == "__main__":
    sys.exit(main())
