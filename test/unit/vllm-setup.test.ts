/** The vLLM prepare step, run by a real Python over a fake installed vllm and a source checkout. */
import { execFileSync, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { vllmSetup } from '../../src/task/vllm-setup.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-vllm-setup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function files(dir: string, paths: Record<string, string>): void {
  for (const [p, text] of Object.entries(paths)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

describe('vLLM prepare: the image’s compiled extensions linked into a checkout', () => {
  const [python, ...rest] = vllmSetup().prepare;

  it('links every .so the tree lacks, keeps the tree’s own files, and says how many', () => {
    const site = join(root, 'site');
    const tree = join(root, 'tree');
    files(site, {
      'vllm/__init__.py': '',
      'vllm/_C.abi3.so': 'elf',
      'vllm/_moe_C.abi3.so': 'elf',
      'vllm/vllm_flash_attn/_vllm_fa2_C.abi3.so': 'elf',
    });
    files(tree, { 'vllm/__init__.py': '# the checkout', 'vllm/_moe_C.abi3.so': 'rebuilt' });
    const out = execFileSync(python as string, rest, {
      cwd: tree,
      env: { ...process.env, PYTHONPATH: site },
      encoding: 'utf8',
    });
    expect(out).toContain(`linked 2 compiled files from ${join(site, 'vllm')}`);
    expect(readlinkSync(join(tree, 'vllm/_C.abi3.so'))).toBe(join(site, 'vllm/_C.abi3.so'));
    expect(readlinkSync(join(tree, 'vllm/vllm_flash_attn/_vllm_fa2_C.abi3.so'))).toBe(
      join(site, 'vllm/vllm_flash_attn/_vllm_fa2_C.abi3.so'),
    );
    expect(lstatSync(join(tree, 'vllm/_moe_C.abi3.so')).isSymbolicLink()).toBe(false);
  });

  it('fails, saying why, when the image has no installed vllm (only the tree itself)', () => {
    const tree = join(root, 'alone');
    files(tree, { 'vllm/__init__.py': '' });
    const r = spawnSync(python as string, rest, {
      cwd: tree,
      env: { ...process.env, PYTHONPATH: '' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no installed vllm in this image');
  });
});
