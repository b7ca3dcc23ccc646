/**
 * Secrets out of storage: every file an attempt keeps is scanned for the API keys it was given and
 * each occurrence is replaced by `[REDACTED:<name>]`, bytewise (text and binary alike), before the
 * attempt is reported. Keys shorter than 8 characters are refused: redacting them would shred logs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lstatIfThere, namesIfThere } from '../util/if-there.js';

/** A secret and the name it is redacted as. */
export interface Secret {
  readonly name: string;
  readonly value: string;
}

/** Replaces every secret in `text`. */
export function redactText(text: string, secrets: readonly Secret[]): string {
  let out = text;
  for (const s of secrets) if (s.value.length >= 8) out = out.split(s.value).join(`[REDACTED:${s.name}]`);
  return out;
}

function redactBuffer(buf: Buffer, secrets: readonly Secret[]): Buffer | null {
  let changed = false;
  let out = buf;
  for (const s of secrets) {
    if (s.value.length < 8) continue;
    const needle = Buffer.from(s.value);
    if (out.indexOf(needle) < 0) continue;
    const parts: Buffer[] = [];
    let at = 0;
    for (let i = out.indexOf(needle); i >= 0; i = out.indexOf(needle, at)) {
      parts.push(out.subarray(at, i), Buffer.from(`[REDACTED:${s.name}]`));
      at = i + needle.length;
    }
    parts.push(out.subarray(at));
    out = Buffer.concat(parts);
    changed = true;
  }
  return changed ? out : null;
}

/** Redacts every regular file under `dir` in place (symlinks are not followed); returns the files changed. */
export async function redactTree(dir: string, secrets: readonly Secret[]): Promise<string[]> {
  const usable = secrets.filter((s) => s.value.length >= 8);
  if (!usable.length) return [];
  const changed: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const name of await namesIfThere(d)) {
      const p = join(d, name);
      const st = await lstatIfThere(p);
      if (!st) continue;
      if (st.isDirectory()) await walk(p);
      else if (st.isFile()) {
        const out = redactBuffer(await readFile(p), usable);
        if (out) {
          await writeFile(p, out);
          changed.push(p);
        }
      }
    }
  };
  await walk(dir);
  return changed;
}
