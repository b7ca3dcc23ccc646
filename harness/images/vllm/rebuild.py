"""Rebuilds the compiled extensions of a vLLM tree that an agent patch changed (csrc/, CMake), offline,
inside the commit's image, then links the generated files the build does not make.

What the environment must give the build, and this script sees to:
  - the version: setuptools-scm (trees from 2024-10 on) cannot read one from a tree without .git,
    so SETUPTOOLS_SCM_PRETEND_VERSION is the installed version the image recorded (version.txt);
  - the sources CMake fetches (cutlass, vllm-flash-attn, flashmla): mirrored into the image at
    build time, git pointed at them (the image's git config), so no network is needed;
  - a CUDA build: VLLM_TARGET_DEVICE=cuda and no VLLM_USE_PRECOMPILED (which would download a
    wheel instead of compiling the patch).

A failure whose cause is the environment (no network, a missing fetched source, no nvcc, no
setuptools-scm, out of memory or disk) exits 75 with "isobench rebuild: environment: <reason>" as
its last line: the harness records it as infra_error, never as the agent's build_failed. Any other
failure (the patched sources do not compile) exits with the build's own status.

Usage: rebuild.py [--tree DIR (default: cwd)] [--root /opt/isobench/vllm]. Standard library only.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

ENVIRONMENT = 75

# (pattern, reason): lines of a build log that mean the environment, not the patch, failed
SIGNATURES = [
    (r"Could not resolve host|Temporary failure in name resolution|Network is unreachable|"
     r"Failed to connect to|Connection refused|unable to access 'https?://", "network access was needed"),
    (r"LookupError: setuptools-scm was unable to detect version|setuptools-scm was unable to detect version",
     "setuptools-scm found no version"),
    (r"No module named '?setuptools_scm'?", "setuptools-scm is not installed"),
    (r"CMake Error at .*FetchContent|Failed to clone repository|FetchContent.*failed|"
     r"fatal: repository '.*' not found|fatal: remote error", "a source CMake fetches is missing"),
    (r"No CMAKE_CUDA_COMPILER could be found|nvcc: (?:command )?not found|Failed to find nvcc|"
     r"CUDA_HOME environment variable is not set", "no CUDA compiler"),
    (r"No space left on device", "out of disk"),
    (r"Killed signal terminated program|virtual memory exhausted|Cannot allocate memory|"
     r"c\+\+: fatal error: Killed", "out of memory"),
    (r"Failed to get vLLM wheel|Downloading wheel from", "the build tried to download a precompiled wheel"),
]


def environment_cause(log):
    for pattern, reason in SIGNATURES:
        m = re.search(pattern, log)
        if m:
            line = log[log.rfind("\n", 0, m.start()) + 1 : log.find("\n", m.end()) if log.find("\n", m.end()) >= 0 else None]
            return "%s (%s)" % (reason, line.strip()[:300])
    return None


def environment(msg):
    sys.stdout.flush()
    sys.stderr.write("isobench rebuild: environment: %s\n" % msg)
    sys.exit(ENVIRONMENT)


def main():
    ap = argparse.ArgumentParser(prog="rebuild.py")
    ap.add_argument("--tree", default=os.getcwd())
    ap.add_argument("--root", default="/opt/isobench/vllm")
    ap.add_argument("--python", default=sys.executable)
    opts = ap.parse_args()
    try:
        with open(os.path.join(opts.root, "plan.json")) as f:
            plan = json.load(f)
    except (OSError, ValueError):
        plan = {}
    # the same compile as the image's own source build: the plan's architectures, bounded jobs
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from install import build_env

    env = build_env(plan)
    env.pop("VLLM_USE_PRECOMPILED", None)
    env.pop("VLLM_PRECOMPILED_WHEEL_LOCATION", None)
    env.setdefault("VLLM_TARGET_DEVICE", "cuda")
    if "SETUPTOOLS_SCM_PRETEND_VERSION" not in env:
        try:
            with open(os.path.join(opts.root, "version.txt")) as f:
                env["SETUPTOOLS_SCM_PRETEND_VERSION"] = f.read().strip()
        except OSError:
            environment("the image recorded no version for setuptools-scm (%s/version.txt)" % opts.root)
    if env.get("VLLM_TARGET_DEVICE") == "cuda" and not (
        shutil.which("nvcc") or os.path.exists(os.path.join(env.get("CUDA_HOME", "/usr/local/cuda"), "bin", "nvcc"))
    ):
        environment("no CUDA compiler (nvcc) in this image")
    # setuptools copies each built extension into its package folder in the tree and does not create
    # the folder: a generated package (vllm/vllm_flash_attn/) is absent from a checkout
    try:
        with open(os.path.join(opts.tree, "setup.py")) as f:
            setup_src = f.read()
    except OSError:
        setup_src = ""
    for mod in re.findall(r"(?:CMakeExtension|CUDAExtension|CppExtension)\(\s*(?:name\s*=\s*)?[\"']([\w.]+)[\"']", setup_src):
        os.makedirs(os.path.join(opts.tree, *mod.split(".")[:-1]), exist_ok=True)
    argv = [opts.python, "setup.py", "build_ext", "--inplace"]
    sys.stdout.write("+ SETUPTOOLS_SCM_PRETEND_VERSION=%s %s\n" % (env["SETUPTOOLS_SCM_PRETEND_VERSION"], " ".join(argv)))
    sys.stdout.flush()
    proc = subprocess.Popen(argv, cwd=opts.tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        sys.stdout.write(line)
        lines.append(line)
    code = proc.wait()
    if code != 0:
        cause = environment_cause("".join(lines))
        if cause:
            environment(cause)
        sys.stderr.write("isobench rebuild: the build of the patched tree exited with %d\n" % code)
        sys.exit(code if code not in (0, ENVIRONMENT) else 1)
    # what the build does not make (e.g. vllm/_version.py of the installed version, commit_id.py)
    prep = os.path.join(os.path.dirname(os.path.abspath(__file__)), "prepare.py")
    r = subprocess.call([opts.python, prep, "--tree", opts.tree, "--record", os.path.join(opts.root, "generated.json")])
    if r != 0:
        environment("linking the generated files after the build failed")


if __name__ == "__main__":
    main()
