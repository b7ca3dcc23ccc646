/**
 * The demo tasks isobench ships are small real repositories generated from `harness/demo/<name>/`:
 * a parent commit with `parent/`'s files and a human commit that lays `human/` over them. Author,
 * committer and dates are fixed, so the commit hashes are the same on every machine and the task
 * specs can name them.
 */
import { cp, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { packageRoot } from '../util/package-root.js';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'isobench demo',
  GIT_AUTHOR_EMAIL: 'demo@isobench.invalid',
  GIT_COMMITTER_NAME: 'isobench demo',
  GIT_COMMITTER_EMAIL: 'demo@isobench.invalid',
};

/** The folder a demo repository is generated from. */
export function demoSourceDir(name: string): string {
  return join(packageRoot(), 'harness', 'demo', name);
}

/** A generated demo repository. */
export interface DemoRepo {
  readonly dir: string;
  readonly parent: string;
  readonly human: string;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Generates the repository of demo `name` at `dest` (an empty or missing folder). */
export async function materializeDemoRepo(name: string, dest: string): Promise<DemoRepo> {
  const src = demoSourceDir(name);
  if (!(await exists(join(src, 'parent'))))
    throw new Error(`no demo '${name}': ${join(src, 'parent')} is missing`);
  await mkdir(dest, { recursive: true });
  if ((await readdir(dest)).length) throw new Error(`${dest} is not empty`);
  const git = simpleGit(dest, {
    allowEnvironment: [...Object.keys(IDENTITY), 'GIT_AUTHOR_DATE', 'GIT_COMMITTER_DATE'],
  });
  await git.init();
  await git.raw(['config', 'core.autocrlf', 'false']);
  await git.raw(['config', 'core.fileMode', 'true']);
  const commit = async (message: string, date: string): Promise<string> => {
    await git.raw(['add', '--all']);
    await git
      .env({
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        ...IDENTITY,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      })
      .raw(['commit', '-q', '--no-gpg-sign', '-m', message]);
    return (await git.revparse(['HEAD'])).trim();
  };
  await cp(join(src, 'parent'), dest, { recursive: true });
  const parent = await commit(`${name}: the code as it was`, '2026-01-01T00:00:00+00:00');
  await cp(join(src, 'human'), dest, { recursive: true, force: true });
  const human = await commit(`${name}: the human's optimisation`, '2026-01-02T00:00:00+00:00');
  return { dir: dest, parent, human };
}
