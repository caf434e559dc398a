/** The outcome of one fuzz case: accepted, or rejected with a named one-line error. */
export interface Outcome {
  readonly accepted: boolean
  /** The rejection's message, with numbers and quoted names generalised (for the README table). */
  readonly rejection?: string
  readonly ms: number
}

/** Everything on Object.prototype and Array.prototype, to detect pollution by a case. */
const prototypeKeys = () =>
  [Object.prototype, Array.prototype, Function.prototype].map((p) => Reflect.ownKeys(p).length).join()
const baseline = prototypeKeys()

/**
 * Runs one case and checks what every surface promises: success, or an error of one of the named
 * classes with a one-line message (never a TypeError or RangeError from deep inside); no prototype
 * changed; the input bytes unchanged. Throws an Error describing the breach otherwise.
 */
export function runCase(
  named: readonly string[],
  input: Uint8Array | string | readonly string[],
  run: () => unknown,
): Outcome {
  const before = input instanceof Uint8Array ? input.slice() : undefined
  const started = performance.now()
  let outcome: Omit<Outcome, 'ms'>
  try {
    run()
    outcome = { accepted: true }
  } catch (e) {
    const error = e as Error
    if (!(e instanceof Error) || !named.includes(error.name))
      throw new Error(`unnamed error ${error?.name}: ${error?.message}`)
    if (error.message.includes('\n') || error.message.length > 1000)
      throw new Error(`the message is not one short line: ${JSON.stringify(error.message.slice(0, 200))}`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: raw control characters are the breach
    if (/[\u0000-\u001f\u007f]/.test(error.message))
      throw new Error(`the message holds raw control characters: ${JSON.stringify(error.message)}`)
    outcome = { accepted: false, rejection: generalise(error.message) }
  }
  const ms = performance.now() - started
  if (prototypeKeys() !== baseline) throw new Error('a prototype was changed')
  if (
    before &&
    (before.length !== (input as Uint8Array).length ||
      !before.every((b, i) => b === (input as Uint8Array)[i]))
  )
    throw new Error('the input bytes were changed')
  return { ...outcome, ms }
}

/** A message with its particulars replaced, so rejections of one kind count together. */
export const generalise = (message: string): string =>
  message
    .replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, '…')
    .replace(/\[[^\]]*\]/g, '[…]')
    .replace(/(?<![\w-])-?\d[\d.,e+-]*/g, 'N')
    .slice(0, 90)
