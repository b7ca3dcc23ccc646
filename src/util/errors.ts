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
  let x: unknown = e;
  for (let depth = 0; typeof x === 'object' && x !== null && depth < 8; depth++) {
    if (x instanceof InfraError) return true;
    const code = errnoCode(x);
    if (code !== undefined && INFRA_CODES.has(code)) return true;
    // the Docker engine's error answers (dockerode): an HTTP status and the engine's message
    const status = 'statusCode' in x ? x.statusCode : undefined;
    if (typeof status === 'number' && status >= 400 && 'json' in x) return true;
    x = 'cause' in x ? x.cause : undefined;
  }
  return false;
}

/** Whether `e` says a file or folder is not there (a sandbox's `get` of what a process did not write). */
export function isMissingFile(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  return errnoCode(e) === 'ENOENT' || ('statusCode' in e && e.statusCode === 404);
}

/** The whole story of an error: name, message and stack, then each cause's. */
export function errorReport(e: unknown): string {
  const parts: string[] = [];
  for (let x = e, depth = 0; x !== undefined && x !== null && depth < 8; depth++) {
    if (x instanceof Error) {
      parts.push(
        depth ? `caused by: ${x.stack ?? `${x.name}: ${x.message}`}` : (x.stack ?? `${x.name}: ${x.message}`),
      );
      x = x.cause;
    } else {
      parts.push(depth ? `caused by: ${String(x)}` : String(x));
      break;
    }
  }
  return `${parts.join('\n')}\n`;
}

/** The errno code of an error (`ENOENT`, `EPERM`...): its `code` when that is a string. */
export function errnoCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  return typeof e.code === 'string' ? e.code : undefined;
}

/** The first line of an error's message. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
