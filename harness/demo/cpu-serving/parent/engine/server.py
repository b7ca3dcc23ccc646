"""An OpenAI-style completions server for the toy engine: POST /v1/completions (streaming), GET /health."""
import argparse
import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from engine.model import candidates, decode_step, prefill
from engine.tokenizer import detokenize, tokenize

DECODE_DELAY_S = 0.0005


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep the server log quiet per request
        pass

    def _json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            self._json(200, {"status": "ok"})
        elif self.path == "/v1/models":
            self._json(200, {"data": [{"id": self.server.model_name}]})
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/v1/completions":
            self._json(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length", "0"))
        req = json.loads(self.rfile.read(length) or b"{}")
        prompt = req.get("prompt", "")
        max_tokens = int(req.get("max_tokens", 16))
        if not req.get("stream", False):
            self._complete(prompt, max_tokens, int(req.get("logprobs") or 0))
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        state = prefill(tokenize(prompt))
        generated = []
        for step in range(max_tokens):
            state, tok = decode_step(state, step)
            generated.append(tok)
            time.sleep(DECODE_DELAY_S)
            chunk = {"choices": [{"text": tok, "index": 0}], "usage": None}
            self._chunk(f"data: {json.dumps(chunk)}\n\n")
        text = detokenize(generated)
        usage = {"prompt_tokens": len(tokenize(prompt)), "completion_tokens": len(generated), "text_chars": len(text)}
        self._chunk(f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n")
        self._chunk("data: [DONE]\n\n")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _complete(self, prompt, max_tokens, logprobs):
        """A whole completion at once, with the top `logprobs` candidates of each step."""
        state = prefill(tokenize(prompt))
        tokens, top = [], []
        for step in range(max_tokens):
            state, tok = decode_step(state, step)
            tokens.append(tok)
            if logprobs:
                top.append(candidates(state, logprobs))
        choice = {"index": 0, "text": detokenize(tokens), "finish_reason": "length", "logprobs": None}
        if logprobs:
            choice["logprobs"] = {
                "tokens": tokens,
                "token_logprobs": [t[tok] for t, tok in zip(top, tokens)],
                "top_logprobs": top,
            }
        usage = {"prompt_tokens": len(tokenize(prompt)), "completion_tokens": len(tokens)}
        self._json(200, {"id": "cmpl-demo", "object": "text_completion", "model": self.server.model_name, "choices": [choice], "usage": usage})

    def _chunk(self, text):
        data = text.encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="demo-engine")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    print(f"args: {args}", flush=True)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.model_name = args.model
    print(f"serving {args.model} on {args.host}:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
