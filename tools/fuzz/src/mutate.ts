import fc from 'fast-check'

/**
 * Damage done to a JSON document the way an attacker or a careless editor would: a value replaced
 * (by any JSON value, or by one of the values that broke readers before), a hostile key added, a
 * key duplicated in the text, the text cut short or a character changed.
 */
export type Mutation =
  | { readonly kind: 'replace'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'addKey'; readonly at: number; readonly key: string; readonly value: unknown }
  | { readonly kind: 'duplicateKey'; readonly at: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'char'; readonly at: number; readonly char: string }
  | { readonly kind: 'nest'; readonly depth: number }

const hostileKeys = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'x\u001b[2J',
]
/** Values that reached JavaScript errors or hangs before: negative, huge, fractional, wrong type. */
const hostileValues: unknown[] = [
  -5,
  -1,
  0,
  0.5,
  1e9,
  1e12,
  2 ** 53,
  1e308,
  -1e308,
  'garbage',
  '',
  'abc',
  null,
  true,
  [],
  {},
  [-5, 3],
  [0, 1e9],
  { __proto__: null },
  'x\u001b]0;owned\u0007',
  '\u0000',
  [[[[[]]]]],
]

export const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...hostileValues) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer() },
)

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: jsonValue }),
  },
  fc.record({
    kind: fc.constant('addKey' as const),
    at: fc.nat(),
    key: fc.oneof(fc.constantFrom(...hostileKeys), fc.string({ maxLength: 8 })),
    value: jsonValue,
  }),
  fc.record({ kind: fc.constant('duplicateKey' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('char' as const),
    at: fc.nat(),
    char: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
  }),
  fc.record({ kind: fc.constant('nest' as const), depth: fc.integer({ min: 100, max: 20_000 }) }),
)

/** Every container (object or array) in a document, found without recursion. */
function containers(doc: unknown): (Record<string, unknown> | unknown[])[] {
  const out: (Record<string, unknown> | unknown[])[] = []
  const todo = [doc]
  while (todo.length > 0) {
    const v = todo.pop()
    if (typeof v !== 'object' || v === null) continue
    out.push(v as Record<string, unknown>)
    for (const child of Object.values(v)) todo.push(child)
  }
  return out
}

/** The text of `doc` after one or more mutations. */
export function mutateJson(doc: unknown, mutations: readonly Mutation[]): string {
  let value = structuredClone(doc)
  let text: string | undefined
  for (const m of mutations) {
    if (m.kind === 'replace' || m.kind === 'addKey') {
      if (text !== undefined) continue // the text is no longer a document to edit
      const all = containers(value)
      if (all.length === 0) {
        value = m.kind === 'replace' ? structuredClone(m.value) : value
        continue
      }
      const target = all[m.at % all.length]!
      const keys = Object.keys(target)
      if (m.kind === 'addKey' && !Array.isArray(target))
        Object.defineProperty(target, m.key, {
          value: m.value,
          enumerable: true,
          writable: true,
          configurable: true,
        })
      else if (keys.length > 0)
        (target as Record<string, unknown>)[keys[m.at % keys.length]!] = structuredClone(m.value)
    } else {
      text ??= JSON.stringify(value)
      if (m.kind === 'duplicateKey') {
        const keyAt = [...text.matchAll(/"([^"\\]*)":/g)]
        const hit = keyAt[m.at % Math.max(1, keyAt.length)]
        if (hit) text = `${text.slice(0, hit.index)}${hit[0]}0,${text.slice(hit.index)}`
      } else if (m.kind === 'truncate') text = text.slice(0, m.at % (text.length + 1))
      else if (m.kind === 'char') {
        const at = m.at % Math.max(1, text.length)
        text = text.slice(0, at) + m.char + text.slice(at + 1)
      } else text = `${'['.repeat(m.depth)}${text}${']'.repeat(m.depth)}`
    }
  }
  return text ?? JSON.stringify(value) ?? 'null'
}
