import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namesIfThere, readTextIfThere, statIfThere } from '../../src/util/if-there.js';

describe('reading what may not be there', () => {
  const dir = mkdtempSync(join(tmpdir(), 'isobench-if-there-'));
  writeFileSync(join(dir, 'a.txt'), 'hello');

  it('reads what is there', async () => {
    expect(await readTextIfThere(join(dir, 'a.txt'))).toBe('hello');
    expect(await namesIfThere(dir)).toEqual(['a.txt']);
    expect((await statIfThere(dir))?.isDirectory()).toBe(true);
  });

  it('reads a missing file, folder or path through a file as absent', async () => {
    expect(await readTextIfThere(join(dir, 'missing.txt'))).toBeNull();
    expect(await namesIfThere(join(dir, 'missing'))).toEqual([]);
    expect(await statIfThere(join(dir, 'a.txt', 'below'))).toBeNull();
    // a file where a folder is asked for: there is no such folder
    expect(await namesIfThere(join(dir, 'a.txt'))).toEqual([]);
  });

  it('throws any other error instead of taking it for absence', async () => {
    await expect(readTextIfThere(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
