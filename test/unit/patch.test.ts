import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPatch, checkPatch, patchFiles } from '../../src/workspace/patch.js';

const policy = { protectedPaths: ['benchmarks/', 'tests/'] };

const diff = (path: string, body = '@@ -1 +1 @@\n-a\n+b\n', extra = '') =>
  `diff --git a/${path} b/${path}\n${extra}--- a/${path}\n+++ b/${path}\n${body}`;

describe('patch checks', () => {
  it('accepts an ordinary patch and tells whether it touches compiled sources', () => {
    const ok = checkPatch(diff('vllm/x.py'), policy);
    expect(ok).toMatchObject({ ok: true, native: false });
    expect(checkPatch(diff('csrc/attention.cu'), policy)).toMatchObject({ ok: true, native: true });
    expect(checkPatch(diff('CMakeLists.txt'), policy)).toMatchObject({ ok: true, native: true });
  });

  it('refuses empty, unreadable, oversized and overlong patches', () => {
    expect(checkPatch('  \n', policy)).toMatchObject({ ok: false, failure: 'patch_empty' });
    expect(checkPatch('this is not a diff', policy)).toMatchObject({ ok: false, failure: 'patch_invalid' });
    expect(checkPatch(diff('a.py'), { ...policy, maxBytes: 10 })).toMatchObject({
      ok: false,
      failure: 'patch_invalid',
    });
    const many = Array.from({ length: 4 }, (_, i) => diff(`f${i}.py`)).join('');
    expect(checkPatch(many, { ...policy, maxFiles: 3 })).toMatchObject({
      ok: false,
      failure: 'patch_invalid',
    });
  });

  it('refuses paths outside the repository: absolute, .., .git', () => {
    for (const p of ['/etc/passwd', '../outside.py', 'vllm/../../x.py', '.git/config']) {
      const r = checkPatch(diff(p), policy);
      expect(r, p).toMatchObject({ ok: false, failure: 'patch_invalid' });
    }
  });

  it('refuses a symlink that points outside the repository, accepts one inside', () => {
    const link = (target: string) =>
      `diff --git a/vllm/link b/vllm/link\nnew file mode 120000\nindex 0000000..1111111\n--- /dev/null\n+++ b/vllm/link\n@@ -0,0 +1 @@\n+${target}\n\\ No newline at end of file\n`;
    expect(checkPatch(link('/etc/shadow'), policy)).toMatchObject({ ok: false, failure: 'patch_invalid' });
    expect(checkPatch(link('../../../etc'), policy)).toMatchObject({ ok: false, failure: 'patch_invalid' });
    expect(checkPatch(link('other.py'), policy)).toMatchObject({ ok: true });
  });

  it('refuses a binary blob over the size limit', () => {
    const bin = `diff --git a/w.bin b/w.bin\nnew file mode 100644\nindex 0000000..2222222\nGIT binary patch\nliteral 5000000\nzcmeAS@N?(olHy`;
    expect(checkPatch(bin, policy)).toMatchObject({ ok: false, failure: 'patch_invalid' });
    expect(patchFiles(bin)[0]).toMatchObject({ path: 'w.bin', binary: true, status: 'added' });
  });

  it('refuses protected paths, also when a file is renamed into or out of them', () => {
    const r = checkPatch(diff('benchmarks/benchmark_serving.py'), policy);
    expect(r).toMatchObject({ ok: false, failure: 'patch_protected' });
    if (!r.ok) expect(r.detail).toContain("'benchmarks/'");
    const rename =
      'diff --git a/benchmarks/b.py b/vllm/b.py\nsimilarity index 100%\nrename from benchmarks/b.py\nrename to vllm/b.py\n';
    expect(checkPatch(rename, policy)).toMatchObject({ ok: false, failure: 'patch_protected' });
  });
});

describe('patch application', () => {
  const root = mkdtempSync(join(tmpdir(), 'isobench-apply-'));
  let repo = '';
  const base = 'line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\n';
  beforeAll(async () => {
    repo = join(root, 'repo');
    await simpleGit().init([repo]);
    const git = simpleGit(repo);
    writeFileSync(join(repo, 'f.txt'), base);
    await git.add('f.txt');
    await git.raw(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'base']);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const reset = () => simpleGit(repo).raw(['checkout', '--', '.']);

  it('applies a clean patch with git apply', async () => {
    await reset();
    const r = await applyPatch(
      repo,
      'diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -3,3 +3,3 @@\n line 3\n-line 4\n+LINE 4\n line 5\n',
    );
    expect(r).toMatchObject({ ok: true, method: 'git-apply' });
    expect(readFileSync(join(repo, 'f.txt'), 'utf8')).toContain('LINE 4');
  });

  it('falls back to a fuzzy patch when the context moved, and records it', async () => {
    await reset();
    const r = await applyPatch(
      repo,
      'diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -3,3 +3,3 @@\n line 3 changed\n-line 4\n+LINE 4\n line 5\n',
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.method).not.toBe('git-apply');
  });

  it('reports a patch that does not apply, keeps every tool output, and leaves the tree alone', async () => {
    await reset();
    const r = await applyPatch(
      repo,
      'diff --git a/f.txt b/f.txt\n--- a/f.txt\n+++ b/f.txt\n@@ -3,3 +3,3 @@\n line 3\n-line 40\n+LINE 4\n line 5\n',
    );
    expect(r).toMatchObject({ ok: false, failure: 'patch_apply_failed' });
    expect(r.log).toContain('$ git apply --check');
    expect(r.log).toContain('$ patch -p1 --fuzz=2 --dry-run');
    expect(readFileSync(join(repo, 'f.txt'), 'utf8')).toBe(base);
  });
});
