"""The stand-in engine of `isobench run --rehearse`: vLLM's runtime replaced, each tree's own command
line kept. Loaded into every Python process of the rehearsal image (isobench_standin.pth) when
ISOBENCH_STANDIN=1, it

  - answers imports that nothing installed answers (torch, the tree's compiled extensions, ...) with
    stand-ins, as `tasks verify` does (harness/verify/argv_check.py, copied in beside this file), and
    transformers with a stand-in tokenizer that reads the prefetch cache like transformers offline;
  - replaces vLLM's offline API (vllm.entrypoints.llm, vllm.sampling_params, vllm.outputs) with llm.py's;
  - in a server process (`python -m vllm.entrypoints.openai.api_server`, `-m vllm.entrypoints.api_server`,
    `vllm serve`), lets the tree's own parser parse the argv, then serves (server.py) instead of
    starting vLLM's engine.

Benchmark clients (benchmark_serving.py with its backend_request_func.py, benchmark_latency.py,
benchmark_throughput.py, benchmark_prefix_caching.py, `vllm bench ...`) run unmodified.
"""

import argparse
import ast
import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
import types

from . import argv_check as ac

SERVER_MODULES = {"vllm.entrypoints.openai.api_server", "vllm.entrypoints.api_server"}
# optional imports whose absence newer trees handle, and which a stand-in would only confuse there; an
# older tree that imports one unguarded (0.4's sampler: a bare `import triton`) gets a stand-in
OPTIONAL = re.compile(r"^(?:orjson|ujson|soundfile|librosa|modelscope|triton|xformers|flashinfer|deep_gemm)$")
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
_guards = {}


def _importer_frame():
    """The frame of the code that asked for the module: the first outside importlib and this package."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not (name.startswith("<frozen") or name.startswith(os.path.dirname(__file__))):
            return frame
        frame = frame.f_back
    return None


def _catches_import_error(handler):
    if handler.type is None:
        return True
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(getattr(k, "id", getattr(k, "attr", None)) in _IMPORT_ERRORS for k in kinds)


def _import_lines(path):
    """{line: guarded} for each import statement of a source file: guarded when a try around it catches
    ImportError."""
    if path not in _guards:
        lines = {}
        try:
            with open(path) as f:
                tree = ast.parse(f.read())
        except (OSError, SyntaxError, ValueError):
            tree = None

        def visit(node, guarded):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                    lines[line] = guarded
            if isinstance(node, ast.Try):
                catches = guarded or any(_catches_import_error(h) for h in node.handlers)
                for part in node.body:
                    visit(part, catches)
                for part in node.handlers + node.orelse + node.finalbody:
                    visit(part, guarded)
                return
            for child in ast.iter_child_nodes(node):
                visit(child, guarded)

        if tree is not None:
            visit(tree, False)
        _guards[path] = lines
    return _guards[path]


def unguarded_import():
    """True when the module is asked for by an import statement that no try catching ImportError
    surrounds: the tree cannot run without it, so it gets a stand-in. A probe (find_spec) or a guarded
    import sees the module absent, as on a host without it."""
    frame = _importer_frame()
    if frame is None:
        return False
    return _import_lines(frame.f_code.co_filename).get(frame.f_lineno) is False


def program(argv):
    """('module', name) | ('script', path, rest) for the process's original argv."""
    args = list(argv[1:])
    while args and args[0].startswith("-") and args[0] != "-m":
        args.pop(0)
    if args[:1] == ["-m"] and len(args) > 1:
        return ("module", args[1], args[2:])
    if args:
        return ("script", args[0], args[1:])
    return ("none", "", [])


def is_server(prog):
    if prog[0] == "module":
        return prog[1] in SERVER_MODULES
    return prog[0] == "script" and os.path.basename(prog[1]) == "vllm" and prog[2][:1] == ["serve"]


def _module(name, attrs):
    m = ac.StandModule(name)
    m.__path__ = []
    m.__file__ = "<isobench stand-in>/" + name.replace(".", "/") + ".py"
    m.__dict__.update(attrs)
    return m


class _Fixed(importlib.abc.Loader):
    def __init__(self, make):
        self.make = make

    def create_module(self, spec):
        return self.make(spec.name)

    def exec_module(self, module):
        pass


class _Lenient(type):
    """A metaclass whose classes answer any class attribute they lack with a stand-in (AutoConfig.register)."""

    def __getattr__(cls, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return ac.Stand(cls.__name__ + "." + attr)


def _transformers(name):
    from .tokenizer import StandInTokenizer

    class Tokenizer(StandInTokenizer, metaclass=_Lenient):
        """The stand-in tokenizer; class attributes it lacks (AutoTokenizer.register) are stand-ins."""

    class AutoConfig(object, metaclass=_Lenient):
        @classmethod
        def from_pretrained(cls, model, *a, **k):
            import json

            from .tokenizer import offline_error, snapshot_of

            folder = snapshot_of(str(model))
            path = os.path.join(folder or "", "config.json")
            if not folder or not os.path.exists(path):
                raise offline_error(str(model), "config.json")
            c = cls()
            with open(path) as f:
                c.__dict__.update(json.load(f))
            return c

    tok = {
        "AutoTokenizer": Tokenizer,
        "PreTrainedTokenizer": Tokenizer,
        "PreTrainedTokenizerFast": Tokenizer,
        "PreTrainedTokenizerBase": Tokenizer,
        "AutoConfig": AutoConfig,
        "__version__": "4.99.0",
    }
    return _module(name, tok if name == "transformers" else {})


class _Info(object):
    def __init__(self, bits, signed):
        self.bits = bits
        self.min = -(2 ** (bits - 1)) if signed else 0
        self.max = 2 ** (bits - 1) - 1 if signed else 2**bits - 1


class _FInfo(object):
    bits, eps, max, min, tiny = 32, 1.1920928955078125e-07, 3.4028234663852886e38, -3.4028234663852886e38, 1.1754943508222875e-38


def _torch(name):
    """torch, a stand-in where the trees compute with it at import time (protocol.py asserts
    torch.iinfo(torch.long) against literals): integer and float limits are real."""
    return _module(name, {"iinfo": lambda dtype=None: _Info(64, True), "finfo": lambda dtype=None: _FInfo(), "__version__": "2.7.0"})


def _llm_module(name):
    from . import llm

    return _module(name, {"LLM": llm.LLM})


def _outputs_module(name):
    from . import llm

    # one class for what the stand-in returns and what the scripts test with isinstance (throughput.py counts tokens so)
    return _module(name, {"RequestOutput": llm.RequestOutput, "CompletionOutput": llm.CompletionOutput})


def _sampling_module(name):
    from . import llm

    return _module(name, {"SamplingParams": llm.SamplingParams, "BeamSearchParams": llm.SamplingParams})


class FrontFinder(importlib.abc.MetaPathFinder):
    """What the stand-in engine answers before anything installed: transformers, the offline API, the
    tree's compiled modules (a linked stand-in file must never be loaded)."""

    def __init__(self, compiled):
        self.compiled = compiled

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split(".")[0]
        if fullname == "typing_extensions":
            # Debian's is older than the trees expect (no TypeIs): typing, with what only it adds
            return importlib.machinery.ModuleSpec(fullname, ac.ShimLoader("typing"))
        if top == "transformers":
            return importlib.machinery.ModuleSpec(fullname, _Fixed(_transformers), is_package=True)
        if fullname == "vllm.entrypoints.llm":
            return importlib.machinery.ModuleSpec(fullname, _Fixed(_llm_module))
        if fullname == "torch" and importlib.machinery.PathFinder.find_spec("torch") is None:
            return importlib.machinery.ModuleSpec(fullname, _Fixed(_torch), is_package=True)
        if fullname == "vllm.outputs":
            return importlib.machinery.ModuleSpec(fullname, _Fixed(_outputs_module))
        if fullname == "vllm.sampling_params":
            return importlib.machinery.ModuleSpec(fullname, _Fixed(_sampling_module))
        if fullname == "pynvml" or fullname.endswith(".pynvml"):
            return importlib.machinery.ModuleSpec(fullname, ac.NvmlLoader())
        if any(fullname == c or fullname.startswith(c + ".") for c in self.compiled):
            return importlib.machinery.ModuleSpec(fullname, ac.StandLoader(), is_package=True)
        return None


class BackFinder(importlib.abc.MetaPathFinder):
    """Whatever nothing installed answers (torch, fastapi, ...) is a stand-in; shims as in tasks verify."""

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split(".")[0]
        if top in ac.STDLIB or ac.ABSENT.match(top):
            return None
        if OPTIONAL.match(top) and not unguarded_import():
            return None
        # a name no import statement can spell is only ever probed (find_spec("pytorch-triton-xpu")): absent
        if not all(part.isidentifier() for part in fullname.split(".")):
            return None
        if fullname == "pydantic.dataclasses":
            return importlib.machinery.ModuleSpec(fullname, ac.DataclassShimLoader(), is_package=True)
        if top in ac.SHIMS and fullname == top:
            return importlib.machinery.ModuleSpec(fullname, ac.ShimLoader(ac.SHIMS[top]))
        return importlib.machinery.ModuleSpec(fullname, ac.StandLoader(), is_package=True)


def vllm_tree():
    """The tree whose vllm package this process imports (PYTHONPATH), or None."""
    for entry in sys.path:
        if entry and os.path.isfile(os.path.join(entry, "vllm", "__init__.py")):
            return os.path.realpath(entry)
    return None


def _versions():
    """Installed distributions' versions: stand-ins report 0.0.0, as in tasks verify."""
    import importlib.metadata as md

    real = md.version

    def version(name):
        try:
            return real(name)
        except md.PackageNotFoundError:
            if ac.ABSENT.match(name.replace("-", "_").lower()):
                raise
            return "0.0.0"

    md.version = version


def _serve_after_parse(tree):
    """The first parse that yields a port and a model starts the stand-in server with it."""
    real_parse = argparse.ArgumentParser.parse_args

    def parse_args(self, args=None, namespace=None):
        ns = real_parse(self, args, namespace)
        if hasattr(ns, "port") and (getattr(ns, "model", None) or getattr(ns, "model_tag", None)):
            from .server import serve

            serve(ns, tree)
        return ns

    argparse.ArgumentParser.parse_args = parse_args


def boot():
    if os.environ.get("ISOBENCH_STANDIN") != "1" or getattr(sys, "_isobench_standin", False):
        return
    sys._isobench_standin = True
    tree = vllm_tree()
    compiled = ac.compiled_modules(tree) if tree else set()
    # a linked stand-in extension file is never loaded, even where the tree has none of its own
    compiled |= {"vllm._C", "vllm._moe_C", "vllm._rocm_C", "vllm.cumem_allocator", "vllm._flashmla_C"}
    sys.meta_path.insert(0, FrontFinder(compiled))
    sys.meta_path.append(BackFinder())
    os.environ.setdefault("VLLM_NO_USAGE_STATS", "1")
    _versions()
    prog = program(getattr(sys, "orig_argv", sys.argv))
    if is_server(prog):
        _serve_after_parse(tree)
