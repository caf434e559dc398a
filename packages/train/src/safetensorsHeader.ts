import { asObject, JsonFormatError, nullMap, parseJsonText, quoted } from '@cellgraph/graph'

export class SafetensorsError extends Error {
  override name = 'SafetensorsError'
}

/** A tensor's entry in a safetensors header: where its bytes lie, relative to the data start. */
export interface HeaderEntry {
  readonly dtype: string
  readonly shape: readonly number[]
  readonly begin: number
  readonly end: number
}

export interface SafetensorsHeader {
  /** Entries by tensor name (a map without prototype: names come from the file). */
  readonly entries: Readonly<Record<string, HeaderEntry>>
  readonly metadata: Readonly<Record<string, string>>
  /** Offset of the first data byte in the file. */
  readonly dataStart: number
}

/** The reference implementation's bound on the header, so a lying length cannot demand gigabytes. */
export const MAX_HEADER_BYTES = 100_000_000
/** Most dimensions a stored tensor may have. */
const MAX_RANK = 16

/**
 * The header of a safetensors file, checked the way the reference reader checks it: the length
 * fits the file, the JSON has no duplicate keys, every dtype is known (`elementBytes` gives each
 * one's size), shapes agree with byte ranges, and the ranges tile the data exactly (no overlap, no
 * gap, nothing after the last tensor). Errors name the tensor or field.
 */
export function readSafetensorsHeader(
  bytes: Uint8Array,
  elementBytes: Readonly<Record<string, number>>,
): SafetensorsHeader {
  if (bytes.length < 8) throw new SafetensorsError('file is shorter than the 8-byte header length')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const declared = view.getBigUint64(0, true)
  if (declared > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8)))
    throw new SafetensorsError(
      `header length ${declared} exceeds ${declared > BigInt(MAX_HEADER_BYTES) ? `the limit of ${MAX_HEADER_BYTES} bytes` : `the file size ${bytes.length}`}`,
    )
  const headerLength = Number(declared)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength))
  } catch {
    throw new SafetensorsError('the header is not valid UTF-8 JSON (not a safetensors file?)')
  }
  let header: Record<string, unknown>
  try {
    header = asObject(parseJsonText(text, 'header'), 'header')
  } catch (e) {
    if (e instanceof JsonFormatError && e.message.startsWith('header: not valid JSON'))
      throw new SafetensorsError('the header is not valid UTF-8 JSON (not a safetensors file?)')
    throw new SafetensorsError(e instanceof JsonFormatError ? e.message : String(e))
  }
  const dataStart = 8 + headerLength
  const dataLength = bytes.length - dataStart
  const entries = nullMap<HeaderEntry>()
  let metadata = nullMap<string>()
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') metadata = readMetadata(entry)
    else entries[name] = readEntry(name, entry, elementBytes, dataLength)
  }
  checkTiling(entries, dataLength)
  return { entries, metadata, dataStart }
}

function readEntry(
  name: string,
  entry: unknown,
  elementBytes: Readonly<Record<string, number>>,
  dataLength: number,
): HeaderEntry {
  const at = `tensor ${quoted(name)}`
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw new SafetensorsError(`${at}: entry must be an object`)
  const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown }
  for (const key of Object.keys(e))
    if (key !== 'dtype' && key !== 'shape' && key !== 'data_offsets')
      throw new SafetensorsError(`${at}: unknown field ${JSON.stringify(key)}`)
  const dtype = e.dtype
  if (typeof dtype !== 'string' || !Object.hasOwn(elementBytes, dtype))
    throw new SafetensorsError(`${at}: unsupported dtype ${JSON.stringify(dtype)}`)
  const shape = e.shape
  if (
    !Array.isArray(shape) ||
    shape.length > MAX_RANK ||
    !shape.every((d) => Number.isSafeInteger(d) && d >= 0)
  )
    throw new SafetensorsError(`${at}: shape must be an array of at most ${MAX_RANK} non-negative integers`)
  const offsets = e.data_offsets
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
  )
    throw new SafetensorsError(`${at}: data_offsets must be two non-negative integers`)
  const [begin, end] = offsets as [number, number]
  // The element count is bounded by the data before it is multiplied out, so it cannot overflow.
  const width = elementBytes[dtype]!
  let count = 1
  for (const d of shape as number[]) count = d === 0 ? 0 : Math.min(count * d, dataLength + 1)
  if (end < begin || end > dataLength || end - begin !== count * width)
    throw new SafetensorsError(
      `${at}: data_offsets [${begin}, ${end}] do not hold shape [${shape}] of ${dtype} within ${dataLength} data bytes`,
    )
  return { dtype, shape: shape as number[], begin, end }
}

function readMetadata(entry: unknown): Record<string, string> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw new SafetensorsError('__metadata__ must be an object of strings')
  const out = nullMap<string>()
  for (const [k, v] of Object.entries(entry)) {
    if (typeof v !== 'string')
      throw new SafetensorsError(`__metadata__.${JSON.stringify(k)} must be a string`)
    out[k] = v
  }
  return out
}

/** The byte ranges, in order, must cover the data exactly once. */
function checkTiling(entries: Readonly<Record<string, HeaderEntry>>, dataLength: number): void {
  const ordered = Object.entries(entries).sort(([, a], [, b]) => a.begin - b.begin || a.end - b.end)
  let at = 0
  for (const [name, e] of ordered) {
    if (e.begin < at)
      throw new SafetensorsError(
        `tensor ${quoted(name)}: data_offsets [${e.begin}, ${e.end}] overlap another tensor's bytes`,
      )
    if (e.begin > at)
      throw new SafetensorsError(
        `tensor ${quoted(name)}: data_offsets [${e.begin}, ${e.end}] leave a gap of ${e.begin - at} bytes before it`,
      )
    at = e.end
  }
  if (at !== dataLength)
    throw new SafetensorsError(`${dataLength - at} data bytes after the last tensor belong to no tensor`)
}
