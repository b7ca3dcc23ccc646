/**
 * Images built from recipes (`harness/images/<family>/Dockerfile` plus a build context), tagged by a
 * hash of everything that goes into them, smoke-tested after the build, with their id recorded. A
 * recipe whose tag exists is not built again. Builds run with network mode `none` unless the recipe
 * needs the network (the vLLM recipes' pip installs), which only a build host has.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { packageRoot } from '../util/package-root.js';
import { packPath } from './tar.js';
import { InfraError } from './types.js';

/** How to build one image. */
export interface ImageRecipe {
  /** the folder under harness/images */
  readonly family: string;
  /** files and folders copied into the build context: host path → path in the context */
  readonly context: ReadonlyArray<{ readonly from: string; readonly to: string }>;
  /** extra files written into the context: path → content */
  readonly files?: Readonly<Record<string, string>>;
  readonly buildArgs: Readonly<Record<string, string>>;
  /** commands that must exit 0 in the built image (run with network none, no GPU) */
  readonly smoke: ReadonlyArray<readonly string[]>;
  /**
   * commands that must exit 0 with the GPUs of the build (vLLM's compiled extensions load
   * libcuda.so.1, which only the NVIDIA runtime puts into a container with a GPU request); run when
   * the build is given GPUs, else recorded as not run
   */
  readonly gpuSmoke?: ReadonlyArray<readonly string[]>;
  /** whether the build needs the network (pip); default false */
  readonly network?: boolean;
  /** why each argument has its value, recorded with the image */
  readonly notes?: readonly string[];
}

/** What was built (or found). */
export interface BuiltImage {
  readonly tag: string;
  readonly id: string;
  readonly built: boolean;
  readonly smoke: ReadonlyArray<SmokeRun>;
}

/** One smoke command of an image: its exit code, or why it did not run (a GPU check on a build without GPUs). */
export interface SmokeRun {
  readonly argv: readonly string[];
  readonly gpu: boolean;
  readonly exitCode: number | null;
  readonly skipped?: string;
}

/** What a build is given besides its recipe. */
export interface EnsureOptions {
  /** GPU device ids the GPU smoke commands run on (none: they are recorded as not run) */
  readonly gpus?: readonly string[];
}

async function hashPath(h: ReturnType<typeof createHash>, path: string, name: string): Promise<void> {
  const { lstat, readdir } = await import('node:fs/promises');
  const st = await lstat(path);
  if (st.isDirectory()) {
    h.update(`dir ${name}\n`);
    for (const c of (await readdir(path)).sort()) {
      if (c === '.git') continue;
      await hashPath(h, join(path, c), `${name}/${c}`);
    }
  } else if (st.isFile()) {
    h.update(`file ${name} ${st.mode & 0o111 ? 'x' : '-'}\n`);
    h.update(await readFile(path));
  }
}

/** The tag of a recipe: `isobench-<family>:<first 16 hex of the hash of Dockerfile, arguments and context>`. */
export async function recipeTag(recipe: ImageRecipe): Promise<string> {
  const h = createHash('sha256');
  h.update(await readFile(join(packageRoot(), 'harness', 'images', recipe.family, 'Dockerfile')));
  for (const [k, v] of Object.entries(recipe.buildArgs).sort()) h.update(`arg ${k}=${v}\n`);
  for (const [k, v] of Object.entries(recipe.files ?? {}).sort()) h.update(`extra ${k}\n${v}\n`);
  for (const c of [...recipe.context].sort((a, b) => a.to.localeCompare(b.to)))
    await hashPath(h, c.from, c.to);
  return `isobench-${recipe.family}:${h.digest('hex').slice(0, 16)}`;
}

async function drain(docker: Docker, stream: NodeJS.ReadableStream, logPath: string): Promise<void> {
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (ev: { stream?: string; error?: string; status?: string }) => {
        if (ev.stream) lines.push(ev.stream);
        if (ev.status) lines.push(`${ev.status}\n`);
        if (ev.error) lines.push(`ERROR: ${ev.error}\n`);
      },
    );
  }).finally(() => writeFile(logPath, lines.join('')));
  const err = lines.find((l) => l.startsWith('ERROR: '));
  if (err) throw new InfraError(`image build failed: ${err.trim()} (log: ${logPath})`);
}

/** Writes the recipe's build context into the empty folder `ctx`: its Dockerfile, context folders (without .git) and files. */
export async function writeBuildContext(recipe: ImageRecipe, ctx: string): Promise<void> {
  await mkdir(ctx, { recursive: true });
  await cp(join(packageRoot(), 'harness', 'images', recipe.family, 'Dockerfile'), join(ctx, 'Dockerfile'));
  for (const c of recipe.context) {
    await mkdir(dirname(join(ctx, c.to)), { recursive: true });
    await cp(c.from, join(ctx, c.to), {
      recursive: true,
      filter: (src) => !src.split('/').includes('.git'),
    });
  }
  for (const [k, v] of Object.entries(recipe.files ?? {})) {
    await mkdir(dirname(join(ctx, k)), { recursive: true });
    await writeFile(join(ctx, k), v);
  }
}

/** A container's log as text: the engine frames stdout and stderr (8-byte headers) when it has no TTY. */
function demuxed(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2) && buf.readUInt16BE(i + 1) === 0) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return (i === buf.length ? Buffer.concat(parts) : buf).toString('utf8');
}

/** Runs one smoke command in a fresh container of `tag` (network none; on `gpus` where given); throws when it fails. */
async function runSmoke(
  docker: Docker,
  tag: string,
  argv: readonly string[],
  gpus: readonly string[] | null,
  logDir: string,
): Promise<SmokeRun> {
  const c = await docker.createContainer({
    Image: tag,
    Cmd: [...argv],
    HostConfig: {
      NetworkMode: 'none',
      DeviceRequests: gpus
        ? [{ Driver: 'nvidia', DeviceIDs: [...gpus], Capabilities: [['gpu']] }]
        : undefined,
    },
  });
  try {
    await c.start();
    // dockerode types wait() as any; the engine API's ContainerWait answer carries StatusCode
    const r = (await c.wait()) as { StatusCode: number };
    if (r.StatusCode !== 0) {
      const logs = demuxed(await c.logs({ stdout: true, stderr: true }));
      await writeFile(join(logDir, `${tag.replace(/[:/]/g, '_')}.smoke.log`), logs);
      throw new InfraError(
        `image ${tag} failed its ${gpus ? 'GPU ' : ''}smoke test \`${argv.join(' ')}\` (exit ${r.StatusCode}): ${logs.trim().split('\n').slice(-3).join(' / ')}`,
      );
    }
    return { argv, gpu: gpus !== null, exitCode: r.StatusCode };
  } finally {
    // the smoke test's verdict stands; a container left behind is removed with the run's leftovers
    await c.remove({ force: true }).catch(() => undefined);
  }
}

/** Builds the recipe's image unless it exists, then smoke-tests it (the GPU checks only on `opts.gpus`). */
export async function ensureImage(
  docker: Docker,
  recipe: ImageRecipe,
  logDir: string,
  opts: EnsureOptions = {},
): Promise<BuiltImage> {
  const tag = await recipeTag(recipe);
  await mkdir(logDir, { recursive: true });
  const logPath = join(logDir, `${tag.replace(/[:/]/g, '_')}.build.log`);
  let built = false;
  // an image the engine cannot inspect is one it does not have: it is built
  const exists = await docker
    .getImage(tag)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (!exists) {
    const ctx = await mkdtemp(join(tmpdir(), 'isobench-image-'));
    try {
      await writeBuildContext(recipe, ctx);
      const stream = await docker.buildImage(packPath(ctx, '.'), {
        t: tag,
        buildargs: { ...recipe.buildArgs },
        networkmode: recipe.network ? 'host' : 'none',
        labels: {
          'org.isobench.recipe': recipe.family,
          'org.isobench.notes': (recipe.notes ?? []).join(' | '),
        },
        rm: true,
      });
      await drain(docker, stream, logPath);
      built = true;
    } finally {
      await rm(ctx, { recursive: true, force: true });
    }
  }
  const info = await docker.getImage(tag).inspect();
  // least-recently-used accounting of the image cache (image-cache.ts)
  await import('./image-cache.js').then((m) => m.touchImage(tag)).catch(() => undefined);
  const smoke: SmokeRun[] = [];
  for (const argv of recipe.smoke) smoke.push(await runSmoke(docker, tag, argv, null, logDir));
  for (const argv of recipe.gpuSmoke ?? [])
    smoke.push(
      opts.gpus?.length
        ? await runSmoke(docker, tag, argv, opts.gpus, logDir)
        : { argv, gpu: true, exitCode: null, skipped: 'the build was given no GPU' },
    );
  await writeFile(
    join(logDir, `${tag.replace(/[:/]/g, '_')}.json`),
    `${JSON.stringify({ schemaVersion: 1, tag, id: info.Id, built, recipe, smoke }, null, 2)}\n`,
  );
  return { tag, id: info.Id, built, smoke };
}
