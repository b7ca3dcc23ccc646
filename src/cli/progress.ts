/**
 * The live progress of a matrix run: per-unit counts (planned, running, finished, read back from
 * records, not started), failures by class, and an ETA from the units finished so far. On a terminal
 * one status line is redrawn under the log lines (log-update); elsewhere each finished unit prints a
 * line that carries the counts, so a log file shows the same.
 */
import type { RunTimePlan } from '../run/gpu-time.js';
import type { UnitEvent } from '../run/unit-runner.js';

type Kind = UnitEvent['unit'];
interface Counts {
  planned: number;
  running: number;
  ended: number;
  resumed: number;
  skipped: number;
  msSum: number;
  classes: Map<string, number>;
}

const LABEL: Record<Kind, string> = { agent_attempt: 'agent attempts', bench_job: 'bench jobs' };
/** statuses that are not failures */
const FINE = new Set(['done', 'completed']);

function dur(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Tracks unit events and renders them. */
export class Progress {
  private readonly counts = new Map<Kind, Counts>();
  private readonly t0 = performance.now();
  private costUsd = 0;
  /** what the phases are expected to take, and what they took so far (seconds, times their GPUs) */
  private timePlan: RunTimePlan | null = null;
  private spentS = 0;
  private draw: ((s: string) => void) & { clear?: () => void; done?: () => void } = () => undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tty: boolean,
    private readonly write: (line: string) => void,
  ) {}

  /** Starts redrawing (terminal only). */
  async start(): Promise<void> {
    if (!this.tty) return;
    const { default: logUpdate } = await import('log-update');
    this.draw = logUpdate;
    this.timer = setInterval(() => this.draw(this.status()), 1000);
    this.timer.unref();
  }

  private c(kind: Kind): Counts {
    let c = this.counts.get(kind);
    if (!c) {
      c = { planned: 0, running: 0, ended: 0, resumed: 0, skipped: 0, msSum: 0, classes: new Map() };
      this.counts.set(kind, c);
    }
    return c;
  }

  /** The run's expected phase time (GPU time where its tasks use GPUs), for the time spent and left. */
  plan(p: RunTimePlan): void {
    this.timePlan = p;
  }

  /** A phase of `task` ended after `wallMs`: its time (times its GPUs) is spent. */
  phase(task: string, wallMs: number): void {
    const p = this.timePlan;
    if (!p) return;
    const gpus = p.gpusOf.get(task) ?? 0;
    if (p.gpu && gpus === 0) return;
    this.spentS += (wallMs / 1000) * Math.max(1, gpus);
  }

  /** The time spent in phases and, where earlier runs recorded every task, the time expected left. */
  private timeSpent(): string {
    const p = this.timePlan;
    if (!p) return '';
    const label = p.gpu ? 'GPU time' : 'phase time';
    const left =
      p.expectedS === null
        ? ''
        : `, about ${dur(Math.max(0, p.expectedS - this.spentS) * 1000)} left of ${dur(p.expectedS * 1000)} expected`;
    return ` | ${label} ${dur(this.spentS * 1000)} spent${left}`;
  }

  /** Prints a log line above the status line. */
  line(s: string): void {
    if (this.tty) this.draw.clear?.();
    this.write(s);
    if (this.tty) this.draw(this.status());
  }

  on(e: UnitEvent): void {
    const c = this.c(e.unit);
    if (e.phase === 'planned') c.planned++;
    else if (e.phase === 'start' && !e.retry) c.running++;
    else if (e.phase === 'start' && e.retry)
      this.line(`  retry ${e.id}: ${e.retry.split('\n')[0]?.slice(0, 160)}`);
    else if (e.phase === 'resumed') {
      c.resumed++;
      this.count(c, e.status);
    } else if (e.phase === 'skipped') c.skipped++;
    else if (e.phase === 'end') {
      c.running--;
      c.ended++;
      c.msSum += e.ms ?? 0;
      this.count(c, e.status);
      this.costUsd += e.costUsd ?? 0;
      const n = c.ended + c.resumed;
      this.line(
        `[${e.unit === 'bench_job' ? 'bench' : 'agent'} ${n}/${c.planned}] ${e.id}: ${e.status} (${dur(e.ms ?? 0)})${this.tty ? '' : ` | ${this.status()}`}`,
      );
    }
    if (this.tty) this.draw(this.status());
  }

  private count(c: Counts, status: string | undefined): void {
    const s = status ?? 'unknown';
    if (!FINE.has(s)) c.classes.set(s, (c.classes.get(s) ?? 0) + 1);
  }

  /** The status line: counts per kind, failures by class, cost, elapsed and ETA. */
  status(): string {
    const parts: string[] = [];
    let finished = 0;
    let left = 0;
    for (const [kind, c] of this.counts) {
      const fails = [...c.classes].map(([k, n]) => `${k} ${n}`).join(', ');
      parts.push(
        `${LABEL[kind]} ${c.ended + c.resumed}/${c.planned} (${c.running} running${c.resumed ? `, ${c.resumed} from records` : ''}${c.skipped ? `, ${c.skipped} not started` : ''}${fails ? `; ${fails}` : ''})`,
      );
      finished += c.ended;
      left += c.planned - c.ended - c.resumed - c.skipped;
    }
    const elapsed = performance.now() - this.t0;
    // units finished so far set the pace; the ETA assumes the rest goes at the same rate
    const eta = finished > 0 && left > 0 ? ` ETA ${dur((elapsed / finished) * left)}` : '';
    const cost = this.costUsd > 0 ? ` $${this.costUsd.toFixed(4)}` : '';
    return `${parts.join(' | ')}${this.timeSpent()} | ${dur(elapsed)} elapsed${eta}${cost}`;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) {
      this.draw(this.status());
      this.draw.done?.();
    } else if (this.counts.size) this.write(this.status());
  }
}
