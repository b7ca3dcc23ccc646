/** Canonical spellings of agent names, model labels and repositories found in published rows. */

/** Agent-name spellings and what they mean. */
const AGENT_ALIASES: Readonly<Record<string, string>> = {
  claude_code: 'claude_code',
  'claude-code': 'claude_code',
  claudecode: 'claude_code',
  codex: 'codex',
  codex_cli: 'codex',
  'codex-cli': 'codex',
  trae: 'trae',
  'trae-agent': 'trae',
  trae_agent: 'trae',
  openhands: 'openhands',
};

/** Model-label spellings: the short labels the rows use and the full model ids they stand for. */
const MODEL_ALIASES: Readonly<Record<string, string>> = {
  'sonnet-4.5': 'claude-sonnet-4.5',
  'claude-sonnet-4-5': 'claude-sonnet-4.5',
  'claude-sonnet-4.5': 'claude-sonnet-4.5',
  'claude-sonnet-4-20250514': 'claude-sonnet-4',
  'sonnet-4': 'claude-sonnet-4',
  'gpt-5': 'gpt-5',
  'gpt-5-2025-08-07': 'gpt-5',
};

const REPO_ALIASES: Readonly<Record<string, string>> = {
  vllm: 'vllm-project/vllm',
  'vllm-project/vllm': 'vllm-project/vllm',
};

/** The canonical agent name (the dataset card's spelling), or the input lower-cased when unknown. */
export function canonicalAgent(name: string): string {
  const key = name.trim().toLowerCase();
  return AGENT_ALIASES[key] ?? key;
}

/** The canonical model label, or the input when unknown. */
export function canonicalModel(label: string): string {
  const key = label.trim().toLowerCase();
  return MODEL_ALIASES[key] ?? key;
}

/** The canonical `owner/name` of a repository, or the input when unknown. */
export function canonicalRepo(repo: string): string {
  return REPO_ALIASES[repo.trim()] ?? repo.trim();
}

/** Human-readable agent names for reports. */
export const AGENT_DISPLAY: Readonly<Record<string, string>> = {
  claude_code: 'Claude Code',
  codex: 'Codex',
  trae: 'TRAE',
  openhands: 'OpenHands',
};
