/**
 * Which image recipe a task's commits get. Demo tasks: the debootstrap base with the repository at
 * the commit. vLLM tasks: vLLM at the commit from its per-commit wheel when one exists (commits on
 * main from ≈July 2024), else from source; CUDA, Python and dependency pins of the commit's era;
 * an editable install over the wheel's compiled parts (≈v0.6.2+) so Python-only patches take effect.
 * Every choice is written into the recipe's notes. Facts: shared/docs/VLLM.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskSpec } from '../task/schema.js';
import type { ImageRecipe } from './images.js';

/** The recipe of a demo task at a commit whose tree is at `tree`. */
export function demoRecipe(task: TaskSpec, tree: string, baseImage: string): ImageRecipe {
  const client = task.benchmark.client?.argv ?? [];
  return {
    family: 'demo',
    context: [{ from: tree, to: 'repo' }],
    buildArgs: { BASE: baseImage },
    smoke: [
      ['python3', '-c', 'import sys; sys.path.insert(0, "/opt/task/repo"); import engine'],
      [client[0] ?? 'python3', client[1] ?? '--version', '--help'],
    ],
    notes: [`demo ${task.repo.demo}: ${baseImage} with the repository baked in at /opt/task/repo`],
  };
}

/** Dated facts of the vLLM recipe, latest first within each list. */
const WHEELS_S3_FROM = '2024-07-01';
const WHEELS_VLLM_AI_FROM = '2024-09-25';
const EDITABLE_PRECOMPILED_FROM = '2024-09-25';
const CUDA: ReadonlyArray<[string, string]> = [
  ['2025-05-15', 'nvidia/cuda:12.8.1-devel-ubuntu22.04'],
  ['2025-02-07', 'nvidia/cuda:12.4.1-devel-ubuntu22.04'],
  ['0000-00-00', 'nvidia/cuda:12.1.1-devel-ubuntu22.04'],
];
/** transformers releases of each era (resolving today's would break old commits). */
const TRANSFORMERS: ReadonlyArray<[string, string]> = [
  ['2025-06-01', 'transformers<4.54'],
  ['2025-03-01', 'transformers<4.52'],
  ['2024-12-01', 'transformers<4.49'],
  ['2024-09-01', 'transformers<4.46'],
  ['2024-06-01', 'transformers<4.44'],
  ['0000-00-00', 'transformers<4.42'],
];

function pick(table: ReadonlyArray<[string, string]>, date: string): string {
  return (table.find(([from]) => date >= from) ?? table[table.length - 1] ?? ['', ''])[1];
}

/** The version string in `vllm/version.py` (or setup.py) of a checked-out tree, for the 2024 wheel names. */
export function vllmVersionOf(tree: string): string | null {
  for (const f of ['vllm/version.py', 'vllm/__init__.py']) {
    try {
      const m = /__version__\s*=\s*["']([^"']+)["']/.exec(readFileSync(join(tree, f), 'utf8'));
      if (m?.[1]) return m[1];
    } catch {
      // not in this layout
    }
  }
  return null;
}

/** The recipe of vLLM at `commit` (its tree checked out at `tree`, dated `date`). */
export function vllmRecipe(task: TaskSpec, commit: string, tree: string, date: string): ImageRecipe {
  const day = date.slice(0, 10);
  const notes: string[] = [];
  let install = 'source';
  let wheel = '';
  if (day >= WHEELS_VLLM_AI_FROM) {
    install = 'wheel';
    wheel = `https://wheels.vllm.ai/${commit}/vllm-1.0.0.dev-cp38-abi3-manylinux1_x86_64.whl`;
    notes.push(`per-commit wheel from wheels.vllm.ai (commits from ${WHEELS_VLLM_AI_FROM})`);
  } else if (day >= WHEELS_S3_FROM) {
    const version = vllmVersionOf(tree);
    if (version) {
      install = 'wheel';
      wheel = `https://vllm-wheels.s3.us-west-2.amazonaws.com/${commit}/vllm-${version}-cp38-abi3-manylinux1_x86_64.whl`;
      notes.push(
        `per-commit wheel from the S3 bucket with version ${version} from vllm/version.py (commits ${WHEELS_S3_FROM} to ${WHEELS_VLLM_AI_FROM})`,
      );
    } else notes.push('no version string found for the 2024 wheel name: built from source');
  } else notes.push(`no per-commit wheels before ${WHEELS_S3_FROM}: built from source (25-90 minutes)`);
  const cuda = pick(CUDA, day);
  notes.push(`CUDA base ${cuda} for a commit of ${day}`);
  const editable = install === 'wheel' && day >= EDITABLE_PRECOMPILED_FROM ? '1' : '0';
  if (editable === '1')
    notes.push(
      'editable install over the wheel (VLLM_USE_PRECOMPILED=1): Python-only patches to /opt/vllm take effect',
    );
  const pins = pick(TRANSFORMERS, day);
  notes.push(`dependency pins of the era: ${pins}`);
  const client = task.benchmark.clientCopy.path;
  return {
    family: 'vllm',
    context: [{ from: tree, to: 'repo' }],
    files: { 'constraints.txt': `${pins}\n` },
    buildArgs: {
      CUDA_IMAGE: cuda,
      PYTHON: 'python3.10',
      VLLM_COMMIT: commit,
      INSTALL: install,
      WHEEL_URL: wheel,
      EDITABLE: editable,
    },
    smoke: [
      ['python3', '-c', 'import vllm, sys; print(vllm.__version__)'],
      ...(client.endsWith('.py') ? [['python3', client, '--help']] : [['vllm', 'bench', 'serve', '--help']]),
    ],
    network: true,
    notes,
  };
}
