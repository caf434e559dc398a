import { JsonFormatError } from './errors.js'

/**
 * The one validation layer for documents from outside the program (cell and graph JSON, checkpoint
 * metadata, safetensors headers). Values are read only from a document's own fields (a field named
 * `toString` or `__proto__` is just an unknown field), maps keyed by names from a document have no
 * prototype, sizes are bounded, and every error names the field that is wrong.
 */

/** Limits on external documents; stated in the graph README. */
export const documentLimits = {
  /** Characters of JSON text in one document. */
  textLength: 256 * 2 ** 20,
  /**
   * Nesting of JSON arrays and objects: room for scans nested `scanDepth` deep (four levels of
   * JSON each: body, nodes, node, attrs) inside a cell and a list of cells, so any graph the
   * builder accepts can be written and read back.
   */
  jsonDepth: 512,
  /** Nesting of scans inside scans. */
  scanDepth: 64,
  /** Nodes of a graph, scan bodies included. */
  nodes: 500_000,
  /** Elements of one value (per row for batch values), e.g. a parameter or a padded row. */
  valueElements: 2 ** 28,
} as const

/** A map from names found in a document to values; it has no prototype to pollute or inherit. */
export const nullMap = <T>(): Record<string, T> => Object.create(null) as Record<string, T>

/** A document's own field, never one inherited from Object.prototype. */
export const own = (obj: object, key: string): unknown =>
  Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined

/**
 * JSON text parsed after checks that JSON.parse leaves out: length, nesting depth and duplicate
 * keys (JSON.parse keeps the last silently; a reader of the other copy would see another document).
 */
export function parseJsonText(text: string, path = '(document)'): unknown {
  if (text.length > documentLimits.textLength)
    throw new JsonFormatError(
      path,
      `is ${text.length} characters long; the limit is ${documentLimits.textLength}`,
    )
  const problem = jsonStructureProblem(text)
  if (problem) throw new JsonFormatError(path, problem)
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new JsonFormatError(path, `not valid JSON: ${printable((e as Error).message)}`)
  }
}

/** A nesting or duplicate-key problem of JSON text, found in one pass without recursion. */
function jsonStructureProblem(text: string): string | undefined {
  // One entry per open bracket: the keys seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = []
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22 /* " */) {
      let end = i + 1
      while (end < text.length && text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1
      const keys = open.at(-1)
      let next = end + 1
      while (next < text.length && /\s/.test(text[next]!)) next++
      if (keys && text[next] === ':') {
        let key: string
        try {
          key = JSON.parse(text.slice(i, end + 1)) as string
        } catch {
          return undefined // JSON.parse reports the syntax error with its position
        }
        if (keys.has(key)) return `the key ${JSON.stringify(key)} appears twice in one object`
        keys.add(key)
      }
      i = end
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      open.push(c === 0x7b ? new Set() : null)
      if (open.length > documentLimits.jsonDepth)
        return `nests arrays and objects more than ${documentLimits.jsonDepth} deep`
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) open.pop()
  }
  return undefined
}

export function asObject(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new JsonFormatError(path, 'must be an object')
  return v as Record<string, unknown>
}

export function asString(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new JsonFormatError(path, 'must be a non-empty string')
  return v
}

/** A name shown to people: no control characters (terminal escapes), at most 256 characters. */
export function asName(v: unknown, path: string): string {
  const s = asString(v, path)
  if (s.length > 256) throw new JsonFormatError(path, `is ${s.length} characters long; the limit is 256`)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f-\u009f]/.test(s))
    throw new JsonFormatError(path, 'must not contain control characters')
  return s
}

export function asArray(v: unknown, path: string, what = 'an array'): unknown[] {
  if (!Array.isArray(v)) throw new JsonFormatError(path, `must be ${what}`)
  return v
}

/** An array of names (ids, references): printed in errors, so without control characters. */
export function asNameArray(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw new JsonFormatError(path, 'must be an array of strings')
  return v.map((s, i) => asName(s, `${path}[${i}]`))
}

/** An integer in [min, max]. */
export function asInteger(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
    throw new JsonFormatError(path, `must be an integer in [${min}, ${max}], got ${describe(v)}`)
  return v as number
}

/** A finite number in [min, max]. */
export function asNumber(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw new JsonFormatError(path, `must be a number in [${min}, ${max}], got ${describe(v)}`)
  return v
}

export function asBoolean(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new JsonFormatError(path, `must be true or false, got ${describe(v)}`)
  return v
}

/** One of a fixed set of strings. */
export function asChoice<T extends string>(v: unknown, path: string, choices: readonly T[]): T {
  if (!choices.includes(v as T))
    throw new JsonFormatError(path, `must be one of ${choices.join(', ')}, got ${describe(v)}`)
  return v as T
}

/** Refuses fields other than `allowed`, naming the first. */
export function onlyFields(obj: object, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(obj))
    if (!allowed.includes(key))
      throw new JsonFormatError(
        path,
        `has unknown field ${JSON.stringify(key)} (known: ${allowed.join(', ')})`,
      )
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

/**
 * Text safe to print on a terminal: control characters (escape sequences among them) are shown as
 * `\u001b`. With `lines`, newlines and tabs are kept (generated text, multi-line output).
 */
export const printable = (text: string, lines = false): string =>
  text.replace(
    lines ? CONTROL_BUT_LINES : CONTROL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )

/** A name from a document quoted for an error message: 'name', control characters escaped. */
export const quoted = (name: string): string => `'${printable(name)}'`

/** A short, printable rendering of a bad value for an error message. */
function describe(v: unknown): string {
  const text =
    typeof v === 'string'
      ? JSON.stringify(v)
      : Array.isArray(v)
        ? 'an array'
        : typeof v === 'object' && v !== null
          ? 'an object'
          : String(v)
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}
