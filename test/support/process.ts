import { readFileSync } from 'node:fs';

/** Whether a process is running (a zombie waiting for its reaper is not). Linux /proc. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Whether a process is gone within `ms`: a SIGKILL is delivered when the killed process is next
 * scheduled, which on a busy host (test files side by side) is a moment after the kill.
 */
export async function goneWithin(pid: number, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; isRunning(pid) && Date.now() < end; )
    await new Promise((r) => setTimeout(r, 50));
  return !isRunning(pid);
}
