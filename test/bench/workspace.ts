/**
 * Benchmark (not a test): making a fresh workspace (pack the commit's objects from the mirror,
 * check out, verify nothing later is reachable) vs a bare `git archive | tar -x` of the same tree, on a
 * generated repository of vLLM's size (default 3000 files, ~30 MB at the commit, 20 commits of
 * history). Target: within 2x. A depth-1 fetch of the same commit is timed too, for comparison.
 *
 *   node --import tsx test/bench/workspace.ts [--files N] [--rounds N]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshWorkspace } from '../../src/workspace/fresh.js';
import { ensureMirror } from '../../src/workspace/repo-cache.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => Number(args[args.indexOf(name) + 1] ?? dflt) || dflt;
const files = opt('--files', 3000);
const rounds = opt('--rounds', 5);
const root = mkdtempSync(join(tmpdir(), 'isobench-wsbench-'));
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'b',
  GIT_AUTHOR_EMAIL: 'b@x',
  GIT_COMMITTER_NAME: 'b',
  GIT_COMMITTER_EMAIL: 'b@x',
};
const git = (dir: string, ...a: string[]) =>
  execFileSync('git', a, { cwd: dir, env, encoding: 'utf8' }).trim();

// deterministic pseudo-random sizes: many small files, a few large ones (like a Python/C++ tree)
let seed = 42;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const src = join(root, 'src');
mkdirSync(src);
git(src, 'init', '-q', '-b', 'main');
const line = 'def f(x):\n    return torch.empty_like(x).copy_(x)  # some code of average length\n';
let bytes = 0;
for (let i = 0; i < files; i++) {
  const dir = join(src, `pkg${i % 40}`, `sub${i % 7}`);
  mkdirSync(dir, { recursive: true });
  const size = Math.floor(Math.exp(7 + 2 * rnd()) * (rnd() < 0.02 ? 20 : 1));
  const text = `# file ${i}\n${line.repeat(Math.max(1, Math.floor(size / line.length)))}`;
  bytes += text.length;
  writeFileSync(join(dir, `m${i}.py`), text);
}
git(src, 'add', '-A');
git(src, 'commit', '-q', '-m', 'base');
for (let c = 0; c < 20; c++) {
  writeFileSync(join(src, `pkg${c}`, `sub0`, `m${c}.py`), `# change ${c}\n${line}`);
  git(src, 'add', '-A');
  git(src, 'commit', '-q', '-m', `change ${c}`);
}
const parent = git(src, 'rev-parse', 'HEAD~1');
const human = git(src, 'rev-parse', 'HEAD');
const mirror = (await ensureMirror({ name: 'bench/repo', source: src, root: join(root, 'cache') })).dir;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const bare: number[] = [];
const fresh: number[] = [];
for (let r = 0; r < rounds + 1; r++) {
  const b = join(root, `bare-${r}`);
  const t0 = performance.now();
  mkdirSync(b);
  execFileSync('sh', [
    '-c',
    'git --git-dir="$1" archive --format=tar "$2" | tar -x -C "$3"',
    'sh',
    mirror,
    parent,
    b,
  ]);
  const tb = performance.now() - t0;
  const ws = await freshWorkspace(mirror, parent, join(root, `ws-${r}`), [human]);
  if (r > 0) {
    bare.push(tb);
    fresh.push(ws.ms);
  }
  rmSync(b, { recursive: true, force: true });
  rmSync(ws.dir, { recursive: true, force: true });
}
// for comparison: the same commit fetched at depth 1
const f = join(root, 'fetch');
mkdirSync(f);
const tf = performance.now();
git(f, 'init', '-q');
git(f, '-c', 'protocol.file.allow=always', 'fetch', '-q', '--depth=1', `file://${mirror}`, parent);
git(f, 'reset', '-q', '--hard', parent);
const fetchMs = performance.now() - tf;

console.log(
  `git ${git(src, 'version').replace('git version ', '')}; ${files} files, ${(bytes / 1e6).toFixed(1)} MB at the commit; ${rounds} rounds`,
);
console.log(`bare git archive | tar -x          median ${median(bare).toFixed(0).padStart(6)} ms`);
console.log(`isobench fresh workspace (verified) median ${median(fresh).toFixed(0).padStart(6)} ms`);
console.log(`depth-1 fetch + checkout (comparison)      ${fetchMs.toFixed(0).padStart(6)} ms`);
const ratio = median(fresh) / median(bare);
console.log(`ratio fresh workspace / bare extract: ${ratio.toFixed(2)}  (target <= 2)`);
if (!process.env.KEEP) rmSync(root, { recursive: true, force: true });
else console.log(`kept ${root}`);
process.exitCode = ratio <= 2 ? 0 : 1;
