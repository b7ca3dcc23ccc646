/**
 * The JSON result files the vLLM benchmark clients can write: `--save-result` (serving, with
 * `--result-dir`/`--result-filename`), `--output-json` (latency, throughput). Where the task's own
 * client copy accepts them, the harness asks for the file, reads the metrics from it at full
 * precision, and checks them against the stdout block (printed to two decimals). The prefix-caching
 * script has no JSON output. Pure.
 */

import { errorMessage } from '../util/errors.js';
import { isJsonObject } from '../util/json.js';
import type { BenchmarkKind, Direction, Unit } from './types.js';

/** A metric read from a JSON result. */
export interface JsonMetric {
  readonly value: number;
  readonly unit: Unit;
  readonly direction: Direction;
}

/** How to ask a client for its JSON result. */
export interface JsonResultRequest {
  /** the flag it is asked with, for records and messages */
  readonly flag: '--save-result' | '--output-json';
  /** the arguments appended to the task's client argv to write `dir/file` */
  argv(dir: string, file: string): string[];
}

/** Whether a client accepts an option, judged from its source (an argparse `add_argument` call naming it). */
function accepts(source: string, option: string): boolean {
  const quoted = new RegExp(`add_argument\\(\\s*(?:["'][^"']*["']\\s*,\\s*)*["']${option}["']`);
  return quoted.test(source);
}

/**
 * How to ask the client whose source is given for a JSON result, or null when it cannot write one
 * (older clients without the options, the prefix-caching script).
 */
export function jsonResultRequest(kind: BenchmarkKind, clientSource: string): JsonResultRequest | null {
  if (kind === 'latency' || kind === 'throughput') {
    if (!accepts(clientSource, '--output-json')) return null;
    return { flag: '--output-json', argv: (dir, file) => ['--output-json', `${dir}/${file}`] };
  }
  if (kind === 'serving') {
    const all = ['--save-result', '--result-dir', '--result-filename'];
    if (!all.every((o) => accepts(clientSource, o))) return null;
    return {
      flag: '--save-result',
      argv: (dir, file) => ['--save-result', '--result-dir', dir, '--result-filename', file],
    };
  }
  return null;
}

const SERVING_COUNTS: Record<string, [string, Unit]> = {
  completed: ['completed', 'requests'],
  failed: ['failed', 'requests'],
  total_input_tokens: ['total_input_tokens', 'tokens'],
  total_output_tokens: ['total_output_tokens', 'tokens'],
  duration: ['duration', 's'],
};
const SERVING_RATES: Record<string, [string, Unit]> = {
  request_throughput: ['request_throughput', 'req/s'],
  // v0.3.3 spelled it so
  request_inthroughput: ['request_throughput', 'req/s'],
  request_goodput: ['request_goodput', 'req/s'],
  // the 2024-12..2025-04 clients spelled it so (e.g. tree 0040's benchmark_serving.py)
  'request_goodput:': ['request_goodput', 'req/s'],
  input_throughput: ['input_throughput', 'tok/s'],
  output_throughput: ['output_throughput', 'tok/s'],
  total_token_throughput: ['total_token_throughput', 'tok/s'],
};
/**
 * Keys a client writes as null when the run did not measure them: goodput without `--goodput`
 * (mid-2025 clients write \`"request_goodput": null\`, the older ones \`"request_goodput:": null\`).
 * Any other null is a defect of the result.
 */
const NULL_WHEN_NOT_MEASURED = new Set(['request_goodput', 'request_goodput:']);
const STAT = /^(mean|median|std|p(\d+(?:\.\d+)?))_(ttft|tpot|itl|e2el)_ms$/;

export type JsonResultParse =
  | { readonly ok: true; readonly metrics: Readonly<Record<string, JsonMetric>> }
  | { readonly ok: false; readonly detail: string };

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Reads the metrics of a JSON result file's text, named as the stdout parsers name them. */
export function parseJsonResult(kind: BenchmarkKind, text: string): JsonResultParse {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, detail: `not JSON: ${errorMessage(e)}` };
  }
  if (!isJsonObject(data)) return { ok: false, detail: 'not a JSON object' };
  const o = data;
  const metrics: Record<string, JsonMetric> = {};
  const bad: string[] = [];
  const put = (key: string, name: string, unit: Unit, direction: Direction, scale = 1) => {
    const v = o[key];
    if (v === undefined || (v === null && NULL_WHEN_NOT_MEASURED.has(key))) return;
    if (!finite(v)) bad.push(key);
    else metrics[name] = { value: v * scale, unit, direction };
  };
  if (kind === 'latency') {
    put('avg_latency', 'latency_avg', 'ms', 'lower', 1000);
    const pct = o.percentiles;
    if (isJsonObject(pct)) {
      for (const [p, v] of Object.entries(pct)) {
        const name = `latency_p${p.replace('.', '_')}`;
        if (!/^\d+(?:\.\d+)?$/.test(p) || !finite(v)) bad.push(`percentiles.${p}`);
        else metrics[name] = { value: v * 1000, unit: 'ms', direction: 'lower' };
      }
    }
    if (!metrics.latency_avg && !bad.includes('avg_latency')) return { ok: false, detail: 'no avg_latency' };
  } else if (kind === 'throughput') {
    put('requests_per_second', 'request_throughput', 'req/s', 'higher');
    put('tokens_per_second', 'total_token_throughput', 'tok/s', 'higher');
    put('num_requests', 'num_requests', 'requests', 'none');
    put('total_num_tokens', 'total_num_tokens', 'tokens', 'none');
    put('elapsed_time', 'elapsed_time', 's', 'none');
    if (!metrics.request_throughput && !bad.includes('requests_per_second'))
      return { ok: false, detail: 'no requests_per_second' };
  } else if (kind === 'serving') {
    for (const [key, [name, unit]] of Object.entries(SERVING_COUNTS)) put(key, name, unit, 'none');
    for (const [key, [name, unit]] of Object.entries(SERVING_RATES)) put(key, name, unit, 'higher');
    for (const key of Object.keys(o)) {
      const [, base, quantile, what] = STAT.exec(key) ?? [];
      if (base === undefined) continue;
      const stat = quantile ? `p${quantile.replace('.', '_')}` : base;
      put(key, `${what}_${stat}`, 'ms', 'lower');
    }
    if (!metrics.request_throughput && !bad.includes('request_throughput'))
      return { ok: false, detail: 'no request_throughput' };
  } else {
    return { ok: false, detail: `${kind} clients write no JSON result` };
  }
  if (bad.length) return { ok: false, detail: `not finite numbers: ${bad.join(', ')}` };
  return { ok: true, metrics };
}

/**
 * The metrics where the JSON and the stdout block disagree beyond the stdout's printed precision
 * (the larger of 0.01 absolute and 0.1% relative).
 */
export function disagreements(
  json: Readonly<Record<string, { value: number }>>,
  stdout: Readonly<Record<string, { value: number }>>,
): string[] {
  const out: string[] = [];
  for (const [name, j] of Object.entries(json)) {
    const s = stdout[name];
    if (!s) continue;
    const tol = Math.max(0.0051, Math.abs(j.value) * 1e-3);
    if (Math.abs(j.value - s.value) > tol) out.push(`${name}: JSON ${j.value}, stdout ${s.value}`);
  }
  return out;
}
