import { openIfThere } from '../util/if-there.js';

/** Calls `onLine` for each complete new line of `path`, polling every `intervalMs`, until stopped. */
export function followLines(
  path: string,
  onLine: (line: string) => void,
  intervalMs = 200,
): { stop(): Promise<void> } {
  let offset = 0;
  let rest = '';
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const poll = async () => {
    const fh = await openIfThere(path);
    if (!fh) return;
    try {
      const buf = Buffer.alloc(1 << 16);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        if (bytesRead <= 0) break;
        offset += bytesRead;
        rest += buf.subarray(0, bytesRead).toString('utf8');
        const lines = rest.split('\n');
        rest = lines.pop() ?? '';
        for (const l of lines) onLine(l);
      }
    } finally {
      await fh.close();
    }
  };
  const timer = setInterval(() => {
    if (!stopped) busy = busy.then(poll);
  }, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await busy;
    },
  };
}

/**
 * How long a CLI's calls have kept failing, reset by any success: `failed()` says whether the
 * failures have now run `giveUpMs` (never, when null: the CLI's own retries decide).
 */
export function failureClock(giveUpMs: number | null): { ok(): void; failed(): boolean } {
  let since: number | null = null;
  return {
    ok() {
      since = null;
    },
    failed() {
      since ??= Date.now();
      return giveUpMs !== null && Date.now() - since >= giveUpMs;
    },
  };
}
