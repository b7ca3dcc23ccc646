/** JSON read from outside (a process's output, a request, a line of a file): unknown until checked. */

/** Parses JSON text (throws JSON.parse's SyntaxError); the value is `unknown` until checked. */
export function parseJson(text: string): unknown {
  return JSON.parse(text);
}

/** Whether `v` is a JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The JSON object `text` holds, or null when it is not JSON or not an object. */
export function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const v = parseJson(text);
    return isJsonObject(v) ? v : null;
  } catch {
    return null;
  }
}
