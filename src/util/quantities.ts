/** Quantities given as text on the command line: sizes, per-provider limits. */

/** Parses a size such as 500M, 20G, 1.5T or a number of bytes. */
export function parseBytes(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(v.trim());
  if (!m) throw new Error(`'${v}' is not a size (e.g. 500M, 20G)`);
  const mult = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[(m[2] ?? '').toUpperCase()] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

/** Parses `anthropic=2,openai=4`. */
export function parseProviderLimits(v: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (v ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const [, name, n] = /^([\w-]+)=(\d+)$/.exec(part) ?? [];
    if (name === undefined || Number(n) < 1)
      throw new Error(`'${part}' is not provider=N (N >= 1), e.g. anthropic=2,openai=4`);
    out[name] = Number(n);
  }
  return out;
}
