/**
 * What a serving workload must report, from its client arguments: the requests it completes
 * (`--num-prompts`) and, for random prompts of a fixed output length with EOS ignored (or an engine
 * that never stops early), the tokens it generates. Pure.
 */

function optionValue(argv: readonly string[], option: string): string | null {
  const i = argv.indexOf(option);
  const next = i >= 0 ? argv[i + 1] : undefined;
  if (next !== undefined) return next;
  const eq = argv.find((a) => a.startsWith(`${option}=`));
  return eq ? eq.slice(option.length + 1) : null;
}

/** The expected counts of a serving client's argv; `fixedLength`: the engine always generates the asked length. */
export function expectedCounts(
  client: readonly string[],
  opts: { fixedLength?: boolean } = {},
): { completed?: number; totalOutputTokens?: number } | undefined {
  const n = Number(optionValue(client, '--num-prompts'));
  if (!Number.isInteger(n) || n <= 0) return undefined;
  const out: { completed?: number; totalOutputTokens?: number } = { completed: n };
  const dataset = optionValue(client, '--dataset-name') ?? optionValue(client, '--dataset');
  const len = Number(optionValue(client, '--random-output-len'));
  const ignoresEos = client.includes('--ignore-eos') || opts.fixedLength === true;
  if (dataset === 'random' && ignoresEos && Number.isInteger(len) && len > 0) out.totalOutputTokens = n * len;
  return out;
}
