/**
 * An interruption of a run (Ctrl-C, SIGTERM): the CLI fires it from its signal handler; the run
 * records itself `interrupted` with the units it cut, and units cut by it leave no record (a resume
 * redoes them) and no failure of their own (they did not fail: they were stopped).
 */
export class Interruption {
  private why: string | null = null;
  private readonly hooks: Array<(why: string) => Promise<unknown>> = [];

  /** Whether it fired. */
  get fired(): boolean {
    return this.why !== null;
  }

  /** What interrupted the run (the signal), once it fired. */
  get cause(): string | null {
    return this.why;
  }

  /** Runs `fn` when it fires (at once if it already has). */
  onFire(fn: (why: string) => Promise<unknown>): void {
    this.hooks.push(fn);
    if (this.why !== null) void fn(this.why);
  }

  /** Fires it (once); resolves when every hook has. */
  async fire(why: string): Promise<void> {
    if (this.why !== null) return;
    this.why = why;
    await Promise.allSettled(this.hooks.map((f) => f(why)));
  }
}
