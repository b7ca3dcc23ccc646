/**
 * An attempt's trajectory as ATIF (Agent Trajectory Interchange Format, Harbor RFC 0001, v1.4), the
 * format Harbor's viewer, its `analyze` and its exporters read: the prompt as the user's step, then
 * one agent step per model turn (its text, its tool calls with ids, the tool results as the
 * observation, per-step metrics where the agent reported usage per turn), errors as system steps,
 * and the attempt's usage as the final metrics. Built from the attempt's stored, redacted files
 * (outcome.json, prompt.txt, trajectory.jsonl), so it can be written for runs made before it.
 * The schema below holds the RFC's required fields and its rules (steps numbered from 1, agent-only
 * fields on agent steps only, each observation naming a tool call of its step).
 */

import type { AttemptRecord } from '../store/schema.js';
import { jsonObject } from '../util/json.js';
import { type Shape, z } from '../util/zod.js';
import type { AgentEvent } from './types.js';

/** The ATIF version written. */
export const ATIF_VERSION = 'ATIF-v1.4';
/** Where an attempt's ATIF trajectory lies in its folder. */
export const ATIF_FILE = 'trajectory.atif.json';

const MetricsSchema = z.object({
  prompt_tokens: z.optional(z.number().check(z.int(), z.minimum(0))),
  completion_tokens: z.optional(z.number().check(z.int(), z.minimum(0))),
  cached_tokens: z.optional(z.number().check(z.int(), z.minimum(0))),
  cost_usd: z.optional(z.number()),
  extra: z.optional(z.record(z.string(), z.unknown())),
});

const ToolCallSchema = z.object({
  tool_call_id: z.string().check(z.minLength(1)),
  function_name: z.string().check(z.minLength(1)),
  arguments: z.record(z.string(), z.unknown()),
});

const StepSchema = z.object({
  step_id: z.number().check(z.int(), z.minimum(1)),
  timestamp: z.optional(z.string()),
  source: z.enum(['system', 'user', 'agent']),
  model_name: z.optional(z.string()),
  message: z.string(),
  tool_calls: z.optional(z.array(ToolCallSchema)),
  observation: z.optional(
    z.object({
      results: z.array(z.object({ source_call_id: z.optional(z.string()), content: z.optional(z.string()) })),
    }),
  ),
  metrics: z.optional(MetricsSchema),
  extra: z.optional(z.record(z.string(), z.unknown())),
});
type Step = Shape<typeof StepSchema>;

/** An ATIF trajectory, with the RFC's rules on step ids, agent-only fields and call references. */
export const AtifSchema = z
  .object({
    schema_version: z.string().check(z.regex(/^ATIF-v\d+\.\d+$/)),
    session_id: z.string().check(z.minLength(1)),
    agent: z.object({
      name: z.string().check(z.minLength(1)),
      version: z.string().check(z.minLength(1)),
      model_name: z.optional(z.string()),
      extra: z.optional(z.record(z.string(), z.unknown())),
    }),
    steps: z.array(StepSchema).check(z.minLength(1)),
    notes: z.optional(z.string()),
    final_metrics: z.optional(
      z.object({
        total_prompt_tokens: z.optional(z.number()),
        total_completion_tokens: z.optional(z.number()),
        total_cached_tokens: z.optional(z.number()),
        total_cost_usd: z.optional(z.number()),
        total_steps: z.optional(z.number()),
        extra: z.optional(z.record(z.string(), z.unknown())),
      }),
    ),
    extra: z.optional(z.record(z.string(), z.unknown())),
  })
  .check(
    z.refine((t) => t.steps.every((s, i) => s.step_id === i + 1), 'step_id must count from 1 in order'),
    z.refine(
      (t) => t.steps.every((s) => s.source === 'agent' || (!s.tool_calls && !s.metrics && !s.model_name)),
      'tool_calls, metrics and model_name belong to agent steps only',
    ),
    z.refine(
      (t) =>
        t.steps.every((s) =>
          (s.observation?.results ?? []).every(
            (r) =>
              r.source_call_id === undefined ||
              s.tool_calls?.some((c) => c.tool_call_id === r.source_call_id),
          ),
        ),
      "an observation's source_call_id must name a tool call of its step",
    ),
  );
export type Atif = Shape<typeof AtifSchema>;

/** A tool call's arguments as an object: its JSON object, else the text under `input`. */
function argumentsOf(text: string): Record<string, unknown> {
  return jsonObject(text) ?? { input: text };
}

/** Per-step metrics from a `usage` event (the agent's tokens and cost for one model turn). */
function metricsOf(text: string): Step['metrics'] {
  const u = jsonObject(text);
  if (!u) return undefined;
  const n = (k: string) => {
    const v = u[k];
    return typeof v === 'number' ? v : undefined;
  };
  const m = {
    prompt_tokens: n('inputTokens') ?? n('input_tokens'),
    completion_tokens: n('outputTokens') ?? n('output_tokens'),
    cached_tokens: n('cacheReadTokens') ?? n('cached_input_tokens'),
    cost_usd: n('costUsd'),
  };
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined));
}

/** An agent step being read: its text, tool calls, results, calls still awaiting a result, metrics. */
interface Draft {
  message: string;
  calls: Array<Shape<typeof ToolCallSchema>>;
  results: Array<{ source_call_id?: string; content: string }>;
  pending: string[];
  metrics: Step['metrics'];
}

/** A finished draft as an agent step (step_id set by the caller). */
function stepOf(d: Draft, model: string | null): Step {
  return {
    step_id: 0,
    source: 'agent',
    message: d.message,
    ...(model ? { model_name: model } : {}),
    ...(d.calls.length ? { tool_calls: d.calls } : {}),
    ...(d.results.length ? { observation: { results: d.results } } : {}),
    ...(d.metrics ? { metrics: d.metrics } : {}),
  };
}

/** The agent's turns as steps: text and tool calls open a step, results fill its observation. */
function agentSteps(events: readonly AgentEvent[], model: string | null, first: number): Step[] {
  const steps: Step[] = [];
  const state: { open: Draft | null; calls: number } = { open: null, calls: 0 };
  const close = () => {
    if (state.open) steps.push(stepOf(state.open, model));
    state.open = null;
  };
  const draft = (): Draft => {
    state.open ??= { message: '', calls: [], results: [], pending: [], metrics: undefined };
    return state.open;
  };
  for (const e of events) {
    // text or a call after tool results starts the next turn
    if ((e.type === 'message' || e.type === 'tool_call') && state.open?.results.length) close();
    if (e.type === 'message') {
      const d = draft();
      d.message = d.message ? `${d.message}\n${e.text}` : e.text;
    } else if (e.type === 'tool_call') {
      const id = `call_${++state.calls}`;
      draft().calls.push({
        tool_call_id: id,
        function_name: e.tool ?? 'tool',
        arguments: argumentsOf(e.text),
      });
      draft().pending.push(id);
    } else if (e.type === 'tool_result') {
      const id = draft().pending.shift();
      draft().results.push({ ...(id ? { source_call_id: id } : {}), content: e.text });
    } else if (e.type === 'usage') {
      draft().metrics = metricsOf(e.text);
      close();
    } else if (e.type === 'error') {
      close();
      steps.push({ step_id: 0, source: 'system', message: e.text, extra: { isobench_event: 'error' } });
    }
  }
  close();
  return steps.map((s, i) => ({ ...s, step_id: first + i }));
}

/** The attempt as ATIF. `events` are the stored trajectory's lines; `prompt` the prompt as stored. */
export function atifOfAttempt(record: AttemptRecord, prompt: string, events: readonly AgentEvent[]): Atif {
  const u = record.usage;
  const model = record.model ?? null;
  const steps: Step[] = [
    { step_id: 1, source: 'user', message: prompt, timestamp: record.startedAt },
    ...agentSteps(events, model, 2),
  ];
  const info = events.filter((e) => e.type === 'info').length;
  const defined = (o: Record<string, number | null>) =>
    Object.fromEntries(Object.entries(o).filter((x): x is [string, number] => x[1] !== null));
  return {
    schema_version: ATIF_VERSION,
    session_id: `${record.task}/${record.agent}/attempt-${record.attempt}/${record.startedAt}`,
    agent: {
      name: record.agent,
      version: record.agentVersion ?? 'unknown',
      ...(model ? { model_name: model } : {}),
      extra: { model_requested: record.modelRequested },
    },
    steps,
    notes: [
      "Written by isobench from the attempt's normalised, redacted trajectory.",
      "Token counts are as the agent reported them (whether prompt tokens include cache reads is the agent's convention).",
      info
        ? `${info} line(s) of the agent's output that were not events are left out (trajectory.jsonl keeps them).`
        : '',
    ]
      .filter(Boolean)
      .join(' '),
    final_metrics: {
      ...defined({
        total_prompt_tokens: u.inputTokens,
        total_completion_tokens: u.outputTokens,
        total_cached_tokens: u.cacheReadTokens,
        total_cost_usd: u.costUsd,
      }),
      total_steps: steps.length,
      extra: { turns: u.turns, tool_calls: u.toolCalls, cache_write_tokens: u.cacheWriteTokens },
    },
    extra: {
      task: record.task,
      attempt: record.attempt,
      outcome: record.outcome,
      patch: record.patch,
      duration_ms: record.durationMs,
    },
  };
}

/** Reads a stored trajectory.jsonl into events (lines that are not events are kept as info). */
export function eventsOfTrajectory(text: string): AgentEvent[] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const o = jsonObject(l);
      const type = o?.type;
      const known = ['message', 'tool_call', 'tool_result', 'error', 'usage', 'info'] as const;
      const t = known.find((k) => k === type);
      if (!o || !t) return { type: 'info' as const, text: l };
      return { type: t, text: String(o.text ?? ''), ...(typeof o.tool === 'string' ? { tool: o.tool } : {}) };
    });
}

/** Whether a value is an ATIF trajectory by the schema; the problems otherwise. */
export function atifProblems(x: unknown): string[] {
  const r = AtifSchema.safeParse(x);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}
