import { describe, expect, it } from 'vitest'
import { builtinCells, cellFromJson, cellToJson, graphFromJson, JsonFormatError } from '../src/index.js'

/** A built-in LSTM as a parsed document, to be damaged by each case. */
const lstmDoc = () => JSON.parse(cellToJson(builtinCells.lstm!({ input: 3, hidden: 2 })))
const failure = (doc: unknown) => {
  try {
    cellFromJson(typeof doc === 'string' ? doc : JSON.stringify(doc))
  } catch (e) {
    expect(e).toBeInstanceOf(JsonFormatError)
    return (e as Error).message
  }
  throw new Error('the document was accepted')
}

describe('hostile cell documents', () => {
  it('validates the torch layout: out-of-range rows, unknown parameters, wrong types', () => {
    const rows = lstmDoc()
    rows.torch[0].blocks[0].rows = [-5, 3]
    expect(failure(rows)).toMatch(
      /^torch\[0\]\.blocks\[0\]\.rows\[0\]: must be an integer in \[0, 1\], got -5/,
    )
    const past = lstmDoc()
    past.torch[2].blocks[1].rows = [0, 9]
    expect(failure(past)).toMatch(/^torch\[2\]\.blocks\[1\]\.rows\[1\]: must be an integer in \[1, 2\]/)
    const garbage = lstmDoc()
    garbage.torch = 'garbage'
    expect(failure(garbage)).toBe('torch: must be an array of { name, blocks }')
    const unknown = lstmDoc()
    unknown.torch[1].blocks[0].param = 'nope.W'
    expect(failure(unknown)).toMatch(/^torch\[1\]\.blocks\[0\]\.param: names no parameter of the cell/)
    const vectorCols = lstmDoc()
    vectorCols.torch[2].blocks[0].cols = [0, 1]
    expect(failure(vectorCols)).toMatch(/^torch\[2\]\.blocks\[0\]\.cols: .* is a vector/)
    const width = lstmDoc()
    width.torch[0].blocks[1].cols = [0, 1]
    expect(failure(width)).toMatch(/^torch\[0\]\.blocks\[1\]: must have the width and rank/)
  })

  it('treats __proto__, constructor and toString as the unknown keys they are', () => {
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const text = cellToJson(builtinCells.rnn!({ input: 2, hidden: 2 }), 0).replace(
        '"attrs":{"name":"x"',
        `"attrs":{"${key}":{"polluted":1},"name":"x"`,
      )
      expect(failure(text)).toMatch(
        new RegExp(`^graph\\.nodes\\[\\d+\\]\\.attrs\\.${key}: is not an attribute of`),
      )
      const top = lstmDoc()
      Object.defineProperty(top, key, { value: 1, enumerable: true })
      expect(failure(top)).toMatch(/^\(document\): has unknown field/)
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('refuses duplicate keys, control characters in names and absurd sizes', () => {
    const text = cellToJson(builtinCells.rnn!({ input: 2, hidden: 2 }), 0)
    expect(failure(text.replace('"name":"rnn"', '"name":"rnn","name":"evil"'))).toBe(
      '(document): the key "name" appears twice in one object',
    )
    const terminal = lstmDoc()
    terminal.name = 'lstm\u001b]0;owned\u0007'
    expect(failure(terminal)).toBe('name: must not contain control characters')
    const huge = lstmDoc()
    huge.sizes.hidden = 1e12
    expect(failure(huge)).toMatch(/^sizes\.hidden: must be at most 65536, got 1000000000000/)
  })

  it('refuses scans nested past the limit with a named error, not a stack overflow', () => {
    const leafGraph = { inputs: [], nodes: [], outputs: [] }
    let graph: unknown = leafGraph
    for (let i = 0; i < 10_000; i++)
      graph = {
        inputs: [],
        nodes: [
          {
            id: 's',
            op: 'scan',
            inputs: [],
            attrs: { body: graph, carries: 0, sequences: 1, reverse: false },
          },
        ],
        outputs: [],
      }
    expect(() => graphFromJson(graph)).toThrow(
      /^nodes\[0\]\.attrs\.body(\.nodes\[0\]\.attrs\.body)*: scans nest more than 64 deep$/,
    )
    const deepText = `${'['.repeat(10_000)}${']'.repeat(10_000)}`
    expect(() => graphFromJson(deepText)).toThrow('(document): nests arrays and objects more than 512 deep')
  })

  it('refuses shape rules that make values too large to allocate (pad by 10^9)', () => {
    const graph = {
      inputs: ['x'],
      nodes: [
        { id: 'x', op: 'input', inputs: [], attrs: { name: 'x', type: { layout: 'batch', shape: [3] } } },
        { id: 'p', op: 'pad', inputs: ['x'], attrs: { before: 0, after: 1e9 } },
      ],
      outputs: [{ name: 'y', ref: 'p' }],
    }
    expect(() => graphFromJson(graph)).toThrow(
      'nodes: node %p makes a value of 1000000003 elements per row; the limit is 268435456',
    )
  })
})
