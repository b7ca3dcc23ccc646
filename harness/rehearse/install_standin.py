"""Installs a vLLM tree into the rehearsal image as the real image installs the commit's wheel: its
`vllm` package into site-packages, with a stand-in file for each compiled or generated part the
install plan expects (vllm/_C.abi3.so, the bundled flash-attention's package, ...); the stand-in
engine (isobench_standin, its .pth hook) beside it; the `vllm` command on PATH. The real record step
(install.py --phase record) then finds those parts as the files a build of the commit generates, and
prepare.py links them into each variant's tree, as on the GPU host.

Usage: install_standin.py [--plan /opt/isobench/vllm/plan.json] [--source /opt/vllm]. Standard library only.
"""

import argparse
import json
import os
import shutil
import site
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def standin_file(glob_path):
    """A concrete file for a plan's glob: vllm/_C*.so -> vllm/_C.abi3.so."""
    if glob_path.endswith("*.so"):
        return glob_path[: -len("*.so")] + ".abi3.so"
    return glob_path.replace("*", "")


def main():
    ap = argparse.ArgumentParser(prog="install_standin.py")
    ap.add_argument("--plan", default="/opt/isobench/vllm/plan.json")
    ap.add_argument("--source", default="/opt/vllm")
    opts = ap.parse_args()
    with open(opts.plan) as f:
        plan = json.load(f)
    dest = site.getsitepackages()[0]
    os.makedirs(dest, exist_ok=True)
    shutil.copytree(os.path.join(opts.source, "vllm"), os.path.join(dest, "vllm"))
    expect = plan.get("expect", {})
    made = []
    for g in list(expect.get("required", [])) + [p for p in expect.get("optional", []) if p.endswith("*.so")]:
        path = os.path.join(dest, standin_file(g))
        if os.path.exists(path):
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("" if path.endswith(".py") else "isobench stand-in for a compiled extension: never loaded\n")
        made.append(os.path.relpath(path, dest))
    # the distribution's metadata, as the wheel's: vLLM asks for its own version (platform detection)
    version = plan.get("pretendVersion") or "0.0.0"
    info = os.path.join(dest, "vllm-%s.dist-info" % version)
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\nName: vllm\nVersion: %s\nSummary: the tree, with isobench's stand-in engine\n" % version)
    with open(os.path.join(info, "INSTALLER"), "w") as f:
        f.write("isobench-standin\n")
    shutil.copytree(os.path.join(HERE, "isobench_standin"), os.path.join(dest, "isobench_standin"))
    shutil.copy(os.path.join(HERE, "isobench_standin.pth"), os.path.join(dest, "isobench_standin.pth"))
    if not shutil.which("python"):  # the tasks' commands say `python` (the CUDA images link it)
        os.symlink(sys.executable, "/usr/local/bin/python")
    shutil.copy(os.path.join(HERE, "vllm"), "/usr/local/bin/vllm")
    os.chmod("/usr/local/bin/vllm", 0o755)
    with open(os.path.join(os.path.dirname(opts.plan), "installed.json"), "w") as f:
        json.dump({"method": "standin", "from": opts.source, "resolveAsOf": None}, f)
    sys.stdout.write("installed the tree's vllm into %s with stand-ins for %s\n" % (dest, ", ".join(made) or "nothing"))


if __name__ == "__main__":
    main()
