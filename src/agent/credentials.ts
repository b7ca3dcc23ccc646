/**
 * The agent's credentials, and the failures that are the user's configuration rather than the
 * infrastructure's: a model API that refuses the key (401, 403), a key that is missing. Such a
 * failure is the same on every try, so it is never retried: the attempt ends `config_error`, the
 * run stops starting attempts and exits 2, and the message names the variable the key comes from.
 */

/** HTTP statuses that mean the credentials were refused. */
export function isAuthStatus(status: number): boolean {
  return status === 401 || status === 403;
}

/**
 * What agents and SDKs print when the credentials are refused or missing (Claude Code, Codex, the
 * SDKs, TRAE's "Error code: 401", a CLI's "Missing environment variable").
 */
export const AUTH_TEXT =
  /\b(401|403)\b|authentication_error|authentication_failed|permission_error|invalid[ _-]?x-api-key|invalid[ _-]api[ _-]key|incorrect api key|Not logged in|Unauthorized|Forbidden|Missing environment variable|no api key|api key (is )?(missing|required|not set)/i;

/** The key handed to an agent that talks to a `--base-url` server and has none (CLIs insist on one). */
export const PLACEHOLDER_KEY = 'isobench-placeholder-key';

/**
 * The key an attempt gets: its provider's variable; with none set and a base URL given, the
 * placeholder (a local or scripted server does not check it); else none.
 */
export function attemptKey(
  apiKeyEnv: string | null | undefined,
  baseUrl: string | null | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const key = apiKeyEnv ? env[apiKeyEnv] || null : null;
  if (key) return key;
  return apiKeyEnv && baseUrl ? PLACEHOLDER_KEY : null;
}

/** Where to look when the credentials were refused: the variable, or the server the key went to. */
export function credentialAdvice(
  apiKeyEnv: string | null | undefined,
  baseUrl: string | null | undefined,
): string {
  const where = baseUrl ? ` by ${baseUrl}` : '';
  if (!apiKeyEnv) return `the agent's credentials were refused${where}: check the agent's own configuration`;
  return `the key in $${apiKeyEnv} was refused${where} (a configuration error, not retried): set $${apiKeyEnv} to a valid key${baseUrl ? '' : ', or give a base URL for a local server'}`;
}
