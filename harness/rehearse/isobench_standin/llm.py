"""The stand-in of vLLM's offline API (`from vllm import LLM, SamplingParams`) for the rehearsal: the
benchmark scripts build it from the tree's own EngineArgs (`LLM(**dataclasses.asdict(engine_args))`)
and time `generate`, which takes as long as the engine's timing says for the batch it is given.
Standard library only.
"""

import os
import sys
import time

from . import engine
from .tokenizer import StandInTokenizer


def _tree():
    """The variant's tree: where the imported vllm package lives."""
    mod = sys.modules.get("vllm")
    f = getattr(mod, "__file__", None)
    return os.path.dirname(os.path.dirname(os.path.abspath(f))) if f else None


class SamplingParams(object):
    """Keeps what it is given; reads what the stand-in engine needs."""

    def __init__(self, *args, **kwargs):
        self.__dict__.update(kwargs)
        self.n = kwargs.get("n", 1)
        self.max_tokens = kwargs.get("max_tokens", 16)
        self.ignore_eos = kwargs.get("ignore_eos", False)
        self.logprobs = kwargs.get("logprobs")
        self.temperature = kwargs.get("temperature", 1.0)

    @classmethod
    def from_optional(cls, *args, **kwargs):
        return cls(*args, **kwargs)

    def clone(self):
        return SamplingParams(**self.__dict__)

    def __repr__(self):
        return "SamplingParams(%r)" % self.__dict__


class Logprob(object):
    def __init__(self, logprob, rank=None, decoded_token=None):
        self.logprob, self.rank, self.decoded_token = logprob, rank, decoded_token


class CompletionOutput(object):
    def __init__(self, token_ids, text, logprobs):
        self.index = 0
        self.token_ids = token_ids
        self.text = text
        self.logprobs = logprobs
        self.cumulative_logprob = None
        self.finish_reason = "length"


class RequestOutput(object):
    def __init__(self, request_id, prompt, prompt_token_ids, outputs):
        self.request_id = request_id
        self.prompt = prompt
        self.prompt_token_ids = prompt_token_ids
        self.outputs = outputs
        self.finished = True
        self.metrics = None


class _Engine(object):
    """`llm.llm_engine` as scripts touch it."""

    def __init__(self, llm):
        self.tokenizer = llm.tokenizer
        self.model_config = type("ModelConfig", (), {"max_model_len": 131072, "model": llm.model})()

    def get_tokenizer(self):
        return self.tokenizer


class LLM(object):
    """Checks its model is in the cache (as vLLM would load it), then generates on the engine's clock."""

    def __init__(self, model=None, tokenizer=None, load_format="auto", **kwargs):
        if isinstance(model, dict):  # LLM(**asdict(engine_args)) with `model` a nested config: take its name
            model = model.get("model")
        self.model = str(model or kwargs.get("model_tag") or "")
        self.load_format = str(load_format or "auto")
        engine.load_model(self.model, self.load_format)
        self.tokenizer = StandInTokenizer.from_pretrained(str(tokenizer or self.model))
        self.llm_engine = _Engine(self)
        self.timing = engine.timing(_tree())
        time.sleep(min(self.timing["start_s"], 5.0))
        self._count = 0

    def get_tokenizer(self):
        return self.tokenizer

    def _prompts(self, prompts, prompt_token_ids):
        if prompt_token_ids is not None:
            return [(None, list(ids)) for ids in prompt_token_ids]
        if prompts is None:
            return []
        if isinstance(prompts, (str, dict)):
            prompts = [prompts]
        out = []
        for p in prompts:
            if isinstance(p, dict):
                ids = p.get("prompt_token_ids")
                out.append((p.get("prompt"), list(ids) if ids is not None else self.tokenizer.encode(p.get("prompt", ""))))
            elif isinstance(p, (list, tuple)):
                out.append((None, list(p)))
            else:
                out.append((p, self.tokenizer.encode(p)))
        return out

    def generate(self, prompts=None, sampling_params=None, prompt_token_ids=None, use_tqdm=True, **kwargs):
        batch = self._prompts(prompts, prompt_token_ids)
        params = sampling_params if isinstance(sampling_params, list) else [sampling_params] * len(batch)
        results, longest = [], 0
        prefill = 0
        for (text, ids), sp in zip(batch, params):
            sp = sp or SamplingParams()
            toks = engine.output_tokens(ids, getattr(sp, "max_tokens", 16), bool(getattr(sp, "ignore_eos", False)))
            k = getattr(sp, "logprobs", None)
            lps = [{t: Logprob(lp, i + 1) for i, (t, lp) in enumerate(engine.top_logprobs(tok, int(k)))} for tok in toks] if k else None
            self._count += 1
            results.append(
                RequestOutput(str(self._count), text, ids, [CompletionOutput(toks, self.tokenizer.decode(toks), lps)])
            )
            longest = max(longest, len(toks))
            prefill += len(ids)
        # one batch: the first token after the prefill of every prompt, then one step per token
        t = self.timing
        seconds = (t["ttft_ms"] + prefill * t["prefill_us"] / 1000.0 + longest * t["itl_ms"]) / 1000.0
        if use_tqdm:
            self._progress(results, seconds)
        else:
            time.sleep(seconds)
        return results

    def _progress(self, results, seconds):
        """The engine's progress bar, as vLLM's LLM draws it on stderr (benchmark_prefix_caching.py's
        figures are its last `est. speed` line)."""
        from tqdm import tqdm

        bar = tqdm(
            total=len(results),
            desc="Processed prompts",
            dynamic_ncols=True,
            postfix="est. speed input: %.2f toks/s, output: %.2f toks/s" % (0, 0),
        )
        time.sleep(seconds)
        ins = outs = 0
        for r in results:
            ins += len(r.prompt_token_ids)
            outs += sum(len(o.token_ids) for o in r.outputs)
            elapsed = max(bar.format_dict["elapsed"], 1e-9)
            bar.postfix = "est. speed input: %.2f toks/s, output: %.2f toks/s" % (ins / elapsed, outs / elapsed)
            bar.update(1)
        bar.close()

    def chat(self, messages, sampling_params=None, use_tqdm=True, **kwargs):
        if messages and isinstance(messages[0], dict):
            messages = [messages]
        prompts = [self.tokenizer.apply_chat_template(m, tokenize=False) for m in messages]
        return self.generate(prompts, sampling_params, use_tqdm=use_tqdm)

    def beam_search(self, prompts, params, **kwargs):
        return self.generate(prompts, SamplingParams(max_tokens=getattr(params, "max_tokens", 16), ignore_eos=True))

    def start_profile(self):
        pass

    def stop_profile(self):
        pass

    def reset_prefix_cache(self):
        return True
