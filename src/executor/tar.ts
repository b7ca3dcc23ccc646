/** Tar archives to and from host paths, streamed (the Docker API moves files as tar). */
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';

/** A tar stream holding `hostPath` (file or folder) under the name `name`. */
export function packPath(hostPath: string, name: string): Readable {
  const pack = tar.pack();
  void (async () => {
    try {
      await add(pack, hostPath, name);
      pack.finalize();
    } catch (e) {
      pack.destroy(e as Error); // add() fails with fs and stream errors only, all Errors
    }
  })();
  // tar-stream's pack is a streamx Readable: it pipes and iterates as a Node Readable does
  return pack as unknown as Readable;
}

/** A tar stream of one file with the given content. */
export function packBytes(name: string, data: Uint8Array): Readable {
  const pack = tar.pack();
  pack.entry({ name, size: data.byteLength, mode: 0o644 }, Buffer.from(data));
  pack.finalize();
  // as in packPath: a streamx Readable, piped and iterated as a Node one
  return pack as unknown as Readable;
}

async function add(pack: tar.Pack, path: string, name: string): Promise<void> {
  const st = await lstat(path);
  if (st.isSymbolicLink()) {
    pack.entry({ name, type: 'symlink', linkname: await readlink(path), mode: st.mode & 0o7777 });
  } else if (st.isDirectory()) {
    pack.entry({ name, type: 'directory', mode: st.mode & 0o7777 });
    for (const child of (await readdir(path)).sort()) await add(pack, join(path, child), `${name}/${child}`);
  } else if (st.isFile()) {
    await new Promise<void>((ok, fail) => {
      const entry = pack.entry({ name, size: st.size, mode: st.mode & 0o7777 }, (err) =>
        err ? fail(err) : ok(),
      );
      createReadStream(path).on('error', fail).pipe(entry);
    });
  }
}

/** Extracts a tar stream into `dest`, refusing entries that would land outside it. */
export async function extractTo(stream: NodeJS.ReadableStream, dest: string): Promise<void> {
  const root = resolve(dest);
  await mkdir(root, { recursive: true });
  const ex = tar.extract();
  ex.on('entry', (header, body, next) => {
    const target = resolve(root, header.name);
    if (target !== root && !target.startsWith(root + sep)) {
      body.resume();
      ex.destroy(new Error(`archive entry '${header.name}' points outside ${root}`));
      return;
    }
    void (async () => {
      try {
        if (header.type === 'directory') {
          await mkdir(target, { recursive: true });
          body.resume();
        } else if (header.type === 'symlink' && header.linkname) {
          await mkdir(dirname(target), { recursive: true });
          await symlink(header.linkname, target).catch((e: NodeJS.ErrnoException) => {
            // a link the archive lists twice is already there
            if (e.code !== 'EEXIST') throw e;
          });
          body.resume();
        } else if (header.type === 'file' || header.type === 'contiguous-file') {
          await mkdir(dirname(target), { recursive: true });
          await pipeline(body, createWriteStream(target, { mode: header.mode ?? 0o644 }));
        } else body.resume();
        next();
      } catch (e) {
        ex.destroy(e as Error); // mkdir, symlink and pipeline fail with Errors only
      }
    })();
  });
  await pipeline(stream, ex);
}

/** The part of `path` below `base`, with forward slashes. */
export function below(base: string, path: string): string {
  return relative(base, path).split(sep).join('/');
}
