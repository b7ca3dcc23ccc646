/**
 * The rehearsal's stand-in engine (harness/rehearse/isobench_standin) and the optional imports: a tree
 * that imports triton bare (0.4's sampler) gets a stand-in, since no host that runs it lacks triton; a
 * tree that guards the import, or only probes for the module, sees it absent, as on a host without it.
 * Run with the host's python3, the package assembled as the rehearsal image assembles it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const HARNESS = join(import.meta.dirname, '..', '..', 'harness');
let site = '';

beforeAll(() => {
  site = mkdtempSync(join(tmpdir(), 'isobench-standin-'));
  cpSync(join(HARNESS, 'rehearse', 'isobench_standin'), join(site, 'isobench_standin'), { recursive: true });
  cpSync(join(HARNESS, 'verify', 'argv_check.py'), join(site, 'isobench_standin', 'argv_check.py'));
  mkdirSync(join(site, 'mods'));
  writeFileSync(
    join(site, 'mods', 'bare.py'),
    'import triton\nimport triton.language as tl\nKIND = "bare"\n',
  );
  writeFileSync(
    join(site, 'mods', 'guarded.py'),
    'try:\n    import triton\n    HAS = True\nexcept ImportError:\n    HAS = False\n',
  );
  writeFileSync(
    join(site, 'mods', 'probe.py'),
    'import importlib.util\nHAS = importlib.util.find_spec("xformers") is not None\n',
  );
});

/** Runs `code` in a python3 with the stand-in booted; returns its stdout, or throws with its stderr. */
function py(code: string): string {
  const r = spawnSync(
    'python3',
    [
      '-c',
      `import isobench_standin; isobench_standin.boot()\nimport sys; sys.path.insert(0, "mods")\n${code}`,
    ],
    { cwd: site, env: { ...process.env, ISOBENCH_STANDIN: '1', PYTHONPATH: site }, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`python3 exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}

describe('the stand-in engine and optional imports', () => {
  it('answers a bare `import triton` (and its submodules) with a stand-in', () => {
    expect(py('import bare; print(bare.KIND, type(bare.tl).__name__)')).toBe('bare StandModule');
  });

  it('leaves triton absent to a guarded import, as on a host without it', () => {
    expect(py('import guarded; print(guarded.HAS)')).toBe('False');
  });

  it('leaves an optional module absent to a find_spec probe', () => {
    expect(py('import probe; print(probe.HAS)')).toBe('False');
  });
});
