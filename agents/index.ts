/**
 * The agents isobench knows, in one list: each runnable adapter lives in `agents/<name>/` and has one
 * line here; a command agent is a spec file (`agents/<name>/agent.json` shipped, or any path), run by
 * the command adapter. Adding an adapter: its folder, its line below, and its driver in the shared
 * contract suite (test/contract/agent-drivers.ts; test/contract/agents.test.ts and the contract's
 * shard files fail for an agent without one). `replay` (agents/replay) only reads predictions.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AgentAdapter } from '../src/agent/types.js';
import { packageRoot } from '../src/util/package-root.js';

/** The runnable adapters: one line each. */
export const ADAPTERS = {
  'claude-code': () => import('./claude-code/index.js'),
  codex: () => import('./codex/index.js'),
  'copilot-cli': () => import('./copilot-cli/index.js'),
  'gemini-cli': () => import('./gemini-cli/index.js'),
  native: () => import('./native/index.js'),
  opencode: () => import('./opencode/index.js'),
  'qwen-code': () => import('./qwen-code/index.js'),
  trae: () => import('./trae/index.js'),
} as const satisfies Record<string, () => Promise<{ adapter: AgentAdapter }>>;

/** A runnable adapter's name. */
export type AdapterName = keyof typeof ADAPTERS;

/** Whether `name` is a runnable adapter's. */
function isAdapterName(name: string): name is AdapterName {
  return Object.hasOwn(ADAPTERS, name);
}

/** The agents isobench knows: the adapters and the shipped command-agent specs. */
export function knownAgents(): string[] {
  const dir = join(packageRoot(), 'agents');
  const specs = existsSync(dir) ? readdirSync(dir).filter((n) => existsSync(join(dir, n, 'agent.json'))) : [];
  return [...Object.keys(ADAPTERS), ...specs];
}

/** The adapter for `name` (or a spec file path); an error lists what is known. */
export async function resolveAgent(name: string): Promise<AgentAdapter> {
  if (isAdapterName(name)) return (await ADAPTERS[name]()).adapter;
  const shipped = join(packageRoot(), 'agents', name, 'agent.json');
  const path = existsSync(shipped)
    ? shipped
    : name.endsWith('.json') && existsSync(name)
      ? resolve(name)
      : null;
  if (!path)
    throw new Error(
      `unknown agent '${name}': known agents are ${knownAgents().join(', ')}, or give the path of an agent.json spec`,
    );
  const { commandAdapter, loadCommandSpec } = await import('./command/index.js');
  return commandAdapter(await loadCommandSpec(path));
}
