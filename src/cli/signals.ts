/**
 * Interruptions, handled by the command only: on SIGINT, SIGTERM or SIGHUP every open sandbox is
 * closed and every registered closer (a queue connection, a progress view) runs, bounded to 15 s,
 * then the process exits 130 (SIGINT) or 143. Library code never installs handlers or exits.
 */
import { closeAllSandboxes, openSandboxes } from '../executor/cleanup.js';

const closers = new Set<(signal: string) => Promise<unknown>>();
let installed = false;

/**
 * Runs `fn` too when the process is interrupted (a queue connection, a progress view); returns the
 * function that unregisters it.
 */
export function onInterrupt(fn: (signal: string) => Promise<unknown>): () => void {
  closers.add(fn);
  installSignalHandlers();
  return () => closers.delete(fn);
}

/** Installs the handlers (once). */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(
        `\nisobench: ${sig}: closing ${openSandboxes().length} sandbox(es); what finished is recorded (run --resume continues)\n`,
      );
      const others = Promise.allSettled([...closers].map((f) => f(sig)));
      const bounded = Promise.race([others, new Promise((r) => setTimeout(r, 15_000).unref())]);
      void Promise.all([closeAllSandboxes(), bounded]).finally(() =>
        process.exit(sig === 'SIGINT' ? 130 : 143),
      );
    });
  }
}
