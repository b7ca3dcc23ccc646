/**
 * The vLLM setup step: prepare.py run by a real Python over an image record and a checkout, and the
 * setup runner's classification of a rebuild that failed for its environment (exit 75) or for the
 * patch. The recipe's whole path on generated trees is test/integration/vllm-image.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSetup } from '../../src/bench/setup.js';
import type { PreparedVariant } from '../../src/bench/types.js';
import { LocalExecutor } from '../../src/executor/local.js';
import { loadTasks } from '../../src/task/loader.js';
import { SETUP_ENVIRONMENT_EXIT, vllmSetup } from '../../src/task/vllm-setup.js';
import { TASKS_DIR } from '../support/fixtures.js';
import { PROJECT_ROOT } from '../support/shared-data.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-vllm-setup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const PREPARE = join(PROJECT_ROOT, 'harness/images/vllm/prepare.py');

function files(dir: string, paths: Record<string, string>): void {
  for (const [p, text] of Object.entries(paths)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
}

describe('vLLM prepare: the files a build generates, linked into a checkout from the image’s record', () => {
  it('the task specs run the image’s scripts', () => {
    expect(vllmSetup().prepare).toEqual(['python3', '/opt/isobench/vllm/prepare.py']);
    expect(vllmSetup().build).toEqual(['python3', '/opt/isobench/vllm/rebuild.py']);
  });

  it('links every recorded file the tree lacks (compiled and generated Python alike), keeps the tree’s own', () => {
    const site = join(root, 'site');
    const tree = join(root, 'tree');
    files(site, {
      'vllm/__init__.py': '',
      'vllm/_C.abi3.so': 'elf',
      'vllm/_moe_C.abi3.so': 'elf',
      'vllm/_version.py': '__version__ = "0.7.1"\n',
      'vllm/vllm_flash_attn/__init__.py': '',
      'vllm/vllm_flash_attn/flash_attn_interface.py': '',
      'vllm/vllm_flash_attn/_vllm_fa2_C.abi3.so': 'elf',
    });
    const record = join(root, 'generated.json');
    const generated = [
      'vllm/_C.abi3.so',
      'vllm/_moe_C.abi3.so',
      'vllm/_version.py',
      'vllm/vllm_flash_attn/__init__.py',
      'vllm/vllm_flash_attn/flash_attn_interface.py',
      'vllm/vllm_flash_attn/_vllm_fa2_C.abi3.so',
    ];
    writeFileSync(
      record,
      JSON.stringify({ schemaVersion: 1, package: site, files: generated, version: '0.7.1' }),
    );
    files(tree, { 'vllm/__init__.py': '# the checkout', 'vllm/_moe_C.abi3.so': 'rebuilt' });
    const r = spawnSync('python3', [PREPARE, '--record', record], { cwd: tree, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`linked 5 generated files from ${site}`);
    for (const f of generated.filter((g) => g !== 'vllm/_moe_C.abi3.so'))
      expect(readlinkSync(join(tree, f))).toBe(join(site, f));
    expect(lstatSync(join(tree, 'vllm/_moe_C.abi3.so')).isSymbolicLink()).toBe(false);
    expect(lstatSync(join(tree, 'vllm/__init__.py')).isSymbolicLink()).toBe(false);
    // the site's own vllm/__init__.py is the commit's, not generated: never linked (an agent's deletion stays)
    rmSync(join(tree, 'vllm/__init__.py'));
    spawnSync('python3', [PREPARE, '--record', record], { cwd: tree });
    expect(existsSync(join(tree, 'vllm/__init__.py'))).toBe(false);
  });

  it('fails, saying why, when the image has no record or the record has no compiled file', () => {
    const tree = join(root, 'alone');
    files(tree, { 'vllm/__init__.py': '' });
    const none = spawnSync('python3', [PREPARE, '--record', join(root, 'nowhere.json')], {
      cwd: tree,
      encoding: 'utf8',
    });
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('this image has no record of its generated files');
    const empty = join(root, 'empty.json');
    writeFileSync(
      empty,
      JSON.stringify({ schemaVersion: 1, package: join(root, 'site'), files: ['vllm/_version.py'] }),
    );
    const r = spawnSync('python3', [PREPARE, '--record', empty], { cwd: tree, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('lists no compiled extension');
  });
});

describe('a rebuild that fails for its environment is the harness’s, not the agent’s', async () => {
  const base = (await loadTasks(TASKS_DIR)).tasks.find((t) => t.id === 'vllm/0ec82edd');
  if (!base) throw new Error('vllm/0ec82edd');
  const variant: PreparedVariant = {
    id: 'agent:x',
    kind: 'agent',
    agent: null,
    hostDir: null,
    failure: null,
    patch: { method: 'git-apply', files: ['csrc/x.cu'], native: true },
    tamper: [],
  };
  const withBuild = (code: number) => ({
    ...base,
    setup: {
      ...(base.setup as NonNullable<typeof base.setup>),
      build: [
        'python3',
        '-c',
        `import sys; print("isobench rebuild: environment: no network", file=sys.stderr); sys.exit(${code})`,
      ],
    },
  });
  const ex = new LocalExecutor({ root: join(root, 'sandboxes') });

  it(`exit ${SETUP_ENVIRONMENT_EXIT}: infra_error with the reason; any other failure: build_failed`, async () => {
    const sb = await ex.open({ name: 'setup' });
    try {
      const dir = `${sb.workdir}/tree`;
      await sb.writeFile(`${dir}/.keep`, '');
      const env = await runSetup(withBuild(SETUP_ENVIRONMENT_EXIT), variant, sb, dir, join(root, 'logs-env'));
      expect(env.failure?.class).toBe('infra_error');
      expect(env.failure?.detail).toContain('environment: no network');
      const own = await runSetup(withBuild(2), variant, sb, dir, join(root, 'logs-own'));
      expect(own.failure?.class).toBe('build_failed');
    } finally {
      await sb.close();
    }
  });
});
