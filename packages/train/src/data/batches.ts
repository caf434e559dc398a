/**
 * Batching a token stream for truncated backpropagation through time: the stream is cut into B
 * contiguous lanes, and window k holds positions [kT, kT + T) of every lane, so the state at the
 * end of window k is the right initial state for window k + 1 (carry it across; gradients stop
 * at the window boundary).
 */
export interface Window {
  /** Input ids, time-major: index t·B + b. */
  readonly inputs: Int32Array
  /** The next id after each input, same layout. */
  readonly targets: Int32Array
  readonly steps: number
  readonly batch: number
  /** Whether the window starts a new pass over the stream: carried state should be reset. */
  readonly fresh: boolean
}

export class StreamBatcher {
  readonly lane: number
  readonly windows: number

  constructor(
    private readonly stream: Int32Array,
    readonly batch: number,
    readonly steps: number,
  ) {
    this.lane = Math.floor(stream.length / batch)
    this.windows = Math.floor((this.lane - 1) / steps)
    if (this.windows < 1)
      throw new Error(
        `the text (${stream.length} tokens) is too short for ${batch} lanes of ${steps + 1} tokens; use a smaller batch or fewer steps`,
      )
  }

  /** The window used at training step `step` (passes repeat over the stream). */
  window(step: number): Window {
    const k = step % this.windows
    const { batch, steps, lane } = this
    const inputs = new Int32Array(steps * batch)
    const targets = new Int32Array(steps * batch)
    for (let t = 0; t < steps; t++)
      for (let b = 0; b < batch; b++) {
        const at = b * lane + k * steps + t
        inputs[t * batch + b] = this.stream[at]!
        targets[t * batch + b] = this.stream[at + 1]!
      }
    return { inputs, targets, steps, batch, fresh: k === 0 }
  }
}

/** Sequences of different lengths in one batch: padded to the longest, with a 0/1 mask. */
export interface PaddedBatch {
  readonly inputs: Int32Array
  readonly targets: Int32Array
  /** 1 where a target is real, 0 on padding; time-major like the ids. */
  readonly mask: Float64Array
  readonly lengths: readonly number[]
  readonly steps: number
  readonly batch: number
}

/**
 * Pads sequences (each predicting its own next token, so a sequence of n ids gives n − 1 steps)
 * into one time-major batch; padded positions use id `pad` and mask 0.
 */
export function padSequences(sequences: readonly Int32Array[], pad = 0): PaddedBatch {
  const lengths = sequences.map((s) => Math.max(0, s.length - 1))
  const steps = Math.max(1, ...lengths)
  const batch = sequences.length
  const inputs = new Int32Array(steps * batch).fill(pad)
  const targets = new Int32Array(steps * batch).fill(pad)
  const mask = new Float64Array(steps * batch)
  sequences.forEach((s, b) => {
    for (let t = 0; t < lengths[b]!; t++) {
      inputs[t * batch + b] = s[t]!
      targets[t * batch + b] = s[t + 1]!
      mask[t * batch + b] = 1
    }
  })
  return { inputs, targets, mask, lengths, steps, batch }
}

/** One-hot rows for ids: [n, size] row-major. */
export function oneHot(
  ids: Int32Array,
  size: number,
  out: Float64Array = new Float64Array(ids.length * size),
): Float64Array {
  out.fill(0)
  for (let i = 0; i < ids.length; i++) out[i * size + ids[i]!] = 1
  return out
}
