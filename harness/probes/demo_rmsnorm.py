"""Correctness probe for the GPU RMSNorm demo: the layer's outputs on fixed inputs (bfloat16 and
float32), one JSON line per case: {"id", "values"} with a fixed sample of elements, row sums and the
row-wise maximum. Runs with the variant's tree on PYTHONPATH."""
import argparse, json, sys

import torch

from engine.rmsnorm import rms_norm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    g = torch.Generator(device="cpu").manual_seed(1234)
    idx = torch.randint(0, 4096, (64,), generator=g)
    with open(a.out, "w") as out:
        for dtype in (torch.bfloat16, torch.float32):
            for rows in (1, 17, 256):
                x = torch.randn(rows, 4096, generator=g).to(device=device, dtype=dtype)
                w = torch.randn(4096, generator=g).to(device=device, dtype=dtype)
                y = rms_norm(x, w).float().cpu()
                values = y[0, idx].tolist() + y.sum(dim=-1)[:8].tolist() + y.abs().amax(dim=-1)[:8].tolist()
                out.write(json.dumps({"id": f"{str(dtype).split('.')[-1]}-{rows}", "values": values}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
