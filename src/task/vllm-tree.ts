/**
 * What a vLLM source tree at one commit says about how it is built and installed, read from its own
 * files (setup.py, CMakeLists.txt and cmake/*.cmake, Dockerfile, pyproject.toml, requirements): how
 * its version is found, what `VLLM_USE_PRECOMPILED` does there, which compiled extensions and
 * generated files a build puts into the package, which sources CMake fetches, the CUDA and Python of
 * its own image. The image recipe and `isobench tasks verify` decide from these facts, era by era,
 * instead of from dates. Reads files only; never runs the tree's code.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A source CMake fetches at configure time (`FetchContent_Declare(... GIT_REPOSITORY ... GIT_TAG ...)`). */
export interface FetchedSource {
  /** the FetchContent name, e.g. `cutlass`, `vllm-flash-attn` */
  readonly name: string;
  readonly repository: string;
  /** a tag, branch or commit, with `${VAR}` resolved from the tree's `set(VAR "...")` */
  readonly tag: string;
  readonly shallow: boolean;
  /** the environment variable the tree reads to take a local source instead (`VLLM_CUTLASS_SRC_DIR`) */
  readonly envOverride: string | null;
  /** the file that declares it, relative to the tree */
  readonly file: string;
  /** whether it is declared in a CPU-only file (`cmake/cpu_extension.cmake`): a CUDA build never fetches it */
  readonly cpuOnly: boolean;
}

/** How the tree's setup.py finds its version. */
export type VersionScheme =
  | {
      readonly scheme: 'setuptools-scm';
      /** the file setuptools-scm writes (`vllm/_version.py`), a generated file */
      readonly writeTo: string | null;
    }
  | { readonly scheme: 'file'; readonly value: string; readonly file: string }
  | { readonly scheme: 'unknown' };

/** What `VLLM_USE_PRECOMPILED=1 pip install -e .` does in this tree. */
export type PrecompiledMode =
  /** ≈2024-12 on: downloads a wheel (`VLLM_PRECOMPILED_WHEEL_LOCATION`, else a default URL) and extracts `files` from it */
  | {
      readonly kind: 'wheel-location';
      readonly defaultWheel: string | null;
      /** the default resolves the upstream main branch over the network (2025 trees) */
      readonly asksUpstream: boolean;
      readonly files: readonly string[];
    }
  /** before: only stops compiling and packages the `.so` files already in the tree */
  | { readonly kind: 'flag-only' }
  | { readonly kind: 'none' };

/** Facts of one tree. */
export interface VllmTreeFacts {
  readonly dockerfile: string | null;
  readonly version: VersionScheme;
  readonly precompiled: PrecompiledMode;
  /** extension modules setup.py builds (`vllm._C`, `vllm.vllm_flash_attn._vllm_fa2_C`, ...) */
  readonly extensions: readonly string[];
  /** whether the build copies the bundled flash-attention's Python files into `vllm/vllm_flash_attn/` */
  readonly flashAttnPython: boolean;
  /** setup.py writes `vllm/commit_id.py` from git */
  readonly commitIdFile: boolean;
  readonly fetched: readonly FetchedSource[];
  /** `MAIN_CUDA_VERSION` of setup.py (the CUDA its wheels are built with) */
  readonly mainCuda: string | null;
  /** the CUDA of the tree's own Dockerfile (`ARG CUDA_VERSION=`, else its `FROM nvidia/cuda:` tag) */
  readonly dockerCuda: string | null;
  /** `ARG PYTHON_VERSION=` of the tree's Dockerfile */
  readonly dockerPython: string | null;
  /** `python_requires` of setup.py or `requires-python` of pyproject.toml */
  readonly pythonRequires: string | null;
  /** the torch the tree builds against (`torch == X` of pyproject's build requires, or CMake's supported version) */
  readonly torch: string | null;
  /** the requirements file for a CUDA install, relative to the tree */
  readonly requirementsCuda: string | null;
  /** the requirements file for a build (cmake, ninja, torch, ...), relative to the tree */
  readonly requirementsBuild: string | null;
}

function read(tree: string, rel: string): string | null {
  try {
    return readFileSync(join(tree, rel), 'utf8');
  } catch {
    return null;
  }
}

function firstExisting(tree: string, rels: readonly string[]): string | null {
  return rels.find((r) => existsSync(join(tree, r))) ?? null;
}

function cmakeFiles(tree: string): string[] {
  const out: string[] = [];
  if (existsSync(join(tree, 'CMakeLists.txt'))) out.push('CMakeLists.txt');
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries.sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.cmake')) out.push(relative(tree, p));
    }
  };
  walk(join(tree, 'cmake'));
  return out;
}

/** Drops CMake comments (`# ...` to the end of the line, outside quotes). */
function uncomment(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (c === '"' && line[i - 1] !== '\\') quoted = !quoted;
        else if (c === '#' && !quoted) return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

/** The `FetchContent_Declare` calls with a git repository, `${VAR}` resolved from `set(VAR "value" ...)`. */
export function fetchedSources(tree: string): FetchedSource[] {
  const files = cmakeFiles(tree);
  const texts = new Map(files.map((f) => [f, uncomment(read(tree, f) ?? '')]));
  const vars = new Map<string, string>();
  for (const text of texts.values())
    for (const [, k, v] of text.matchAll(/\bset\s*\(\s*([A-Za-z_][\w]*)\s+"?([^"\s)]+)"?/g))
      if (k !== undefined && v !== undefined && !vars.has(k)) vars.set(k, v);
  const resolve = (v: string) => v.replace(/\$\{(\w+)\}/g, (_, k: string) => vars.get(k) ?? `\${${k}}`);
  const out: FetchedSource[] = [];
  for (const [file, text] of texts) {
    for (const [, args = ''] of text.matchAll(/FetchContent_Declare\s*\(([\s\S]*?)\)/g)) {
      const words = args.split(/\s+/).filter(Boolean);
      const name = words[0];
      const at = (k: string) => {
        const i = words.indexOf(k);
        return i >= 0 ? (words[i + 1] ?? null) : null;
      };
      const repository = at('GIT_REPOSITORY');
      const tag = at('GIT_TAG');
      if (!name || !repository || !tag) continue;
      // the environment variable that points the same name at a local source (`SOURCE_DIR ${X_SRC_DIR}` beside it)
      const local = new RegExp(
        `if\\s*\\(\\s*DEFINED\\s+ENV\\{(\\w+)\\}[\\s\\S]{0,400}?FetchContent_Declare\\s*\\(\\s*${name.replace(/[-.]/g, '\\$&')}\\s+SOURCE_DIR`,
      ).exec(text);
      out.push({
        name,
        repository: resolve(repository),
        tag: resolve(tag),
        shallow: /^TRUE$/i.test(at('GIT_SHALLOW') ?? ''),
        envOverride: local?.[1] ?? null,
        file,
        cpuOnly: /cpu_extension\.cmake$/.test(file),
      });
    }
  }
  return out;
}

function extensionNames(setup: string): string[] {
  const names = new Set<string>();
  for (const m of setup.matchAll(
    /\b(?:CMakeExtension|CUDAExtension|CppExtension)\(\s*(?:name\s*=\s*)?["']([\w.]+)["']/g,
  ))
    if (m[1]) names.add(m[1]);
  return [...names].sort();
}

function versionScheme(tree: string, setup: string): VersionScheme {
  if (/\bsetuptools_scm\b/.test(setup) && /\bget_version\s*\(/.test(setup)) {
    const w = /get_version\s*\([^)]*write_to\s*=\s*["']([^"']+)["']/.exec(setup);
    return { scheme: 'setuptools-scm', writeTo: w?.[1] ?? null };
  }
  for (const f of ['vllm/version.py', 'vllm/__init__.py']) {
    const m = /^__version__\s*=\s*["']([^"']+)["']/m.exec(read(tree, f) ?? '');
    if (m?.[1]) return { scheme: 'file', value: m[1], file: f };
  }
  return { scheme: 'unknown' };
}

function precompiledMode(setup: string): PrecompiledMode {
  if (/class\s+repackage_wheel\b/.test(setup)) {
    const files = [
      ...(/files_to_copy\s*=\s*\[([\s\S]*?)\]/.exec(setup)?.[1] ?? '').matchAll(/^\s*["']([^"']+)["']/gm),
    ].flatMap((m) => m[1] ?? []);
    const def =
      /default_wheel\s*=\s*["']([^"']+)["']/.exec(setup)?.[1] ??
      /wheel_location\s*=\s*f?["'](https:\/\/[^"']+)["']/.exec(setup)?.[1] ??
      null;
    return {
      kind: 'wheel-location',
      defaultWheel: def,
      asksUpstream: /api\.github\.com\/repos\/vllm-project\/vllm/.test(setup),
      files,
    };
  }
  if (/VLLM_USE_PRECOMPILED/.test(setup)) return { kind: 'flag-only' };
  return { kind: 'none' };
}

/** Reads the facts of the vLLM tree at `tree`. */
export function vllmTreeFacts(tree: string): VllmTreeFacts {
  const setup = read(tree, 'setup.py') ?? '';
  const dockerfile = firstExisting(tree, ['docker/Dockerfile', 'Dockerfile']);
  const docker = dockerfile ? (read(tree, dockerfile) ?? '') : '';
  const pyproject = read(tree, 'pyproject.toml') ?? '';
  const cmake = read(tree, 'CMakeLists.txt') ?? '';
  const dockerCuda =
    /^ARG CUDA_VERSION=([\d.]+)/m.exec(docker)?.[1] ??
    /^FROM nvidia\/cuda:([\d.]+)-/m.exec(docker)?.[1] ??
    null;
  return {
    dockerfile,
    version: versionScheme(tree, setup),
    precompiled: precompiledMode(setup),
    extensions: extensionNames(setup),
    // the package is generated whole (its Python files come from the flash-attention sources) wherever setup.py builds or copies it
    flashAttnPython: /vllm_flash_attn/.test(setup),
    commitIdFile: /commit_id\.py/.test(setup),
    fetched: fetchedSources(tree),
    mainCuda: /^MAIN_CUDA_VERSION\s*=\s*["']([\d.]+)["']/m.exec(setup)?.[1] ?? null,
    dockerCuda,
    dockerPython: /^ARG PYTHON_VERSION=([\d.]+)/m.exec(docker)?.[1] ?? null,
    pythonRequires:
      /python_requires\s*=\s*["']([^"']+)["']/.exec(setup)?.[1] ??
      /^requires-python\s*=\s*["']([^"']+)["']/m.exec(pyproject)?.[1] ??
      null,
    torch:
      /["']torch\s*==\s*([\w.+]+)["']/.exec(pyproject)?.[1] ??
      /set\(TORCH_SUPPORTED_VERSION_CUDA\s+"([^"]+)"\)/.exec(cmake)?.[1] ??
      null,
    requirementsCuda: firstExisting(tree, [
      'requirements/cuda.txt',
      'requirements-cuda.txt',
      'requirements.txt',
    ]),
    requirementsBuild: firstExisting(tree, ['requirements/build.txt', 'requirements-build.txt']),
  };
}

/** Whether a `python_requires` specifier (`>=3.9`, `>=3.8,<3.13`) admits Python `version` (`3.10`). */
export function admitsPython(spec: string | null, version: string): boolean {
  if (!spec) return true;
  const v = version.split('.').map(Number);
  const cmp = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      if (d) return d;
    }
    return 0;
  };
  return spec.split(',').every((part) => {
    const [, op, version] = /^\s*(>=|<=|==|!=|>|<|~=)\s*([\d.]+)/.exec(part) ?? [];
    if (version === undefined) return true;
    const w = version.split('.').map(Number);
    const c = cmp(v, w);
    switch (op) {
      case '>=':
        return c >= 0;
      case '>':
        return c > 0;
      case '<=':
        return c <= 0;
      case '<':
        return c < 0;
      case '==':
        return cmp(v.slice(0, w.length), w) === 0;
      case '!=':
        return cmp(v.slice(0, w.length), w) !== 0;
      default:
        return c >= 0;
    }
  });
}
