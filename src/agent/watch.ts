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
