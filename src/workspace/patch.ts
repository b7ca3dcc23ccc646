/**
 * Agent patches: checked before anything runs (paths stay inside the repository, no symlink escapes,
 * no large binaries, size limits, protected paths), then applied with checks. A patch that does not
 * apply is a failure with its reject output kept; it is never forced.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { parsePatch } from 'diff';
import { simpleGit } from 'simple-git';
import { errorMessage } from '../util/errors.js';
import { parseJson } from '../util/json.js';

/** Limits and protected paths for patches. */
export interface PatchPolicy {
  /** prefixes of repository paths a patch must not touch, e.g. `benchmarks/` */
  readonly protectedPaths: readonly string[];
  /** total patch size in bytes (default 5 MiB) */
  readonly maxBytes?: number;
  /** number of files (default 500) */
  readonly maxFiles?: number;
  /** size of one binary file in a git binary patch (default 1 MiB) */
  readonly maxBinaryBytes?: number;
}

/** One file a patch touches. */
export interface PatchFile {
  readonly path: string;
  readonly oldPath: string | null;
  readonly status: 'added' | 'deleted' | 'modified' | 'renamed';
  readonly binary: boolean;
  readonly symlink: boolean;
}

/** Why a patch is refused before it runs. */
export type PatchRefusal = 'patch_empty' | 'patch_invalid' | 'patch_protected';

/** The result of checking a patch. */
export type PatchCheck =
  | {
      readonly ok: true;
      readonly files: readonly PatchFile[];
      readonly native: boolean;
      readonly bytes: number;
    }
  | {
      readonly ok: false;
      readonly failure: PatchRefusal;
      readonly detail: string;
      readonly files: readonly PatchFile[];
    };

/** Source files that are compiled: a patch touching them needs a build. */
const NATIVE = /(?:^|\/)(?:CMakeLists\.txt|setup\.py)$|^(?:csrc|cmake)\/|\.(?:c|cc|cpp|cxx|cu|cuh|h|hh|hpp)$/;

/** Whether a repository path is a compiled source (or drives the build). */
export function isNative(path: string): boolean {
  return NATIVE.test(path);
}

function unquote(p: string): string {
  if (!p.startsWith('"') || !p.endsWith('"')) return p;
  const v = parseJson(p);
  return typeof v === 'string' ? v : p;
}

function stripPrefix(p: string | undefined): string | null {
  if (!p || p === '/dev/null') return null;
  const u = unquote(p.trim());
  return u.replace(/^[ab]\//, '');
}

/** Reads the files of a patch from its `diff --git` headers (and plain `---/+++` headers). */
export function patchFiles(text: string): PatchFile[] {
  const files: PatchFile[] = [];
  const blocks = text.split(/^(?=diff --git )/m).filter((b) => b.startsWith('diff --git '));
  if (blocks.length) {
    for (const b of blocks) {
      const head = /^diff --git (\S+|"[^"]*") (\S+|"[^"]*")$/m.exec(b);
      const oldP = stripPrefix(
        /^rename from (.*)$/m.exec(b)?.[1] ? `a/${/^rename from (.*)$/m.exec(b)?.[1]}` : head?.[1],
      );
      const newP = stripPrefix(
        /^rename to (.*)$/m.exec(b)?.[1] ? `b/${/^rename to (.*)$/m.exec(b)?.[1]}` : head?.[2],
      );
      const added = /^new file mode /m.test(b) || /^--- \/dev\/null$/m.test(b);
      const deleted = /^deleted file mode /m.test(b) || /^\+\+\+ \/dev\/null$/m.test(b);
      const renamed = /^rename (from|to) /m.test(b);
      files.push({
        path: (deleted ? oldP : newP) ?? oldP ?? '',
        oldPath: renamed ? oldP : null,
        status: added ? 'added' : deleted ? 'deleted' : renamed ? 'renamed' : 'modified',
        binary: /^GIT binary patch$/m.test(b) || /^Binary files .* differ$/m.test(b),
        symlink: /^(?:new file|new|old) mode 120000$/m.test(b),
      });
    }
    return files;
  }
  for (const p of parsePatch(text)) {
    const oldP = stripPrefix(p.oldFileName);
    const newP = stripPrefix(p.newFileName);
    const path = newP ?? oldP;
    if (path === null || (!oldP && !newP)) continue;
    files.push({
      path,
      oldPath: null,
      status: !oldP ? 'added' : !newP ? 'deleted' : 'modified',
      binary: false,
      symlink: false,
    });
  }
  return files;
}

function badPath(p: string): string | null {
  if (p.length === 0) return 'an empty path';
  if (p.startsWith('/')) return `'${p}' is absolute`;
  if (p.split('/').includes('..')) return `'${p}' leaves the repository ('..')`;
  if (p === '.git' || p.startsWith('.git/')) return `'${p}' is inside .git`;
  if (/[\0\r\n]/.test(p)) return `'${JSON.stringify(p)}' has control characters`;
  return null;
}

/** The target a symlink in the patch points to (the one added line of its hunk). */
function symlinkTargets(text: string): Array<{ path: string; target: string }> {
  const out: Array<{ path: string; target: string }> = [];
  for (const b of text.split(/^(?=diff --git )/m)) {
    if (!/^new file mode 120000$/m.test(b) && !/^new mode 120000$/m.test(b)) continue;
    const path =
      stripPrefix(/^\+\+\+ (.*)$/m.exec(b)?.[1]) ?? stripPrefix(/^diff --git \S+ (\S+)$/m.exec(b)?.[1]);
    const target = /^\+(?!\+\+ )(.*)$/m.exec(b)?.[1];
    if (path && target !== undefined) out.push({ path, target });
  }
  return out;
}

/** A path of the patch (its file headers, and the ---/+++ pairs) that is absolute, leaves the tree or is in .git. */
function pathProblem(text: string, files: readonly PatchFile[]): string | null {
  for (const f of files)
    for (const p of [f.path, f.oldPath]) {
      const bad = p === null ? null : badPath(p);
      if (bad) return `path ${bad}`;
    }
  // the ---/+++ header pairs too: git apply takes a file's name from them when the diff --git header
  // disagrees, so `+++ /etc/passwd` under a harmless-looking header must not pass
  for (const m of text.matchAll(/^--- (.*)\n\+\+\+ (.*)\n@@/gm))
    for (const raw of [m[1], m[2]]) {
      const p = stripPrefix(raw?.replace(/\t.*$/, ''));
      const bad = p === null ? null : badPath(p);
      if (bad) return `path ${bad}`;
    }
  return null;
}

/** A symlink the patch adds that points outside the repository. */
function symlinkProblem(text: string): string | null {
  for (const { path, target } of symlinkTargets(text)) {
    const resolved = posix.normalize(posix.join(posix.dirname(path), target));
    if (target.startsWith('/') || resolved.startsWith('..'))
      return `symlink '${path}' points outside the repository ('${target}')`;
  }
  return null;
}

/** A binary file over the policy's size. */
function binaryProblem(text: string, policy: PatchPolicy): string | null {
  const maxBinary = policy.maxBinaryBytes ?? 1024 * 1024;
  for (const m of text.matchAll(/^(?:literal|delta) (\d+)$/gm))
    if (Number(m[1]) > maxBinary) return `a binary file of ${m[1]} bytes, over the limit of ${maxBinary}`;
  return null;
}

/** A file under one of the policy's protected paths. */
function protectedProblem(files: readonly PatchFile[], policy: PatchPolicy): string | null {
  for (const f of files) {
    const prefix = policy.protectedPaths.find((p) => f.path.startsWith(p) || (f.oldPath ?? '').startsWith(p));
    if (prefix !== undefined) return `the patch changes '${f.path}', under the protected path '${prefix}'`;
  }
  return null;
}

/** The patch's files, or why the text is not a patch within the policy's size and file count. */
function readPatch(
  text: string,
  policy: PatchPolicy,
): { files: PatchFile[] } | { problem: string; files: PatchFile[] } {
  const bytes = Buffer.byteLength(text);
  const maxBytes = policy.maxBytes ?? 5 * 1024 * 1024;
  if (bytes > maxBytes)
    return { problem: `the patch has ${bytes} bytes, over the limit of ${maxBytes}`, files: [] };
  let files: PatchFile[];
  try {
    files = patchFiles(text);
  } catch (e) {
    return { problem: `not a readable patch: ${errorMessage(e)}`, files: [] };
  }
  if (files.length === 0) return { problem: 'no file headers found: not a unified or git diff', files };
  const maxFiles = policy.maxFiles ?? 500;
  if (files.length > maxFiles)
    return { problem: `the patch touches ${files.length} files, over the limit of ${maxFiles}`, files };
  return { files };
}

/** Checks a patch against the policy; nothing is applied. */
export function checkPatch(text: string, policy: PatchPolicy): PatchCheck {
  if (text.trim().length === 0)
    return { ok: false, failure: 'patch_empty', detail: 'the patch is empty', files: [] };
  const read = readPatch(text, policy);
  if ('problem' in read)
    return { ok: false, failure: 'patch_invalid', detail: read.problem, files: read.files };
  const { files } = read;
  const invalid = pathProblem(text, files) ?? symlinkProblem(text) ?? binaryProblem(text, policy);
  if (invalid) return { ok: false, failure: 'patch_invalid', detail: invalid, files };
  const prot = protectedProblem(files, policy);
  if (prot) return { ok: false, failure: 'patch_protected', detail: prot, files };
  return { ok: true, files, native: files.some((f) => NATIVE.test(f.path)), bytes: Buffer.byteLength(text) };
}

/** How a patch went onto the tree. */
export type ApplyResult =
  | {
      readonly ok: true;
      readonly method: 'git-apply' | 'git-apply-3way' | 'patch-fuzz';
      readonly log: string;
    }
  | {
      readonly ok: false;
      readonly failure: 'patch_apply_failed';
      /** why, in one line: reversed, or which hunks of which files were rejected */
      readonly detail: string;
      readonly log: string;
      /** the hunks that did not apply (`git apply --reject`'s .rej files, concatenated); empty when none could be told */
      readonly rejects: string;
    };

/** Runs a command in `cwd`, never throwing; output joined. */
function run(cmd: string, args: readonly string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** Finds the .rej files `git apply --reject` left (outside .git), returns their text and removes them. */
function collectRejects(dir: string): string {
  const found: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, rel ? `${rel}/${e.name}` : e.name);
      else if (e.name.endsWith('.rej')) found.push(rel ? `${rel}/${e.name}` : e.name);
    }
  };
  walk(dir, '');
  return found
    .sort()
    .map((f) => `=== ${f}\n${readFileSync(join(dir, f), 'utf8')}`)
    .join('\n');
}

/**
 * Applies a checked patch to a git working tree: `git apply --check` then `git apply`; if that
 * refuses, a 3-way merge (`git apply --3way`), then `patch --forward --fuzz=2` (forward only: a patch
 * that looks reversed or already applied is refused, never applied in reverse). The method used is
 * recorded. On failure the tree is left as it was, every tool's output is returned, and the hunks
 * that did not apply are kept (from `git apply --reject`, undone afterwards), so a half-applying
 * patch says which hunks failed.
 */
export async function applyPatch(repoDir: string, text: string): Promise<ApplyResult> {
  const tmp = await mkdtemp(join(tmpdir(), 'isobench-patch-'));
  const file = join(tmp, 'agent.patch');
  await writeFile(file, text.endsWith('\n') ? text : `${text}\n`);
  const git = simpleGit(repoDir);
  const log: string[] = [];
  const attempt = async (args: string[]): Promise<boolean> => {
    try {
      const out = await git.raw(args);
      log.push(`$ git ${args.join(' ')}\n${out}`);
      return true;
    } catch (e) {
      log.push(`$ git ${args.join(' ')}\n${errorMessage(e)}`);
      return false;
    }
  };
  const restore = async () => {
    // the next method's own check fails on what a failed restore left, and says so
    await git.raw(['reset', '--hard', '-q']).catch(() => undefined);
    await git.raw(['clean', '-fdq']).catch(() => undefined); // as above
  };
  try {
    if (await attempt(['apply', '--check', '--whitespace=nowarn', file])) {
      if (await attempt(['apply', '--whitespace=nowarn', file]))
        return { ok: true, method: 'git-apply', log: log.join('\n') };
    }
    if (await attempt(['apply', '--3way', '--whitespace=nowarn', file])) {
      const status = await git.raw(['diff', '--name-only', '--diff-filter=U']);
      if (status.trim() === '') return { ok: true, method: 'git-apply-3way', log: log.join('\n') };
      log.push(`conflicts after the 3-way merge in: ${status.trim()}`);
    }
    await restore();
    const patchArgs = ['-p1', '--forward', '--fuzz=2', '--batch'];
    const dry = run('patch', [...patchArgs, '--dry-run', '-i', file], repoDir);
    log.push(`$ patch ${patchArgs.join(' ')} --dry-run -i agent.patch\n${dry.out}`);
    if (dry.status === 0) {
      const real = run('patch', [...patchArgs, '--no-backup-if-mismatch', '-i', file], repoDir);
      log.push(`$ patch ${patchArgs.join(' ')} --no-backup-if-mismatch -i agent.patch\n${real.out}`);
      if (real.status === 0) return { ok: true, method: 'patch-fuzz', log: log.join('\n') };
      await restore();
    }
    // which hunks do not apply: git apply --reject applies what it can and writes the rest to .rej
    const rej = run('git', ['apply', '--reject', '--verbose', '--whitespace=nowarn', file], repoDir);
    log.push(`$ git apply --reject --verbose agent.patch (undone afterwards)\n${rej.out}`);
    const rejects = collectRejects(repoDir);
    await restore();
    const reversed = /Reversed \(or previously applied\) patch detected/.test(dry.out);
    const rejected = [...rej.out.matchAll(/^Rejected hunk #(\d+)\.?$/gm)].length;
    const applied = [...rej.out.matchAll(/^Hunk #(\d+) applied cleanly\.?$/gm)].length;
    const files = [...rej.out.matchAll(/^Applying patch (\S+) with (\d+) reject/gm)].map(
      (m) => `${m[1]} (${m[2]})`,
    );
    const first = /error: patch failed: (.*)|Hunk #\d+ FAILED.*|can't find file to patch.*/.exec(
      log.join('\n'),
    )?.[0];
    const detail = reversed
      ? `the patch looks reversed or already applied (patch --forward refuses it; a patch is never applied in reverse)${first ? `: ${first}` : ''}`
      : rejected > 0
        ? `the patch does not apply: ${rejected} hunk(s) rejected${files.length ? ` in ${files.join(', ')}` : ''}${applied ? `, ${applied} would apply` : ''}; a half-applied patch is never measured`
        : first
          ? `the patch does not apply: ${first}`
          : 'the patch does not apply (git apply, 3-way merge and patch --forward --fuzz=2 all refused it)';
    return { ok: false, failure: 'patch_apply_failed', detail, log: log.join('\n'), rejects };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
