/**
 * The published ISO-Bench leaderboard row, schema v5: exactly 76 columns, in the published order,
 * with the published types. Every column is nullable. This is an external format: it carries no
 * version column of its own, so it is identified by its exact column list.
 */
import { type Infer, z } from '../util/zod.js';

const str = z.nullable(z.string());
const list = z.nullable(z.array(z.string()));
const bool = z.nullable(z.boolean());
const num = z.nullable(z.number());

/** The zod schema of one v5 row; keys are in the published column order. */
export const V5RowSchema = z.strictObject({
  commit_hash: str,
  commit_short: str,
  commit_subject: str,
  repo: str,
  perf_command: str,
  files_changed: list,
  pr_url: str,
  models: list,
  parent_commit: str,
  gpu_config: str,
  benchmark_mode: str,
  agent_name: str,
  agent_model: str,
  benchmark_date: str,
  model: str,
  has_agent_patch: bool,
  patch_path: str,
  baseline_ttft_mean: num,
  baseline_ttft_median: num,
  baseline_ttft_p99: num,
  baseline_tpot_mean: num,
  baseline_tpot_median: num,
  baseline_tpot_p99: num,
  baseline_itl_mean: num,
  baseline_itl_median: num,
  baseline_itl_p99: num,
  baseline_latency_avg: num,
  baseline_throughput: num,
  human_ttft_mean: num,
  human_ttft_median: num,
  human_ttft_p99: num,
  human_tpot_mean: num,
  human_tpot_median: num,
  human_tpot_p99: num,
  human_itl_mean: num,
  human_itl_median: num,
  human_itl_p99: num,
  human_latency_avg: num,
  human_throughput: num,
  agent_ttft_mean: num,
  agent_ttft_median: num,
  agent_ttft_p99: num,
  agent_tpot_mean: num,
  agent_tpot_median: num,
  agent_tpot_p99: num,
  agent_itl_mean: num,
  agent_itl_median: num,
  agent_itl_p99: num,
  agent_latency_avg: num,
  agent_throughput: num,
  human_improvement_ttft_mean: num,
  human_improvement_tpot_mean: num,
  human_improvement_itl_mean: num,
  agent_improvement_ttft_mean: num,
  agent_improvement_tpot_mean: num,
  agent_improvement_itl_mean: num,
  agent_vs_human_ttft_mean: num,
  agent_vs_human_tpot_mean: num,
  agent_vs_human_itl_mean: num,
  human_improvement_ttft_median: num,
  human_improvement_ttft_p99: num,
  agent_improvement_ttft_median: num,
  agent_improvement_ttft_p99: num,
  agent_vs_human_ttft_median: num,
  agent_vs_human_ttft_p99: num,
  human_improvement_latency_avg: num,
  human_improvement_throughput: num,
  agent_improvement_latency_avg: num,
  agent_improvement_throughput: num,
  agent_vs_human_latency_avg: num,
  agent_vs_human_throughput: num,
  baseline_raw: str,
  human_raw: str,
  agent_raw: str,
  test_script: str,
  data_source: str,
});

/** One v5 row. */
export type V5Row = Infer<typeof V5RowSchema>;

/** A v5 column name. */
export type V5Column = keyof V5Row;

/** The 76 column names in the published order. */
// a strict object schema's shape has exactly the V5Row keys
export const V5_COLUMNS = Object.keys(V5RowSchema.shape) as V5Column[];

/** A row with every column null (checked by the schema, so typed without a cast). */
export function emptyV5Row(): V5Row {
  return V5RowSchema.parse(Object.fromEntries(V5_COLUMNS.map((c) => [c, null])));
}

/** Whether `name` is a v5 column. */
export function isV5Column(name: string): name is V5Column {
  return V5_COLUMNS.some((c) => c === name);
}

/** The storage type of a column. */
export type V5ColumnType = 'string' | 'string_list' | 'bool' | 'double';

/** The type of each column, read off the schema. */
export const V5_COLUMN_TYPES: Readonly<Record<V5Column, V5ColumnType>> = columnTypes();

function columnTypes(): Record<V5Column, V5ColumnType> {
  const entries = V5_COLUMNS.map((c) => {
    const s = V5RowSchema.shape[c];
    const t: V5ColumnType =
      s === list ? 'string_list' : s === bool ? 'bool' : s === num ? 'double' : 'string';
    return [c, t];
  });
  // one entry for each of V5_COLUMNS
  return Object.fromEntries(entries) as Record<V5Column, V5ColumnType>;
}

/** The three measured variants of a row. */
export const V5_PHASES = ['baseline', 'human', 'agent'] as const;
/** A measured variant. */
export type V5Phase = (typeof V5_PHASES)[number];

/** The metrics each variant has a column for (units: ms for latencies, tok/s for throughput). */
export const V5_METRICS = [
  'ttft_mean',
  'ttft_median',
  'ttft_p99',
  'tpot_mean',
  'tpot_median',
  'tpot_p99',
  'itl_mean',
  'itl_median',
  'itl_p99',
  'latency_avg',
  'throughput',
] as const;
/** A per-variant metric of the v5 row. */
export type V5Metric = (typeof V5_METRICS)[number];

/** The metrics that have derived improvement columns, in the order the three families appear. */
export const V5_DERIVED_METRICS = [
  'ttft_mean',
  'tpot_mean',
  'itl_mean',
  'ttft_median',
  'ttft_p99',
  'latency_avg',
  'throughput',
] as const;
/** A metric with improvement columns. */
export type V5DerivedMetric = (typeof V5_DERIVED_METRICS)[number];

/** The three families of derived columns, in the order they appear. */
export const V5_DERIVED_FAMILY_NAMES = ['human_improvement', 'agent_improvement', 'agent_vs_human'] as const;
/** A family of derived columns. */
export type V5DerivedFamily = (typeof V5_DERIVED_FAMILY_NAMES)[number];

/** The three families of derived columns: which variant is compared with which reference. */
export const V5_DERIVED_FAMILIES = {
  human_improvement: { subject: 'human', reference: 'baseline' },
  agent_improvement: { subject: 'agent', reference: 'baseline' },
  agent_vs_human: { subject: 'agent', reference: 'human' },
} as const satisfies Record<V5DerivedFamily, { subject: V5Phase; reference: V5Phase }>;

/** A column holding one variant's value of a metric (a number or null). */
export type V5MetricColumn = Extract<V5Column, `${V5Phase}_${V5Metric}`>;
/** A derived improvement column (a number or null). */
export type V5DerivedColumn = Extract<V5Column, `${V5DerivedFamily}_${V5DerivedMetric}`>;
/** A raw-output column (a string or null). */
export type V5RawColumn = Extract<V5Column, `${V5Phase}_raw`>;

/** The column holding `phase`'s value of `metric`. */
export function metricColumn(phase: V5Phase, metric: V5Metric): V5MetricColumn {
  return `${phase}_${metric}` as const;
}

/** The derived column of `family` for `metric`. */
export function derivedColumn(family: V5DerivedFamily, metric: V5DerivedMetric): V5DerivedColumn {
  return `${family}_${metric}` as const;
}

/** The raw-output column of a phase. */
export function rawColumn(phase: V5Phase): V5RawColumn {
  return `${phase}_raw` as const;
}
