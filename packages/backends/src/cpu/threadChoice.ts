/**
 * Chooses, for one compiled instance (one batch size and sequence length), whether its runs split
 * large products with the helper thread. Split work is claimed in chunks by both threads, so a
 * helper that starts late or runs slowly only takes a smaller share; what costs is the calling
 * thread waiting idle for a helper that has no core (on a shared machine another process may hold
 * it). So runs use the helper unless two in a row stall: the caller waited idle for more than
 * STALL_SHARE of each run's time (one stalled run alone is often a one-off: a garbage collection
 * or an optimising compile taking a core for a moment). Then the next RECHECK runs use one
 * thread, and the helper is tried again, so a machine whose load changes is followed. No run is
 * spent on a slower trial.
 * The first run is cold (code not yet optimised, weights packed, memory touched for the first
 * time) and is not judged.
 */
export class ThreadChoice {
  private runs = 0
  /** Runs before this one use one thread. */
  private singleUntil = 0
  /** Whether the last judged run with the helper stalled. */
  private stalled = false

  /** Whether the next run should use the helper thread. */
  next(): boolean {
    return this.runs >= this.singleUntil
  }

  /** Records a run: its time and the time the caller stalled waiting for the helper (ms). */
  record(helper: boolean, ms: number, stalledMs: number): void {
    if (helper && this.runs > 0) {
      const stalled = stalledMs > STALL_SHARE * ms
      if (stalled && this.stalled) this.singleUntil = this.runs + 1 + RECHECK
      this.stalled = stalled && !this.stalled
    }
    this.runs++
  }
}

const STALL_SHARE = 0.2
const RECHECK = 64
