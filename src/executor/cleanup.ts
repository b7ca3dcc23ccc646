/**
 * Sandboxes still open when the process is interrupted (Ctrl-C, SIGTERM) are closed before it
 * exits; those of a process killed outright are found later by `Executor.leftovers()`.
 */

interface Closable {
  readonly id: string;
  close(): Promise<void>;
}

const open = new Set<Closable>();
const closers = new Set<() => Promise<unknown>>();
let installed = false;

/**
 * Runs `fn` too when the process is interrupted (a queue connection, a progress view); returns the
 * function that unregisters it.
 */
export function onInterrupt(fn: () => Promise<unknown>): () => void {
  closers.add(fn);
  if (!installed) install();
  return () => closers.delete(fn);
}

/** Registers an open sandbox (executors call this). */
export function trackSandbox(s: Closable): void {
  open.add(s);
  if (!installed) install();
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

function install(): void {
  installed = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(
        `\nisobench: ${sig}: closing ${open.size} sandbox(es); what finished is recorded (run --resume continues)\n`,
      );
      const others = Promise.allSettled([...closers].map((f) => f()));
      const bounded = Promise.race([others, new Promise((r) => setTimeout(r, 15_000).unref())]);
      void Promise.all([closeAllSandboxes(), bounded]).finally(() =>
        process.exit(sig === 'SIGINT' ? 130 : 143),
      );
    });
  }
}
