/** Locates isobench's own folder (where `package.json`, `tasks/` and `harness/` live), from any bundle chunk or source file. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonObject } from './json.js';

let cached: string | null = null;

/** The folder holding isobench's package.json. Throws if isobench's files were moved apart. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (true) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      // not ours (or unreadable): keep looking
      if (jsonObject(readFileSync(pkg, 'utf8'))?.name === 'isobench') {
        cached = dir;
        return dir;
      }
    }
    const up = dirname(dir);
    if (up === dir)
      throw new Error(`cannot find isobench's package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
