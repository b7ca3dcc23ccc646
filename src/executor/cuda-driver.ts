/**
 * Which NVIDIA driver an image's CUDA needs. A CUDA base image tells the NVIDIA container runtime
 * its CUDA version, and a host driver older than that version's minimum refuses to start the
 * container (or its kernels fail to load): images from 2025-05 on are CUDA 12.8, which needs R570,
 * while many H100 hosts run R535 or R550. Minimums are those of NVIDIA's CUDA toolkit release
 * notes (Linux, x86_64), without the data-centre forward-compatibility package. Pure.
 */

/** The oldest Linux driver of each CUDA toolkit release (major.minor). */
const MIN_DRIVER: ReadonlyArray<readonly [string, string]> = [
  ['12.0', '525.60.13'],
  ['12.1', '530.30.02'],
  ['12.2', '535.54.03'],
  ['12.3', '545.23.06'],
  ['12.4', '550.54.14'],
  ['12.5', '555.42.02'],
  ['12.6', '560.28.03'],
  ['12.8', '570.26'],
  ['12.9', '575.51.03'],
  ['13.0', '580.65.06'],
];

/** Compares dotted version strings numerically (-1, 0, 1). */
export function compareVersions(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** The CUDA version (major.minor) of a CUDA base image tag such as `nvidia/cuda:12.8.1-devel-ubuntu22.04`, or null. */
export function cudaOfImage(image: string): string | null {
  const m = /:(\d+)\.(\d+)(?:\.\d+)?-/.exec(image);
  return m ? `${m[1]}.${m[2]}` : null;
}

/** The oldest driver CUDA `cuda` (major.minor) runs on, or null when the table does not know it. */
export function minDriverFor(cuda: string): string | null {
  return MIN_DRIVER.find(([v]) => v === cuda)?.[1] ?? null;
}

/** The newest CUDA (major.minor) a driver runs, or null when it is older than every CUDA 12 release. */
export function maxCudaFor(driver: string): string | null {
  let best: string | null = null;
  for (const [cuda, min] of MIN_DRIVER) if (compareVersions(driver, min) >= 0) best = cuda;
  return best;
}

/** Whether a host driver runs an image of CUDA `cuda`: ok, or why not. */
export function driverRuns(
  driver: string,
  cuda: string,
): { readonly ok: true } | { readonly ok: false; readonly detail: string } {
  const min = minDriverFor(cuda);
  if (!min) return { ok: false, detail: `CUDA ${cuda} is not in isobench's driver table` };
  if (compareVersions(driver, min) >= 0) return { ok: true };
  return {
    ok: false,
    detail: `CUDA ${cuda} needs driver ${min} or later; the host has ${driver} (it runs up to CUDA ${maxCudaFor(driver) ?? 'none of 12.x'})`,
  };
}
