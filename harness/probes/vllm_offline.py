"""Correctness probe for offline vLLM tasks (latency, throughput, prefix caching): a fixed prompt set
generated greedily by the variant's vLLM (its tree on PYTHONPATH, the image's compiled parts) with
the task's engine arguments; one JSON line per prompt: {"id", "tokens", "topLogprobs"} (token ids
as strings). Parses engine arguments with vLLM's own EngineArgs, as benchmark_latency.py does."""
import argparse, dataclasses, json, sys



def main():
    from vllm import LLM, SamplingParams
    from vllm.engine.arg_utils import EngineArgs

    try:
        from vllm.utils import FlexibleArgumentParser as Parser
    except Exception:  # older vLLM
        Parser = argparse.ArgumentParser
    parser = Parser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--prompts-json", required=True)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--logprobs", type=int, default=5)
    parser.add_argument("--probe-seed", type=int, default=0)
    parser = EngineArgs.add_cli_args(parser)
    args = parser.parse_args()
    engine_args = EngineArgs.from_cli_args(args)
    llm = LLM(**dataclasses.asdict(engine_args))
    params = SamplingParams(temperature=0.0, max_tokens=args.max_tokens, logprobs=args.logprobs, seed=args.probe_seed, ignore_eos=True)
    outputs = llm.generate(json.loads(args.prompts_json), params)
    with open(args.out, "w") as out:
        for i, o in enumerate(outputs):
            c = o.outputs[0]
            top = []
            for pos in c.logprobs or []:
                top.append({str(t): (lp.logprob if hasattr(lp, "logprob") else float(lp)) for t, lp in pos.items()})
            out.write(json.dumps({"id": f"prompt-{i}", "tokens": [str(t) for t in c.token_ids], "topLogprobs": top, "text": c.text}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
