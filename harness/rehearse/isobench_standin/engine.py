"""What the stand-in engine generates and how long it takes, shared by its server and its LLM class.

Outputs are a deterministic function of the prompt's tokens (so two variants of one task give the
same outputs and the correctness probes compare equal); without ignore_eos a sequence may end early
at a token the prompt decides. Timing is configurable (milliseconds, environment of the process):

  ISOBENCH_STANDIN_TTFT_MS      time to the first token (default 100)
  ISOBENCH_STANDIN_PREFILL_US   more per prompt token (default 2)
  ISOBENCH_STANDIN_ITL_MS       between tokens (default 10)
  ISOBENCH_STANDIN_START_S      server start: /health answers 503 until then (default 2)
  ISOBENCH_STANDIN_SPEEDUP      a factor the times are divided by (default 1)

A variant's tree may hold `isobench-standin.json` with any of these (keys without the prefix, in
lower case: {"ttft_ms": 10}), which is how a rehearsal makes the human's or an agent's tree faster.
Standard library only.
"""

import glob
import json
import os

from .tokenizer import SPECIAL, VOCAB, offline_error, snapshot_of

DEFAULTS = {"ttft_ms": 100.0, "prefill_us": 2.0, "itl_ms": 10.0, "start_s": 2.0, "speedup": 1.0}
WEIGHTS = ("*.safetensors", "*.bin", "*.pt")


def timing(tree=None):
    """The timing settings: defaults, then the environment, then the variant tree's file."""
    t = dict(DEFAULTS)
    for k in t:
        v = os.environ.get("ISOBENCH_STANDIN_" + k.upper())
        if v:
            t[k] = float(v)
    if tree:
        try:
            with open(os.path.join(tree, "isobench-standin.json")) as f:
                t.update({k: float(v) for k, v in json.load(f).items() if k in DEFAULTS})
        except (OSError, ValueError):
            pass
    s = max(t["speedup"], 1e-6)
    return {k: (v / s if k not in ("speedup", "start_s") else v) for k, v in t.items()}


def load_model(name, load_format="auto"):
    """Checks that the model is where vLLM would load it from, offline: its config and (unless
    --load-format dummy) its weights; raises as the engine would. Returns its folder."""
    folder = snapshot_of(name)
    if folder is None or not os.path.exists(os.path.join(folder, "config.json")):
        raise offline_error(name, "config.json")
    if load_format != "dummy" and not any(glob.glob(os.path.join(folder, p)) for p in WEIGHTS):
        raise RuntimeError("Cannot find any model weights with `%s` [isobench stand-in]" % name)
    return folder


def output_tokens(prompt_ids, max_tokens, ignore_eos):
    """The tokens generated for a prompt: deterministic; may stop early at its end token without ignore_eos."""
    seed = (sum(prompt_ids) * 31 + len(prompt_ids)) % (VOCAB - SPECIAL)
    out = []
    for k in range(max(int(max_tokens or 16), 0)):
        tok = SPECIAL + (seed + k * 7919) % (VOCAB - SPECIAL)
        if not ignore_eos and k >= 1 and tok % 97 == 0:
            break
        out.append(tok)
    return out


def top_logprobs(tok, k):
    """The top-k of one position: the chosen token first."""
    alts = [tok] + [SPECIAL + (tok + 1 + i * 13) % (VOCAB - SPECIAL) for i in range(max(k - 1, 0))]
    return [(t, -0.05 * (i + 1) * (1 if i else 0.1)) for i, t in enumerate(alts[: max(k, 1)])]
