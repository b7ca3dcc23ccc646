/**
 * The sandboxes this process has open, so that whoever handles an interruption (the CLI, on Ctrl-C
 * or SIGTERM: src/cli/signals.ts) can close them before the process exits; those of a process
 * killed outright are found later by `Executor.leftovers()`. Nothing here touches signals or exits.
 */

interface Closable {
  readonly id: string;
  close(): Promise<void>;
}

const open = new Set<Closable>();

/** Registers an open sandbox (executors call this). */
export function trackSandbox(s: Closable): void {
  open.add(s);
}

/** Forgets a closed sandbox. */
export function untrackSandbox(s: Closable): void {
  open.delete(s);
}

/** The sandboxes this process has open. */
export function openSandboxes(): readonly Closable[] {
  return [...open];
}

/** Closes every open sandbox (bounded by `timeoutMs`). */
export async function closeAllSandboxes(timeoutMs = 15_000): Promise<void> {
  const all = Promise.allSettled([...open].map((s) => s.close()));
  await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
}
