// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are CMake, whose variables are ${...}
/**
 * Generated vLLM-shaped trees, one per era of the real trees' build behaviour (isobench's own small
 * stand-ins, written from the facts of the 42 real trees; no vLLM code): how setup.py finds its
 * version, what `VLLM_USE_PRECOMPILED` does, which files a build generates (compiled extensions, the
 * bundled flash-attention's Python, `_version.py`, `commit_id.py`), which sources CMake fetches and
 * how a local source overrides them, where the Dockerfile and requirements live, the server's and
 * the clients' argument parsers and their imports. They build for real (setuptools, CMake, a C
 * compiler, setuptools-scm) and fetch their CMake sources from local "upstream" repositories that
 * stand for GitHub, reached through a git config only while "online".
 *
 * Eras (the real trees they mirror):
 * - `2024-08` (2deb029d, 6e36f4fa): version in vllm/version.py, commit_id.py from git, VLLM_USE_PRECOMPILED
 *   only packages .so files already there, cutlass fetched without a local override;
 * - `2024-10` (83450458, 8c1e77fb): setuptools-scm (`get_version(write_to="vllm/_version.py")`),
 *   the same flag-only precompiled mode, vllm-flash-attn fetched (VLLM_FLASH_ATTN_SRC_DIR override)
 *   and its Python files generated into vllm/vllm_flash_attn/;
 * - `2024-12` (25ebed2f, 3b61cb45): setuptools-scm, VLLM_USE_PRECOMPILED downloads a wheel
 *   (VLLM_PRECOMPILED_WHEEL_LOCATION, else the S3 nightly) and extracts its compiled files,
 *   VLLM_CUTLASS_SRC_DIR override;
 * - `2025-07` (0ec82edd, 58eee5f2): as 2024-12 but the default wheel is resolved from the upstream
 *   main branch over the network, requirements/ and docker/Dockerfile, `import regex as re`, config
 *   dataclasses from pydantic, a platform that must be detected as CUDA, and `vllm bench` with its
 *   code in vllm/benchmarks/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A client file of the generated trees (test/support/era-clients/: isobench's own stand-ins of vLLM's clients). */
const CLIENT = (name: string): string => readFileSync(join(import.meta.dirname, 'era-clients', name), 'utf8');

export type Era = '2024-08' | '2024-10' | '2024-12' | '2025-07';
export const ERAS: readonly Era[] = ['2024-08', '2024-10', '2024-12', '2025-07'];

const GIT = [
  '-c',
  'user.name=isobench',
  '-c',
  'user.email=isobench@localhost',
  '-c',
  'init.defaultBranch=main',
];

function write(root: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...GIT, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** The URLs the eras' CMake fetches from, as the real trees spell them. */
export const CUTLASS_URL = 'https://github.com/nvidia/cutlass.git';
export const FLASH_ATTN_URL = 'https://github.com/vllm-project/flash-attention.git';

/** Local repositories standing for GitHub, and a git config that reaches them only while "online". */
export interface Upstream {
  readonly dir: string;
  /** a git config file mapping the GitHub URLs to the local repositories: point GIT_CONFIG_SYSTEM at it to be online */
  readonly onlineConfig: string;
  readonly cutlassTag: string;
  readonly flashAttnCommit: string;
}

/** Makes the upstream stand-ins: cutlass at tag v3.5.1; flash-attention at a commit, with cutlass as a submodule. */
export function makeUpstream(dir: string): Upstream {
  const cut = join(dir, 'src-cutlass');
  write(cut, { 'include/cutlass/version.h': '#define CUTLASS_STANDIN_VERSION 351\n' });
  git(cut, 'init', '-q');
  git(cut, 'add', '.');
  git(cut, 'commit', '-qm', 'cutlass 3.5.1');
  git(cut, 'tag', 'v3.5.1');
  git(dir, 'clone', '-q', '--bare', cut, join(dir, 'cutlass.git'));
  const onlineConfig = join(dir, 'online.gitconfig');
  writeFileSync(
    onlineConfig,
    [
      `[url "file://${join(dir, 'cutlass.git')}"]`,
      `\tinsteadOf = ${CUTLASS_URL}`,
      `[url "file://${join(dir, 'flash-attention.git')}"]`,
      `\tinsteadOf = ${FLASH_ATTN_URL}`,
      '[protocol "file"]',
      '\tallow = always',
      '',
    ].join('\n'),
  );
  const fa = join(dir, 'src-flash-attention');
  write(fa, {
    'vllm_flash_attn/__init__.py':
      'from .flash_attn_interface import flash_attn_varlen_func\n__version__ = "2.6.2"\n',
    'vllm_flash_attn/flash_attn_interface.py':
      'def flash_attn_varlen_func(*args, **kwargs):\n    return "standin"\n',
    'csrc/fa.c': '#include "cutlass/version.h"\nint fa_standin(void) { return CUTLASS_STANDIN_VERSION; }\n',
  });
  git(fa, 'init', '-q');
  execFileSync('git', [...GIT, 'submodule', 'add', '-q', CUTLASS_URL, 'csrc/cutlass'], {
    cwd: fa,
    env: { ...process.env, GIT_CONFIG_SYSTEM: onlineConfig, GIT_CONFIG_NOSYSTEM: '0' },
    stdio: 'ignore',
  });
  git(fa, 'add', '.');
  git(fa, 'commit', '-qm', 'flash-attention');
  const flashAttnCommit = git(fa, 'rev-parse', 'HEAD');
  // a later commit, so that the one the tree pins is not the tip
  write(fa, { 'README.md': 'later\n' });
  git(fa, 'add', '.');
  git(fa, 'commit', '-qm', 'later');
  git(dir, 'clone', '-q', '--bare', fa, join(dir, 'flash-attention.git'));
  return { dir, onlineConfig, cutlassTag: 'v3.5.1', flashAttnCommit };
}

const scm = (era: Era) => era !== '2024-08';
const flashAttn = (era: Era) => era !== '2024-08';
const wheelMode = (era: Era) => era === '2024-12' || era === '2025-07';

function cmakeLists(era: Era, up: Upstream): string {
  const cutlassOverride = era === '2024-12' || era === '2025-07';
  const lines = [
    'cmake_minimum_required(VERSION 3.18)',
    'project(vllm_standin C)',
    'include(FetchContent)',
    `set(CUTLASS_REVISION "${up.cutlassTag}" CACHE STRING "CUTLASS revision to use")`,
  ];
  if (cutlassOverride)
    lines.push(
      'if (DEFINED ENV{VLLM_CUTLASS_SRC_DIR})',
      '  set(VLLM_CUTLASS_SRC_DIR $ENV{VLLM_CUTLASS_SRC_DIR})',
      'endif()',
      'if(VLLM_CUTLASS_SRC_DIR)',
      '  FetchContent_Declare(cutlass SOURCE_DIR ${VLLM_CUTLASS_SRC_DIR})',
      'else()',
    );
  lines.push(
    '  FetchContent_Declare(',
    '    cutlass',
    `    GIT_REPOSITORY ${CUTLASS_URL}`,
    era === '2025-07' ? '    GIT_TAG ${CUTLASS_REVISION}' : `    GIT_TAG ${up.cutlassTag}`,
    '    GIT_SHALLOW TRUE',
    '  )',
  );
  if (cutlassOverride) lines.push('endif()');
  lines.push(
    'FetchContent_GetProperties(cutlass)',
    'if(NOT cutlass_POPULATED)',
    '  FetchContent_Populate(cutlass)',
    'endif()',
    'add_library(_C MODULE csrc/ops.c)',
    'target_include_directories(_C PRIVATE ${cutlass_SOURCE_DIR}/include)',
    'set_target_properties(_C PROPERTIES PREFIX "" SUFFIX ".abi3.so")',
    'install(TARGETS _C LIBRARY DESTINATION vllm COMPONENT _C)',
  );
  if (flashAttn(era))
    lines.push(
      'if (DEFINED ENV{VLLM_FLASH_ATTN_SRC_DIR})',
      '  FetchContent_Declare(vllm-flash-attn SOURCE_DIR $ENV{VLLM_FLASH_ATTN_SRC_DIR})',
      'else()',
      '  FetchContent_Declare(',
      '    vllm-flash-attn',
      `    GIT_REPOSITORY ${FLASH_ATTN_URL}`,
      `    GIT_TAG ${up.flashAttnCommit}`,
      '  )',
      'endif()',
      'FetchContent_GetProperties(vllm-flash-attn)',
      'if(NOT vllm-flash-attn_POPULATED)',
      '  FetchContent_Populate(vllm-flash-attn)',
      'endif()',
      'add_library(vllm_flash_attn_c MODULE ${vllm-flash-attn_SOURCE_DIR}/csrc/fa.c)',
      'target_include_directories(vllm_flash_attn_c PRIVATE ${vllm-flash-attn_SOURCE_DIR}/csrc/cutlass/include)',
      'set_target_properties(vllm_flash_attn_c PROPERTIES PREFIX "" SUFFIX ".abi3.so")',
      'install(TARGETS vllm_flash_attn_c LIBRARY DESTINATION vllm/vllm_flash_attn COMPONENT vllm_flash_attn_c)',
      'install(DIRECTORY ${vllm-flash-attn_SOURCE_DIR}/vllm_flash_attn/ DESTINATION vllm/vllm_flash_attn',
      '        COMPONENT vllm_flash_attn_c FILES_MATCHING PATTERN "*.py")',
    );
  return `${lines.join('\n')}\n`;
}

function setupPy(era: Era): string {
  const exts = ['CMakeExtension(name="vllm._C")'];
  if (flashAttn(era)) exts.push('CMakeExtension(name="vllm.vllm_flash_attn.vllm_flash_attn_c")');
  const version = scm(era)
    ? [
        'from setuptools_scm import get_version',
        '',
        'def get_vllm_version():',
        '    return get_version(write_to="vllm/_version.py")',
      ]
    : [
        'import re',
        '',
        'def embed_commit_hash():',
        '    try:',
        '        commit = subprocess.check_output(["git", "rev-parse", "HEAD"], cwd=ROOT, text=True).strip()',
        '        with open(os.path.join(ROOT, "vllm", "commit_id.py"), "w") as f:',
        '            f.write("__commit__ = %r\\n" % commit)',
        '    except Exception as e:',
        '        print("no commit hash:", e)',
        '',
        'embed_commit_hash()',
        '',
        'def get_vllm_version():',
        '    text = open(os.path.join(ROOT, "vllm", "version.py")).read()',
        '    return re.search(r"^__version__ = [\\"\']([^\\"\']*)", text, re.M).group(1)',
      ];
  const precompiled = wheelMode(era)
    ? [
        'class repackage_wheel(build_ext):',
        '    """Takes the compiled files of an existing wheel instead of compiling."""',
        era === '2025-07'
          ? '    def default_location(self):\n        try:\n            out = subprocess.check_output(["curl", "-sf", "https://api.github.com/repos/vllm-project/vllm/commits/main"], timeout=20)\n            base = json.loads(out)["sha"]\n        except Exception as e:\n            print("no upstream main:", e)\n            base = "nightly"\n        return "https://wheels.vllm.ai/%s/vllm-1.0.0.dev-cp38-abi3-manylinux1_x86_64.whl" % base'
          : '    default_wheel = "https://vllm-wheels.s3.us-west-2.amazonaws.com/nightly/vllm-1.0.0.dev-cp38-abi3-manylinux1_x86_64.whl"\n    def default_location(self):\n        return self.default_wheel',
        '    def run(self):',
        '        location = os.getenv("VLLM_PRECOMPILED_WHEEL_LOCATION") or self.default_location()',
        '        if os.path.isfile(location):',
        '            path = location',
        '        else:',
        '            print("Downloading wheel from %s" % location)',
        '            path = os.path.join(tempfile.mkdtemp(), location.rsplit("/", 1)[-1])',
        '            try:',
        '                urllib.request.urlretrieve(location, path)',
        '            except Exception as e:',
        '                raise RuntimeError("Failed to get vLLM wheel from %s" % location) from e',
        '        files_to_copy = [',
        '            "vllm/_C.abi3.so",',
        '            "vllm/vllm_flash_attn/vllm_flash_attn_c.abi3.so",',
        '            "vllm/vllm_flash_attn/flash_attn_interface.py",',
        '            "vllm/vllm_flash_attn/__init__.py",',
        '        ]',
        '        with zipfile.ZipFile(path) as w:',
        '            for m in w.filelist:',
        '                if m.filename in files_to_copy:',
        '                    w.extract(m, ROOT)',
        '',
        'PRECOMPILED = bool(os.environ.get("VLLM_USE_PRECOMPILED") or os.environ.get("VLLM_PRECOMPILED_WHEEL_LOCATION"))',
      ]
    : ['PRECOMPILED = bool(os.environ.get("VLLM_USE_PRECOMPILED"))'];
  return `${[
    "# a stand-in of vLLM's setup.py of this era (isobench tests)",
    'import glob',
    'import json',
    'import os',
    'import shutil',
    'import subprocess',
    'import tempfile',
    'import urllib.request',
    'import zipfile',
    '',
    'from setuptools import Extension, find_packages, setup',
    'from setuptools.command.build_ext import build_ext',
    '',
    'ROOT = os.path.dirname(os.path.abspath(__file__))',
    'MAIN_CUDA_VERSION = "12.1"',
    ...version,
    '',
    'class CMakeExtension(Extension):',
    '    def __init__(self, name):',
    '        super().__init__(name, sources=[], py_limited_api=True)',
    '',
    'class cmake_build_ext(build_ext):',
    '    def build_extensions(self):',
    '        temp = os.path.abspath(self.build_temp)',
    '        os.makedirs(temp, exist_ok=True)',
    '        subprocess.check_call(["cmake", "-S", ROOT, "-B", temp, "-DCMAKE_BUILD_TYPE=Release"])',
    '        for ext in self.extensions:',
    '            target = ext.name.split(".")[-1]',
    '            subprocess.check_call(["cmake", "--build", temp, "--target", target])',
    '            prefix = os.path.dirname(os.path.abspath(self.get_ext_fullpath(ext.name)))',
    '            for _ in range(ext.name.count(".")):',
    '                prefix = os.path.dirname(prefix)',
    '            subprocess.check_call(["cmake", "--install", temp, "--prefix", prefix, "--component", target])',
    '',
    ...(flashAttn(era)
      ? [
          '    def run(self):',
          '        super().run()',
          "        # the bundled flash-attention's Python files, into the tree for editable installs",
          '        for f in glob.glob(os.path.join(self.build_lib, "vllm", "vllm_flash_attn", "*.py")):',
          '            dst = os.path.join(ROOT, "vllm", "vllm_flash_attn", os.path.basename(f))',
          '            os.makedirs(os.path.dirname(dst), exist_ok=True)',
          '            shutil.copyfile(f, dst)',
        ]
      : []),
    '',
    ...precompiled,
    '',
    `ext_modules = [${exts.join(', ')}]`,
    'package_data = {"vllm": ["py.typed"]}',
    'if PRECOMPILED:',
    wheelMode(era) ? '    pass' : '    ext_modules = []\n    package_data["vllm"].append("*.so")',
    '',
    'setup(',
    '    name="vllm",',
    '    version=get_vllm_version(),',
    '    packages=find_packages(exclude=("benchmarks", "csrc", "tests*")),',
    '    package_data=package_data,',
    '    python_requires=">=3.9",',
    '    ext_modules=ext_modules,',
    wheelMode(era)
      ? '    cmdclass={"build_ext": repackage_wheel if PRECOMPILED else cmake_build_ext},'
      : '    cmdclass={"build_ext": cmake_build_ext} if ext_modules else {},',
    ')',
  ].join('\n')}\n`;
}

/** The server's parser and the heavy imports around it, as the era's api_server/cli_args have them. */
function serverFiles(era: Era): Record<string, string> {
  const re = era === '2025-07' ? 'import regex as re' : 'import re';
  const files: Record<string, string> = {
    'vllm/utils.py': [
      'import argparse',
      re,
      '',
      'class FlexibleArgumentParser(argparse.ArgumentParser):',
      '    """Takes --a_b for --a-b, as vLLM\'s does."""',
      '    def parse_args(self, args=None, namespace=None):',
      '        import sys',
      '        args = sys.argv[1:] if args is None else args',
      '        fixed = [re.sub(r"^--([^=]*)", lambda m: "--" + m.group(1).replace("_", "-"), a) for a in args]',
      '        return super().parse_args(fixed, namespace)',
      '',
    ].join('\n'),
    'vllm/engine/__init__.py': '',
    'vllm/engine/arg_utils.py': [
      'import dataclasses',
      'from typing import Optional',
      'import torch',
      'from transformers import PretrainedConfig',
      ...(era === '2025-07'
        ? [
            'from vllm.config import DeviceConfig',
            'import copy',
            '# the defaults are deep-copied, as vLLM 0.9+ get_kwargs does (copy makes objects without __init__)',
            '_DEFAULTS = copy.deepcopy({"dtype": torch.float16, "config": PretrainedConfig()})',
          ]
        : []),
      '',
      '@dataclasses.dataclass',
      'class EngineArgs:',
      '    model: str = "facebook/opt-125m"',
      '    dtype: str = "auto"',
      '    tensor_parallel_size: int = 1',
      '    enable_prefix_caching: bool = False',
      '    quantization: Optional[str] = None',
      '',
      '    @classmethod',
      '    def from_cli_args(cls, args):',
      '        return cls(**{f.name: getattr(args, f.name) for f in dataclasses.fields(cls)})',
      '',
      '    @staticmethod',
      '    def add_cli_args(parser):',
      ...(era === '2025-07'
        ? ['        DeviceConfig()  # the platform must be known to build the defaults']
        : []),
      '        parser.add_argument("--model", type=str, default="facebook/opt-125m")',
      '        parser.add_argument("--dtype", type=str, default="auto", choices=["auto", "half", "float16", "bfloat16", "float32"])',
      '        parser.add_argument("--tensor-parallel-size", "-tp", type=int, default=1)',
      '        parser.add_argument("--enable-prefix-caching", action="store_true")',
      '        parser.add_argument("--quantization", "-q", type=str, default=None, choices=["fp8", "awq", "gptq", None])',
      '        return parser',
      '',
      'class AsyncEngineArgs(EngineArgs):',
      '    pass',
      '',
    ].join('\n'),
    'vllm/entrypoints/__init__.py': '',
    'vllm/entrypoints/openai/__init__.py': '',
    'vllm/entrypoints/openai/cli_args.py': [
      'from vllm.engine.arg_utils import AsyncEngineArgs',
      '',
      'def make_arg_parser(parser):',
      '    parser.add_argument("--host", type=str, default=None)',
      '    parser.add_argument("--port", type=int, default=8000)',
      '    return AsyncEngineArgs.add_cli_args(parser)',
      '',
    ].join('\n'),
    'vllm/entrypoints/openai/api_server.py': [
      'import asyncio',
      // 0.4's server imports the sampler, which imports triton bare (no try): a host without triton fails
      ...(era === '2024-08' ? ['import triton', 'import triton.language as tl'] : []),
      'from fastapi import FastAPI',
      'import uvicorn',
      'from vllm.entrypoints.openai.cli_args import make_arg_parser',
      'from vllm.utils import FlexibleArgumentParser',
      '',
      'app = FastAPI()',
      '',
      'async def run_server(args):',
      '    uvicorn.run(app, host=args.host, port=args.port)',
      '',
      'if __name__ == "__main__":',
      '    parser = make_arg_parser(FlexibleArgumentParser(description="the OpenAI-compatible server"))',
      '    args = parser.parse_args()',
      '    asyncio.run(run_server(args))',
      '',
    ].join('\n'),
  };
  if (era === '2025-07') {
    files['vllm/config.py'] = [
      'from pydantic.dataclasses import dataclass',
      'from pydantic import ConfigDict',
      'from vllm.platforms import current_platform',
      '',
      '@dataclass(config=ConfigDict(arbitrary_types_allowed=True))',
      'class DeviceConfig:',
      '    device: str = "auto"',
      '    def __post_init__(self):',
      '        if self.device == "auto" and not current_platform.device_type:',
      '            raise RuntimeError("Failed to infer device type")',
      '',
    ].join('\n');
    files['vllm/platforms/__init__.py'] = [
      'class _Unspecified:',
      '    device_type = ""',
      '',
      'class _Cuda:',
      '    device_type = "cuda"',
      '',
      'def _detect():',
      '    try:',
      '        from vllm.third_party import pynvml',
      '        pynvml.nvmlInit()',
      '        if pynvml.nvmlDeviceGetCount() > 0:',
      '            return _Cuda()',
      '    except Exception:',
      '        pass',
      '    try:',
      '        import libtpu  # noqa: F401',
      '        raise RuntimeError("a TPU platform on a GPU host")',
      '    except ImportError:',
      '        pass',
      '    return _Unspecified()',
      '',
      'current_platform = _detect()',
      '',
    ].join('\n');
    files['vllm/third_party/__init__.py'] = '';
    files['vllm/third_party/pynvml.py'] = [
      'import ctypes',
      'class NVMLError(Exception):',
      '    pass',
      'def nvmlInit():',
      '    try:',
      '        ctypes.CDLL("libnvidia-ml.so.1")',
      '    except OSError as e:',
      '        raise NVMLError(str(e))',
      'def nvmlDeviceGetCount():',
      '    return 0',
      '',
    ].join('\n');
  }
  return files;
}

function clientFiles(era: Era): Record<string, string> {
  const serving = [
    'import argparse',
    'import asyncio',
    'import json',
    'import os',
    'import aiohttp',
    'import numpy as np',
    'from tqdm.asyncio import tqdm',
    'from transformers import PreTrainedTokenizerBase',
    'try:',
    '    from vllm.utils import FlexibleArgumentParser',
    'except ImportError:',
    '    from argparse import ArgumentParser as FlexibleArgumentParser',
    'from backend_request_func import ASYNC_REQUEST_FUNCS',
    '',
    `GOODPUT_KEY = ${era === '2025-07' ? '"request_goodput"' : era === '2024-12' ? '"request_goodput:"' : 'None'}`,
    '',
    CLIENT('benchmark_serving_main.py'),
    '',
    'if __name__ == "__main__":',
    '    parser = FlexibleArgumentParser(description="Benchmark the online serving throughput.")',
    '    parser.add_argument("--backend", type=str, default="vllm", choices=list(ASYNC_REQUEST_FUNCS.keys()))',
    '    parser.add_argument("--host", type=str, default="localhost")',
    '    parser.add_argument("--port", type=int, default=8000)',
    '    parser.add_argument("--endpoint", type=str, default="/v1/completions")',
    ...(era === '2024-08'
      ? [
          '    parser.add_argument("--dataset", type=str, default=None, help="deprecated: use --dataset-path")',
        ]
      : []),
    '    parser.add_argument("--dataset-name", type=str, default="sharegpt", choices=["sharegpt", "random", "sonnet"])',
    '    parser.add_argument("--dataset-path", type=str, default=None)',
    '    parser.add_argument("--model", type=str, required=True)',
    '    parser.add_argument("--tokenizer", type=str, default=None)',
    '    parser.add_argument("--num-prompts", type=int, default=1000)',
    '    parser.add_argument("--request-rate", type=float, default=float("inf"))',
    '    parser.add_argument("--seed", type=int, default=0)',
    '    parser.add_argument("--save-result", action="store_true")',
    '    parser.add_argument("--result-dir", type=str, default=None)',
    '    parser.add_argument("--result-filename", type=str, default=None)',
    '    main(parser.parse_args())',
    '',
  ].join('\n');
  const files: Record<string, string> = {
    'benchmarks/benchmark_serving.py': serving,
    'benchmarks/benchmark_latency.py': CLIENT('benchmark_latency.py'),
    'benchmarks/backend_request_func.py':
      'import aiohttp\nASYNC_REQUEST_FUNCS = {"vllm": None, "openai": None, "tgi": None}\n',
  };
  if (era === '2025-07') {
    files['vllm/benchmarks/__init__.py'] = '';
    files['vllm/benchmarks/throughput.py'] = [
      'import json',
      'import time',
      '',
      'BENCHMARK_CODE = "parent"',
      '',
      'def add_cli_args(parser):',
      '    parser.add_argument("--model", type=str, required=True)',
      '    parser.add_argument("--input-len", type=int, default=None)',
      '    parser.add_argument("--output-len", type=int, default=None)',
      '    parser.add_argument("--num-prompts", type=int, default=10)',
      '    parser.add_argument("--load-format", type=str, default="auto")',
      '    parser.add_argument("--output-json", type=str, default=None)',
      '',
      'def main(args):',
      '    from vllm.engine import speed',
      '    t0 = time.perf_counter()',
      '    tokens = speed.generate(args.num_prompts, args.input_len or 8, args.output_len or 8)',
      '    elapsed = time.perf_counter() - t0',
      '    rps = args.num_prompts / elapsed',
      '    print("benchmark code: %s" % BENCHMARK_CODE)',
      '    print("Throughput: %.2f requests/s, %.2f total tokens/s, %.2f output tokens/s" % (rps, tokens / elapsed, args.num_prompts * (args.output_len or 8) / elapsed))',
      '    if args.output_json:',
      '        with open(args.output_json, "w") as f:',
      '            json.dump({"elapsed_time": elapsed, "num_requests": args.num_prompts, "total_num_tokens": tokens, "requests_per_second": rps, "tokens_per_second": tokens / elapsed}, f)',
      '',
    ].join('\n');
    files['vllm/engine/speed.py'] = [
      'def generate(n, input_len, output_len):',
      '    total = 0',
      '    for _ in range(n * 2000):',
      '        total += 1',
      '    return n * (input_len + output_len)',
      '',
    ].join('\n');
    files['vllm/entrypoints/cli/__init__.py'] = '';
    files['vllm/entrypoints/cli/benchmark/__init__.py'] = '';
    files['vllm/entrypoints/cli/main.py'] = [
      'import argparse',
      '',
      'def main():',
      '    parser = argparse.ArgumentParser(prog="vllm")',
      '    sub = parser.add_subparsers(dest="command", required=True)',
      '    bench = sub.add_parser("bench").add_subparsers(dest="bench_type", required=True)',
      '    from vllm.benchmarks import throughput',
      '    throughput.add_cli_args(bench.add_parser("throughput"))',
      '    args = parser.parse_args()',
      '    throughput.main(args)',
      '',
      'if __name__ == "__main__":',
      '    main()',
      '',
    ].join('\n');
  }
  return files;
}

/** A generated tree of `era`, committed as the parent, with a human commit on top; returns both hashes. */
export function makeEraRepo(
  dir: string,
  era: Era,
  up: Upstream,
): { dir: string; parent: string; human: string } {
  const req = era === '2025-07' ? 'requirements/' : 'requirements-';
  const docker = era === '2025-07' ? 'docker/Dockerfile' : 'Dockerfile';
  const files: Record<string, string> = {
    'setup.py': setupPy(era),
    'CMakeLists.txt': cmakeLists(era, up),
    'cmake/cpu_extension.cmake':
      'FetchContent_Declare(\n  oneDNN\n  GIT_REPOSITORY https://github.com/oneapi-src/oneDNN.git\n  GIT_TAG v3.6\n  GIT_SHALLOW TRUE\n)\n',
    'pyproject.toml': `[build-system]\nrequires = ["setuptools>=61", "wheel"${scm(era) ? ', "setuptools-scm>=7"' : ''}]\nbuild-backend = "setuptools.build_meta"\n${scm(era) ? '\n[tool.setuptools_scm]\n' : ''}`,
    [`${req}build.txt`]: `# what a build needs (all present on the test host)\nsetuptools>=40\n${scm(era) ? 'setuptools-scm>=7\n' : ''}`,
    [`${req}cuda.txt`]: '# the runtime requirements of a CUDA install (none for the stand-in)\n',
    [docker]: `ARG CUDA_VERSION=${era === '2025-07' ? '12.8.1' : '12.4.1'}\nARG PYTHON_VERSION=${era === '2024-08' ? '3.10' : '3.12'}\nFROM nvidia/cuda:\${CUDA_VERSION}-devel-ubuntu20.04 AS base\n`,
    'csrc/ops.c': '#include "cutlass/version.h"\nint ops_standin(void) { return CUTLASS_STANDIN_VERSION; }\n',
    '.gitignore': 'build/\n*.so\nvllm/_version.py\nvllm/commit_id.py\nvllm/vllm_flash_attn/\n*.egg-info/\n',
    // the version, then the offline API the benchmark scripts import (`from vllm import LLM, SamplingParams`)
    'vllm/__init__.py': `${scm(era) ? 'try:\n    from ._version import __version__\nexcept Exception:\n    __version__ = "dev"\n' : 'from .version import __version__\n'}from vllm.entrypoints.llm import LLM\nfrom vllm.sampling_params import SamplingParams\n`,
    ...(scm(era)
      ? {}
      : {
          'vllm/version.py':
            'try:\n    import vllm.commit_id\n    __commit__ = vllm.commit_id.__commit__\nexcept Exception:\n    __commit__ = "COMMIT_HASH_PLACEHOLDER"\n__version__ = "0.5.5"\n',
        }),
    'vllm/py.typed': '',
    // the offline API the benchmark scripts import (the real engine needs a GPU; the stand-in replaces it)
    'vllm/entrypoints/llm.py': CLIENT('llm.py'),
    'vllm/sampling_params.py': CLIENT('sampling_params.py'),
    ...serverFiles(era),
    ...clientFiles(era),
  };
  write(dir, files);
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', `parent (${era} stand-in)`);
  const parent = git(dir, 'rev-parse', 'HEAD');
  // the human commit: a Python-level change, and (2025-07) its own vllm/benchmarks code
  write(dir, { 'vllm/engine/arg_utils.py': `${files['vllm/engine/arg_utils.py']}\n# the human's change\n` });
  if (era === '2025-07')
    write(dir, {
      'vllm/benchmarks/throughput.py': (files['vllm/benchmarks/throughput.py'] as string).replace(
        'BENCHMARK_CODE = "parent"',
        'BENCHMARK_CODE = "human"',
      ),
    });
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'human');
  const human = git(dir, 'rev-parse', 'HEAD');
  return { dir, parent, human };
}
