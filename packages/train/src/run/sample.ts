import type { Rng } from '@cellgraph/graph'
import type { Vocabulary } from '../data/vocabulary.js'
import type { StatefulModel } from './stateful.js'

export interface SampleOptions {
  readonly length: number
  /** Softmax temperature: below 1 sharper, above 1 flatter; 0 picks the most likely character. */
  readonly temperature?: number
  readonly prompt?: string
}

/** Generates text: feeds the prompt (or a newline), then draws each next character from the model. */
export async function sampleText(
  model: StatefulModel,
  vocabulary: Vocabulary,
  rng: Rng,
  options: SampleOptions,
): Promise<string> {
  const parts: string[] = []
  await streamSample(model, vocabulary, rng, options, (text) => parts.push(text))
  return parts.join('')
}

/** Characters handed to `onText` at a time by streamSample. */
const STREAM_CHUNK = 256

/**
 * sampleText, handing the text to `onText` in chunks as it is drawn, so a long sample is neither
 * held in memory nor withheld until the end.
 */
export async function streamSample(
  model: StatefulModel,
  vocabulary: Vocabulary,
  rng: Rng,
  options: SampleOptions,
  onText: (text: string) => void,
): Promise<void> {
  const temperature = options.temperature ?? 1
  if (!(temperature >= 0)) throw new Error(`temperature must be a non-negative number, got ${temperature}`)
  const prompt = options.prompt || (vocabulary.chars.includes('\n') ? '\n' : vocabulary.chars[0]!)
  const ids = vocabulary.encode(prompt, 'the prompt')
  model.reset()
  let logits: Float32Array | Float64Array = new Float64Array(0)
  for (const id of ids) logits = await model.step(id)
  const chunk = new Int32Array(STREAM_CHUNK)
  let filled = 0
  for (let i = 0; i < options.length; i++) {
    const next = temperature === 0 ? argmax(logits) : rng.categorical(softmax(logits, temperature))
    chunk[filled++] = next
    if (filled === STREAM_CHUNK) {
      onText(vocabulary.decode(chunk))
      filled = 0
    }
    logits = await model.step(next)
  }
  if (filled > 0) onText(vocabulary.decode(chunk.subarray(0, filled)))
}

export function softmax(logits: ArrayLike<number>, temperature = 1): Float64Array {
  let max = Number.NEGATIVE_INFINITY
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!)
  const p = new Float64Array(logits.length)
  let sum = 0
  for (let i = 0; i < logits.length; i++) sum += p[i] = Math.exp((logits[i]! - max) / temperature)
  for (let i = 0; i < p.length; i++) p[i]! /= sum
  return p
}

const argmax = (xs: ArrayLike<number>) => {
  let best = 0
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i
  return best
}
