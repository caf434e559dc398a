/**
 * Chooses, for one compiled instance, between running its products on one thread or splitting
 * the large ones with the helper thread, by timing whole runs: the second core pays only when it
 * is free, and on a shared machine it often is not (an even split then waits for the slower
 * thread). The first run is cold (generated code not yet optimised, weights packed, memory touched
 * for the first time) and is not compared; the next two try each way; afterwards the faster one
 * runs, and every `RECHECK` runs each way is timed once more, so a machine whose load changes is
 * followed.
 */
export class ThreadChoice {
  private readonly last: [number, number] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]
  private runs = 0

  /** Whether the next run should use the helper thread. */
  next(): boolean {
    if (this.runs === 0) return true
    const k = (this.runs - 1) % RECHECK
    if (k === 0) return true
    if (k === 1) return false
    return this.last[1] <= this.last[0]
  }

  /** Records how long a run took (ms) with or without the helper. */
  record(helper: boolean, ms: number): void {
    if (this.runs > 0 && (this.runs - 1) % RECHECK <= 1) this.last[helper ? 1 : 0] = ms
    this.runs++
  }
}

const RECHECK = 64
