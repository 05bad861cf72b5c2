/**
 * Coalesce reads of a shared store: `pass()` resolves after a run of `work` that *started after* the
 * call. Calls made while a run is in flight share the one run that follows it, so under load the store
 * is read at most twice per round trip, however many requests wait, and no caller is answered from a
 * read that began before it asked (what it was told had been written before it asked is seen).
 */
export class FreshnessGate {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly work: () => Promise<void>) {}

  pass(): Promise<void> {
    if (!this.running) return this.start();
    if (!this.queued) {
      this.queued = this.running.then(() => {
        this.queued = null;
        return this.start();
      });
    }
    return this.queued;
  }

  private start(): Promise<void> {
    const run = this.work().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }
}
