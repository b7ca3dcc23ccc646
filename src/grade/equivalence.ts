/**
 * Output equivalence: a variant's probe outputs against the baseline's, compared as vLLM's own tests
 * compare implementations. Token outputs: exact greedy match, or, at the first mismatch, each side's
 * token within the other's top-k logprobs ("close"; the sequences are not compared past it). Numeric
 * outputs: the largest absolute difference. The tolerance is calibrated from the human commit
 * against the baseline on the same machine (a kernel change legitimately moves float rounding; the
 * human's divergence defines what is acceptable) and stored with the result. Pure.
 */

import { errorMessage } from '../util/errors.js';
import { isJsonObject, parseJson } from '../util/json.js';
import type {
  ComparisonSummary,
  Equivalence,
  EquivalencePolicy,
  EquivalenceVerdict,
  Tolerance,
} from './values.js';

export type { Equivalence, EquivalencePolicy, EquivalenceVerdict, Tolerance };

/** One output of a probe (a JSON line). */
export interface ProbeOutput {
  readonly id: string;
  readonly text?: string;
  readonly tokens?: readonly string[];
  /** per position, the top candidates and their logprobs */
  readonly topLogprobs?: ReadonlyArray<Readonly<Record<string, number>> | null> | null;
  readonly values?: readonly number[];
}

/** One output compared. */
export interface OutputComparison {
  readonly id: string;
  readonly exact: boolean;
  /** first differing position of tokens (or value index), null when exact */
  readonly firstDivergence: number | null;
  /** tokens: the divergence is within each side's top-k; values: n/a (false) */
  readonly close: boolean;
  /** values: the largest absolute difference (0 when equal); tokens: null */
  readonly maxAbsDiff: number | null;
  /** the outputs around the divergence, for the report */
  readonly example: string | null;
}

/** A whole probe compared. */
export type Comparison = ComparisonSummary & { readonly outputs: readonly OutputComparison[] };

/** The default: no more non-exact outputs than the human's, numeric deviation up to twice the human's. */
export const DEFAULT_EQUIVALENCE_POLICY: EquivalencePolicy = { extraNonExact: 0, absDiffFactor: 2 };

function compareOne(a: ProbeOutput, b: ProbeOutput): OutputComparison {
  if (a.values || b.values) {
    const x = a.values ?? [];
    const y = b.values ?? [];
    let max = x.length === y.length ? 0 : Number.POSITIVE_INFINITY;
    let first: number | null = x.length === y.length ? null : Math.min(x.length, y.length);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      // i is below both lengths (the loop's bound)
      const d = Math.abs((x[i] as number) - (y[i] as number));
      if (!(d <= max)) max = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
      if (d !== 0 && first === null) first = i;
    }
    const exact = first === null && max === 0;
    return {
      id: a.id,
      exact,
      firstDivergence: first,
      close: false,
      maxAbsDiff: max,
      example: exact
        ? null
        : `${a.id}: at ${first}: ${x[first ?? 0]} vs ${y[first ?? 0]} (max |diff| ${max})`,
    };
  }
  const x = a.tokens ?? (a.text !== undefined ? [a.text] : []);
  const y = b.tokens ?? (b.text !== undefined ? [b.text] : []);
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  if (i === x.length && i === y.length)
    return { id: a.id, exact: true, firstDivergence: null, close: false, maxAbsDiff: null, example: null };
  const topA = a.topLogprobs?.[i] ?? null;
  const topB = b.topLogprobs?.[i] ?? null;
  const xi = x[i];
  const yi = y[i];
  const close =
    xi !== undefined && yi !== undefined && topA !== null && topB !== null && yi in topA && xi in topB;
  const around = (s: readonly string[]) => JSON.stringify(s.slice(Math.max(0, i - 2), i + 3).join(''));
  return {
    id: a.id,
    exact: false,
    firstDivergence: i,
    close,
    maxAbsDiff: null,
    example: `${a.id}: at token ${i}: ${around(x)} vs ${around(y)}${close ? ' (within top-k)' : ''}`,
  };
}

/** Compares a variant's outputs (`other`) with the baseline's, output by output (matched by id). */
export function compareOutputs(base: readonly ProbeOutput[], other: readonly ProbeOutput[]): Comparison {
  const byId = new Map(other.map((o) => [o.id, o]));
  const outputs: OutputComparison[] = [];
  const missing: string[] = [];
  for (const b of base) {
    const o = byId.get(b.id);
    if (!o) missing.push(b.id);
    else outputs.push(compareOne(b, o));
  }
  const nonExact = outputs.filter((c) => !c.exact);
  const divergences = nonExact.map((c) => c.firstDivergence).filter((d): d is number => d !== null);
  return {
    compared: outputs.length,
    exact: outputs.length - nonExact.length,
    nonExact: nonExact.length + missing.length,
    far: nonExact.filter((c) => c.maxAbsDiff === null && !c.close).length + missing.length,
    missing,
    firstDivergence: divergences.length ? Math.min(...divergences) : null,
    maxAbsDiff: Math.max(0, ...outputs.map((c) => c.maxAbsDiff ?? 0)),
    outputs,
  };
}

/** The tolerance the human's outputs set (exact when the human's probe is missing). */
export function calibrate(
  human: Comparison | null,
  policy: EquivalencePolicy = DEFAULT_EQUIVALENCE_POLICY,
): Tolerance {
  if (!human)
    return {
      maxNonExact: policy.extraNonExact,
      maxAbsDiff: 0,
      source: 'exact',
      detail: "the human's probe is missing: exact outputs required",
    };
  return {
    maxNonExact: human.nonExact + policy.extraNonExact,
    maxAbsDiff: human.maxAbsDiff * policy.absDiffFactor,
    source: 'human',
    detail: `human vs baseline: ${human.exact}/${human.compared} exact, max |diff| ${human.maxAbsDiff}${human.far ? `, ${human.far} outside the top-k` : ''}`,
  };
}

/** Judges a variant's comparison against the tolerance. */
export function judgeEquivalence(c: Comparison, tol: Tolerance): Equivalence {
  const base = {
    exactRate: c.compared ? c.exact / (c.compared + c.missing.length) : null,
    firstDivergence: c.firstDivergence,
    maxAbsDiff: c.maxAbsDiff,
    examples: c.outputs
      .filter((o) => !o.exact)
      .slice(0, 3)
      .map((o) => o.example ?? o.id),
    tolerance: tol,
  };
  if (c.missing.length)
    return {
      ...base,
      verdict: 'diverged',
      reason: `missing outputs for ${c.missing.length} probe input(s): ${c.missing.slice(0, 3).join(', ')}`,
    };
  if (c.far)
    return {
      ...base,
      verdict: 'diverged',
      reason: `${c.far} output(s) diverge outside the top-k candidates (first at ${c.firstDivergence})`,
    };
  if (c.nonExact > tol.maxNonExact)
    return {
      ...base,
      verdict: 'diverged',
      reason: `${c.nonExact} output(s) differ, the tolerance allows ${tol.maxNonExact} (${tol.detail})`,
    };
  if (c.maxAbsDiff > tol.maxAbsDiff)
    return {
      ...base,
      verdict: 'diverged',
      reason: `values differ by up to ${c.maxAbsDiff}, the tolerance allows ${tol.maxAbsDiff} (${tol.detail})`,
    };
  return {
    ...base,
    verdict: 'equivalent',
    reason: c.nonExact
      ? `${c.exact}/${c.compared} exact, the rest within tolerance (${tol.detail})`
      : `all ${c.compared} outputs match exactly`,
  };
}

/** Parses a probe's JSON lines; a malformed line is an error naming its line number. */
export function parseProbeOutputs(
  text: string,
): { ok: true; outputs: ProbeOutput[] } | { ok: false; detail: string } {
  const outputs: ProbeOutput[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]?.trim();
    if (!l) continue;
    let v: unknown;
    try {
      v = parseJson(l);
    } catch (e) {
      return { ok: false, detail: `line ${i + 1}: not JSON: ${errorMessage(e)}` };
    }
    if (!isJsonObject(v)) return { ok: false, detail: `line ${i + 1}: not a JSON object` };
    if (
      typeof v.id !== 'string' ||
      (!Array.isArray(v.tokens) && !Array.isArray(v.values) && typeof v.text !== 'string')
    )
      return { ok: false, detail: `line ${i + 1}: expected {id, tokens | values | text}` };
    // checked: an id and one kind of output (the probe's own format, harness/probes)
    outputs.push(v as unknown as ProbeOutput);
  }
  if (!outputs.length) return { ok: false, detail: 'the probe wrote no outputs' };
  return { ok: true, outputs };
}
