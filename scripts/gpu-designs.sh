#!/usr/bin/env bash
# The GPU demo task under both measured designs, on a GPU host with the bundled isobench
# (scripts/device-bundle.sh; carry .device/bundle, .device/node.xz and the three predictions):
#   scripts/gpu-designs.sh fixed-1 adaptive-1        (results under $OUT)
# fixed*: 1 warm-up + 5 rounds; adaptive*: --rounds 3..8, no warm-up round. Agents on demo/gpu-rmsnorm,
# one predictions file each in .device/: fused-agent (the human's change as a patch), noop-agent (a
# docstring edit), example-agent (the demo's example patch). serving*: demo/cpu-serving (the stand-in
# server on the host's CPU) with 3 client runs a server start, 1 + 5 rounds, the demo's example and
# no-op predictions: what a server start costs against a client run, and how its variance splits.
set -uo pipefail
xz -dc .device/node.xz > /tmp/node && chmod +x /tmp/node
B=.device/bundle/dist/main.js
P=".device/fused-agent.jsonl .device/noop-agent.jsonl .device/example-agent.jsonl"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$OUT/gpu.txt"
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name())' >> "$OUT/gpu.txt"
for design in "$@"; do
  task=demo/gpu-rmsnorm preds=$P
  case "$design" in
    fixed*) args="--repeats 5 --warmup 1" ;;
    adaptive*) args="--rounds 3..8 --warmup 0" ;;
    serving*) args="--repeats 5 --warmup 1 --client-runs 3" task=demo/cpu-serving
      preds="harness/demo/predictions/example-agent.jsonl harness/demo/predictions/noop-agent.jsonl" ;;
  esac
  start=$(date +%s)
  /tmp/node $B run --tasks $task --predictions $preds $args --executor local --out /tmp/r --run-id "$design" > "$OUT/$design.log" 2>&1
  echo "$design exit $? wall $(( $(date +%s) - start )) s" | tee -a "$OUT/walls.txt"
done
python3 - "$@" > "$OUT/summary.txt" <<'PY'
import glob, json, sys
for run in sys.argv[1:]:
    for jf in glob.glob(f'/tmp/r/{run}/jobs/*/job.json'):
        j = json.load(open(jf))
        m = json.load(open(jf.replace('job.json', 'measurement.json')))
        ph = [p for p in m['phases']]
        gpu_s = sum(p['wallMs'] for p in ph) / 1000
        print(f"{run}: {len(ph)} phases, {gpu_s:.1f} s in phases; stop {j['stop']['reason']} after {j['stop']['rounds']} rounds; looks {[(l['rounds'], round(l['level'], 4), l['undecided']) for l in j['stop']['looks']]}")
        hb = j['humanVsBaseline']
        print(f"  human vs baseline {hb['estimate']:.1f} [{hb['lo']:.1f}, {hb['hi']:.1f}] level {hb['level']:.4f}")
        for a in j['agents']:
            n = len([p for p in ph if p['variant'] == a['variant'] and not p['warmup']])
            vb, vh = a['agentVsBaseline'], a['agentVsHuman']
            f = lambda i: f"{i['estimate']:.1f} [{i['lo']:.1f}, {i['hi']:.1f}]" if i else '-'
            print(f"  {a['variant']}: {a['verdict']['verdict'] if a['verdict'] else a['failure']} ({n} rounds) vs baseline {f(vb)}, vs human {f(vh)}")
PY
cat "$OUT/walls.txt" "$OUT/summary.txt"
tar czf "$OUT/runs.tar.gz" -C /tmp/r .
