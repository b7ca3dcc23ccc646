/**
 * What a measurement ran on: host, CPU, Python, and where present PyTorch, CUDA, the GPU, its
 * driver and clocks, read inside the sandbox. Stored with every job so results can be compared only
 * where they are comparable.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '../executor/types.js';
import { jsonObject } from '../util/json.js';

const SCRIPT = `
import json, os, platform, shutil, subprocess, sys
fp = {"host": platform.node(), "os": platform.platform(), "python": platform.python_version(), "cpus": str(os.cpu_count())}
try:
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            fp["cpu"] = line.split(":", 1)[1].strip(); break
except OSError:
    pass
if shutil.which("nvidia-smi"):
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem,clocks.max.sm", "--format=csv,noheader"], capture_output=True, text=True, timeout=20).stdout.strip().splitlines()
        if out:
            name, driver, mem, sm, memclk, maxsm = [x.strip() for x in out[0].split(",")]
            fp.update({"gpu": name, "gpu_count": str(len(out)), "driver": driver, "gpu_memory": mem, "clock_sm": sm, "clock_mem": memclk, "clock_sm_max": maxsm})
    except Exception as e:
        fp["nvidia_smi_error"] = str(e)
try:
    import torch
    fp["torch"] = torch.__version__
    fp["cuda"] = str(torch.version.cuda)
    if torch.cuda.is_available():
        fp.setdefault("gpu", torch.cuda.get_device_name(0))
        fp["gpu_capability"] = ".".join(map(str, torch.cuda.get_device_capability(0)))
except Exception:
    pass
print(json.dumps(fp))
`;

const CLOCKS = `
import shutil, subprocess
if shutil.which("nvidia-smi"):
    print(subprocess.run(["nvidia-smi", "--query-gpu=clocks.sm,clocks.mem,temperature.gpu,power.draw", "--format=csv,noheader"], capture_output=True, text=True, timeout=20).stdout.strip().splitlines()[0])
`;

/** Reads the fingerprint inside the sandbox; `extra` adds what only the executor knows (image digest). */
export async function readFingerprint(
  sandbox: Sandbox,
  logDir: string,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const out = join(logDir, 'fingerprint.json');
  const r = await sandbox.exec(['python3', '-c', SCRIPT], {
    stdoutPath: out,
    stderrPath: join(logDir, 'fingerprint.err'),
    timeoutMs: 60_000,
  });
  let fp: Record<string, string> = {};
  if (r.exitCode === 0) {
    const o = jsonObject(await readFile(out, 'utf8'));
    fp = o
      ? Object.fromEntries(
          Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
        )
      : { fingerprint_error: 'unreadable output' };
  } else fp = { fingerprint_error: `exit ${r.exitCode}` };
  return { ...fp, ...extra };
}

/** GPU clocks, temperature and power at this moment (empty without nvidia-smi). */
export async function readClocks(sandbox: Sandbox, logDir: string): Promise<Record<string, string>> {
  const out = join(logDir, 'clocks.txt');
  const r = await sandbox.exec(['python3', '-c', CLOCKS], {
    stdoutPath: out,
    stderrPath: join(logDir, 'clocks.err'),
    timeoutMs: 30_000,
  });
  if (r.exitCode !== 0) return {};
  const line = (await readFile(out, 'utf8')).trim();
  if (!line) return {};
  const [sm = '', mem = '', temp = '', power = ''] = line.split(',').map((s) => s.trim());
  return { clock_sm: sm, clock_mem: mem, temperature: temp, power };
}
