/** Fresh workspaces from a real mirror: exactly the parent, nothing after it reachable or present. */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTasks } from '../../src/task/loader.js';
import { freshWorkspace, verifyWorkspace, WorkspaceError } from '../../src/workspace/fresh.js';
import { ensureMirror, mirrorForTask } from '../../src/workspace/repo-cache.js';
import { TASKS_DIR } from '../support/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-ws-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'a',
  GIT_AUTHOR_EMAIL: 'a@x',
  GIT_COMMITTER_NAME: 'a',
  GIT_COMMITTER_EMAIL: 'a@x',
  GIT_CONFIG_NOSYSTEM: '1',
};
const git = (dir: string, ...args: string[]) =>
  execFileSync('git', args, { cwd: dir, env: ENV, encoding: 'utf8' }).trim();

/** A repository with three commits: grandparent, parent, human (and a later tag). */
let src = '';
let grand = '';
let parent = '';
let human = '';
beforeAll(() => {
  src = join(root, 'src');
  mkdirSync(join(src, 'pkg'), { recursive: true });
  git(src, 'init', '-q', '-b', 'main');
  writeFileSync(join(src, 'pkg', 'a.py'), 'x = 1\n');
  writeFileSync(join(src, '.gitignore'), 'build/\n*.so\n');
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', 'grandparent');
  grand = git(src, 'rev-parse', 'HEAD');
  writeFileSync(join(src, 'pkg', 'a.py'), 'x = 2\n');
  writeFileSync(join(src, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  symlinkSync('pkg/a.py', join(src, 'link.py'));
  writeFileSync(join(src, 'blob.bin'), Buffer.from([0, 1, 2, 255, 0, 7]));
  // a tracked file that .gitignore would exclude (git add -f)
  mkdirSync(join(src, 'build'), { recursive: true });
  writeFileSync(join(src, 'build', 'keep.txt'), 'tracked despite .gitignore\n');
  git(src, 'add', '-A');
  git(src, 'add', '-f', 'build/keep.txt');
  git(src, 'commit', '-q', '-m', 'parent: the state the agent gets');
  parent = git(src, 'rev-parse', 'HEAD');
  writeFileSync(join(src, 'pkg', 'a.py'), 'x = 3  # the human fix\n');
  git(src, 'commit', '-q', '-am', 'human: SECRET optimisation');
  human = git(src, 'rev-parse', 'HEAD');
  git(src, 'tag', 'v-later');
});

describe('fresh workspaces', () => {
  it('are exactly the parent commit, with the parent’s hash, and clean', async () => {
    const m = await ensureMirror({ name: 'test/repo', source: src, root, need: [parent, human] });
    expect(m.created).toBe(true);
    const ws = await freshWorkspace(m.dir, parent, join(root, 'ws1'), [human]);
    expect(git(ws.dir, 'rev-parse', 'HEAD')).toBe(parent);
    expect(git(ws.dir, 'rev-parse', 'HEAD^{tree}')).toBe(git(src, 'rev-parse', `${parent}^{tree}`));
    expect(git(ws.dir, 'status', '--porcelain')).toBe('');
    expect(readFileSync(join(ws.dir, 'pkg', 'a.py'), 'utf8')).toBe('x = 2\n');
    expect(readFileSync(join(ws.dir, 'build', 'keep.txt'), 'utf8')).toContain('tracked');
    // the commit message is the parent's own (byte-identical object)
    expect(git(ws.dir, 'log', '-1', '--format=%s')).toBe('parent: the state the agent gets');
  });

  it('cannot reach or even look up the human commit, later tags or the grandparent', async () => {
    const m = await ensureMirror({ name: 'test/repo', source: src, root });
    expect(m.created).toBe(false);
    const ws = await freshWorkspace(m.dir, parent, join(root, 'ws2'), [human]);
    for (const c of [human, grand]) {
      const r = spawnSync('git', ['cat-file', '-e', `${c}^{object}`], { cwd: ws.dir, env: ENV });
      expect(r.status, `cat-file -e ${c}`).not.toBe(0);
    }
    expect(git(ws.dir, 'rev-list', '--all')).toBe(parent);
    expect(git(ws.dir, 'tag', '--list')).toBe('');
    expect(git(ws.dir, 'remote')).toBe('');
    expect(
      spawnSync('git', ['log', '--all', '--format=%s'], { cwd: ws.dir, env: ENV, encoding: 'utf8' }).stdout,
    ).not.toContain('SECRET');
    // every object in the store is the parent's: no human blob ('x = 3') anywhere
    const objects = git(ws.dir, 'cat-file', '--batch-all-objects', '--batch-check=%(objectname)').split('\n');
    const humanBlob = git(src, 'rev-parse', `${human}:pkg/a.py`);
    expect(objects).not.toContain(humanBlob);
    expect(objects).not.toContain(human);
  });

  it('keeps the executable bit, symlinks and binary files', async () => {
    const m = await ensureMirror({ name: 'test/repo', source: src, root });
    const ws = await freshWorkspace(m.dir, parent, join(root, 'ws3'), [human]);
    expect(git(ws.dir, 'ls-files', '-s', 'run.sh')).toMatch(/^100755 \w+ 0\trun\.sh$/);
    expect(git(ws.dir, 'ls-files', '-s', 'link.py')).toMatch(/^120000 \w+ 0\tlink\.py$/);
    expect([...readFileSync(join(ws.dir, 'blob.bin'))]).toEqual([0, 1, 2, 255, 0, 7]);
  });

  it('is the commit’s tree even where an archive would not be (export-ignore attributes)', async () => {
    const other = join(root, 'src-attrs');
    execFileSync('git', ['clone', '-q', src, other], { env: ENV });
    git(other, 'checkout', '-q', '-b', 'attrs', parent);
    writeFileSync(join(other, '.gitattributes'), 'run.sh export-ignore\n');
    git(other, 'add', '-A');
    git(other, 'commit', '-q', '-m', 'with export-ignore');
    const withAttrs = git(other, 'rev-parse', 'HEAD');
    const m = await ensureMirror({ name: 'test/attrs', source: other, root, need: [withAttrs] });
    const ws = await freshWorkspace(m.dir, withAttrs, join(root, 'ws4'), [human]);
    expect(git(ws.dir, 'rev-parse', 'HEAD^{tree}')).toBe(git(other, 'rev-parse', `${withAttrs}^{tree}`));
    expect(existsSync(join(ws.dir, 'run.sh'))).toBe(true);
    expect(existsSync(join(ws.dir, '.git', 'FETCH_HEAD'))).toBe(false);
    expect(git(ws.dir, 'rev-list', '--all')).toBe(withAttrs);
  });

  it('refuses a workspace that is not clean, has moved, or can see the forbidden commit', async () => {
    const m = await ensureMirror({ name: 'test/repo', source: src, root });
    const ws = await freshWorkspace(m.dir, parent, join(root, 'ws5'), [human]);
    writeFileSync(join(ws.dir, 'pkg', 'a.py'), 'x = 99\n');
    await expect(verifyWorkspace(ws.dir, parent, [human])).rejects.toThrow(/not clean at the parent commit/);
    const ws2 = await freshWorkspace(m.dir, parent, join(root, 'ws6'), [human]);
    execFileSync('git', ['-C', ws2.dir, 'fetch', '-q', m.dir, human], { env: ENV });
    await expect(verifyWorkspace(ws2.dir, parent, [human])).rejects.toThrow(
      new RegExp(`commit ${human} can be looked up`),
    );
  });

  it('names the missing commit and the mirror when a task’s commit is not there', async () => {
    const missing = 'f'.repeat(40);
    await expect(ensureMirror({ name: 'test/repo', source: src, root, need: [missing] })).rejects.toThrow(
      new RegExp(`lacks commit\\(s\\) ${missing}`),
    );
    await expect(
      freshWorkspace(join(root, 'repos', 'test__repo.git'), missing, join(root, 'ws7')),
    ).rejects.toBeInstanceOf(WorkspaceError);
  });

  it('mirrors a demo task and makes its workspace at the parent', async () => {
    const { tasks } = await loadTasks(TASKS_DIR);
    const t = tasks.find((x) => x.id === 'demo/cpu-latency');
    if (!t) throw new Error('no demo task');
    const m = await mirrorForTask(t, { root });
    const again = await mirrorForTask(t, { root });
    expect(again).toEqual({ dir: m.dir, created: false, fetched: false });
    const ws = await freshWorkspace(m.dir, t.commits.parent, join(root, 'ws-demo'), [t.commits.human]);
    expect(existsSync(join(ws.dir, 'engine', 'sampler.py'))).toBe(true);
  });

  it('four attempts asking for one demo mirror at once on a fresh cache all get it (one is made)', async () => {
    // found by a real run: two attempts started in the same millisecond shared a temporary folder
    const { tasks } = await loadTasks(TASKS_DIR);
    const t = tasks.find((x) => x.id === 'demo/cpu-serving');
    if (!t) throw new Error('no demo task');
    const fresh = join(root, 'concurrent-cache');
    const all = await Promise.all([1, 2, 3, 4].map(() => mirrorForTask(t, { root: fresh })));
    expect(new Set(all.map((m) => m.dir)).size).toBe(1);
    expect(all.filter((m) => m.created)).toHaveLength(1);
    expect(readdirSync(join(fresh, 'repos'))).toEqual([all[0]?.dir.split('/').at(-1)]);
  });
});
