/**
 * Finds the adapter for an agent name: a registered adapter (claude-code, codex, native, trae), a
 * command agent shipped as `agents/<name>/agent.json`, or the path of such a spec file.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import { AGENTS } from './registry.js';
import type { AgentAdapter } from './types.js';

/** The adapters that run agents (replay only reads existing patches). */
const RUNNABLE = ['claude-code', 'codex', 'native', 'trae'] as const;

/** The agents isobench knows: registered adapters and shipped command-agent specs. */
export function knownAgents(): string[] {
  const dir = join(packageRoot(), 'agents');
  const specs = existsSync(dir) ? readdirSync(dir).filter((n) => existsSync(join(dir, n, 'agent.json'))) : [];
  return [...RUNNABLE, ...specs];
}

/** The adapter for `name` (or a spec file path); an error lists what is known. */
export async function resolveAgent(name: string): Promise<AgentAdapter> {
  if ((RUNNABLE as readonly string[]).includes(name)) {
    const mod = (await AGENTS[name as (typeof RUNNABLE)[number]]()) as { adapter: AgentAdapter };
    return mod.adapter;
  }
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
  const { commandAdapter, loadCommandSpec } =
    (await AGENTS.command()) as typeof import('../../agents/command/index.js');
  return commandAdapter(await loadCommandSpec(path));
}
