/** Formats seconds as 1h02m, 3m05s or 12s. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  const s = Math.round(seconds)
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${s}s`
}

/**
 * A progress bar for training: steps, loss (smoothed), tokens per second and time left. On a
 * terminal it redraws one line; otherwise (a pipe, a log file) it prints a line every `every` steps.
 */
export class Progress {
  private readonly started = Date.now()
  private smoothed: number | undefined
  private tokens = 0
  private lastLine = 0

  constructor(
    private readonly total: number,
    private readonly first: number,
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly every = Math.max(1, Math.round((total - first) / 20)),
  ) {}

  update(step: number, loss: number, tokens: number, last = false): void {
    this.tokens += tokens
    this.smoothed = this.smoothed === undefined ? loss : 0.9 * this.smoothed + 0.1 * loss
    const done = step - this.first
    const elapsed = (Date.now() - this.started) / 1000
    const rate = this.tokens / Math.max(elapsed, 1e-3)
    const eta = (elapsed / done) * (this.total - step)
    const width = 24
    const filled = Math.round((width * step) / this.total)
    const line =
      `step ${String(step).padStart(String(this.total).length)}/${this.total} ` +
      `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` +
      `loss ${this.smoothed.toFixed(3)} (${(this.smoothed / Math.LN2).toFixed(2)} bits/char)  ` +
      `${Math.round(rate).toLocaleString('en')} tok/s  ETA ${duration(eta)}`
    if (this.out.isTTY) {
      this.out.write(`\r${line}`)
      if (last || step === this.total) this.out.write('\n')
    } else if (step - this.lastLine >= this.every || last || step === this.total || done === 1) {
      this.out.write(`${line}\n`)
      this.lastLine = step
    }
  }

  /** Ends the bar's line on a terminal, e.g. before printing something else mid-run. */
  break(): void {
    if (this.out.isTTY) this.out.write('\n')
  }
}
