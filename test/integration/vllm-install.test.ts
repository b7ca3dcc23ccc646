/**
 * What install.py asks of pip: every package resolved as of the commit's date (the plan's cutoff,
 * pip's --uploaded-prior-to; a pip that lacks the option is refused instead of resolving today's
 * packages), and a source build compiled for the H100 only with bounded parallelism. pip is a
 * stand-in that keeps pip's command line (this machine reaches no package index) and logs each
 * install with the compile settings it was given; the rest is the recipe's real install.py.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveAsOf, vllmInstallPlan } from '../../src/executor/recipes.js';
import { PROJECT_ROOT } from '../support/shared-data.js';
import { makeEraRepo, makeUpstream } from '../support/vllm-era.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-resolve-date-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A `python` whose `-m pip` answers as pip does and logs each install's argv; `modern` pips know the cutoff. */
function standInPython(dir: string, modern: boolean): { python: string; log: string } {
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'pip.log');
  const python = join(dir, 'python');
  writeFileSync(
    python,
    [
      '#!/bin/sh',
      '[ "$1" = -m ] && [ "$2" = pip ] || exec python3 "$@"',
      'shift 2',
      'case "$1" in',
      `  --version) echo "pip ${modern ? '26.1' : '23.0.1'} from /usr/lib/python3/dist-packages/pip (python 3.10)" ;;`,
      '  freeze) echo "numpy==1.26.4"; echo "outlines==0.0.43" ;;',
      '  install)',
      '    if [ "$2" = --help ]; then',
      `      echo "  --no-deps  Don't install package dependencies."`,
      modern
        ? '      echo "  --uploaded-prior-to <datetime>  Only consider packages uploaded prior to the given date time."'
        : '',
      '    else',
      `      echo "$* [TORCH_CUDA_ARCH_LIST=$TORCH_CUDA_ARCH_LIST MAX_JOBS=$MAX_JOBS NVCC_THREADS=$NVCC_THREADS]" >> '${log}'`,
      '    fi ;;',
      '  *) exit 2 ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(python, 0o755);
  return { python, log };
}

describe('dependencies resolved as of the commit’s date', () => {
  const up = makeUpstream(join(root, 'upstream'));
  const tree = makeEraRepo(join(root, 'tree'), '2024-08', up);

  it('the plan carries the cutoff: the day after the commit, in UTC', () => {
    expect(resolveAsOf('2024-06-13T17:04:12Z')).toBe('2024-06-14T17:04:12Z');
    expect(resolveAsOf('2024-06-13')).toBe('2024-06-14T00:00:00Z');
    expect(() => resolveAsOf('June')).toThrow(/not a date: "June"/);
    const { plan } = vllmInstallPlan(tree.parent, tree.dir, '2024-08-06T10:00:00Z');
    expect(plan.resolveAsOf).toBe('2024-08-07T10:00:00Z');
  });

  const install = (modern: boolean, method: 'wheel' | 'source' = 'wheel') => {
    const dir = join(root, `${modern ? 'modern' : 'old'}-${method}`);
    const rootDir = join(dir, 'image');
    mkdirSync(rootDir, { recursive: true });
    cpSync(join(PROJECT_ROOT, 'harness/images/vllm/install.py'), join(rootDir, 'install.py'));
    const wheel = join(dir, 'vllm-0.5.4-cp38-abi3-manylinux1_x86_64.whl');
    writeFileSync(wheel, '');
    const { plan } = vllmInstallPlan(tree.parent, tree.dir, '2024-06-13T12:00:00Z');
    writeFileSync(
      join(rootDir, 'plan.json'),
      JSON.stringify({
        ...plan,
        install: method === 'wheel' ? { method, candidates: [wheel], fallback: 'source' } : { method },
      }),
    );
    writeFileSync(join(rootDir, 'constraints.txt'), '');
    const { python, log } = standInPython(join(dir, 'bin'), modern);
    const r = spawnSync(
      'python3',
      [
        join(rootDir, 'install.py'),
        '--phase',
        'install',
        '--root',
        rootDir,
        '--source',
        tree.dir,
        '--python',
        python,
      ],
      { encoding: 'utf8' },
    );
    return { r, log, rootDir, wheel };
  };

  it('every pip install takes only what was uploaded before the cutoff, and the resolution is recorded', () => {
    const { r, log, rootDir, wheel } = install(true);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const installs = readFileSync(log, 'utf8').trim().split('\n');
    // setuptools and wheel, the commit's wheel, its build requirements, the clients' packages
    expect(installs.length).toBeGreaterThanOrEqual(4);
    for (const line of installs) expect(line).toContain('--uploaded-prior-to 2024-06-14T12:00:00Z');
    expect(installs.some((l) => l.includes(`${wheel} [`))).toBe(true);
    expect(installs.some((l) => /aiohttp/.test(l))).toBe(true);
    expect(JSON.parse(readFileSync(join(rootDir, 'installed.json'), 'utf8'))).toMatchObject({
      method: 'wheel',
      resolveAsOf: '2024-06-14T12:00:00Z',
    });
    expect(readFileSync(join(rootDir, 'packages.txt'), 'utf8')).toContain('numpy==1.26.4');
  });

  it('a source build compiles for the H100 only, with bounded jobs (never every architecture, unbounded)', () => {
    const { r, log } = install(true, 'source');
    expect(r.status, r.stderr).toBe(0);
    const build = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .find((l) => l.includes('--no-build-isolation'));
    expect(build).toMatch(/\[TORCH_CUDA_ARCH_LIST=9\.0\+PTX MAX_JOBS=([1-9]\d*) NVCC_THREADS=2\]$/);
    const jobs = Number(/MAX_JOBS=(\d+)/.exec(build ?? '')?.[1]);
    const { cpus, totalmem } = os;
    expect(jobs).toBeLessThanOrEqual(cpus().length);
    expect(jobs).toBeLessThanOrEqual(Math.max(1, Math.floor(totalmem() / 2 ** 30 / 8)));
    expect(build).toContain('--uploaded-prior-to 2024-06-14T12:00:00Z');
  });

  it('a pip without --uploaded-prior-to is refused before it installs anything', () => {
    const { r, log } = install(false);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /isobench install: this pip cannot resolve as of 2024-06-14T12:00:00Z: --uploaded-prior-to needs pip >= 26\.0 \(pip 23\.0\.1/,
    );
    expect(() => readFileSync(log, 'utf8')).toThrow();
  });
});
