#!/usr/bin/env bash
# Reproduces the GPU demo result on any host with an NVIDIA GPU, Python 3 with PyTorch (CUDA), git
# and Node.js 20 (or the xz-compressed node binary at .device/node.xz, for hosts without Node):
#
#   scripts/gpu-demo.sh [OUT_DIR]            (environment: REPEATS=7, TASKS=demo/gpu-rmsnorm, RUN_ID)
#
# It runs the demo GPU task (RMSNorm as five PyTorch ops vs the fused kernel) for baseline, human
# and the example agent's patch with the local executor, interleaved, REPEATS measured rounds after
# one warm-up, and writes the run folder and its report.md.
set -euo pipefail
cd "$(dirname "$0")/.."
node_bin="${NODE:-node}"
if ! command -v "$node_bin" >/dev/null 2>&1; then
  if [ -f .device/node.xz ]; then
    xz -dc .device/node.xz > /tmp/isobench-node && chmod +x /tmp/isobench-node
    node_bin=/tmp/isobench-node
  else
    echo "no node: install Node.js 20 or put its binary, xz-compressed, at .device/node.xz" >&2
    exit 2
  fi
fi
[ -f dist/main.js ] || { echo "isobench is not built: run npm install (or npm run build) first" >&2; exit 2; }
out="${1:-results/runs}"
run_id="${RUN_ID:-gpu-demo-$(date -u +%Y%m%d-%H%M%S)}"
echo "node $("$node_bin" --version); $(python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU")')"
"$node_bin" bin/isobench.mjs run --tasks "${TASKS:-demo/gpu-rmsnorm}" \
  --predictions harness/demo/predictions/example-agent.jsonl \
  --repeats "${REPEATS:-7}" --warmup 1 --executor local --out "$out" --run-id "$run_id"
"$node_bin" bin/isobench.mjs run-report "$out/$run_id" > "$out/$run_id/report.md"
echo "report: $out/$run_id/report.md"
