#!/usr/bin/env python3
"""Builds a git repository that `--repo` accepts for the tasks of the real vLLM trees
(../shared/data/vllm-trees/map.tsv), from the public ISO-Bench/ISO-Bench repository's archived
trees, without vLLM's history: per tree two commits, and refs/replace/<real hash> pointing at them,
so that each task's real parent and human hashes resolve.

  - the parent: the tree, after reversing the original run's agent edits where it carries them
    (its model_patch.diff, applied with `git apply -R`; the patch adds itself as an empty file);
  - the human: the human commit's diff (the published tasks file's diff_text, with the final
    newline the published texts lack) applied on top.

Nothing of the trees is written into isobench's repository: the clone lives where --out says.
Usage: vllm-trees-clone.py --mirror ISO-BENCH-GIT-DIR --out CLONE [--trees 0011,0025] [--shared ../shared]
Prints one line per tree and writes CLONE/trees.tsv (tree, task, real and local hashes, what was done).
Standard library and git only.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

ARCHIVE = "ISO-Bench/archive/work/worktrees/vllm_core/vllm_core-%s"


def git(*args, cwd=None, env=None, data=None):
    r = subprocess.run(["git", *args], cwd=cwd, env=env, input=data, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("git %s: %s" % (" ".join(args[:3]), r.stderr.decode(errors="replace").strip()))
    return r.stdout.decode().strip()


def commit_tree(clone, work, message, parent=None):
    """Commits the folder `work` into `clone` as a commit of its own (a fresh index each time)."""
    index = os.path.join(clone, ".git", "isobench-index")
    env = dict(os.environ, GIT_INDEX_FILE=index, GIT_WORK_TREE=work, GIT_DIR=os.path.join(clone, ".git"))
    if os.path.exists(index):
        os.remove(index)
    git("add", "-A", "-f", ".", env=env, cwd=work)
    tree = git("write-tree", env=env)
    env.update(GIT_AUTHOR_NAME="isobench", GIT_AUTHOR_EMAIL="isobench@invalid", GIT_COMMITTER_NAME="isobench",
               GIT_COMMITTER_EMAIL="isobench@invalid", GIT_AUTHOR_DATE="2026-01-01T00:00:00Z",
               GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
    return git("commit-tree", tree, "-m", message, *(["-p", parent] if parent else []), env=env)


def main():
    ap = argparse.ArgumentParser(prog="vllm-trees-clone.py")
    ap.add_argument("--mirror", required=True, help="the git directory of ISO-Bench/ISO-Bench")
    ap.add_argument("--out", required=True)
    ap.add_argument("--trees", help="comma-separated tree numbers (default: every tree of map.tsv)")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared"))
    ap.add_argument("--tasks", default=os.path.join(os.path.dirname(__file__), "..", "tasks", "vllm"))
    o = ap.parse_args()
    rows = [l.split("\t") for l in open(os.path.join(o.shared, "data", "vllm-trees", "map.tsv")).read().split("\n")[1:] if l.strip()]
    wanted = set(o.trees.split(",")) if o.trees else None
    diffs = {}
    for line in open(os.path.join(o.shared, "data", "iso-bench", "tasks", "alpha-vllm-99-commits.jsonl")):
        d = json.loads(line)
        diffs[d["commit_hash"]] = d["diff_text"]
    os.makedirs(o.out, exist_ok=True)
    if not os.path.isdir(os.path.join(o.out, ".git")):
        git("init", "-q", o.out)
    out = ["tree\ttask\tparent\thuman\tlocal_parent\tlocal_human\tnotes"]
    for tree, short in rows:
        if wanted and tree not in wanted:
            continue
        spec = json.load(open(os.path.join(o.tasks, short + ".json")))
        parent, human = spec["commits"]["parent"], spec["commits"]["human"]
        work = tempfile.mkdtemp(prefix="isobench-tree-%s-" % tree)
        try:
            archive = subprocess.run(["git", "--git-dir", o.mirror, "archive", "HEAD", ARCHIVE % tree],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", work, "--strip-components=6"], input=archive, check=True)
            notes = []
            patch = os.path.join(work, "model_patch.diff")
            if os.path.exists(patch):
                if os.path.getsize(patch):
                    git("apply", "-R", "--exclude=model_patch.diff", patch, cwd=work)
                    notes.append("agent edits reversed")
                os.remove(patch)
            local_parent = commit_tree(o.out, work, "vllm %s (parent of %s), from ISO-Bench tree %s" % (parent, short, tree))
            text = diffs[human]
            subprocess.run(["git", "apply", "-"], cwd=work, input=(text if text.endswith("\n") else text + "\n").encode(),
                           check=True, capture_output=True)
            notes.append("human diff applied")
            local_human = commit_tree(o.out, work, "vllm %s (%s)" % (human, short), parent=local_parent)
            git("update-ref", "refs/replace/" + parent, local_parent, cwd=o.out)
            git("update-ref", "refs/replace/" + human, local_human, cwd=o.out)
            git("update-ref", "refs/heads/tree-" + tree, local_human, cwd=o.out)
            out.append("\t".join([tree, short, parent, human, local_parent, local_human, "; ".join(notes)]))
            print("%s %s: parent %s human %s (%s)" % (tree, short, local_parent[:12], local_human[:12], "; ".join(notes)), flush=True)
        except (RuntimeError, subprocess.CalledProcessError, KeyError) as e:
            print("%s %s: FAILED %s" % (tree, short, e), file=sys.stderr, flush=True)
            out.append("\t".join([tree, short, parent, human, "-", "-", "failed: %s" % e]))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    with open(os.path.join(o.out, "trees.tsv"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
