/**
 * The disk budget of built images: every use of a recipe image is noted (a small JSON file in the
 * cache root), and `prune` removes the least recently used ones until the images' own bytes (not
 * the layers they share) fit the budget. Images that a container uses, and the images named in
 * `keep`, are never removed.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { readStored } from '../store/read.js';
import type { StoredRecord } from '../store/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export { parseBytes } from '../util/quantities.js';

import { defaultCacheRoot } from '../workspace/repo-cache.js';

/** The label every recipe image carries (images.ts). */
export const RECIPE_LABEL = 'org.isobench.recipe';
/** The version of `images-used.json`. */
export const USED_VERSION = 1;

function usedFile(root?: string): string {
  return join(root ?? defaultCacheRoot(), 'images-used.json');
}

/** When each image was last used; nothing when the file is missing, unreadable or of another version. */
async function readUsed(root?: string): Promise<Record<string, string>> {
  return readStored('images-used', usedFile(root)).then(
    (j) => j.used,
    () => ({}),
  );
}

/** Notes that `tag` was used now. */
export async function touchImage(tag: string, root?: string, at = new Date()): Promise<void> {
  const used = await readUsed(root);
  used[tag] = at.toISOString();
  await mkdir(root ?? defaultCacheRoot(), { recursive: true });
  const rec: StoredRecord<'images-used'> = { schemaVersion: USED_VERSION, used };
  await writeFileAtomic(usedFile(root), `${JSON.stringify(rec, null, 2)}\n`);
}

/** One cached image. */
export interface CachedImage {
  readonly id: string;
  readonly tags: readonly string[];
  /** bytes of its own layers (what removing it frees) */
  readonly bytes: number;
  readonly lastUsed: string;
  readonly inUse: boolean;
}

/** The recipe images the engine holds, least recently used first. */
export async function cachedImages(docker: Docker, root?: string): Promise<CachedImage[]> {
  const used = await readUsed(root);
  // dockerode types df() as any; the fields are those of the engine API's /system/df answer
  const df = (await docker.df()) as {
    Images?: Array<{
      Id: string;
      RepoTags: string[] | null;
      Size: number;
      SharedSize: number;
      Created: number;
      Containers: number;
      Labels: Record<string, string> | null;
    }>;
  };
  const containers = await docker.listContainers({ all: true });
  const busy = new Set(containers.map((c) => c.ImageID));
  return (df.Images ?? [])
    .filter((i) => i.Labels && RECIPE_LABEL in i.Labels)
    .map((i) => {
      const tags = (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
      const last = tags
        .map((t) => used[t])
        .filter((x): x is string => !!x)
        .sort()
        .at(-1);
      return {
        id: i.Id,
        tags,
        bytes: Math.max(0, i.Size - Math.max(0, i.SharedSize)),
        lastUsed: last ?? new Date(i.Created * 1000).toISOString(),
        inUse: busy.has(i.Id) || i.Containers > 0,
      };
    })
    .sort((a, b) => a.lastUsed.localeCompare(b.lastUsed));
}

/** Removes least recently used recipe images until the rest fit `budgetBytes`. */
export async function pruneImages(
  docker: Docker,
  opts: { budgetBytes: number; root?: string; keep?: readonly string[]; dryRun?: boolean },
): Promise<{ before: number; after: number; removed: CachedImage[]; kept: CachedImage[] }> {
  const all = await cachedImages(docker, opts.root);
  const before = all.reduce((n, i) => n + i.bytes, 0);
  let total = before;
  const removed: CachedImage[] = [];
  for (const img of all) {
    if (total <= opts.budgetBytes) break;
    if (img.inUse || img.tags.some((t) => opts.keep?.includes(t))) continue;
    if (!opts.dryRun) {
      // an image the engine will not remove (a container uses it) is kept and the next one tried
      const ok = await docker
        .getImage(img.id)
        .remove({ force: false })
        .then(() => true)
        .catch(() => false);
      if (!ok) continue;
    }
    removed.push(img);
    total -= img.bytes;
  }
  return { before, after: total, removed, kept: all.filter((i) => !removed.includes(i)) };
}
