/**
 * Which failures are the infrastructure's and which are isobench's own bugs. Only known
 * infrastructure errors are `infra` (retried with back-off, never counted against an agent): an
 * `InfraError` (the executor, the engine, an image), a network or disk error of the host (by its
 * errno code), an error answer of the Docker engine. Anything else (a TypeError in a parser, say) is
 * a harness error: recorded with its stack, the unit failed loudly, never retried silently.
 */

/** A failure of the executor itself (engine unreachable, image missing): infrastructure, never the agent's. */
export class InfraError extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'InfraError';
  }
}

/**
 * A problem with what the user gave (an argument, a file, a setting), found before any work: the
 * command prints it without a stack trace and exits 2. Any room may say so; only cli/ prints it.
 */
export class UsageError extends Error {}

/** errno codes of the host's network, disk and process limits. */
const INFRA_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ENOSPC',
  'EDQUOT',
  'EMFILE',
  'ENFILE',
  'ENOMEM',
  'EIO',
]);

/** Whether `e` is a known infrastructure error (walking its causes). */
export function isKnownInfra(e: unknown): boolean {
  for (
    let x = e, depth = 0;
    x && typeof x === 'object' && depth < 8;
    x = (x as { cause?: unknown }).cause, depth++
  ) {
    if (x instanceof InfraError) return true;
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string' && INFRA_CODES.has(code)) return true;
    // the Docker engine's error answers (dockerode): an HTTP status and the engine's message
    const status = (x as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && 'json' in x) return true;
  }
  return false;
}

/** Whether `e` says a file or folder is not there (a sandbox's `get` of what a process did not write). */
export function isMissingFile(e: unknown): boolean {
  const x = e as { code?: unknown; statusCode?: unknown } | null;
  return !!x && typeof x === 'object' && (x.code === 'ENOENT' || x.statusCode === 404);
}

/** The whole story of an error: name, message and stack, then each cause's. */
export function errorReport(e: unknown): string {
  const parts: string[] = [];
  for (let x = e, depth = 0; x !== undefined && x !== null && depth < 8; depth++) {
    if (x instanceof Error) {
      parts.push(
        depth ? `caused by: ${x.stack ?? `${x.name}: ${x.message}`}` : (x.stack ?? `${x.name}: ${x.message}`),
      );
      x = (x as { cause?: unknown }).cause;
    } else {
      parts.push(depth ? `caused by: ${String(x)}` : String(x));
      break;
    }
  }
  return `${parts.join('\n')}\n`;
}

/** The first line of an error's message. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
