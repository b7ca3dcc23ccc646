import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPatch, checkPatch, patchFiles } from '../../src/workspace/patch.js';
import { dataPath, HAVE_SHARED_DATA } from '../support/shared-data.js';

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
    expect(r.log).toContain('$ patch -p1 --forward --fuzz=2 --batch --dry-run');
    if (!r.ok) expect(r.rejects).toContain('=== f.txt.rej');
    expect(readFileSync(join(repo, 'f.txt'), 'utf8')).toBe(base);
  });
});

/**
 * A tree whose file holds each hunk's new side at its line (filler between): the state a patch
 * "looks reversed" against, as the real tree of 58eee5f2's parent was for the Codex CLI patch.
 */
function sideOf(patch: string, side: 'old' | 'new'): { path: string; text: string } {
  const path = /^\+\+\+ b\/(.*)$/m.exec(patch)?.[1] as string;
  const lines: string[] = [];
  const mark = side === 'new' ? '+' : '-';
  for (const h of patch.matchAll(/^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@.*\n((?:[ +-].*\n?)*)/gm)) {
    const start = Number(side === 'new' ? h[2] : h[1]);
    while (lines.length < start - 1) lines.push(`# filler ${lines.length + 1}`);
    for (const l of (h[3] as string).split('\n'))
      if (l.startsWith(' ') || l.startsWith(mark)) lines.push(l.slice(1));
  }
  for (let i = 0; i < 20; i++) lines.push(`# tail ${i}`);
  return { path, text: `${lines.join('\n')}\n` };
}

describe.skipIf(!HAVE_SHARED_DATA)('a real patch that looks reversed (Codex CLI, 58eee5f2)', () => {
  // read when the suite runs, not when it is collected (a clone without ../shared skips it)
  let patch = '';
  beforeAll(() => {
    patch = readFileSync(dataPath('agent-runs/codex_cli/58eee5f2/model_patch.diff'), 'utf8');
  });
  const root = mkdtempSync(join(tmpdir(), 'isobench-reversed-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is refused as patch_apply_failed with the reason, and the tree is left as it was', async () => {
    const repo = join(root, 'repo');
    await simpleGit().init([repo]);
    const target = sideOf(patch, 'new');
    mkdirSync(join(repo, dirname(target.path)), { recursive: true });
    writeFileSync(join(repo, target.path), target.text);
    const git = simpleGit(repo);
    await git.add('.');
    await git.raw(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'parent']);
    // GNU patch in --batch mode alone would apply it in reverse (what the original harness did)
    const plain = spawnSync('patch', ['-p1', '--fuzz=2', '--batch', '--dry-run'], {
      cwd: repo,
      input: patch,
      encoding: 'utf8',
    });
    expect(plain.stdout).toContain('Reversed (or previously applied) patch detected!  Assuming -R.');
    expect(plain.status).toBe(0);

    const r = await applyPatch(repo, patch);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure).toBe('patch_apply_failed');
    expect(r.detail).toMatch(/looks reversed or already applied .*never applied in reverse/);
    expect(r.log).toContain('patch -p1 --forward --fuzz=2 --batch --dry-run');
    expect(r.rejects).toContain('=== vllm/transformers_utils/tokenizer.py.rej');
    expect(readFileSync(join(repo, target.path), 'utf8')).toBe(target.text);
    expect(await git.raw(['status', '--porcelain'])).toBe('');
  });

  it('a half-applying patch names its rejected hunks, keeps them, and changes nothing', async () => {
    const repo = join(root, 'half');
    await simpleGit().init([repo]);
    // the tree the patch was made against, but for the line its second hunk removes: hunk 1 applies, hunk 2 cannot
    const target = sideOf(patch, 'old');
    const at = target.text.lastIndexOf('    return cached_tokenizer\n');
    expect(at).toBeGreaterThan(0);
    mkdirSync(join(repo, dirname(target.path)), { recursive: true });
    writeFileSync(
      join(repo, target.path),
      `${target.text.slice(0, at)}    return something_else\n${target.text.slice(at + '    return cached_tokenizer\n'.length)}`,
    );
    const before = readFileSync(join(repo, target.path), 'utf8');
    const git = simpleGit(repo);
    await git.add('.');
    await git.raw(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'parent']);
    const r = await applyPatch(repo, patch);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.detail).toMatch(
      /1 hunk\(s\) rejected in vllm\/transformers_utils\/tokenizer\.py \(1\), 1 would apply/,
    );
    expect(r.rejects).toContain('@@ -301,7 +301,7 @@');
    expect(readFileSync(join(repo, target.path), 'utf8')).toBe(before);
    expect(await git.raw(['status', '--porcelain'])).toBe('');
  });
});
