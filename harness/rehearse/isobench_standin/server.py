"""The stand-in engine's OpenAI-compatible server, started with what the tree's own server parser
parsed (model, port, served model name, tokenizer, load format). It behaves where the real engine is
hard on a harness:
  - the port is bound at once and /health answers 503 until the engine is "loaded" (START_S later);
  - it starts an EngineCore child that ignores TERM (the V1 engine's process), which outlives the
    server unless its whole process group is killed;
  - it serves every connection it is given at once (1000 clients at --request-rate inf), streaming
    one server-sent event a token on the engine's clock.
Endpoints: GET /health, /v1/models, /version; POST /v1/completions, /v1/chat/completions (streaming
or not, logprobs), /generate (the 2023-24 demo server's). aiohttp (Debian's python3-aiohttp).
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

from . import engine
from .tokenizer import StandInTokenizer

ENGINE_CORE = (
    "import signal, time, os\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('EngineCore pid %d: ignores TERM' % os.getpid(), flush=True)\n"
    "while True: time.sleep(3600)\n"
)


def served_names(ns):
    names = getattr(ns, "served_model_name", None)
    if isinstance(names, str):
        names = [names]
    model = str(getattr(ns, "model", None) or getattr(ns, "model_tag", None) or "")
    return [str(n) for n in names] if names else [model]


def serve(ns, tree):
    """Runs the server for the parsed arguments `ns`; never returns."""
    from aiohttp import web

    model = str(getattr(ns, "model", None) or getattr(ns, "model_tag", None) or "")
    host = getattr(ns, "host", None) or "0.0.0.0"
    port = int(getattr(ns, "port", None) or 8000)
    names = served_names(ns)
    timing = engine.timing(tree)
    sys.stdout.write(
        "isobench stand-in engine: %s as %s on %s:%d, tree %s, timing %s\n"
        % (model, ",".join(names), host, port, tree, json.dumps(timing))
    )
    sys.stdout.flush()
    state = {"ready": False, "error": None, "tokenizer": None}
    core = subprocess.Popen([sys.executable, "-c", ENGINE_CORE])

    async def load():
        await asyncio.sleep(timing["start_s"])
        try:
            engine.load_model(model, str(getattr(ns, "load_format", None) or "auto"))
            state["tokenizer"] = StandInTokenizer.from_pretrained(str(getattr(ns, "tokenizer", None) or model))
            state["ready"] = True
            print("isobench stand-in engine: ready", flush=True)
        except Exception as e:  # the engine failed to load: the server exits, as vLLM's does
            print("isobench stand-in engine: %s" % e, file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGTERM)

    def unknown_model(name):
        return web.json_response(
            {"object": "error", "message": "The model `%s` does not exist." % name, "code": 404}, status=404
        )

    async def health(request):
        return web.Response(status=200 if state["ready"] else 503)

    async def models(request):
        return web.json_response(
            {"object": "list", "data": [{"id": n, "object": "model", "owned_by": "vllm", "root": model} for n in names]}
        )

    async def version(request):
        return web.json_response({"version": "isobench-standin"})

    def prompt_ids(body, chat):
        tok = state["tokenizer"]
        if chat:
            return tok.apply_chat_template(body.get("messages") or [], tokenize=True)
        p = body.get("prompt", "")
        if isinstance(p, list) and p and isinstance(p[0], int):
            return list(p)
        if isinstance(p, list):
            p = " ".join(map(str, p))
        return tok.encode(p)

    def logprob_block(toks, k, chat):
        tok = state["tokenizer"]
        tops = [engine.top_logprobs(t, k) for t in toks]
        if chat:
            return {
                "content": [
                    {
                        "token": tok.decode([t]),
                        "logprob": top[0][1],
                        "top_logprobs": [{"token": tok.decode([a]), "logprob": lp} for a, lp in top],
                    }
                    for t, top in zip(toks, tops)
                ]
            }
        return {
            "tokens": [tok.decode([t]) for t in toks],
            "token_logprobs": [top[0][1] for top in tops],
            "top_logprobs": [{tok.decode([a]): lp for a, lp in top} for top in tops],
            "text_offset": [0] * len(toks),
        }

    async def complete(request, chat):
        if not state["ready"]:
            return web.json_response({"object": "error", "message": "the engine is loading"}, status=503)
        body = await request.json()
        if body.get("model") not in names:
            return unknown_model(body.get("model"))
        ids = prompt_ids(body, chat)
        max_tokens = body.get("max_completion_tokens") or body.get("max_tokens") or 16
        toks = engine.output_tokens(ids, max_tokens, bool(body.get("ignore_eos")))
        k = int(body.get("top_logprobs") or 0) if chat else int(body.get("logprobs") or 0)
        if chat and body.get("logprobs") and not k:
            k = 1
        tok = state["tokenizer"]
        rid = "cmpl-%d" % int(time.time() * 1e6)
        kind = "chat.completion" if chat else "text_completion"
        usage = {"prompt_tokens": len(ids), "completion_tokens": len(toks), "total_tokens": len(ids) + len(toks)}
        await asyncio.sleep((timing["ttft_ms"] + len(ids) * timing["prefill_us"] / 1000.0) / 1000.0)
        if not body.get("stream"):
            await asyncio.sleep(max(len(toks) - 1, 0) * timing["itl_ms"] / 1000.0)
            text = tok.decode(toks)
            choice = {"index": 0, "finish_reason": "length" if len(toks) >= int(max_tokens) else "stop"}
            if chat:
                choice["message"] = {"role": "assistant", "content": text}
            else:
                choice["text"] = text
            if k:
                choice["logprobs"] = logprob_block(toks, k, chat)
            return web.json_response(
                {"id": rid, "object": kind, "created": int(time.time()), "model": body["model"], "choices": [choice], "usage": usage}
            )
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        kind += ".chunk"
        for i, t in enumerate(toks):
            if i:
                await asyncio.sleep(timing["itl_ms"] / 1000.0)
            piece = (" " if i else "") + tok.decode([t])
            choice = {"index": 0, "finish_reason": None}
            if chat:
                choice["delta"] = ({"role": "assistant"} if i == 0 else {}) | {"content": piece}
            else:
                choice["text"] = piece
            if k:
                choice["logprobs"] = logprob_block([t], k, chat)
            if i == len(toks) - 1:
                choice["finish_reason"] = "length" if len(toks) >= int(max_tokens) else "stop"
            chunk = {"id": rid, "object": kind, "created": int(time.time()), "model": body["model"], "choices": [choice]}
            await resp.write(("data: " + json.dumps(chunk) + "\n\n").encode())
        if (body.get("stream_options") or {}).get("include_usage"):
            chunk = {"id": rid, "object": kind, "model": body["model"], "choices": [], "usage": usage}
            await resp.write(("data: " + json.dumps(chunk) + "\n\n").encode())
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp

    async def completions(request):
        return await complete(request, False)

    async def chat(request):
        return await complete(request, True)

    async def generate(request):
        """The demo server's /generate: {"prompt", "max_tokens", "stream"} -> {"text": [prompt + output]}."""
        if not state["ready"]:
            return web.Response(status=503)
        body = await request.json()
        ids = state["tokenizer"].encode(body.get("prompt", ""))
        toks = engine.output_tokens(ids, body.get("max_tokens") or 16, bool(body.get("ignore_eos")))
        await asyncio.sleep((timing["ttft_ms"] + len(toks) * timing["itl_ms"]) / 1000.0)
        return web.json_response({"text": [body.get("prompt", "") + " " + state["tokenizer"].decode(toks)]})

    async def on_startup(app):
        app["load"] = asyncio.get_running_loop().create_task(load())

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.on_startup.append(on_startup)
    app.router.add_get("/health", health)
    app.router.add_get("/v1/models", models)
    app.router.add_get("/version", version)
    app.router.add_post("/v1/completions", completions)
    app.router.add_post("/v1/chat/completions", chat)
    app.router.add_post("/generate", generate)
    try:
        # backlog as large as the clients' burst: 1000 connections at once
        web.run_app(app, host=host, port=port, backlog=4096, print=None, handle_signals=True)
    finally:
        if core.poll() is None:
            print("isobench stand-in engine: exiting; EngineCore %d left to the process group" % core.pid, flush=True)
    sys.exit(0)
