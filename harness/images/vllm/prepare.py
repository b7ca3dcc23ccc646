"""Gives a vLLM source checkout (a variant's tree, or the benchmark client's copy) the files a build
of its commit produces and a checkout lacks, by linking them from the image's installed vLLM.

The image recorded those files when it was built (install.py --phase record -> generated.json):
the compiled extensions (vllm/_C.abi3.so, vllm/vllm_flash_attn/_vllm_fa2_C.abi3.so, ...), the
generated Python of the bundled flash-attention (vllm/vllm_flash_attn/*.py), vllm/_version.py,
vllm/commit_id.py. Each one the tree does not have is linked; files the tree has (its own code,
or a rebuilt extension) are left alone, and nothing the commit tracks is ever linked back (a file
an agent deleted stays deleted).

Usage: prepare.py [--tree DIR (default: cwd)] [--record /opt/isobench/vllm/generated.json]
Prints "linked N generated files from PACKAGE"; exits 1 with the reason when the image has no
record or the record lists no compiled extension (the image, never the agent, is at fault).
Standard library only.
"""

import argparse
import json
import os
import sys


def link_generated(tree, record_path):
    try:
        with open(record_path) as f:
            record = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit("isobench prepare: this image has no record of its generated files (%s): %s" % (record_path, e))
    base = record["package"]
    files = record.get("files", [])
    if not any(f.endswith(".so") for f in files):
        sys.exit("isobench prepare: %s lists no compiled extension of the installed vllm" % record_path)
    tree = os.path.realpath(tree)
    if os.path.realpath(base) == tree:
        sys.exit("isobench prepare: the installed vllm is the tree itself (%s)" % tree)
    linked = 0
    for rel in files:
        src = os.path.join(base, rel)
        dst = os.path.join(tree, rel)
        if os.path.lexists(dst):
            continue
        if not os.path.exists(src):
            sys.exit("isobench prepare: %s is in the record but not in the image" % src)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        os.symlink(src, dst)
        linked += 1
    return linked, base


def main():
    ap = argparse.ArgumentParser(prog="prepare.py")
    ap.add_argument("--tree", default=os.getcwd())
    ap.add_argument("--record", default="/opt/isobench/vllm/generated.json")
    opts = ap.parse_args()
    linked, base = link_generated(opts.tree, opts.record)
    print("linked %d generated files from %s" % (linked, base))


if __name__ == "__main__":
    main()
