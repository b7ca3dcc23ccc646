"""Installs vLLM at one commit into an image, following the plan isobench wrote (plan.json).

Run by harness/images/vllm/Dockerfile at image build time (the only time there is network), in
three phases:

  install  (every package from an index resolved as of the commit's date: plan.json's resolveAsOf,
           pip --uploaded-prior-to, pip >= 26.0; what it resolved -> packages.txt)
           the commit's own per-commit wheel, non-editable (its compiled .so files and generated
           vllm_flash_attn Python files stay exactly as built for the commit; nothing is taken from
           today's nightly), or, where no wheel exists, a source build of the commit. The tree's
           build requirements are installed too, for rebuilding native patches later.
  deps     every source the tree's CMake fetches (FetchContent: cutlass, vllm-flash-attn, flashmla,
           with their git submodules), the one commit the tree pins of each (no history), fetched
           into the image, and git told to take them from there (url.<mirror>.insteadOf), so that a
           rebuild of a native patch runs offline.
  record   offline: which files the install put into the package that the commit's checkout lacks
           (compiled extensions, generated Python, _version.py, commit_id.py) -> generated.json,
           which the prepare step links into every variant's tree; the installed version ->
           version.txt (handed to setuptools-scm by rebuilds); the plan's expected files checked.

Usage: install.py --phase install|deps|record|all [--plan plan.json] [--root /opt/isobench/vllm]
       [--source /opt/vllm] [--python python3]
Exit status 0, or 1 with one line on stderr saying what failed (the build log has the rest).
Standard library only.
"""

import argparse
import fnmatch
import hashlib
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

SKIP_DIRS = {"__pycache__"}


def fail(msg):
    sys.stderr.write("isobench install: %s\n" % msg)
    sys.exit(1)


def run(argv, **kw):
    sys.stdout.write("+ %s\n" % " ".join(argv))
    sys.stdout.flush()
    return subprocess.call(argv, **kw)


def available(url):
    """'ok', 'absent' (the server answered: no such wheel) or 'unreachable' (no answer at all)."""
    if os.path.exists(url):
        return "ok"
    if url.startswith("file://") or url.startswith("/"):
        return "ok" if os.path.exists(url.replace("file://", "", 1)) else "absent"
    try:
        req = urllib.request.Request(url, method="HEAD")
        with urllib.request.urlopen(req, timeout=60) as r:
            return "ok" if r.status == 200 else "absent"
    except urllib.error.HTTPError as e:  # 403/404: the server says there is no such wheel
        sys.stdout.write("  no wheel at %s (HTTP %s)\n" % (url, e.code))
        return "absent"
    except Exception as e:  # DNS, refused, timeout: nothing answered
        sys.stdout.write("  unreachable: %s (%s)\n" % (url, e))
        return "unreachable"


def files_under(base, top="vllm"):
    out = set()
    root = os.path.join(base, top)
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x not in SKIP_DIRS]
        for f in files:
            if f.endswith(".pyc"):
                continue
            out.add(os.path.relpath(os.path.join(d, f), base).replace(os.sep, "/"))
    return out


def pip(opts, *args):
    return [opts.python, "-m", "pip"] + list(args)


def pip_install(opts, plan, *args):
    """`pip install`, resolving from the index only what was uploaded before the plan's cutoff (the
    commit's date): a 2024 tree gets the numpy and outlines of 2024. A direct wheel URL or a local
    path is taken as named; the cutoff applies to every package resolved around it."""
    cutoff = plan.get("resolveAsOf")
    constraints = ["-c", os.path.join(opts.root, plan.get("constraints", "constraints.txt"))]
    return pip(opts, "install", *constraints, *(["--uploaded-prior-to", cutoff] if cutoff else []), *args)


def build_env(plan, env=None):
    """The environment of a CUDA compile: the plan's architecture list and nvcc threads, and MAX_JOBS
    from this machine (one job a core, at most one per gbPerJob of memory), unless already set."""
    env = dict(os.environ if env is None else env)
    b = plan.get("build") or {}
    env.setdefault("TORCH_CUDA_ARCH_LIST", b.get("cudaArchList", "9.0+PTX"))
    env.setdefault("NVCC_THREADS", str(b.get("nvccThreads", 2)))
    if "MAX_JOBS" not in env:
        try:
            mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        except (ValueError, OSError):
            mem_gb = 16
        env["MAX_JOBS"] = str(max(1, min(os.cpu_count() or 1, int(mem_gb // b.get("gbPerJob", 8)))))
    sys.stdout.write(
        "  compile: TORCH_CUDA_ARCH_LIST=%s MAX_JOBS=%s NVCC_THREADS=%s\n"
        % (env["TORCH_CUDA_ARCH_LIST"], env["MAX_JOBS"], env["NVCC_THREADS"])
    )
    return env


def check_pip_cutoff(opts, plan):
    """A cutoff needs pip >= 26.0 (--uploaded-prior-to); an older pip would resolve today's packages."""
    if not plan.get("resolveAsOf"):
        return
    out = subprocess.run(pip(opts, "install", "--help"), capture_output=True, text=True)
    if "--uploaded-prior-to" not in out.stdout:
        version = subprocess.run(pip(opts, "--version"), capture_output=True, text=True).stdout.strip()
        fail(
            "this pip cannot resolve as of %s: --uploaded-prior-to needs pip >= 26.0 (%s)"
            % (plan["resolveAsOf"], version or "pip not found")
        )


def phase_install(plan, opts):
    os.makedirs(opts.root, exist_ok=True)
    # the checkout's own files, before any build can write into it (commit_id.py, _version.py)
    with open(os.path.join(opts.root, "source-files.json"), "w") as f:
        json.dump(sorted(files_under(opts.source)), f)
    check_pip_cutoff(opts, plan)

    def build_tools():
        # setuptools and wheel of the commit's date too (a source build or a rebuild runs them)
        if run(pip_install(opts, plan, "--upgrade", "setuptools", "wheel")) != 0:
            fail("pip could not install setuptools and wheel")

    method = None
    inst = plan["install"]
    if inst["method"] == "wheel":
        answers = []
        for url in inst.get("candidates", []):
            answers.append(available(url))
            if answers[-1] == "ok":
                build_tools()
                if run(pip_install(opts, plan, url)) != 0:
                    fail("pip could not install the per-commit wheel %s" % url)
                method = "wheel"
                plan["installedFrom"] = url
                break
        if method is None and answers and all(a == "unreachable" for a in answers):
            # no answer is not "no wheel": a source build (25-90 minutes) would need the network too
            fail("no network: none of the per-commit wheel URLs answered (%s)" % ", ".join(inst["candidates"]))
        if method is None and inst.get("fallback") != "source":
            fail("no per-commit wheel answered (%s)" % ", ".join(inst.get("candidates", [])))
    if method is None:
        build_tools()
        env = build_env(plan)
        if plan.get("pretendVersion"):
            env.setdefault("SETUPTOOLS_SCM_PRETEND_VERSION", plan["pretendVersion"])
        for req in (plan.get("requirementsBuild"), plan.get("requirementsCuda")):
            if req and run(pip_install(opts, plan, "-r", os.path.join(opts.source, req))) != 0:
                fail("pip could not install %s of the commit" % req)
        if run(pip_install(opts, plan, "--no-build-isolation", opts.source), env=env) != 0:
            fail("the source build of the commit failed")
        method = "source"
        plan["installedFrom"] = opts.source
    # what rebuilds of native patches need: the tree's own build requirements
    req = plan.get("requirementsBuild")
    if method == "wheel" and req:
        if run(pip_install(opts, plan, "-r", os.path.join(opts.source, req))) != 0:
            fail("pip could not install the build requirements %s" % req)
    extra = plan.get("extraPackages", [])
    if extra and run(pip_install(opts, plan, *extra)) != 0:
        fail("pip could not install %s" % " ".join(extra))
    plan["installMethod"] = method
    with open(os.path.join(opts.root, "installed.json"), "w") as f:
        json.dump({"method": method, "from": plan["installedFrom"], "resolveAsOf": plan.get("resolveAsOf")}, f)
    # what the cutoff resolved, for the image's record
    frozen = subprocess.run(pip(opts, "freeze", "--all"), capture_output=True, text=True).stdout
    with open(os.path.join(opts.root, "packages.txt"), "w") as f:
        f.write(frozen)


def mirror_name(url):
    base = url.rstrip("/").rsplit("/", 1)[-1]
    if base.endswith(".git"):
        base = base[:-4]
    return "%s-%s.git" % (base, hashlib.sha256(url.encode()).hexdigest()[:10])


def git(*args, **kw):
    return run(["git"] + list(args), **kw)


SHA = re.compile(r"^[0-9a-f]{40}$")


def mirror(url, tag, deps_dir, done, seen):
    """Fetches the one commit `tag` names from `url` (no history: a depth-1 fetch into a bare repository
    of the image, with a ref the tree's CMake can ask for), then the commits its submodules pin."""
    if (url, tag) in seen:
        return
    seen.add((url, tag))
    dest = os.path.join(deps_dir, mirror_name(url))
    if not os.path.isdir(dest) and git("init", "--bare", "--quiet", dest) != 0:
        fail("could not make the mirror of %s" % url)
    done[url] = dest
    if not tag:
        if git("-C", dest, "fetch", "--quiet", url, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*") != 0:
            fail("could not mirror %s" % url)
        return
    if git("-C", dest, "fetch", "--quiet", "--depth", "1", url, tag) != 0:
        fail("%s has no %s" % (url, tag))
    # a branch for every fetched commit (a plain `git clone`, as FetchContent runs for a commit, fetches
    # branches), and a name given as a tag also as a tag (FetchContent clones shallow sources with --branch)
    git("-C", dest, "update-ref", "refs/heads/isobench-" + tag, "FETCH_HEAD^{commit}")
    if not SHA.match(tag):
        git("-C", dest, "update-ref", "refs/tags/" + tag, "FETCH_HEAD")
    git("-C", dest, "symbolic-ref", "HEAD", "refs/heads/isobench-" + tag)
    commit = subprocess.run(
        ["git", "-C", dest, "rev-parse", "FETCH_HEAD^{commit}"], capture_output=True, text=True
    ).stdout.strip()
    try:
        gitmodules = subprocess.check_output(
            ["git", "-C", dest, "show", "%s:.gitmodules" % commit], stderr=subprocess.DEVNULL, text=True
        )
    except subprocess.CalledProcessError:
        return
    urls = [line.split("=", 1)[1].strip() for line in gitmodules.splitlines() if line.strip().startswith("url")]
    paths = [line.split("=", 1)[1].strip() for line in gitmodules.splitlines() if line.strip().startswith("path")]
    for sub_url, sub_path in zip(urls, paths):
        try:
            entry = subprocess.check_output(["git", "-C", dest, "ls-tree", commit, sub_path], text=True).split()
        except subprocess.CalledProcessError:
            entry = []
        sub_commit = entry[2] if len(entry) >= 3 and entry[1] == "commit" else None
        if sub_url.startswith("../") or sub_url.startswith("./"):
            sub_url = url.rsplit("/", 1)[0] + "/" + sub_url.split("/", 1)[1]
        mirror(sub_url, sub_commit, deps_dir, done, seen)


def phase_deps(plan, opts):
    deps_dir = os.path.join(opts.root, "deps")
    os.makedirs(deps_dir, exist_ok=True)
    done = {}
    seen = set()
    for d in plan.get("deps", []):
        mirror(d["repository"], d["tag"], deps_dir, done, seen)
    scope = "--system" if opts.gitconfig == "system" else "--global"
    for url, dest in sorted(done.items()):
        local = "file://" + dest
        if git("config", scope, "--add", "url.%s.insteadOf" % local, url) != 0:
            fail("could not point git at the mirror of %s" % url)
        # FetchContent and submodules may spell the same repository with or without .git
        alt = url[:-4] if url.endswith(".git") else url + ".git"
        git("config", scope, "--add", "url.%s.insteadOf" % local, alt)
    if done:
        # submodules of a fetched source (flash-attention's cutlass) are cloned from the mirrors too,
        # which git refuses for file:// URLs unless told
        git("config", scope, "protocol.file.allow", "always")
    with open(os.path.join(opts.root, "deps.json"), "w") as f:
        json.dump({url: dest for url, dest in sorted(done.items())}, f, indent=1)


def installed_package(opts):
    code = "import importlib.util,os;s=importlib.util.find_spec('vllm');print(os.path.dirname(list(s.submodule_search_locations)[0]))"
    out = subprocess.run([opts.python, "-c", code], cwd="/", capture_output=True, text=True)
    if out.returncode != 0 or not out.stdout.strip():
        fail("vllm is not importable after the install: %s" % out.stderr.strip().splitlines()[-1:])
    return out.stdout.strip().splitlines()[-1]


def phase_record(plan, opts):
    base = installed_package(opts)
    if os.path.realpath(os.path.join(base, "vllm")) == os.path.realpath(os.path.join(opts.source, "vllm")):
        fail("vllm resolves to the source checkout %s, not to an installed package" % opts.source)
    try:
        with open(os.path.join(opts.root, "source-files.json")) as f:
            source = set(json.load(f))
    except OSError:
        source = files_under(opts.source)
    installed = files_under(base)
    generated = sorted(installed - source)
    missing = [p for p in plan.get("expect", {}).get("required", []) if not fnmatch.filter(generated, p)]
    if missing:
        fail(
            "the installed vLLM lacks %s, which the commit's build produces (installed from %s)"
            % (", ".join(missing), plan.get("installedFrom", "?"))
        )
    version = subprocess.run(
        [opts.python, "-c", "import importlib.metadata as m; print(m.version('vllm'))"],
        cwd="/",
        capture_output=True,
        text=True,
    ).stdout.strip()
    with open(os.path.join(opts.root, "generated.json"), "w") as f:
        json.dump({"schemaVersion": 1, "package": base, "files": generated, "version": version}, f, indent=1)
    with open(os.path.join(opts.root, "version.txt"), "w") as f:
        f.write((version or plan.get("pretendVersion") or "0.0.0") + "\n")
    sys.stdout.write("recorded %d generated file(s) of vllm %s from %s\n" % (len(generated), version, base))


def main():
    ap = argparse.ArgumentParser(prog="install.py")
    ap.add_argument("--phase", choices=["install", "deps", "record", "all"], default="all")
    ap.add_argument("--plan", default=None)
    ap.add_argument("--root", default="/opt/isobench/vllm")
    ap.add_argument("--source", default="/opt/vllm")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--gitconfig", choices=["system", "global"], default="system")
    opts = ap.parse_args()
    plan_path = opts.plan or os.path.join(opts.root, "plan.json")
    try:
        with open(plan_path) as f:
            plan = json.load(f)
    except (OSError, ValueError) as e:
        fail("cannot read the plan %s: %s" % (plan_path, e))
    if plan.get("schemaVersion") != 1:
        fail("%s: schemaVersion %r, this installer reads 1" % (plan_path, plan.get("schemaVersion")))
    if opts.phase in ("install", "all"):
        phase_install(plan, opts)
    if opts.phase in ("deps", "all"):
        phase_deps(plan, opts)
    if opts.phase in ("record", "all"):
        try:
            with open(os.path.join(opts.root, "installed.json")) as f:
                plan["installedFrom"] = json.load(f)["from"]
        except (OSError, ValueError, KeyError):
            pass
        phase_record(plan, opts)


if __name__ == "__main__":
    main()
