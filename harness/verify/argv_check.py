"""Parses a command line with a vLLM tree's own argument parser, without vLLM's dependencies.

isobench runs this before any GPU time is spent (``isobench tasks verify``): the benchmark client's
argv through the client script's parser, and the server's argv through the server module's parser,
each of the commit the variant runs. Every module outside Python's standard library is replaced by
a stand-in that accepts whatever is asked of it (torch, transformers, pydantic, fastapi, ...), as are
the tree's compiled extensions (the ``CMakeExtension`` names of its setup.py and the generated
``vllm_flash_attn`` package); the tree's own Python code runs for real. ``ArgumentParser.parse_args``
is wrapped so that the first parse of the given argv is recorded and the program stops there: no
server starts, no benchmark runs, nothing reaches the network.

Usage:
  argv_check.py --tree TREE --script benchmarks/benchmark_serving.py -- ARGV...
  argv_check.py --tree TREE --module vllm.entrypoints.openai.api_server -- ARGV...
  argv_check.py --tree TREE --vllm-cli -- bench throughput --model M ...

Prints one JSON object on stdout: {"ok": true, "args": {...}} with the parsed namespace (values
as repr strings), or {"ok": false, "stage": "import"|"parse"|"no-parse", "error": "..."} where the
parser's own message (``error: unrecognized arguments: ...``) is kept. Standard library only.
"""

import abc
import argparse
import ast
import importlib.abc
import importlib.machinery
import io
import json
import math
import os
import re
import runpy
import sys
import traceback
import types

STDLIB = set(sys.stdlib_module_names) | {"__main__", "__future__", "_frozen_importlib"}

# Packages whose presence means hardware other than an NVIDIA GPU (vLLM's platform detection imports
# them and takes success for "this is a TPU/Gaudi/Neuron/ROCm/XPU host"): these are absent.
ABSENT = re.compile(
    r"^(?:libtpu|tpu_|torch_xla|jax|habana|vllm_hpu|hpu_|\w*neuron|amdsmi|intel_extension|oneccl|openvino|sphinx)"
)

# Third-party modules that stand for a standard library module (so that `Literal`, `TypedDict`,
# `Annotated`... are the real typing objects the tree's dataclasses and parsers inspect, and
# `import regex as re` substitutes and matches).
SHIMS = {"typing_extensions": "typing", "regex": "re"}


def stand_attr(owner, attr):
    """Attribute `attr` of the stand-in whose name `owner()` gives: a stand-in, but special names are
    absent (so that copy, pickle and introspection see an ordinary object), except `__version__`.
    The name is read only for ordinary attributes: `copy` asks a half-made object for
    `__setstate__` before its name is set."""
    if attr.startswith("__") and attr.endswith("__"):
        if attr == "__version__":
            return "0.0.0"
        raise AttributeError(attr)
    return Stand(owner() + "." + attr)


class Stand(object):
    """A stand-in value: every attribute, call, item and operator gives another stand-in."""

    __slots__ = ("_name",)

    def __init__(self, name="stub"):
        object.__setattr__(self, "_name", name)

    def __getattr__(self, attr):
        return stand_attr(lambda: self._name, attr)

    def __setattr__(self, attr, value):
        pass

    def __call__(self, *args, **kwargs):
        # used as a decorator (`@torch.compile`, `@custom_op(...)(fn)`): hand the function back
        if len(args) == 1 and not kwargs:
            if isinstance(args[0], (classmethod, staticmethod, property)):
                return args[0]
            if isinstance(args[0], (types.FunctionType, type)):
                return Decorated(args[0], self._name)
        return Stand(self._name + "()")

    def __getitem__(self, key):
        return Stand(self._name + "[]")

    def __mro_entries__(self, bases):
        return (stand_class(self._name),)

    def __instancecheck__(self, obj):
        return False

    def __subclasscheck__(self, cls):
        return False

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __bool__(self):
        return False

    def __contains__(self, item):
        return False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __int__(self):
        return 0

    def __index__(self):
        return 0

    def __float__(self):
        return 0.0

    def __str__(self):
        return self._name

    def __repr__(self):
        return "<stand-in " + self._name + ">"

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __lt__(self, other):
        return False

    __gt__ = __le__ = __ge__ = __lt__

    def _op(self, *other):
        return Stand(self._name + "(op)")

    __or__ = __ror__ = __and__ = __rand__ = __add__ = __radd__ = __sub__ = __rsub__ = _op
    __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = __pow__ = _op
    __neg__ = __invert__ = __matmul__ = _op


class Decorated(object):
    """A function decorated by a stand-in: still callable and bindable, and its missing attributes
    (`op.register_fake`) are stand-ins."""

    def __init__(self, fn, by):
        self.__wrapped__ = fn
        self._by = by

    def __call__(self, *args, **kwargs):
        return self.__wrapped__(*args, **kwargs)

    def __get__(self, obj, objtype=None):
        if obj is None or isinstance(self.__wrapped__, type):
            return self
        return types.MethodType(self, obj)

    def __mro_entries__(self, bases):
        w = self.__wrapped__
        return (w,) if isinstance(w, type) else (stand_class(self._by),)

    def __instancecheck__(self, obj):
        w = self.__wrapped__
        return isinstance(w, type) and isinstance(obj, w)

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            return getattr(self.__wrapped__, attr)
        try:
            return getattr(self.__wrapped__, attr)
        except AttributeError:
            return Stand(self._by + "." + attr)


class StandMeta(abc.ABCMeta):
    """Metaclass of stand-in base classes: class attributes not defined are stand-ins too."""

    def __getattr__(cls, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return Stand(cls.__name__ + "." + attr)

    def __getitem__(cls, key):
        return cls


_classes = {}


def stand_class(name):
    """One real class per stand-in name, so that `class X(torch.nn.Module)` is a class."""
    if name not in _classes:

        def __init__(self, *args, **kwargs):
            pass

        def __getattr__(self, attr):
            if attr.startswith("__") and attr.endswith("__"):
                raise AttributeError(attr)
            return Stand(name + "()." + attr)

        def __init_subclass__(cls, **kwargs):
            pass

        _classes[name] = StandMeta(
            name.rsplit(".", 1)[-1],
            (object,),
            {
                "__init__": __init__,
                "__getattr__": __getattr__,
                "__init_subclass__": classmethod(__init_subclass__),
                "__class_getitem__": classmethod(lambda cls, key: cls),
            },
        )
    return _classes[name]


class StandModule(types.ModuleType):
    """A stand-in module: any attribute is a stand-in; submodules import as stand-in modules."""

    def __getattr__(self, attr):
        return stand_attr(lambda: self.__name__, attr)


class StandLoader(importlib.abc.Loader):
    def create_module(self, spec):
        m = StandModule(spec.name)
        m.__path__ = []
        m.__file__ = "<isobench stand-in>"
        return m

    def exec_module(self, module):
        pass


def _lenient(factory):
    """typing's TypeVar/ParamSpec without the keywords typing_extensions adds (default=, infer_variance=)."""

    def make(*args, **kwargs):
        kwargs.pop("default", None)
        kwargs.pop("infer_variance", None)
        return factory(*args, **kwargs)

    return make


def _identity_decorator(*args, **kwargs):
    if len(args) == 1 and not kwargs and callable(args[0]):
        return args[0]
    return lambda f: f


def _stdlib_dataclass(*args, **kwargs):
    """pydantic.dataclasses.dataclass as the standard library's (pydantic's own options dropped)."""
    import dataclasses

    own = {k: v for k, v in kwargs.items() if k in dataclasses.dataclass.__code__.co_varnames}
    if len(args) == 1 and isinstance(args[0], type) and not kwargs:
        return dataclasses.dataclass(args[0])
    return lambda cls: dataclasses.dataclass(cls, **own)


class DataclassShimLoader(importlib.abc.Loader):
    def create_module(self, spec):
        m = StandModule(spec.name)
        m.dataclass = _stdlib_dataclass
        m.is_pydantic_dataclass = lambda cls: False
        m.__path__ = []
        return m

    def exec_module(self, module):
        pass


class ShimLoader(importlib.abc.Loader):
    """typing_extensions as the standard library's typing, with what only typing_extensions has."""

    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        real = importlib.import_module(self.target)
        m = StandModule(spec.name)
        m.__dict__.update({k: v for k, v in real.__dict__.items() if not k.startswith("__")})
        if self.target == "typing":
            for name in ("TypeVar", "ParamSpec", "TypeVarTuple"):
                if hasattr(real, name):
                    setattr(m, name, _lenient(getattr(real, name)))
            m.deprecated = _identity_decorator
            m.override = _identity_decorator
            if not hasattr(real, "TypeIs"):
                m.TypeIs = real.TypeGuard
        m.__path__ = []
        return m

    def exec_module(self, module):
        pass


class NVMLError(Exception):
    pass


class _Memory(object):
    total = 80 * 1024**3
    free = 79 * 1024**3
    used = 1024**3


def nvml_module(name):
    """NVML as on the H100 host the task runs on (8 devices, compute capability 9.0, 80 GiB), so the
    tree's platform detection takes the CUDA platform, as it will there; nothing is asked of a GPU."""
    m = StandModule(name)
    m.__path__ = []
    m.__file__ = "<isobench stand-in>/nvml.py"
    m.NVMLError = NVMLError
    m.NVML_P2P_STATUS_OK = 0
    m.NVML_P2P_CAPS_INDEX_NVLINK = 3
    m.nvmlInit = lambda *a: None
    m.nvmlShutdown = lambda *a: None
    m.nvmlDeviceGetCount = lambda: 8
    m.nvmlDeviceGetHandleByIndex = lambda i: i
    m.nvmlDeviceGetCudaComputeCapability = lambda h: (9, 0)
    m.nvmlDeviceGetName = lambda h: "NVIDIA H100 80GB HBM3"
    m.nvmlDeviceGetUUID = lambda h: "GPU-00000000-0000-0000-0000-00000000000%d" % h
    m.nvmlDeviceGetMemoryInfo = lambda h: _Memory()
    m.nvmlDeviceGetP2PStatus = lambda a, b, c: 0
    m.nvmlSystemGetDriverVersion = lambda: "580.00"
    return m


class NvmlLoader(importlib.abc.Loader):
    def create_module(self, spec):
        return nvml_module(spec.name)

    def exec_module(self, module):
        pass


class Finder(importlib.abc.MetaPathFinder):
    """Stand-ins for everything outside the standard library and the tree; the tree's compiled parts too."""

    def __init__(self, local, compiled):
        self.local = local  # top-level names found in the tree or beside the script
        self.compiled = compiled  # dotted names of compiled or generated modules of the tree
        self.stood = set()

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split(".")[0]
        if top in SHIMS and fullname == top:
            return importlib.machinery.ModuleSpec(fullname, ShimLoader(SHIMS[top]))
        if fullname == "pynvml" or fullname.endswith(".pynvml"):
            self.stood.add(fullname)
            return importlib.machinery.ModuleSpec(fullname, NvmlLoader())
        if fullname == "pydantic.dataclasses":
            self.stood.add(top)
            return importlib.machinery.ModuleSpec(fullname, DataclassShimLoader(), is_package=True)
        if top in STDLIB or ABSENT.match(top):
            return None
        if top in self.local:
            if any(fullname == c or fullname.startswith(c + ".") for c in self.compiled):
                self.stood.add(fullname)
                return importlib.machinery.ModuleSpec(fullname, StandLoader(), is_package=True)
            return None
        self.stood.add(top)
        return importlib.machinery.ModuleSpec(fullname, StandLoader(), is_package=True)


EXTENSIONS = {"CMakeExtension", "CUDAExtension", "CppExtension", "Extension"}


def compiled_modules(tree):
    """The extension modules setup.py builds (CMakeExtension names) and the generated packages."""
    names = {"vllm.vllm_flash_attn", "vllm._version", "vllm.commit_id"}
    try:
        source = open(os.path.join(tree, "setup.py"), encoding="utf-8").read()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            callee = getattr(node.func, "id", "") or getattr(node.func, "attr", "")
            if callee in EXTENSIONS:
                for kw in node.keywords:
                    if kw.arg == "name" and isinstance(kw.value, ast.Constant):
                        names.add(kw.value.value)
                if node.args and isinstance(node.args[0], ast.Constant):
                    names.add(node.args[0].value)
    except (OSError, SyntaxError):
        pass
    # generated files exist in an installed tree, never in a checkout: keep them out when present
    return {n for n in names if not os.path.exists(os.path.join(tree, *n.split(".")) + ".py")}


class Parsed(BaseException):
    """Raised from the wrapped parse_args once the argv is parsed."""

    def __init__(self, namespace):
        self.namespace = namespace


def describe(value):
    """A parsed value as JSON can hold it (inf and nan as text)."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float, bool)) for v in value):
        return [describe(v) for v in value]
    if isinstance(value, (types.FunctionType, types.MethodType)):
        return "<function %s>" % value.__qualname__  # no address: the same every run
    return repr(value)


def main():
    own = argparse.ArgumentParser(prog="argv_check.py")
    own.add_argument("--tree", required=True)
    what = own.add_mutually_exclusive_group(required=True)
    what.add_argument("--script")
    what.add_argument("--module")
    what.add_argument("--vllm-cli", action="store_true")
    own.add_argument("argv", nargs=argparse.REMAINDER)
    opts = own.parse_args()
    argv = opts.argv[1:] if opts.argv[:1] == ["--"] else opts.argv
    tree = os.path.realpath(opts.tree)

    local = {"vllm"}
    search = [tree]
    if opts.script:
        script = os.path.join(tree, opts.script)
        sdir = os.path.dirname(script)
        search.insert(0, sdir)
        for f in os.listdir(sdir):
            if f.endswith(".py"):
                local.add(f[:-3])
            elif os.path.isdir(os.path.join(sdir, f)):
                local.add(f)
    # nothing installed may answer an import: only the standard library, the tree and stand-ins
    stdlib_paths = [p for p in sys.path if p and "site-packages" not in p and "dist-packages" not in p]
    sys.path[:] = search + stdlib_paths
    finder = Finder(local, compiled_modules(tree))
    sys.meta_path.insert(0, finder)
    os.environ.setdefault("VLLM_NO_USAGE_STATS", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    # installed distributions' versions: none is installed here; stand-ins report 0.0.0
    import importlib.metadata as md

    real_version = md.version

    def version(name):
        try:
            return real_version(name)
        except md.PackageNotFoundError:
            if ABSENT.match(name.replace("-", "_").lower()):
                raise
            return "0.0.0"

    md.version = version

    wanted = list(argv)
    real_parse = argparse.ArgumentParser.parse_args
    real_known = argparse.ArgumentParser.parse_known_args

    def parse_args(self, args=None, namespace=None):
        ns = real_parse(self, args, namespace)
        raise Parsed(ns)

    argparse.ArgumentParser.parse_args = parse_args

    def parse_known_args(self, args=None, namespace=None):
        # the vllm CLI parses its subcommands with parse_args; known-args parses are passed through
        return real_known(self, args, namespace)

    argparse.ArgumentParser.parse_known_args = parse_known_args

    err = io.StringIO()
    real_stderr = sys.stderr
    result = None
    try:
        sys.stderr = err
        if opts.script:
            sys.argv = [script] + wanted
            runpy.run_path(script, run_name="__main__")
        elif opts.module:
            sys.argv = [opts.module] + wanted
            runpy.run_module(opts.module, run_name="__main__", alter_sys=True)
        else:
            sys.argv = ["vllm"] + wanted
            from vllm.entrypoints.cli.main import main as cli_main  # the tree's own `vllm` command

            cli_main()
        result = {"ok": False, "stage": "no-parse", "error": "the program ended without parsing its arguments"}
    except Parsed as p:
        result = {"ok": True, "args": {k: describe(v) for k, v in sorted(vars(p.namespace).items())}}
    except SystemExit as e:
        msg = err.getvalue().strip().splitlines()
        # argparse's own verdict is its last "prog: error: ..." line; the usage before it is noise
        said = [line for line in msg if ": error: " in line]
        result = {
            "ok": False,
            "stage": "parse",
            "exitCode": e.code if isinstance(e.code, int) else 1,
            "error": (said[-1] if said else "\n".join(msg[-5:])) or "exited with %r" % (e.code,),
        }
    except BaseException as e:  # an import or a module-level statement failed
        tb = traceback.format_exception(type(e), e, e.__traceback__)
        result = {"ok": False, "stage": "import", "error": "".join(tb[-6:])[-3000:]}
    finally:
        sys.stderr = real_stderr
    result["stoodIn"] = sorted(finder.stood)
    sys.stdout.write(json.dumps(result, allow_nan=False, default=repr) + "\n")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
