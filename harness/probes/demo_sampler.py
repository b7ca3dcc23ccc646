"""Correctness probe for the CPU latency demo: the sampler's tokens for fixed seeds, one JSON line
per sequence: {"id", "tokens"}. Runs with the variant's tree on PYTHONPATH."""
import argparse, json, sys

from engine.sampler import generate


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    with open(a.out, "w") as out:
        for seed in range(6):
            for j, seq in enumerate(generate(2, 8, 2000, 8, seed)):
                out.write(json.dumps({"id": f"seed-{seed}-seq-{j}", "tokens": [str(t) for t in seq]}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
