/**
 * GPU memory between phases. A server that exited does not mean its GPU is free: a V1 EngineCore
 * or a tensor-parallel worker that outlives it (or a driver still tearing a context down) keeps
 * memory, and the next variant's server then fails its free-memory check and would be charged a
 * `server_crash`. So a GPU job reads each visible GPU's used memory once before its first phase
 * (idle), and every phase first waits until every GPU is back within a margin of that; a GPU that
 * stays busy is the infrastructure's failure, never the variant's.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '../executor/types.js';
import { jsonObject } from '../util/json.js';

/** How far above its idle reading a GPU may stay and count as released (MiB). */
export const GPU_RELEASE_MARGIN_MIB = 1024;
/** How long a phase waits for the memory of the phase before it (seconds). */
export const GPU_RELEASE_TIMEOUT_S = 180;

/**
 * Reads (`read`) or waits for (`wait IDLE_JSON MARGIN TIMEOUT`) the used memory of the sandbox's
 * GPUs, by nvidia-smi, only the devices CUDA_VISIBLE_DEVICES names where it is set. Exit 3: no
 * nvidia-smi, nothing to read.
 */
const PROBE = `
import json, os, shutil, subprocess, sys, time
def used():
    out = subprocess.run(["nvidia-smi", "--query-gpu=index,uuid,memory.used", "--format=csv,noheader,nounits"],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise SystemExit("nvidia-smi failed: " + (out.stderr or out.stdout).strip())
    visible = [d.strip() for d in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",") if d.strip()]
    got = {}
    for line in out.stdout.strip().splitlines():
        index, uuid, mib = [x.strip() for x in line.split(",")]
        if not visible or index in visible or uuid in visible:
            got[index] = float(mib)
    return got
if not shutil.which("nvidia-smi"):
    print("no nvidia-smi"); sys.exit(3)
if sys.argv[1] == "read":
    print(json.dumps(used())); sys.exit(0)
idle, margin, timeout = json.loads(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
deadline = time.time() + timeout
while True:
    now = used()
    busy = {i: m for i, m in now.items() if m > idle.get(i, 0.0) + margin}
    if not busy:
        print("released " + json.dumps(now)); sys.exit(0)
    if time.time() >= deadline:
        print("busy " + json.dumps({i: [m, idle.get(i, 0.0)] for i, m in busy.items()})); sys.exit(1)
    time.sleep(0.5)
`;

import { readTextIfThere } from '../util/if-there.js';

/** Used memory (MiB) of each GPU the sandbox sees, by index; null where there is no nvidia-smi. */
export async function readGpuMemory(
  sandbox: Sandbox,
  logDir: string,
): Promise<Record<string, number> | null> {
  const out = join(logDir, 'gpu-idle.json');
  const r = await sandbox.exec(['python3', '-c', PROBE, 'read'], {
    stdoutPath: out,
    stderrPath: join(logDir, 'gpu-idle.err'),
    timeoutMs: 60_000,
  });
  if (r.exitCode !== 0) return null;
  const o = jsonObject(await readFile(out, 'utf8'));
  if (!o) return null;
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v)]));
}

/**
 * Waits until every GPU is back within the margin of its idle reading: null once it is, else why
 * not (the GPUs still busy, MiB used against idle), after `timeoutS`.
 */
export async function awaitGpuRelease(
  sandbox: Sandbox,
  idle: Readonly<Record<string, number>>,
  logDir: string,
  timeoutS = GPU_RELEASE_TIMEOUT_S,
): Promise<string | null> {
  const log = join(logDir, 'gpu-release.log');
  const r = await sandbox.exec(
    ['python3', '-c', PROBE, 'wait', JSON.stringify(idle), String(GPU_RELEASE_MARGIN_MIB), String(timeoutS)],
    { stdoutPath: log, stderrPath: log, timeoutMs: (timeoutS + 60) * 1000 },
  );
  if (r.exitCode === 0) return null;
  const said = ((await readTextIfThere(log)) ?? '').trim();
  const busy = said.startsWith('busy ') ? jsonObject(said.slice(5)) : null;
  const which = busy
    ? Object.entries(busy)
        .map(([i, v]) => (Array.isArray(v) ? `GPU ${i}: ${v[0]} MiB used, ${v[1]} MiB idle` : `GPU ${i}`))
        .join('; ')
    : said || `the probe exited with ${r.exitCode}`;
  return `the GPU memory of an earlier process was not released within ${timeoutS}s (${which}; ${log})`;
}
