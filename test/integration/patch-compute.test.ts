/** The harness computes the agent's patch from the workspace, whatever the agent did to git. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computePatch } from '../../src/workspace/diff.js';
import { freshWorkspace } from '../../src/workspace/fresh.js';
import { applyPatch } from '../../src/workspace/patch.js';
import { ensureMirror } from '../../src/workspace/repo-cache.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-diff-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'a',
  GIT_AUTHOR_EMAIL: 'a@x',
  GIT_COMMITTER_NAME: 'a',
  GIT_COMMITTER_EMAIL: 'a@x',
};
const git = (dir: string, ...args: string[]) =>
  execFileSync('git', args, { cwd: dir, env: ENV, encoding: 'utf8' }).trim();

let mirror = '';
let parent = '';
beforeAll(async () => {
  const src = join(root, 'src');
  mkdirSync(join(src, 'pkg'), { recursive: true });
  mkdirSync(join(src, 'benchmarks'), { recursive: true });
  git(src, 'init', '-q', '-b', 'main');
  writeFileSync(join(src, 'pkg', 'a.py'), 'x = 1\ny = 2\n');
  writeFileSync(join(src, 'pkg', 'old.py'), 'gone = True\n');
  writeFileSync(join(src, 'benchmarks', 'bench.py'), 'print(1)\n');
  writeFileSync(join(src, '.gitignore'), '__pycache__/\n*.so\n');
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', 'parent');
  parent = git(src, 'rev-parse', 'HEAD');
  mirror = (await ensureMirror({ name: 'test/diff', source: src, root })).dir;
});

async function workspace(name: string) {
  const dir = join(root, name);
  const baseGitDir = join(root, `${name}.base.git`);
  await freshWorkspace(mirror, parent, dir, [], { baseGitDir });
  return { dir, baseGitDir };
}

describe('computePatch', () => {
  it('takes edits, new and deleted files, binaries; leaves out scratch folders and ignored files', async () => {
    const { dir, baseGitDir } = await workspace('ws1');
    writeFileSync(join(dir, 'pkg', 'a.py'), 'x = 1\ny = 3\nz = 4\n');
    writeFileSync(join(dir, 'pkg', 'new.py'), 'fast = True\n');
    unlinkSync(join(dir, 'pkg', 'old.py'));
    writeFileSync(join(dir, 'pkg', 'table.bin'), Buffer.from([0, 1, 2, 0, 255]));
    mkdirSync(join(dir, '.isobench-scratch'));
    writeFileSync(join(dir, '.isobench-scratch', 'timing.py'), 'print("scratch")\n');
    mkdirSync(join(dir, 'pkg', '__pycache__'));
    writeFileSync(join(dir, 'pkg', '__pycache__', 'a.pyc'), 'bytecode');
    writeFileSync(join(dir, 'pkg', 'ext.so'), 'compiled');
    const p = await computePatch(dir, parent, { gitDir: baseGitDir, protectedPaths: ['benchmarks/'] });
    expect(p.files.map((f) => [f.path, f.added, f.removed, f.binary])).toEqual([
      ['pkg/a.py', 2, 1, false],
      ['pkg/new.py', 1, 0, false],
      ['pkg/old.py', 0, 1, false],
      ['pkg/table.bin', null, null, true],
    ]);
    expect([p.added, p.removed]).toEqual([3, 2]);
    expect(p.patch).toContain('GIT binary patch');
    expect(p.patch).not.toContain('scratch');
    expect(p.protectedTouched).toEqual([]);
    // the patch applies to a fresh copy of the parent and reproduces the agent's tree
    const check = await workspace('ws1-check');
    const applied = await applyPatch(check.dir, p.patch);
    expect(applied.ok, applied.log).toBe(true);
    expect(git(check.dir, 'status', '--porcelain')).toContain('pkg/new.py');
    // the workspace is left as the agent left it (nothing staged)
    expect(git(dir, 'diff', '--cached', '--name-only')).toBe('');
  });

  it('is the same whatever the agent did to git: commits, resets, exclude rules, even deleting .git', async () => {
    const { dir, baseGitDir } = await workspace('ws2');
    writeFileSync(join(dir, 'pkg', 'a.py'), 'x = 10\ny = 2\n');
    writeFileSync(join(dir, 'pkg', 'hidden.py'), 'h = 1\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'agent commit');
    writeFileSync(join(dir, '.git', 'info', 'exclude'), 'pkg/hidden.py\n');
    const withHarnessCopy = await computePatch(dir, parent, { gitDir: baseGitDir });
    expect(withHarnessCopy.files.map((f) => f.path)).toEqual(['pkg/a.py', 'pkg/hidden.py']);
    rmSync(join(dir, '.git'), { recursive: true, force: true });
    const afterDelete = await computePatch(dir, parent, { gitDir: baseGitDir });
    expect(afterDelete.patch).toBe(withHarnessCopy.patch);
  });

  it('flags protected paths, and is empty when nothing changed', async () => {
    const { dir, baseGitDir } = await workspace('ws3');
    expect((await computePatch(dir, parent, { gitDir: baseGitDir })).patch).toBe('');
    writeFileSync(join(dir, 'benchmarks', 'bench.py'), 'print(2)\n');
    const p = await computePatch(dir, parent, {
      gitDir: baseGitDir,
      protectedPaths: ['benchmarks/', 'tests/'],
    });
    expect(p.protectedTouched).toEqual(['benchmarks/bench.py']);
  });
});
