/**
 * Tokens per second of a `cellgraph train` log, after its first step (compilation and warm-up
 * excluded). The progress lines give the running average since the start; with the tokens per
 * step from the header ("batch B × window W"), two lines give the time between them.
 */
export interface TrainRate {
  readonly backend: string
  readonly hidden: number
  readonly batch: number
  readonly window: number
  /** Steps between the first and last progress lines. */
  readonly steps: number
  readonly tokensPerSecond: number
}

export function trainRate(log: string): TrainRate | undefined {
  const header = /Backend ([\w-]+);.*batch (\d+) × window (\d+)/.exec(log)
  const hidden = /\(hidden (\d+)\)/.exec(log)
  if (!header || !hidden) return undefined
  const batch = Number(header[2])
  const window = Number(header[3])
  const points = [...log.matchAll(/step\s+(\d+)\/\d+ .*?([\d,]+) tok\/s/g)].map((m) => {
    const step = Number(m[1])
    const rate = Number(m[2]!.replaceAll(',', ''))
    return { step, seconds: (step * batch * window) / rate }
  })
  if (points.length < 2) return undefined
  const first = points[0]!
  const last = points.at(-1)!
  if (last.step <= first.step || last.seconds <= first.seconds) return undefined
  const tokensPerSecond = ((last.step - first.step) * batch * window) / (last.seconds - first.seconds)
  return {
    backend: header[1]!,
    hidden: Number(hidden[1]),
    batch,
    window,
    steps: last.step - first.step,
    tokensPerSecond,
  }
}
