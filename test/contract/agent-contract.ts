/**
 * The contract every agent keeps, run against each one that agents/index.ts knows (the adapters in
 * ADAPTERS and the shipped command-agent specs), each through its driver (agent-drivers.ts) against
 * the scripted model server on 127.0.0.1: a scripted edit becomes the harness-computed patch with
 * usage, model and version read back; the turn, time and cost budgets end it with their outcome and
 * kill what it started; a 429 and an unreachable API are infra (retried), a 401 is the user's
 * configuration (config_error, never retried), a 400 is the attempt's own failure (crashed); the key
 * is never stored.
 * The agents are dealt into SHARDS test files (agents-shard-N.test.ts) that vitest runs side by side:
 * the suite is mostly waiting on the agents' processes. agents.test.ts checks the deal covers every
 * agent; an agent without a driver fails in its shard.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { knownAgents, resolveAgent } from '../../agents/index.js';
import { readPredictions } from '../../agents/replay/index.js';
import { ATIF_FILE, atifProblems } from '../../src/agent/atif.js';
import type { AttemptOptions } from '../../src/agent/attempt.js';
import { costAt } from '../../src/agent/prices.js';
import type { Script, ScriptedServer, ScriptStep } from '../../src/agent/scripted-server.js';
import type { AgentAdapter } from '../../src/agent/types.js';
import { exportAtif } from '../../src/report/atif-export.js';
import { parseStored } from '../../src/store/schema.js';
import { PRICE_TABLE_VERSION, type PriceTable } from '../../src/store/usage.js';
import { agentHarness, scriptedAttempt, workspaceOf } from '../support/agent-harness.js';
import { goneWithin, isRunning } from '../support/process.js';
import {
  type AgentDriver,
  type ContractEdit,
  DRIVERS,
  type DriverVariant,
  type Installed,
} from './agent-drivers.js';

const h = agentHarness('contract-agents');
const KEY = 'sk-planted-contract-0123456789abcdef';
const EDIT = {
  file: 'engine/sampler.py',
  old: 'def top_k(scores, k):',
  new: 'def top_k(scores, k):  # faster',
};
const LIMIT = 120_000;

/** A script playing `steps` in order (the last one again past the end). */
const play =
  (steps: readonly ScriptStep[]): Script =>
  (step) =>
    steps[Math.min(step, steps.length - 1)] as ScriptStep;

/** The conversation steps of the main calls the server answered, and the APIs they came in on. */
const mainCalls = (server: ScriptedServer | null) => server?.requests.filter((r) => r.step !== null) ?? [];

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** Running processes whose working directory or command line is inside `dir` (Linux /proc). */
function survivors(dir: string): string[] {
  const found: string[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cwd = readlinkSync(`/proc/${p}/cwd`);
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if ((cwd.startsWith(dir) || cmd.includes(dir)) && isRunning(Number(p))) found.push(`${p}: ${cmd}`);
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function agentContract(name: string, driver: AgentDriver): void {
  describe(`agent contract: ${name}`, () => {
    let adapter: AgentAdapter;
    let installed: Installed;
    beforeAll(async () => {
      adapter = await resolveAgent(name);
      installed = await driver.install(adapter);
    }, 300_000);

    for (const v of driver.variants) variantContract(name, driver, v, () => ({ adapter, installed }));
  });
}

function variantContract(
  name: string,
  driver: AgentDriver,
  v: DriverVariant,
  agent: () => { adapter: AgentAdapter; installed: Installed },
): void {
  const model = driver.model ?? 'scripted-model';
  const slug = `${name}-${v.api}`;
  const edit = (scenario: string): ContractEdit => ({
    ...EDIT,
    workspace: workspaceOf(h, `${slug}-${scenario}`, agent().adapter.name),
  });
  const attempt = (
    scenario: string,
    script: Script | null,
    over: Partial<Omit<AttemptOptions, 'options'>> & { options?: Record<string, unknown> } = {},
  ) => {
    const { options: extra, ...rest } = over;
    const { adapter, installed } = agent();
    return scriptedAttempt(h, adapter, `${slug}-${scenario}`, script, {
      model,
      apiKey: KEY,
      binary: installed.binary,
      ...rest,
      options: (url) => ({ ...v.options(url), ...extra }),
    });
  };

  describe(`on ${v.label}`, () => {
    it(
      'turns a scripted edit into the harness-computed patch; usage, model and version read back',
      async () => {
        const steps = driver.edit(edit('edit'));
        const { record, dir, server, runDir } = await attempt('edit', play(steps));
        expect(record.outcome.kind, record.outcome.detail).toBe('completed');
        expect(record.model).toBe(model);
        expect(record.agentVersion).toBe(agent().installed.version);
        expect(record.usage).toMatchObject({
          inputTokens: expect.toSatisfy((n: unknown) => typeof n === 'number' && n > 0),
          outputTokens: expect.toSatisfy((n: unknown) => typeof n === 'number' && n > 0),
          ...driver.editUsage,
        });
        if (!driver.cost) expect(record.usage.costUsd, 'a driver without a cost budget').toBeNull();
        expect(record.patch).toEqual({
          status: 'ok',
          files: 1,
          added: 1,
          removed: 1,
          binaryFiles: 0,
          protectedTouched: [],
        });
        const patch = readFileSync(join(dir, 'patch.diff'), 'utf8');
        expect(patch).toContain(`+++ b/${EDIT.file}`);
        expect(patch).toContain(`\n-${EDIT.old}\n+${EDIT.new}\n`);
        // exactly the scripted turns, in order, on the variant's API
        expect(mainCalls(server).map((r) => r.step)).toEqual(steps.map((_, i) => i));
        expect(mainCalls(server).map((r) => r.api)).toEqual(steps.map(() => v.api));
        // the prediction line feeds isobench run through the replay agent
        const read = readPredictions(join(dir, 'prediction.jsonl'), h.tasks, undefined);
        expect(read.problems).toEqual([]);
        expect(read.entries[0]).toMatchObject({ agent: agent().adapter.name, model, patch });
        const trajectory = readFileSync(join(dir, 'trajectory.jsonl'), 'utf8');
        for (const line of trajectory.trim().split('\n'))
          expect(JSON.parse(line)).toMatchObject({ type: expect.any(String), text: expect.any(String) });
        expect(trajectory).toContain(driver.editTrajectory);
        // the same trajectory as ATIF, valid by the schema, its tool calls and final usage the record's
        const atif = JSON.parse(readFileSync(join(dir, ATIF_FILE), 'utf8'));
        expect(atifProblems(atif)).toEqual([]);
        const calls = atif.steps.flatMap((st: { tool_calls?: unknown[] }) => st.tool_calls ?? []);
        expect(calls.length).toBe((trajectory.match(/"type":"tool_call"/g) ?? []).length);
        expect(atif.final_metrics.total_prompt_tokens).toBe(record.usage.inputTokens);
        expect(atif.agent).toMatchObject({ name: agent().adapter.name, version: agent().installed.version });
        const exported = await exportAtif({ runDir, outDir: join(runDir, 'atif'), force: false });
        expect(exported.files).toHaveLength(1);
        expect(existsSync(join(dir, 'workspace'))).toBe(false);
      },
      LIMIT,
    );

    it(
      'through the usage proxy, measures at the API exactly what the scripted server served',
      async () => {
        const steps = driver.edit(edit('proxy'));
        const { record, dir, server } = await attempt('proxy', play(steps), { usageProxy: true });
        expect(record.outcome.kind, record.outcome.detail).toBe('completed');
        const api = parseStored(
          'api-usage',
          readFileSync(join(dir, 'api-usage.json'), 'utf8'),
          'api-usage.json',
        );
        const served = server?.served;
        expect(api.counted).toMatchObject({
          modelCalls: served?.requests,
          inputTokens: served?.inputTokens,
          outputTokens: served?.outputTokens,
        });
        expect(api.counted.requests).toBe(server?.requests.length);
        // the record keeps the API's counts and says so; the prediction's effort carries it to the rows
        expect(record.usage).toMatchObject({
          inputTokens: served?.inputTokens,
          outputTokens: served?.outputTokens,
        });
        expect(record.accounting?.tokensFrom).toBe(api.source);
        const prediction = JSON.parse(readFileSync(join(dir, 'prediction.jsonl'), 'utf8'));
        expect(prediction.effort).toMatchObject({
          tokensFrom: api.source,
          usageDisagreements: api.disagreements.map((d) => d.field),
        });
        // a disagreement is named only where the agent's own count differs
        for (const d of api.disagreements) expect(d.agent).not.toBe(d.api);
        // the agent was given the proxy, not the server: every request reached the server through it
        expect(mainCalls(server).map((r) => r.step)).toEqual(steps.map((_, i) => i));
      },
      LIMIT,
    );

    it(
      'ends at the turn budget: turn_limit',
      async () => {
        const { record } = await attempt('turns', play([driver.loop(edit('turns'))]), {
          budgets: { maxTurns: 3 },
        });
        expect(record.outcome.kind, record.outcome.detail).toBe('turn_limit');
        expect(record.usage.toolCalls).toBeGreaterThanOrEqual(3);
        expect(record.patch.status).toBe('no_patch');
      },
      LIMIT,
    );

    it(
      'is killed with what it started at the time budget: timeout',
      async () => {
        const pidFile = join(h.root, `${slug}-child.pid`);
        const script: Script =
          driver.stuck.via === 'shell' ? play([driver.stuck.step(pidFile)]) : () => ({ hang: true });
        const { record, dir } = await attempt('timeout', script, {
          budgets: { timeMin: driver.stuck.timeMin },
        });
        expect(record.outcome.kind, record.outcome.detail).toBe('timeout');
        expect(record.tries[0]?.durationMs).toBeLessThan(30_000);
        await sleep(500);
        if (driver.stuck.via === 'shell') {
          const pid = Number(readFileSync(pidFile, 'utf8'));
          expect(await goneWithin(pid), `child ${pid} still running`).toBe(true);
        }
        expect(survivors(dir)).toEqual([]);
      },
      LIMIT,
    );

    it(
      'calls HTTP 429 infra',
      async () => {
        const { record } = await attempt('429', () => ({ error: { status: 429, message: 'rate limited' } }));
        expect(record.outcome.kind, record.outcome.detail).toBe('infra');
        expect(record.outcome.detail).toMatch(/429/);
      },
      LIMIT,
    );

    it(
      'calls an HTTP 400 (a request the API refuses) crashed: the attempt failed, not the infrastructure',
      async () => {
        const { record } = await attempt(
          '400',
          () => ({ error: { status: 400, message: 'bad tool schema' } }),
          {
            attemptRetries: 1,
          },
        );
        expect(record.outcome.kind, record.outcome.detail).toBe('crashed');
        expect(record.tries).toHaveLength(1);
      },
      LIMIT,
    );

    it(
      "calls an HTTP 401 (the key refused) config_error: the user's configuration, never retried",
      async () => {
        const { record } = await attempt(
          '401',
          () => ({ error: { status: 401, message: 'invalid api key' } }),
          {
            attemptRetries: 1,
          },
        );
        expect(record.outcome.kind, record.outcome.detail).toBe('config_error');
        expect(record.tries).toHaveLength(1);
      },
      LIMIT,
    );

    it(
      'calls an unreachable API infra, retried with back-off and not counted against the agent',
      async () => {
        const { record } = await attempt('unreachable', null, { attemptRetries: 1 });
        expect(record.outcome.kind, record.outcome.detail).toBe('infra');
        expect(record.tries.map((t) => t.kind)).toEqual(['infra', 'infra']);
        for (const t of record.tries) expect(t.durationMs).toBeLessThan(60_000);
      },
      LIMIT,
    );

    it(
      'never stores the API key, even when the agent writes it into files and logs',
      async () => {
        const { runDir, dir, server } = await attempt('secret', play(driver.leak(KEY, edit('secret'))));
        // the key reached the server, as the provider's key
        expect(mainCalls(server).some((r) => JSON.stringify(r.headers).includes(KEY))).toBe(true);
        const files = filesUnder(runDir);
        expect(files.length).toBeGreaterThan(5);
        for (const f of files) expect(readFileSync(f, 'utf8').includes(KEY), f).toBe(false);
        expect(readFileSync(join(dir, 'patch.diff'), 'utf8')).toMatch(/^\+.*\[REDACTED:API_KEY\]/m);
        // its home (config files holding the key) is not kept
        expect(readdirSync(dir)).not.toContain('home');
      },
      LIMIT,
    );

    // process-level, so on the agent's first API only: isobench's own keeper of the cost budget
    if (v === driver.variants[0])
      it(
        'through the usage proxy, is stopped by isobench at the cost budget, with what it started: cost_limit',
        async () => {
          // $1000 a million tokens either way: each scripted answer costs about $0.15
          const prices: PriceTable = {
            schemaVersion: PRICE_TABLE_VERSION,
            name: 'contract-prices',
            asOf: '2026-12-07',
            models: {
              [model]: {
                input: 1000,
                output: 1000,
                source: 'the contract suite',
                inputIncludesCacheReads: false,
              },
            },
          };
          const { record, dir, server } = await attempt('guard', play([driver.loop(edit('guard'))]), {
            usageProxy: true,
            prices,
            budgets: { maxCostUsd: 0.4, maxTurns: 100 },
          });
          expect(record.outcome.kind, record.outcome.detail).toBe('cost_limit');
          const api = parseStored(
            'api-usage',
            readFileSync(join(dir, 'api-usage.json'), 'utf8'),
            'api-usage.json',
          );
          const price = prices.models[model];
          expect(price && costAt(price, api.counted)).toBeGreaterThanOrEqual(0.4);
          // stopped soon after: not many answers past the one that reached the budget
          expect(server?.served.requests).toBeLessThan(12);
          await sleep(500);
          expect(survivors(dir)).toEqual([]);
        },
        LIMIT,
      );

    const cost = driver.cost;
    if (cost)
      it(
        'ends at the cost budget it reports: cost_limit',
        async () => {
          const { record } = await attempt('cost', play([driver.loop(edit('cost'))]), {
            budgets: { maxCostUsd: cost.maxCostUsd },
            options: cost.options,
          });
          expect(record.outcome.kind, record.outcome.detail).toBe('cost_limit');
          expect(record.usage.costUsd).toBeGreaterThan(cost.maxCostUsd);
          if (cost.usd !== undefined) expect(record.usage.costUsd).toBeCloseTo(cost.usd, 6);
        },
        LIMIT,
      );
  });
}

/** How many test files the agents are dealt into (agents-shard-0.test.ts ... agents-shard-{SHARDS-1}). */
export const SHARDS = 3;

/**
 * The agents of shard `k`: the known agents dealt by their API variants (each variant is one run of the
 * contract), the most first, each to the shard with the fewest so far, so the files take about as long.
 */
export function shardAgents(k: number): string[] {
  const drivers: Record<string, AgentDriver> = DRIVERS;
  const weight = (name: string) => drivers[name]?.variants.length ?? 1;
  const shards = Array.from({ length: SHARDS }, () => ({ load: 0, names: [] as string[] }));
  for (const name of [...knownAgents()].sort((a, b) => weight(b) - weight(a) || a.localeCompare(b))) {
    const lightest = shards.reduce((min, s) => (s.load < min.load ? s : min));
    lightest.load += weight(name);
    lightest.names.push(name);
  }
  return shards[k]?.names ?? [];
}

/** The contract suites of shard `k`'s agents; one without a driver fails. */
export function contractShard(k: number): void {
  const drivers: Record<string, AgentDriver> = DRIVERS;
  for (const name of shardAgents(k)) {
    const driver = drivers[name];
    if (driver) agentContract(name, driver);
    else
      describe(`agent contract: ${name}`, () => {
        it('has a driver', () => {
          throw new Error(`${name} has no driver in test/contract/agent-drivers.ts: add its entry there`);
        });
      });
  }
}
