/**
 * Agent installs: each adapter pins its CLI version; npm packages are installed on demand into a
 * per-version folder of the cache (`<cache>/agents/<name>/<version>/`), once, and reused. The
 * version used is what the attempt records. Manually installed agents (TRAE) are found on PATH or at
 * a given path.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { defaultCacheRoot } from '../workspace/repo-cache.js';
import type { AgentAdapter } from './types.js';

/** An installed agent. */
export interface Installed {
  readonly binary: string | null;
  /** the pinned version (npm) or null where the adapter cannot know it before running */
  readonly version: string | null;
  /** whether this call installed it */
  readonly installedNow: boolean;
  /** where it lives */
  readonly dir: string | null;
}

async function executable(p: string): Promise<boolean> {
  return access(p, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/** Finds `bin` on PATH. */
export async function onPath(bin: string): Promise<string | null> {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    if (d && (await executable(join(d, bin)))) return join(d, bin);
  }
  return null;
}

function npmInstall(dir: string, spec: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'npm',
      ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', '--prefix', dir, spec],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`npm install ${spec} failed (exit ${code}): ${err.trim().slice(-2000)}`)),
    );
  });
}

/** Where an npm-installed agent version lives. */
export function installDir(root: string, name: string, version: string): string {
  return join(root, 'agents', name, version);
}

/** The agent's binary, installing the pinned npm version if it is not there yet (unless `check`). */
export async function ensureInstalled(
  adapter: AgentAdapter,
  opts: { root?: string; binary?: string; check?: boolean } = {},
): Promise<Installed> {
  const recipe = adapter.install;
  if (opts.binary) {
    const binary = resolve(opts.binary);
    if (!(await executable(binary)))
      throw new Error(`${adapter.name}: ${opts.binary} is not an executable file`);
    return {
      binary,
      version: recipe.kind === 'manual' ? recipe.version : null,
      installedNow: false,
      dir: null,
    };
  }
  if (recipe.kind === 'none') return { binary: null, version: null, installedNow: false, dir: null };
  if (recipe.kind === 'manual') {
    const found = await onPath(recipe.bin);
    if (!found) throw new Error(`${adapter.name}: '${recipe.bin}' is not on PATH. ${recipe.instructions}`);
    return { binary: found, version: recipe.version, installedNow: false, dir: null };
  }
  const dir = installDir(opts.root ?? defaultCacheRoot(), adapter.name, recipe.version);
  const binary = join(dir, 'node_modules', '.bin', recipe.bin);
  if (await executable(binary)) return { binary, version: recipe.version, installedNow: false, dir };
  if (opts.check)
    throw new Error(
      `${adapter.name} ${recipe.version} is not installed (isobench agents install ${adapter.name})`,
    );
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  try {
    await npmInstall(tmp, `${recipe.package}@${recipe.version}`);
    await mkdir(join(dir, '..'), { recursive: true });
    await rename(tmp, dir).catch(async (e) => {
      if (!(await executable(binary))) throw e; // another process installed it meanwhile
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  if (!(await executable(binary)))
    throw new Error(
      `${adapter.name}: installed ${recipe.package}@${recipe.version} but ${binary} is missing`,
    );
  return { binary, version: recipe.version, installedNow: true, dir };
}
