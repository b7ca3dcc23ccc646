/**
 * Agents in containers (`--agent-sandbox docker`): the agent runs in a Docker sandbox with network
 * none; its model API (the scripted server on the host's loopback) is reachable through the relay,
 * and nothing else is. The same probe agent run as local processes reaches the other port, so the
 * test can tell the two apart.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Script, type ScriptedServer, startScriptedServer } from '../../src/agent/scripted-server.js';
import { quickRun, runCli } from '../support/cli.js';
import { HAVE_DOCKER } from '../support/docker.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-agentbox-'));
const out = join(root, 'runs');
const script: Script = (step) =>
  step === 0
    ? {
        tools: [
          {
            name: 'edit_file',
            input: {
              path: 'engine/sampler.py',
              old_string: 'def top_k(scores, k):',
              new_string: 'def top_k(scores, k):  # boxed',
            },
          },
        ],
      }
    : { tools: [{ name: 'done', input: {} }] };
let server: ScriptedServer;
let other: Server;
let otherPort = 0;
beforeAll(async () => {
  server = await startScriptedServer(script);
  other = createServer((s) => s.end());
  await new Promise<void>((ok) => other.listen(0, '127.0.0.1', () => ok()));
  otherPort = (other.address() as { port: number }).port;
});
afterAll(async () => {
  await server?.close();
  other?.close();
  rmSync(root, { recursive: true, force: true });
});

const isobench = async (args: string[]) => {
  const r = await runCli(args, { OPENAI_API_KEY: 'sk-box-unused', ANTHROPIC_API_KEY: 'sk-ant-box-unused' });
  return { status: r.status, text: r.stdout + r.stderr };
};
const common = (id: string, agent: string, sandbox: string) => [
  'run',
  '--agents',
  `${agent}:scripted-model`,
  '--option',
  `baseUrl=${server.url}/v1`,
  '--agent-sandbox',
  sandbox,
  '--tasks',
  'demo/cpu-latency',
  '--attempt-retry-backoff-s',
  '0.2',
  ...quickRun(out, id),
];

/** A command agent that only probes what it can reach and writes it into the workspace. */
function probeAgent(): string {
  const code = [
    'import socket, sys, urllib.parse',
    'ws = sys.argv[1]',
    'u = urllib.parse.urlparse(sys.argv[2])',
    'def probe(h, p):',
    '    try:',
    '        socket.create_connection((h, p), timeout=3).close()',
    "        return 'open'",
    '    except OSError:',
    "        return 'blocked'",
    `res = ['api ' + probe(u.hostname, u.port), 'other ' + probe('127.0.0.1', ${otherPort})]`,
    "open(ws + '/egress.txt', 'w').write(chr(10).join(res) + chr(10))",
  ].join('\n');
  const spec = {
    schemaVersion: 1,
    name: 'egress-probe',
    description: 'probes which addresses it can reach',
    command: ['python3', '-c', code, '{workspace}', '{base_url}'],
    provider: 'openai',
    keyEnv: 'PROBE_KEY',
    baseUrlEnv: 'PROBE_BASE_URL',
    version: 'egress-probe/1',
  };
  const file = join(root, 'egress-probe.json');
  writeFileSync(file, JSON.stringify(spec));
  return file;
}
const patchOf = (id: string, agent: string) =>
  readFileSync(join(out, id, 'agents', agent, 'demo_cpu-latency', '1', 'patch.diff'), 'utf8');

describe.runIf(HAVE_DOCKER)('agents in Docker sandboxes', () => {
  it('runs the real example agent in a container; its patch is measured like any other', async () => {
    const r = await isobench(common('box', 'example-command', 'docker'));
    expect(r.status, r.text).toBe(0);
    expect(patchOf('box', 'example-command')).toContain('+def top_k(scores, k):  # boxed');
    const unit = JSON.parse(
      readFileSync(
        join(out, 'box', 'agents', 'example-command', 'demo_cpu-latency', '1', 'unit.json'),
        'utf8',
      ),
    );
    expect(unit.inputs.sandbox).toMatch(/^docker /);
    expect(unit.detail).toMatch(/^completed/);
  }, 600_000);

  it('runs the real Claude Code CLI (its pinned npm install, mounted read-only) in a container', async () => {
    const cc = await startScriptedServer((step) =>
      step === 0
        ? {
            tools: [
              {
                name: 'Edit',
                input: {
                  file_path: 'engine/sampler.py',
                  old_string: 'def top_k(scores, k):',
                  new_string: 'def top_k(scores, k):  # claude boxed',
                },
              },
            ],
          }
        : { text: 'done' },
    );
    try {
      const args = common('cc-box', 'claude-code', 'docker').map((a) =>
        a === `baseUrl=${server.url}/v1` ? `baseUrl=${cc.url}` : a,
      );
      const r = await isobench([...args, '--attempt-retries', '0']);
      expect(r.status, r.text).toBe(0);
      const outcome = JSON.parse(
        readFileSync(
          join(out, 'cc-box', 'agents', 'claude-code', 'demo_cpu-latency', '1', 'outcome.json'),
          'utf8',
        ),
      );
      expect(outcome.outcome.kind, outcome.outcome.detail).toBe('completed');
      expect(outcome.agentVersion).toMatch(/^\d+\.\d+\.\d+/);
      expect(patchOf('cc-box', 'claude-code')).toContain('+def top_k(scores, k):  # claude boxed');
      expect(cc.requests.some((q) => q.api === 'anthropic')).toBe(true);
    } finally {
      await cc.close();
    }
  }, 600_000);

  it('reaches its model API and nothing else; as local processes it reaches both', async () => {
    const spec = probeAgent();
    const boxed = await isobench(common('egress-box', spec, 'docker'));
    expect(boxed.status, boxed.text).toBe(0);
    expect(patchOf('egress-box', 'egress-probe')).toMatch(/\+api open\n\+other blocked/);
    const local = await isobench(common('egress-local', spec, 'local'));
    expect(local.status, local.text).toBe(0);
    expect(patchOf('egress-local', 'egress-probe')).toMatch(/\+api open\n\+other open/);
  }, 600_000);
});
