/** The agent registry: one line per agent adapter (each lives in `agents/<name>/`). */
export const AGENTS = {
  replay: () => import('../../agents/replay/index.js'),
  'claude-code': () => import('../../agents/claude-code/index.js'),
  codex: () => import('../../agents/codex/index.js'),
  native: () => import('../../agents/native/index.js'),
  trae: () => import('../../agents/trae/index.js'),
  command: () => import('../../agents/command/index.js'),
} as const;

/** An agent's name. */
export type AgentName = keyof typeof AGENTS;
