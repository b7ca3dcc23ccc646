/**
 * Command-line agents described by a spec file only, beyond the shared agent contract
 * (test/contract/agent-contract.ts, which runs agents/example-command against the scripted server):
 * found by name, the environment a spec gets, and bad specs refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { knownAgents, resolveAgent } from '../../agents/index.js';
import { attemptDir, runAttempt } from '../../src/agent/attempt.js';
import type { AgentAdapter } from '../../src/agent/types.js';
import { agentHarness } from '../support/agent-harness.js';

const h = agentHarness('cmd');
let adapter: AgentAdapter;
beforeAll(async () => {
  adapter = await resolveAgent('example-command');
});

describe('a command agent from its spec file', () => {
  it('calls an API failure infra by its default patterns, the status before or after the word', async () => {
    for (const [i, line] of ['API error: HTTP 503', 'status 500 from the API', 'rate limit hit'].entries()) {
      const spec = join(h.root, `fail-${i}.json`);
      writeFileSync(
        spec,
        JSON.stringify({
          schemaVersion: 1,
          name: `fail-${i}`,
          provider: 'openai',
          keyEnv: 'MY_AGENT_KEY',
          command: ['sh', '-c', `echo '${line}' >&2; exit 1`],
        }),
      );
      const r = await runAttempt({
        task: h.task,
        adapter: await resolveAgent(spec),
        mirror: h.mirror,
        runDir: join(h.root, `fail-${i}`),
        attempt: 1,
        model: 'm',
        apiKey: null,
        binary: null,
        attemptRetries: 0,
      });
      expect(r.outcome.kind, line).toBe('infra');
    }
    // a 5xx-looking number in an ordinary failure is not the API's
    const spec = join(h.root, 'crash.json');
    writeFileSync(
      spec,
      JSON.stringify({
        schemaVersion: 1,
        name: 'crash',
        provider: 'openai',
        keyEnv: 'MY_AGENT_KEY',
        command: ['sh', '-c', "echo 'failed on line 500' >&2; exit 1"],
      }),
    );
    const r = await runAttempt({
      task: h.task,
      adapter: await resolveAgent(spec),
      mirror: h.mirror,
      runDir: join(h.root, 'crash'),
      attempt: 1,
      model: 'm',
      apiKey: null,
      binary: null,
      attemptRetries: 0,
    });
    expect(r.outcome.kind).toBe('crashed');
  });

  it('is found by name among the known agents', () => {
    expect(knownAgents()).toEqual(
      expect.arrayContaining(['claude-code', 'codex', 'native', 'trae', 'example-command']),
    );
    expect(adapter.name).toBe('example-command');
  });

  it('gets a fresh HOME, a minimal environment and only its own provider key', async () => {
    const spec = join(h.root, 'env-agent.json');
    writeFileSync(
      spec,
      JSON.stringify({
        schemaVersion: 1,
        name: 'env-dump',
        command: ['sh', '-c', 'env > "{log_dir}/env.txt"'],
        provider: 'openai',
        keyEnv: 'MY_AGENT_KEY',
        passEnv: ['TZ', 'ANTHROPIC_API_KEY'],
      }),
    );
    const dumper = await resolveAgent(spec);
    process.env.ANTHROPIC_API_KEY = 'sk-ant-other-provider-0123456789';
    process.env.ISOBENCH_SECRET_SETTING = 'harness-only';
    try {
      const r = await runAttempt({
        task: h.task,
        adapter: dumper,
        mirror: h.mirror,
        runDir: join(h.root, 'env'),
        attempt: 1,
        model: 'm',
        apiKey: 'sk-own-0123456789abc',
        binary: null,
      });
      expect(r.outcome.kind).toBe('completed');
      const env = readFileSync(
        join(attemptDir(join(h.root, 'env'), 'env-dump', h.task.id, 1), 'logs', 'try-1', 'env.txt'),
        'utf8',
      );
      const names = env.split('\n').map((l) => l.split('=')[0]);
      expect(names).toContain('MY_AGENT_KEY');
      expect(env).toContain('MY_AGENT_KEY=[REDACTED:API_KEY]');
      expect(env).toMatch(/^HOME=.*\/home$/m);
      // another provider's key is never passed, even when the spec asks; nor is the harness's own environment
      expect(env).not.toContain('sk-ant-other-provider');
      expect(names).not.toContain('ANTHROPIC_API_KEY');
      expect(names).not.toContain('ISOBENCH_SECRET_SETTING');
    } finally {
      delete process.env.ANTHROPIC_API_KEY;
      delete process.env.ISOBENCH_SECRET_SETTING;
    }
  });

  it('refuses a spec with a bad field, naming the file and the field', async () => {
    const bad = join(h.root, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ schemaVersion: 1, name: 'Bad Name', command: ['x'], provider: null }),
    );
    await expect(resolveAgent(bad)).rejects.toThrow(`${bad}: name: expected a lowercase agent name`);
    await expect(resolveAgent('no-such-agent')).rejects.toThrow(
      /unknown agent 'no-such-agent': known agents are claude-code, codex/,
    );
  });

  it('names an unknown key with the field meant, explains provider null, and refuses missing files and placeholders (issue 21)', async () => {
    const spec = join(h.root, 'typo.json');
    writeFileSync(spec, JSON.stringify({ schemaVersion: 1, name: 'typo', comand: ['x'] }));
    const e = await resolveAgent(spec).catch((x: Error) => x.message);
    // the misspelt key first, with the field meant; then what its absence leaves missing
    expect(e).toMatch(/^.*typo\.json: comand: not a field of an agent spec; did you mean command\?/);
    expect(e).toContain(
      'provider: required: "anthropic" or "openai" (whose key it gets), or null for an agent that needs no key from isobench',
    );
    expect(e).toContain('command: required');
    const files = join(h.root, 'files.json');
    writeFileSync(
      files,
      JSON.stringify({
        schemaVersion: 1,
        name: 'files',
        provider: null,
        command: ['./nowhere.sh', '--in', '{promt_file}'],
      }),
    );
    const f = await resolveAgent(files).catch((x: Error) => x.message);
    expect(f).toContain(
      `command[0]: ./nowhere.sh does not exist beside the spec (${join(h.root, 'nowhere.sh')})`,
    );
    expect(f).toContain('command[2]: {promt_file} is not a placeholder; did you mean prompt_file?');
    const binary = join(h.root, 'binary.json');
    writeFileSync(
      binary,
      JSON.stringify({ schemaVersion: 1, name: 'binary', provider: null, command: ['no-such-agent-cli'] }),
    );
    await expect(resolveAgent(binary)).rejects.toThrow("command[0]: 'no-such-agent-cli' is not on PATH");
  });

  it('a 401 is the configuration, not the infrastructure: config_error, never retried', async () => {
    const spec = join(h.root, 'unauthorized.json');
    writeFileSync(
      spec,
      JSON.stringify({
        schemaVersion: 1,
        name: 'unauthorized',
        provider: 'openai',
        keyEnv: 'MY_AGENT_KEY',
        command: ['sh', '-c', "echo 'API error: HTTP 401 Unauthorized' >&2; exit 1"],
      }),
    );
    const r = await runAttempt({
      task: h.task,
      adapter: await resolveAgent(spec),
      mirror: h.mirror,
      runDir: join(h.root, 'unauthorized'),
      attempt: 1,
      model: 'm',
      apiKey: 'sk-wrong',
      apiKeyEnv: 'OPENAI_API_KEY',
      binary: null,
      attemptRetries: 2,
      backoffMs: 60_000,
    });
    expect(r.outcome.kind).toBe('config_error');
    expect(r.outcome.detail).toMatch(
      /^the key in \$OPENAI_API_KEY was refused \(a configuration error, not retried\)/,
    );
    expect(r.tries).toHaveLength(1);
  });
});
